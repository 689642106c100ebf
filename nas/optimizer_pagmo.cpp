// pagmo2 algorithms (nsga2, moead, sga, sa) behind our ask/tell interface.
//
// How pagmo's evolve() is driven without letting it evaluate anything: nas/pagmo_bridge.h
// (replay for nsga2 and sga, a suspended helper thread for moead and sa). Each generation is one
// evolve() call of a one-generation algorithm, so a generation boundary is a complete state
// (algorithm with its RNG + population) that checkpoints serialize with Boost.Serialization.
//
// Genomes are integer indices, relaxed to a continuous box for pagmo: gene k with n values is
// x_k in [-0.5, n - 0.5] and decodes to round(x_k). SBX / polynomial / DE operators then keep the
// locality of ordered genes (pagmo's integer encoding would mutate by uniform resampling), and
// moead and sa, which only take continuous problems, work unchanged. Fixed genes (one value) are
// left out of pagmo's decision vector (pagmo rejects lb == ub).
//
// Constraints: pagmo's multi-objective algorithms take no constraints, so an infeasible candidate
// gets fitness kPenalty * (1 + violation) in every objective. Feasible objectives are bounded by
// kMaxObjectiveMagnitude < kPenalty, so every feasible candidate dominates every infeasible one,
// and among infeasible ones the smaller violation wins.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <pagmo/algorithms/moead.hpp>
#include <pagmo/algorithms/nsga2.hpp>
#include <pagmo/algorithms/sga.hpp>
#include <pagmo/algorithms/simulated_annealing.hpp>
#include <pagmo/s11n.hpp>
#include <pagmo/utils/multi_objective.hpp>
#include <random>
#include <sstream>

#include "nas/optimizer.h"
#include "nas/pagmo_bridge.h"

namespace imc::nas {

using common::InputError;
using namespace pagmo_detail;

namespace {

template <typename T>
std::string to_archive(const T& obj) {
  std::ostringstream ss;
  {
    boost::archive::text_oarchive oa(ss);
    oa << obj;
  }
  return ss.str();
}

template <typename T>
void from_archive(const std::string& text, T& obj) {
  std::istringstream ss(text);
  boost::archive::text_iarchive ia(ss);
  ia >> obj;
}

std::string rng_text(const std::mt19937_64& rng) {
  std::ostringstream ss;
  ss << rng;
  return ss.str();
}

// The pagmo algorithm behind each registered name, parsed once (make_pagmo_optimizer).
enum class Algo { kNsga2, kMoead, kSga, kSa };
const std::vector<std::pair<const char*, Algo>>& algo_names() {
  static const std::vector<std::pair<const char*, Algo>> n = {
      {"nsga2", Algo::kNsga2}, {"moead", Algo::kMoead}, {"sga", Algo::kSga}, {"sa", Algo::kSa}};
  return n;
}

class PagmoOptimizer final : public Optimizer {
 public:
  PagmoOptimizer(const OptimizerSetup& s, Algo algo)
      : setup_(s), algo_kind_(algo), rng_(static_cast<std::uint64_t>(s.config.seed)) {
    oracle_.cards = s.cardinalities;
    for (std::size_t i = 0; i < s.cardinalities.size(); ++i)
      if (s.cardinalities[i] > 1) oracle_.free.push_back(i);
    const auto& c = setup_.config;
    scalarized_ = algo == Algo::kSga || algo == Algo::kSa;
    sequential_ = algo == Algo::kMoead || algo == Algo::kSa;
    oracle_.pagmo_objectives = scalarized_ ? 1 : s.objectives;
    weights_ = c.weights.empty() ? std::vector<double>(s.objectives, 1.0 / static_cast<double>(s.objectives))
                                 : c.weights;
    GenomeProblem udp;
    for (auto i : oracle_.free) udp.upper.push_back(static_cast<double>(s.cardinalities[i]) - 0.5);
    udp.nobj = static_cast<unsigned>(oracle_.pagmo_objectives);
    problem_ = pagmo::problem(udp);
    check_config();
    if (algo != Algo::kSa) algo_ = make_algorithm(next_seed());
  }

  std::string name() const override { return setup_.config.name; }

