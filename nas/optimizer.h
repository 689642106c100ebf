// The ask/tell optimizer interface and its registry.
//
// An optimizer proposes genomes (ask) and learns their evaluations (tell); it never evaluates
// anything itself, so the caller (nas/loop.h) owns evaluation: cache, worker processes,
// multi-fidelity. Optimizers are chosen by name: "nsga2" (default), "moead", "sga", "sa", "random".
//
// Protocol: call ask(), evaluate every returned genome, tell() them all back, repeat.
// generation() counts completed generations (the initial population is generation 0, so it is 1
// after the first tell). A generation may take several ask/tell rounds: nsga2, sga and random ask
// a whole generation at once (so do parego and reinforce); moead and sa are sequential algorithms and ask one
// genome per round. save() is only valid between generations (right after the tell() that completed one).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/config.h"
#include "nas/genome.h"

namespace imc::nas {

// What an evaluator says about one candidate. All objectives are minimized (negate what you
// want to maximize). violation == 0 means feasible; an infeasible candidate has violation > 0
// (larger = further from feasible), a reason, and may leave objectives empty.
struct Evaluation {
  std::vector<double> objectives;
  double violation = 0.0;
  std::string reason;
  std::string fidelity;                             // which model produced it, e.g. "analytical", "systemc"
  nlohmann::json extra = nlohmann::json::object();  // free-form metrics kept in the reports

  bool feasible() const { return violation == 0.0; }
  static Evaluation infeasible(double violation, std::string reason, std::string fidelity = "");
};

nlohmann::json to_json(const Evaluation& e);
Evaluation evaluation_from_json(const nlohmann::json& j);  // throws std::runtime_error on bad input
// The same, in the form nlohmann::json finds by argument-dependent lookup (json(e), j.get<Evaluation>()).
inline void to_json(nlohmann::json& j, const Evaluation& e) {
  j = to_json(e);
}
inline void from_json(const nlohmann::json& j, Evaluation& e) {
  e = evaluation_from_json(j);
}

// Objective magnitudes up to this bound are supported: infeasible candidates are ranked above it
// (see nas/optimizer_pagmo.cpp), which is what keeps them behind every feasible one.
inline constexpr double kMaxObjectiveMagnitude = 1e15;

// The per-algorithm choices, read into enums at load (pagmo takes their names: name_of(value, *_names())).
enum class MoeadDecomposition { kTchebycheff, kWeighted, kBi };
enum class MoeadWeights {
  kAuto,
  kGrid,
  kLowDiscrepancy
};  // auto: grid for 2 objectives, else low discrepancy
enum class SgaCrossover { kSbx, kExponential, kBinomial, kSingle };
enum class SgaSelection { kTournament, kTruncated };
// How the first population is drawn (nas/sampling.h): uniformly over the genome space, or by
// importance-weighted Monte Carlo toward the region a cheap feasibility estimate calls feasible.
enum class Sampling { kUniform, kMonteCarlo };
const std::vector<std::pair<const char*, MoeadDecomposition>>& moead_decomposition_names();
const std::vector<std::pair<const char*, MoeadWeights>>& moead_weights_names();
const std::vector<std::pair<const char*, SgaCrossover>>& sga_crossover_names();
const std::vector<std::pair<const char*, SgaSelection>>& sga_selection_names();
const std::vector<std::pair<const char*, Sampling>>& sampling_names();

struct OptimizerConfig {
  std::string name = "nsga2";
  std::int64_t population = 32;  // candidates per generation
  std::int64_t seed = 1;
  // Scalarization weights for the single-objective optimizers (sga, sa): minimize sum_i w_i f_i.
  // Empty = equal weights. Not read from TOML here (objectives are declared by the caller).
  std::vector<double> weights;
  struct Nsga2 {
    double cr = 0.95, eta_c = 10, m = 0, eta_m = 20;  // m = 0: 1 / (number of free genes)
  } nsga2;
  struct Moead {
    MoeadDecomposition decomposition = MoeadDecomposition::kTchebycheff;
    MoeadWeights weight_generation = MoeadWeights::kAuto;
    std::int64_t neighbours = 20;
    double cr = 1.0, f = 0.5, eta_m = 20, realb = 0.9;
    std::int64_t limit = 2;
    bool preserve_diversity = true;
  } moead;
  struct Sga {
    // eta_m = 1 (wide mutations, pagmo's default): on ZDT1 it beats eta_m = 20 by far (best
    // scalarized value 0.384 vs 0.507 after 100 generations of 100, optimum 0.375).
    double cr = 0.9, eta_c = 10, m = 0, eta_m = 1;  // m = 0: 1 / (number of free genes)
    SgaCrossover crossover = SgaCrossover::kSbx;
    SgaSelection selection = SgaSelection::kTournament;
    std::int64_t tournament = 2;
  } sga;
  struct Sa {
    double t_start = 1.0, t_final = 0.01, start_range = 0.25;
    std::int64_t cooling_generations = 50, bin_size = 1;
  } sa;
  Sampling sampling = Sampling::kUniform;
  struct MonteCarlo {
    std::int64_t oversample = 20;  // draws per member of the first population
    double beta = 5.0;             // weight exp(-beta * estimated violation)
  } monte_carlo;
  struct Parego {
    std::int64_t max_points = 200;  // GP data cap (Cholesky O(n^3) per generation)
    double rho = 0.05;              // augmented Chebyshev term
    std::int64_t acquisition_population = 32, acquisition_generations = 15;
  } parego;
  struct Reinforce {
    std::int64_t hidden = 8;     // MLP hidden units
    double learning_rate = 0.1;  // Adam
    double entropy = 0.01;       // entropy bonus weight
    double rho = 0.05;           // augmented Chebyshev term of the reward
  } reinforce;
  // name = "hyperband": successive halving over the training budget (nas/optimizer_hyperband.cpp).
  // `sampler` (any other registered optimizer) proposes each bracket's first rung; the scheduler
  // promotes the best 1/eta of a rung to the next, eta times larger, budget.
  struct Hyperband {
    std::string sampler = "random";
    double eta = 3;                   // rung factor: budget x eta, candidates / eta per rung
    double min_budget = 1.0 / 9.0;    // smallest budget, as a fraction of the configured (full) one
    bool successive_halving = false;  // brackets = "successive_halving": only the most exploratory one
  } hyperband;
};

// Declares every key of OptimizerConfig except weights (embed it with Fields::section).
void describe(common::Fields& f, OptimizerConfig& c);

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual std::string name() const = 0;
  // Seeds the first population with these genomes (before the first ask only); the rest of the
  // first population is random.
  virtual void hot_start(const std::vector<Genome>& genomes) = 0;
  virtual std::vector<Genome> ask() = 0;
  virtual void tell(const std::vector<Genome>& genomes, const std::vector<Evaluation>& evaluations) = 0;
  virtual std::size_t generation() const = 0;
  // The genomes of the current population (for reports); empty before the first tell.
  virtual std::vector<Genome> population() const = 0;
  // The training budget, as a fraction in (0, 1] of the configured one, at which the genomes of the
  // last ask() are to be evaluated (a multi-fidelity scheduler such as hyperband asks below 1; the
  // loop keys and evaluates them at that budget). Every other optimizer asks at the full budget.
  virtual double budget() const { return 1.0; }
  // Complete state (parameters, RNG, population) at a generation boundary, and its inverse.
  virtual nlohmann::json save() const = 0;
  virtual void load(const nlohmann::json& state) = 0;
};

