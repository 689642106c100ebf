#include "nas/optimizer.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>

namespace imc::nas {

using common::InputError;

Evaluation Evaluation::infeasible(double violation, std::string reason, std::string fidelity) {
  Evaluation e;
  e.violation = violation > 0 ? violation : 1.0;
  e.reason = std::move(reason);
  e.fidelity = std::move(fidelity);
  return e;
}

namespace {

// JSON has no infinity: a violation of +inf (a candidate that could not be evaluated) is written
// as the string "inf".
nlohmann::json number_json(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  return v;
}

double number_from_json(const nlohmann::json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  }
  throw std::runtime_error("expected a number, found " + j.dump());
}

}  // namespace

nlohmann::json to_json(const Evaluation& e) {
  nlohmann::json objectives = nlohmann::json::array();
  for (double v : e.objectives) objectives.push_back(number_json(v));
  return {{"objectives", objectives},
          {"violation", number_json(e.violation)},
          {"reason", e.reason},
          {"fidelity", e.fidelity},
          {"extra", e.extra}};
}

Evaluation evaluation_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::runtime_error("evaluation: expected a JSON object, found " + j.dump());
  Evaluation e;
  for (const auto& v : j.at("objectives")) e.objectives.push_back(number_from_json(v));
  e.violation = number_from_json(j.at("violation"));
  e.reason = j.value("reason", "");
  e.fidelity = j.value("fidelity", "");
  if (j.contains("extra")) e.extra = j.at("extra");
  return e;
}

const std::vector<std::pair<const char*, MoeadDecomposition>>& moead_decomposition_names() {
  static const std::vector<std::pair<const char*, MoeadDecomposition>> n = {
      {"tchebycheff", MoeadDecomposition::kTchebycheff},
      {"weighted", MoeadDecomposition::kWeighted},
      {"bi", MoeadDecomposition::kBi}};
  return n;
}
const std::vector<std::pair<const char*, MoeadWeights>>& moead_weights_names() {
  static const std::vector<std::pair<const char*, MoeadWeights>> n = {
      {"auto", MoeadWeights::kAuto},
      {"grid", MoeadWeights::kGrid},
      {"low discrepancy", MoeadWeights::kLowDiscrepancy}};
  return n;
}
const std::vector<std::pair<const char*, SgaCrossover>>& sga_crossover_names() {
  static const std::vector<std::pair<const char*, SgaCrossover>> n = {
      {"sbx", SgaCrossover::kSbx},
      {"exponential", SgaCrossover::kExponential},
      {"binomial", SgaCrossover::kBinomial},
      {"single", SgaCrossover::kSingle}};
  return n;
}
const std::vector<std::pair<const char*, SgaSelection>>& sga_selection_names() {
  static const std::vector<std::pair<const char*, SgaSelection>> n = {
      {"tournament", SgaSelection::kTournament}, {"truncated", SgaSelection::kTruncated}};
  return n;
}

const std::vector<std::pair<const char*, Sampling>>& sampling_names() {
  static const std::vector<std::pair<const char*, Sampling>> n = {{"uniform", Sampling::kUniform},
                                                                  {"monte_carlo", Sampling::kMonteCarlo}};
  return n;
}