  void hot_start(const std::vector<Genome>& genomes) override {
    if (started_ || !initial_.empty()) throw std::logic_error("hot_start() must come before the first ask()");
    for (const auto& g : genomes) check_genome(g, "hot-start genome");
    hot_ = genomes;
  }

  std::vector<Genome> ask() override {
    if (!started_) {
      if (initial_.empty()) make_initial();
      if (pending_.empty()) pending_ = initial_;
      return pending_;
    }
    if (pending_.empty()) {
      step();
      if (pending_.empty())  // every algorithm here evaluates at least once per generation
        throw std::logic_error("imc::nas: pagmo generation completed without any evaluation");
    }
    return pending_;
  }

  void tell(const std::vector<Genome>& genomes, const std::vector<Evaluation>& evals) override {
    if (genomes.size() != evals.size())
      throw std::invalid_argument(
          fmt::format("tell(): {} genomes but {} evaluations", genomes.size(), evals.size()));
    for (std::size_t i = 0; i < genomes.size(); ++i) {
      check_genome(genomes[i], "told genome");
      oracle_.told[genomes[i]] = fitness_of(evals[i]);
    }
    if (!started_) {
      pending_.clear();
      for (const auto& g : initial_)
        if (!oracle_.told.count(g)) pending_.push_back(g);
      if (pending_.empty() && !initial_.empty()) start();
      return;
    }
    if (!sequential_ || (helper_ && oracle_.told.count(helper_->wanted()))) step();
  }

  std::size_t generation() const override { return generation_; }

  std::vector<Genome> population() const override {
    std::vector<Genome> out;
    if (!started_) return out;
    for (const auto& x : pop_.get_x()) out.push_back(oracle_.genome_of(x));
    return out;
  }

  nlohmann::json save() const override {
    if (!pending_.empty() || !oracle_.told.empty() || helper_)
      throw std::logic_error("optimizer state can only be saved between generations");
    nlohmann::json j = {{"name", name()},        {"generation", generation_}, {"started", started_},
                        {"rng", rng_text(rng_)}, {"hot_start", hot_},         {"initial", initial_}};
    if (name() != "sa" || started_) j["algorithm"] = to_archive(algo_);
    if (started_) j["population"] = to_archive(pop_);
    return j;
  }

  void load(const nlohmann::json& j) override {
    helper_.reset();  // abandon a generation in progress
    if (j.at("name").get<std::string>() != name())
      throw InputError(fmt::format("checkpoint holds optimizer '{}', the run uses '{}'",
                                   j.at("name").get<std::string>(), name()));
    generation_ = j.at("generation").get<std::size_t>();
    started_ = j.at("started").get<bool>();
    std::istringstream(j.at("rng").get<std::string>()) >> rng_;
    hot_ = j.at("hot_start").get<std::vector<Genome>>();
    initial_ = j.at("initial").get<std::vector<Genome>>();
    if (j.contains("algorithm")) from_archive(j.at("algorithm").get<std::string>(), algo_);
    if (started_) from_archive(j.at("population").get<std::string>(), pop_);
    oracle_.told.clear();
    pending_.clear();
  }

 private:
  unsigned next_seed() { return static_cast<unsigned>(rng_() >> 32); }

  double mutation_rate(double m) const { return m > 0 ? m : 1.0 / static_cast<double>(oracle_.free.size()); }

