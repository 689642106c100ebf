#include "nas/pagmo_bridge.h"

#include <algorithm>
#include <cmath>
#include <pagmo/s11n.hpp>
#include <stdexcept>

// Checkpoints serialize pagmo populations (which hold a GenomeProblem) and nsga2 (which holds an
// OracleBfe): both must be known to Boost.Serialization.
PAGMO_S11N_PROBLEM_EXPORT(imc::nas::pagmo_detail::GenomeProblem)
PAGMO_S11N_BFE_EXPORT(imc::nas::pagmo_detail::OracleBfe)

namespace imc::nas::pagmo_detail {

namespace {

thread_local Oracle* t_oracle = nullptr;

struct AbortSignal {};  // unwinds a sleeping helper's evolve() when its Rendezvous is destroyed

Oracle& current_oracle() {
  if (!t_oracle) throw std::logic_error("imc::nas: pagmo fitness called outside an optimizer step");
  return *t_oracle;
}

}  // namespace

OracleScope::OracleScope(Oracle* o) : prev_(t_oracle) {
  t_oracle = o;
}
OracleScope::~OracleScope() {
  t_oracle = prev_;
}

Genome Oracle::genome_of(const vector_double& x) const {
  Genome g(cards.size(), 0);
  for (std::size_t k = 0; k < free.size(); ++k) {
    const double hi = static_cast<double>(cards[free[k]] - 1);
    g[free[k]] = static_cast<int>(std::clamp(std::floor(x[k] + 0.5), 0.0, hi));
  }
  return g;
}

vector_double Oracle::x_of(const Genome& g) const {
  vector_double x(free.size());
  for (std::size_t k = 0; k < free.size(); ++k) x[k] = g[free[k]];
  return x;
}

vector_double Oracle::fitness(const vector_double& x) {
  Genome g = genome_of(x);
  if (auto it = told.find(g); it != told.end()) return it->second;
  if (suspend) {
    suspend->wait_for(g);
    if (auto it = told.find(g); it != told.end()) return it->second;
    throw std::logic_error("imc::nas: optimizer resumed before the genome it waits for was told");
  }
  if (miss_set.insert(g).second) misses.push_back(g);
  return vector_double(pagmo_objectives, kPenalty);  // this replay is discarded anyway
}

vector_double GenomeProblem::fitness(const vector_double& x) const {
  return current_oracle().fitness(x);
}

std::pair<vector_double, vector_double> GenomeProblem::get_bounds() const {
  return {vector_double(upper.size(), -0.5), upper};
}

vector_double OracleBfe::operator()(const pagmo::problem& p, const vector_double& dvs) const {
  const auto nx = p.get_nx();
  vector_double out;
  out.reserve(dvs.size() / nx * p.get_nf());
  for (std::size_t i = 0; i < dvs.size(); i += nx) {
    vector_double x(dvs.begin() + static_cast<std::ptrdiff_t>(i),
                    dvs.begin() + static_cast<std::ptrdiff_t>(i + nx));
    vector_double f = p.fitness(x);
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

Rendezvous::Rendezvous(pagmo::algorithm algo, pagmo::population pop, Oracle* oracle)
    : algo_(std::move(algo)), pop_(std::move(pop)), oracle_(oracle) {
  oracle_->suspend = this;
  helper_turn_ = true;  // the helper starts running at once; hand_over() below waits for it to yield
  thread_ = std::thread([this] {
    OracleScope scope(oracle_);
    std::exception_ptr error;
    try {
      pop_ = algo_.evolve(pop_);
    } catch (const AbortSignal&) {
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(mu_);
    error_ = error;
    finished_ = true;
    helper_turn_ = false;
    cv_.notify_all();
  });
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !helper_turn_; });
  if (error_) {  // evolve() refused to start: no destructor will run, so clean up here
    lock.unlock();
    thread_.join();
    oracle_->suspend = nullptr;
    std::rethrow_exception(error_);
  }
}

Rendezvous::~Rendezvous() {
  {
    std::lock_guard lock(mu_);
    abort_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  oracle_->suspend = nullptr;
}

void Rendezvous::hand_over() {
  std::unique_lock lock(mu_);
  helper_turn_ = true;
  cv_.notify_all();
  cv_.wait(lock, [&] { return !helper_turn_; });
}

void Rendezvous::resume() {
  if (finished_) return;
  hand_over();
  std::lock_guard lock(mu_);
  if (error_) std::rethrow_exception(error_);
}

void Rendezvous::wait_for(const Genome& g) {
  std::unique_lock lock(mu_);
  wanted_ = g;
  helper_turn_ = false;
  cv_.notify_all();
  cv_.wait(lock, [&] { return helper_turn_ || abort_; });
  if (abort_) throw AbortSignal{};
  wanted_.reset();
}

}  // namespace imc::nas::pagmo_detail
