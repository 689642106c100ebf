#include "nas/optimizer_batch.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace imc::nas {

BatchOptimizer::BatchOptimizer(const OptimizerSetup& setup, std::string name)
    : setup_(setup), rng_(static_cast<std::uint64_t>(setup.config.seed)), name_(std::move(name)) {}

void BatchOptimizer::hot_start(const std::vector<Genome>& genomes) {
  if (generation_ > 0 || !batch_.empty())
    throw std::logic_error("hot_start() must come before the first ask()");
  for (const auto& g : genomes) check(g);
  hot_ = genomes;
}

Genome BatchOptimizer::random_genome() {
  Genome g(setup_.cardinalities.size(), 0);
  for (std::size_t k = 0; k < g.size(); ++k)
    if (setup_.cardinalities[k] > 1) g[k] = static_cast<int>(rng_() % setup_.cardinalities[k]);
  return g;
}

std::size_t BatchOptimizer::free_genes() const {
  std::size_t n = 0;
  for (auto c : setup_.cardinalities) n += c > 1;
  return n;
}

std::vector<Genome> BatchOptimizer::ask() {
  if (batch_.empty()) {
    const auto np = static_cast<std::size_t>(setup_.config.population);
    if (generation_ == 0) {
      for (std::size_t i = 0; i < hot_.size() && batch_.size() < np; ++i) batch_.push_back(hot_[i]);
      while (batch_.size() < np) batch_.push_back(random_genome());
    } else {
      batch_ = propose(np);
      for (const auto& g : batch_) check(g);
    }
    told_.clear();
  }
  std::vector<Genome> out;  // batch order, each genome not yet told once
  std::set<Genome> seen;
  for (const auto& g : batch_)
    if (!told_.count(g) && seen.insert(g).second) out.push_back(g);
  return out;
}

void BatchOptimizer::tell(const std::vector<Genome>& genomes, const std::vector<Evaluation>& evals) {
  if (genomes.size() != evals.size())
    throw std::invalid_argument(
        fmt::format("tell(): {} genomes but {} evaluations", genomes.size(), evals.size()));
  if (batch_.empty()) throw std::logic_error("tell() without ask()");
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    check(genomes[i]);
    if (std::find(batch_.begin(), batch_.end(), genomes[i]) == batch_.end())
      throw std::invalid_argument("tell(): a genome that was not asked");
    told_[genomes[i]] = evals[i];
  }
  for (const auto& g : batch_)
    if (!told_.count(g)) return;
  // Generation complete: learn from its distinct genomes in ask order.
  std::vector<Genome> gs;
  std::vector<Evaluation> es;
  std::set<Genome> seen;
  for (const auto& g : batch_)
    if (seen.insert(g).second) {
      gs.push_back(g);
      es.push_back(told_.at(g));
    }
  learn(gs, es);
  last_ = std::move(batch_);
  batch_.clear();
  told_.clear();
  ++generation_;
}

nlohmann::json BatchOptimizer::save() const {
  if (!batch_.empty()) throw std::logic_error("optimizer state can only be saved between generations");
  return {{"name", name_}, {"generation", generation_}, {"rng", rng_to_string(rng_)}, {"hot_start", hot_},
          {"last", last_}, {"state", save_state()}};
}

void BatchOptimizer::load(const nlohmann::json& j) {
  if (j.at("name").get<std::string>() != name_)
    throw common::InputError(fmt::format("checkpoint holds optimizer '{}', the run uses '{}'",
                                         j.at("name").get<std::string>(), name_));
  generation_ = j.at("generation").get<std::size_t>();
  rng_from_string(rng_, j.at("rng").get<std::string>());
  hot_ = j.at("hot_start").get<std::vector<Genome>>();
  last_ = j.at("last").get<std::vector<Genome>>();
  batch_.clear();
  told_.clear();
  load_state(j.at("state"));
}

void BatchOptimizer::check(const Genome& g) const {
  check_genome(setup_.cardinalities, g);
}

void ObjectiveBounds::update(const std::vector<double>& f) {
  if (lo.empty()) {
    lo = hi = f;
    return;
  }
  for (std::size_t i = 0; i < f.size(); ++i) {
    lo[i] = std::min(lo[i], f[i]);
    hi[i] = std::max(hi[i], f[i]);
  }
}

std::vector<double> ObjectiveBounds::normalize(const std::vector<double>& f) const {
  std::vector<double> out(f.size());
  for (std::size_t i = 0; i < f.size(); ++i) {
    const double span = hi[i] - lo[i];
    out[i] = span > 0 ? (f[i] - lo[i]) / span : 0.0;
  }
  return out;
}

nlohmann::json ObjectiveBounds::to_json() const {
  return {{"lo", lo}, {"hi", hi}};
}

ObjectiveBounds ObjectiveBounds::from_json(const nlohmann::json& j) {
  ObjectiveBounds b;
  b.lo = j.at("lo").get<std::vector<double>>();
  b.hi = j.at("hi").get<std::vector<double>>();
  return b;
}

std::vector<double> random_simplex_weights(std::size_t n, std::mt19937_64& rng) {
  // -log(u) is Exp(1); normalized exponentials are uniform on the simplex. Drawn from rng() by
  // hand (not std::exponential_distribution) so that the sequence is the same on every library.
  std::vector<double> w(n);
  double sum = 0;
  for (auto& x : w) {
    const double u = (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
    x = -std::log(u);
    sum += x;
  }
  for (auto& x : w) x /= sum;
  return w;
}

double augmented_chebyshev(const std::vector<double>& f, const std::vector<double>& w, double rho) {
  double mx = -INFINITY, sum = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    mx = std::max(mx, w[i] * f[i]);
    sum += w[i] * f[i];
  }
  return mx + rho * sum;
}

double scalar_cost(const Evaluation& e, const ObjectiveBounds& bounds, const std::vector<double>& w,
                   double rho) {
  if (!e.feasible() || bounds.empty()) {
    const double v = std::isfinite(e.violation) ? e.violation : 1e6;
    return 1.0 + rho + 1.0 + std::log1p(v);
  }
  return augmented_chebyshev(bounds.normalize(e.objectives), w, rho);
}

std::string rng_to_string(const std::mt19937_64& rng) {
  std::ostringstream s;
  s << rng;
  return s.str();
}

void rng_from_string(std::mt19937_64& rng, const std::string& text) {
  std::istringstream s(text);
  s >> rng;
  if (!s) throw std::runtime_error("optimizer state: unreadable random generator state");
}

}  // namespace imc::nas