  void check_config() const {
    const auto& c = setup_.config;
    const auto np = static_cast<std::size_t>(c.population);
    const std::size_t nobj = setup_.objectives;
    if ((algo_kind_ == Algo::kNsga2 || algo_kind_ == Algo::kMoead) && nobj < 2)
      throw InputError(
          fmt::format("optimizer.name: '{}' is multi-objective and needs at least 2 objectives; "
                      "use 'sga' or 'sa' for one",
                      c.name));
    if (algo_kind_ == Algo::kNsga2 && (np < 8 || np % 4 != 0))
      throw InputError(
          fmt::format("optimizer.population: nsga2 needs a multiple of 4, at least 8; found {}", np));
    if (algo_kind_ == Algo::kMoead) {
      if (static_cast<std::size_t>(c.moead.neighbours) >= np)
        throw InputError(
            fmt::format("optimizer.moead.neighbours: {} must be smaller than the population ({})",
                        c.moead.neighbours, np));
      try {
        pagmo::detail::random_engine_type e(0u);
        pagmo::decomposition_weights(nobj, np, moead_weights(), e);
      } catch (const std::invalid_argument& ex) {
        throw InputError(
            fmt::format("optimizer.moead.weight_generation: '{}' does not fit {} objectives and "
                        "population {}: {}",
                        moead_weights(), nobj, np, ex.what()));
      }
    }
    if (algo_kind_ == Algo::kSga) {
      if (c.sga.crossover == SgaCrossover::kSbx && np % 2 != 0)
        throw InputError(fmt::format(
            "optimizer.population: sga with sbx crossover needs an even population; found {}", np));
      if (static_cast<std::size_t>(c.sga.tournament) > np)
        throw InputError(
            fmt::format("optimizer.sga.tournament: {} exceeds the population ({})", c.sga.tournament, np));
    }
    if (algo_kind_ == Algo::kSa && !(c.sa.t_final <= c.sa.t_start))
      throw InputError(
          fmt::format("optimizer.sa.t_final: {} must not exceed t_start ({})", c.sa.t_final, c.sa.t_start));
  }

  // pagmo's name of the weight generation ("auto" resolved by the objective count).
  std::string moead_weights() const {
    MoeadWeights w = setup_.config.moead.weight_generation;
    if (w == MoeadWeights::kAuto)
      w = setup_.objectives == 2 ? MoeadWeights::kGrid : MoeadWeights::kLowDiscrepancy;
    return common::name_of(w, moead_weights_names());
  }

  pagmo::algorithm make_algorithm(unsigned seed) const {
    const auto& c = setup_.config;
    if (algo_kind_ == Algo::kNsga2) {
      pagmo::nsga2 a(1u, c.nsga2.cr, c.nsga2.eta_c, mutation_rate(c.nsga2.m), c.nsga2.eta_m, seed);
      a.set_bfe(pagmo::bfe(OracleBfe{}));
      return pagmo::algorithm(a);
    }
    if (algo_kind_ == Algo::kMoead)
      return pagmo::algorithm(pagmo::moead(
          1u, moead_weights(), common::name_of(c.moead.decomposition, moead_decomposition_names()),
          static_cast<pagmo::population::size_type>(c.moead.neighbours), c.moead.cr, c.moead.f, c.moead.eta_m,
          c.moead.realb, static_cast<unsigned>(c.moead.limit), c.moead.preserve_diversity, seed));
    if (algo_kind_ == Algo::kSga)
      return pagmo::algorithm(pagmo::sga(
          1u, c.sga.cr, c.sga.eta_c, mutation_rate(c.sga.m), c.sga.eta_m,
          static_cast<unsigned>(c.sga.tournament), common::name_of(c.sga.crossover, sga_crossover_names()),
          "polynomial", common::name_of(c.sga.selection, sga_selection_names()), seed));
    // sa: one temperature per generation, cooling geometrically over cooling_generations.
    double steps = static_cast<double>(c.sa.cooling_generations);
    double s = std::min(static_cast<double>(generation_ > 0 ? generation_ - 1 : 0), steps);
    double t = c.sa.t_start * std::pow(c.sa.t_final / c.sa.t_start, s / steps);
    pagmo::simulated_annealing sa(t, t, 1u, 1u, static_cast<unsigned>(c.sa.bin_size), c.sa.start_range, seed);
    sa.set_random_sr_seed(seed);  // unused by the "best" policies, but otherwise seeded from the OS
    return pagmo::algorithm(sa);
  }

  void check_genome(const Genome& g, const char* what) const {
    if (g.size() != oracle_.cards.size())
      throw InputError(
          fmt::format("{} has {} genes, the search space has {}", what, g.size(), oracle_.cards.size()));
    for (std::size_t i = 0; i < g.size(); ++i)
      if (g[i] < 0 || static_cast<std::size_t>(g[i]) >= oracle_.cards[i])
        throw InputError(
            fmt::format("{}: gene #{} index {} is outside [0, {})", what, i, g[i], oracle_.cards[i]));
  }