// What a factory gets: the optimizer config, the number of values of every gene, and the number
// of objectives.
struct OptimizerSetup {
  OptimizerConfig config;
  std::vector<std::size_t> cardinalities;
  std::size_t objectives = 2;
  // Genes whose values are unordered labels (strings): the GP kernel of parego compares them by
  // equality instead of by index distance. Empty = every gene ordinal.
  std::vector<bool> categorical;
  // A cheap estimate of a genome's constraint violation (0 = feasible), used by monte_carlo
  // sampling; the search loop passes the space's conditions (and LoopOptions::feasibility_estimate).
  std::function<double(const Genome&)> violation_estimate;
  // Builds another optimizer (hyperband's sampler). make_optimizer sets it to itself: a factory
  // calling make_optimizer directly would link pagmo2 into every program that reads an optimizer
  // config (see the registry in optimizer.cpp).
  std::function<std::unique_ptr<Optimizer>(const OptimizerSetup&)> make_inner;
};
using OptimizerFactory = std::function<std::unique_ptr<Optimizer>(const OptimizerSetup&)>;

// What callers need to know of an optimizer without comparing its name.
struct OptimizerTraits {
  bool multi_objective_only = false;  // needs >= 2 objectives (nsga2, moead)
  bool scalarized = false;            // minimizes a weighted sum of the objectives (sga, sa)
  bool budgeted = false;              // asks below the full training budget (hyperband)
};

// Registry (an optimizer's name is its key: the config's `name` is checked against it at load). The
// built-in optimizers are always present; register_optimizer adds (or replaces) one.
void register_optimizer(const std::string& name, OptimizerFactory factory, OptimizerTraits traits = {});
std::vector<std::string> optimizer_names();
// Throws common::InputError naming the allowed names when `name` is not registered.
OptimizerTraits optimizer_traits(const std::string& name);
// Throws common::InputError naming the allowed names / the bad parameter.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerSetup& setup);
// A genome told to (or hot-started into) an optimizer has one index per gene, each inside its
// gene's cardinality; InputError otherwise (a checkpoint or front file edited by hand).
void check_genome(const std::vector<std::size_t>& cardinalities, const Genome& g);
// The factory registered under `name`; empty for the built-in pagmo2 optimizers (make_optimizer
// calls make_pagmo_optimizer for them). Throws InputError for an unknown name.
OptimizerFactory registered_factory(const std::string& name);

// Built-in factories (defined in optimizer_pagmo.cpp and optimizer_random.cpp).
std::unique_ptr<Optimizer> make_pagmo_optimizer(const OptimizerSetup& setup);
std::unique_ptr<Optimizer> make_random_optimizer(const OptimizerSetup& setup);
std::unique_ptr<Optimizer> make_parego_optimizer(const OptimizerSetup& setup);
std::unique_ptr<Optimizer> make_reinforce_optimizer(const OptimizerSetup& setup);
// Wraps an optimizer built (through make_optimizer) for setup.config.hyperband.sampler.
std::unique_ptr<Optimizer> make_hyperband_optimizer(const OptimizerSetup& setup);

}  // namespace imc::nas