void describe(common::Fields& f, OptimizerConfig& c) {
  f.choice("name", c.name, {"nsga2", optimizer_names(), "optimizer (see docs/nas.md)"});
  f.integer("population", c.population,
            {32, 2, 100000, "candidates", "candidates per generation (nsga2: a multiple of 4, at least 8)"});
  f.integer("seed", c.seed,
            {1, 0, std::numeric_limits<std::int64_t>::max(), "", "random seed of the search"});
  // pagmo's NSGA-II pairs parents in fours (pagmo::nsga2::evolve).
  f.rule("population", [&c]() -> std::string {
    if (c.name != "nsga2" || (c.population >= 8 && c.population % 4 == 0)) return "";
    return fmt::format("{} does not suit nsga2: allowed a multiple of 4, at least 8", c.population);
  });
  f.section("nsga2", "NSGA-II (pagmo::nsga2)", [&](common::Fields& g) {
    g.real("cr", c.nsga2.cr, {0.95, 0, 0.999999, "", "crossover probability"});
    g.real("eta_c", c.nsga2.eta_c, {10, 1, 100, "", "SBX distribution index"});
    g.real("m", c.nsga2.m, {0, 0, 1, "", "mutation probability per gene; 0 = 1 / free genes"});
    g.real("eta_m", c.nsga2.eta_m, {20, 1, 100, "", "polynomial mutation distribution index"});
  });
  f.section("moead", "MOEA/D-DE (pagmo::moead)", [&](common::Fields& g) {
    g.choice("decomposition", c.moead.decomposition, MoeadDecomposition::kTchebycheff,
             moead_decomposition_names(), "decomposition");
    g.choice("weight_generation", c.moead.weight_generation, MoeadWeights::kAuto, moead_weights_names(),
             "weight vectors; auto = grid for 2 objectives, else low discrepancy");
    g.integer("neighbours", c.moead.neighbours, {20, 2, 100000, "", "neighbourhood size (< population)"});
    g.real("cr", c.moead.cr, {1.0, 0, 1, "", "DE crossover rate"});
    g.real("f", c.moead.f, {0.5, 0, 1, "", "DE scale factor"});
    g.real("eta_m", c.moead.eta_m, {20, 1, 100, "", "polynomial mutation distribution index"});
    g.real("realb", c.moead.realb, {0.9, 0, 1, "", "chance of mating within the neighbourhood"});
    g.integer("limit", c.moead.limit, {2, 1, 100000, "", "max replacements per child"});
    g.boolean("preserve_diversity", c.moead.preserve_diversity, true, "MOEA/D-DE diversity preservation");
  });
  f.section("sga", "scalarized genetic algorithm (pagmo::sga)", [&](common::Fields& g) {
    g.real("cr", c.sga.cr, {0.9, 0, 1, "", "crossover probability"});
    g.real("eta_c", c.sga.eta_c, {10, 1, 100, "", "SBX distribution index"});
    g.real("m", c.sga.m, {0, 0, 1, "", "mutation probability per gene; 0 = 1 / free genes"});
    g.real("eta_m", c.sga.eta_m, {1, 1, 100, "", "polynomial mutation distribution index"});
    g.choice("crossover", c.sga.crossover, SgaCrossover::kSbx, sga_crossover_names(), "crossover");
    g.choice("selection", c.sga.selection, SgaSelection::kTournament, sga_selection_names(), "selection");
    g.integer("tournament", c.sga.tournament, {2, 1, 100000, "", "tournament / truncation size"});
  });
  f.section("sa", "simulated annealing (pagmo::simulated_annealing, Corana)", [&](common::Fields& g) {
    g.real("t_start", c.sa.t_start, {1.0, 1e-300, 1e300, "objective units", "starting temperature"});
    g.real("t_final", c.sa.t_final, {0.01, 1e-300, 1e300, "objective units", "final temperature"});
    g.integer("cooling_generations", c.sa.cooling_generations,
              {50, 1, 1000000, "", "generations from t_start to t_final"});
    g.integer("bin_size", c.sa.bin_size, {1, 1, 100000, "", "moves per gene per generation"});
    g.real("start_range", c.sa.start_range,
           {0.25, 1e-6, 1, "", "move width as a fraction of each gene's range"});
  });
  f.choice("sampling", c.sampling, Sampling::kUniform, sampling_names(),
           "first population: uniform, or monte_carlo (importance-weighted toward estimated feasibility)");
  f.section("monte_carlo", "Monte Carlo initial sampling (nas/sampling.h)", [&](common::Fields& g) {
    g.integer("oversample", c.monte_carlo.oversample,
              {20, 1, 100000, "", "uniform draws per member of the first population"});
    g.real("beta", c.monte_carlo.beta,
           {5.0, 0, 1e6, "", "importance weight exp(-beta * estimated violation)"});
  });
  f.section("parego", "ParEGO Bayesian optimization (nas/optimizer_parego.cpp)", [&](common::Fields& g) {
    g.integer("max_points", c.parego.max_points,
              {200, 4, 5000, "points", "GP data cap: the best-ranked points are kept"});
    g.real("rho", c.parego.rho, {0.05, 0, 1, "", "augmented Chebyshev term"});
    g.integer("acquisition_population", c.parego.acquisition_population,
              {32, 4, 100000, "", "evolutionary search of expected improvement: population"});
    g.integer("acquisition_generations", c.parego.acquisition_generations,
              {15, 1, 100000, "", "evolutionary search of expected improvement: generations"});
  });
  f.section("reinforce", "REINFORCE controller (nas/optimizer_reinforce.cpp)", [&](common::Fields& g) {
    g.integer("hidden", c.reinforce.hidden, {8, 1, 4096, "units", "MLP hidden units"});
    g.real("learning_rate", c.reinforce.learning_rate, {0.1, 1e-9, 10, "", "Adam step size"});
    g.real("entropy", c.reinforce.entropy, {0.01, 0, 100, "", "entropy bonus weight"});
    g.real("rho", c.reinforce.rho, {0.05, 0, 1, "", "augmented Chebyshev term of the reward"});
  });
  f.section(
      "hyperband", "successive halving / Hyperband over the training budget (nas/optimizer_hyperband.cpp)",
      [&](common::Fields& g) {
        std::vector<std::string> samplers;
        for (const auto& n : optimizer_names())
          if (n != "hyperband") samplers.push_back(n);
        g.choice("sampler", c.hyperband.sampler,
                 {"random", samplers, "optimizer proposing each bracket's first rung"});
        g.real("eta", c.hyperband.eta, {3, 1.5, 100, "", "rung factor: budget x eta, candidates / eta"});
        g.real("min_budget", c.hyperband.min_budget,
               {1.0 / 9.0, 1e-6, 1, "fraction of the full budget",
                "first rung's training budget of the most exploratory bracket"});
        static const std::vector<std::pair<const char*, bool>> kBrackets{{"hyperband", false},
                                                                         {"successive_halving", true}};
        g.choice("brackets", c.hyperband.successive_halving, false, kBrackets,
                 "hyperband: brackets from min_budget to the full budget in turn; successive_halving: "
                 "always the bracket starting at min_budget");
        g.rule("min_budget", [&c]() -> std::string {
          if (c.hyperband.min_budget * c.hyperband.eta <= 1.0 + 1e-9) return "";
          return fmt::format("{} leaves no rung below the full budget with eta = {}: allowed at most 1/eta",
                             c.hyperband.min_budget, c.hyperband.eta);
        });
      });
}

namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, OptimizerFactory> factories;
  std::map<std::string, OptimizerTraits> traits;
  Registry() {
    // The pagmo2 optimizers' factory is make_pagmo_optimizer, called by make_optimizer
    // (optimizer_make.cpp): referencing it here would link pagmo into every program that reads an
    // optimizer config (the CLI, which runs searches through libimcsim_nas.so; nas/nas_plugin.h).
    for (const char* n : {"nsga2", "moead", "sga", "sa"}) factories[n] = nullptr;
    factories["random"] = make_random_optimizer;
    factories["parego"] = make_parego_optimizer;
    factories["reinforce"] = make_reinforce_optimizer;
    factories["hyperband"] = make_hyperband_optimizer;
    traits["nsga2"] = traits["moead"] = {.multi_objective_only = true, .scalarized = false};
    traits["sga"] = traits["sa"] = {.multi_objective_only = false, .scalarized = true};
    traits["random"] = traits["parego"] = traits["reinforce"] = {};
    traits["hyperband"] = {.multi_objective_only = false, .scalarized = false, .budgeted = true};
  }
};

std::string names_of(const Registry& r) {
  std::string names;
  for (const auto& [k, v] : r.factories) names += (names.empty() ? "" : ", ") + k;
  return names;
}

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_optimizer(const std::string& name, OptimizerFactory factory, OptimizerTraits traits) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.factories[name] = std::move(factory);
  r.traits[name] = traits;
}

OptimizerTraits optimizer_traits(const std::string& name) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  auto it = r.traits.find(name);
  if (it == r.traits.end())
    throw InputError(fmt::format("optimizer: unknown name '{}'; allowed: {}", name, names_of(r)));
  return it->second;
}

std::vector<std::string> optimizer_names() {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  std::vector<std::string> out;
  for (const auto& [k, v] : r.factories) out.push_back(k);
  return out;
}

OptimizerFactory registered_factory(const std::string& name) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  auto it = r.factories.find(name);
  if (it == r.factories.end())
    throw InputError(fmt::format("optimizer: unknown name '{}'; allowed: {}", name, names_of(r)));
  return it->second;
}

void check_genome(const std::vector<std::size_t>& cardinalities, const Genome& g) {
  if (g.size() != cardinalities.size())
    throw common::InputError(
        fmt::format("genome has {} genes, the search space has {}", g.size(), cardinalities.size()));
  for (std::size_t i = 0; i < g.size(); ++i)
    if (g[i] < 0 || static_cast<std::size_t>(g[i]) >= cardinalities[i])
      throw common::InputError(
          fmt::format("genome: gene #{} index {} is outside [0, {})", i, g[i], cardinalities[i]));
}

}  // namespace imc::nas