  vector_double fitness_of(const Evaluation& e) const {
    if (std::isnan(e.violation) || e.violation < 0)
      throw InputError(fmt::format("evaluation: violation must be >= 0, found {}", e.violation));
    if (!e.feasible())
      return vector_double(oracle_.pagmo_objectives, kPenalty * (1.0 + std::min(e.violation, kMaxViolation)));
    if (e.objectives.size() != setup_.objectives)
      throw InputError(fmt::format("evaluation: {} objectives, the search has {}", e.objectives.size(),
                                   setup_.objectives));
    for (std::size_t i = 0; i < e.objectives.size(); ++i)
      if (!std::isfinite(e.objectives[i]) || std::abs(e.objectives[i]) > kMaxObjectiveMagnitude)
        throw InputError(
            fmt::format("evaluation: objective #{} = {} is not a finite number of magnitude <= {:g}; "
                        "rescale it",
                        i, e.objectives[i], kMaxObjectiveMagnitude));
    if (!scalarized_) return e.objectives;
    double s = 0;
    for (std::size_t i = 0; i < e.objectives.size(); ++i) s += weights_[i] * e.objectives[i];
    return {s};
  }

  void make_initial() {
    const auto np = static_cast<std::size_t>(setup_.config.population);
    for (std::size_t i = 0; i < hot_.size() && initial_.size() < np; ++i) initial_.push_back(hot_[i]);
    while (initial_.size() < np) {
      Genome g(oracle_.cards.size(), 0);
      for (auto k : oracle_.free) g[k] = static_cast<int>(rng_() % oracle_.cards[k]);
      initial_.push_back(std::move(g));
    }
  }

  void start() {
    pop_ = pagmo::population(problem_, 0u, next_seed());
    for (const auto& g : initial_) pop_.push_back(oracle_.x_of(g), oracle_.told.at(g));
    started_ = true;
    commit_generation();
  }

  void commit_generation() {
    ++generation_;
    oracle_.told.clear();
    pending_.clear();
    if (algo_kind_ == Algo::kSa) algo_ = make_algorithm(next_seed());
  }

  // Advances the current generation as far as the told evaluations allow: either it completes
  // (committed) or pending_ holds the genomes it needs next.
  void step() {
    if (sequential_) {
      if (!helper_)
        helper_ = std::make_unique<Rendezvous>(algo_, pop_, &oracle_);
      else
        helper_->resume();
      if (!helper_->finished()) {
        pending_ = {helper_->wanted()};
        return;
      }
      algo_ = helper_->algorithm();
      pop_ = helper_->result();
      helper_.reset();
      commit_generation();
      return;
    }
    oracle_.misses.clear();
    oracle_.miss_set.clear();
    pagmo::algorithm algo = algo_;  // copies the RNG state: the replay is reproducible
    pagmo::population result;
    {
      OracleScope scope(&oracle_);
      result = algo.evolve(pop_);
    }
    if (!oracle_.misses.empty()) {
      pending_ = oracle_.misses;
      return;
    }
    algo_ = std::move(algo);
    pop_ = std::move(result);
    commit_generation();
  }

  OptimizerSetup setup_;
  Algo algo_kind_;
  bool scalarized_ = false;
  bool sequential_ = false;  // moead, sa: one genome per ask, evolve() suspended on a helper thread
  std::vector<double> weights_;
  Oracle oracle_;
  pagmo::problem problem_;
  pagmo::algorithm algo_;
  pagmo::population pop_;
  std::mt19937_64 rng_;
  bool started_ = false;
  std::size_t generation_ = 0;
  std::vector<Genome> hot_, initial_, pending_;
  std::unique_ptr<Rendezvous> helper_;  // last: it refers to oracle_ until destroyed
};

}  // namespace

std::unique_ptr<Optimizer> make_pagmo_optimizer(const OptimizerSetup& setup) {
  for (const auto& [name, algo] : algo_names())
    if (setup.config.name == name) return std::make_unique<PagmoOptimizer>(setup, algo);
  throw InputError(fmt::format("optimizer: '{}' is not a pagmo-backed optimizer", setup.config.name));
}

}  // namespace imc::nas
