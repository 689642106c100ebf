// Every search algorithm against random search at an equal evaluation budget on the mean over 5
// fixed seeds (the pagmo2 ones, parego, reinforce; hyperband in test_optimizer_hyperband.cpp), and
// initial-population sampling: Monte Carlo
// sampling puts more of the first population in the feasible region than uniform sampling, and bad
// settings are rejected with the key and the allowed values. Determinism and resume equality are
// in test_optimizers.cpp / test_loop.cpp (their name lists include these algorithms).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "nas/loop.h"
#include "nas/sampling.h"
#include "zdt.h"

using imc::common::InputError;
using namespace imc::nas;
using namespace imc::nas::test;

namespace {

constexpr int kSteps = 20;
constexpr std::size_t kVars = 8;

struct ZdtResult {
  double hv_ratio;     // final front's hypervolume / the true front's
  double best_scalar;  // min over the candidates of (f1 + f2) / 2: what sga and sa minimize
};

ZdtResult run_zdt(const std::string& name, int which, std::int64_t seed, std::int64_t population,
                  std::size_t generations, std::size_t vars = kVars) {
  OptimizerConfig c;
  c.name = name;
  c.population = population;
  c.seed = seed;
  c.moead.neighbours = std::min<std::int64_t>(20, population / 2);
  LoopOptions o;
  o.progress = nullptr;
  o.objective_names = {"f1", "f2"};
  o.generations = generations;
  o.reference_point = {1.1, 1.1};
  SearchLoop loop(zdt_space(vars, kSteps), c, zdt_evaluator(which, kSteps), o);
  loop.run();
  // Equal budgets: every algorithm asks population x generations genomes (repeats come from the cache).
  ZdtResult r{loop.history().back().hypervolume / zdt_true_hv(which), INFINITY};
  for (const auto& cd : loop.candidates())
    r.best_scalar =
        std::min(r.best_scalar, 0.5 * (cd.evaluation.objectives[0] + cd.evaluation.objectives[1]));
  return r;
}

double final_hv(const std::string& name, int which, std::int64_t seed, std::int64_t population,
                std::size_t generations, std::size_t vars = kVars) {
  return run_zdt(name, which, seed, population, generations, vars).hv_ratio;
}

double mean_hv(const std::string& name, int which, std::int64_t population, std::size_t generations,
               std::size_t vars = kVars) {
  double sum = 0;
  for (std::int64_t seed = 1; seed <= 5; ++seed)
    sum += final_hv(name, which, seed, population, generations, vars);
  return sum / 5;
}

}  // namespace

TEST_CASE("parego beats random search on ZDT1 and ZDT2 at 100 evaluations (mean of 5 seeds)") {
  // On 8 genes random search never gets below the reference point; on 4 it reaches the front too.
  for (std::size_t vars : {kVars, std::size_t{4}})
    for (int which : {1, 2}) {
      CAPTURE(which);
      CAPTURE(vars);
      const double parego = mean_hv("parego", which, 10, 10, vars);
      const double random = mean_hv("random", which, 10, 10, vars);
      MESSAGE("ZDT" << which << " on " << vars << " genes, HV ratio after 10 x 10: parego " << parego
                    << ", random " << random);
      CHECK(parego > random + 0.02);
    }
}

TEST_CASE("the pagmo2 algorithms beat random search at an equal budget (mean of 5 seeds)") {
  // nsga2 and moead by the final front's hypervolume; sga and sa minimize (f1 + f2) / 2 (their
  // scalarization with equal weights) and are compared by the best value found. 4 genes, where random
  // search reaches the front too, and 8 (20 steps each), population 12 x 40 generations = 480 asks.
  // At 12 x 10 sa was level with random search on ZDT1 with 4 genes (0.733 vs 0.717) and no
  // algorithm reached below the reference point on ZDT2 with 8 genes: too short to rank them.
  for (std::size_t vars : {std::size_t{4}, kVars})
    for (int which : {1, 2}) {
      CAPTURE(vars);
      CAPTURE(which);
      double hv[3] = {0, 0, 0}, best[3] = {0, 0, 0};  // nsga2/sga, moead/sa, random
      for (std::int64_t seed = 1; seed <= 5; ++seed) {
        hv[0] += run_zdt("nsga2", which, seed, 12, 40, vars).hv_ratio / 5;
        hv[1] += run_zdt("moead", which, seed, 12, 40, vars).hv_ratio / 5;
        best[0] += run_zdt("sga", which, seed, 12, 40, vars).best_scalar / 5;
        best[1] += run_zdt("sa", which, seed, 12, 40, vars).best_scalar / 5;
        const ZdtResult random = run_zdt("random", which, seed, 12, 40, vars);
        hv[2] += random.hv_ratio / 5;
        best[2] += random.best_scalar / 5;
      }
      MESSAGE("ZDT" << which << " on " << vars << " genes, 480 asks: HV ratio nsga2 " << hv[0] << ", moead "
                    << hv[1] << ", random " << hv[2] << "; best (f1+f2)/2 sga " << best[0] << ", sa "
                    << best[1] << ", random " << best[2]);
      CHECK(hv[0] > hv[2] + 0.02);
      CHECK(hv[1] > hv[2] + 0.02);
      CHECK(best[0] < best[2] - 0.02);
      CHECK(best[1] < best[2] - 0.02);
    }
}

TEST_CASE("reinforce beats random search on ZDT1 and ZDT2 at 600 evaluations (mean of 5 seeds)") {
  // 8 genes: random search never gets below the reference point (1.1, 1.1). ZDT2 needs genes 2..n
  // nearly all at 0, which the policy does not learn in 600 evaluations on 8 genes (hypervolume 0
  // for both), so ZDT2 is compared on 4 genes, where random search reaches the front too.
  struct Case {
    int which;
    std::size_t vars;
  };
  for (Case c : {Case{1, 8}, Case{1, 4}, Case{2, 4}}) {
    CAPTURE(c.which);
    CAPTURE(c.vars);
    const double reinforce = mean_hv("reinforce", c.which, 20, 30, c.vars);
    const double random = mean_hv("random", c.which, 20, 30, c.vars);
    MESSAGE("ZDT" << c.which << " on " << c.vars << " genes, HV ratio after 30 x 20: reinforce " << reinforce
                  << ", random " << random);
    CHECK(reinforce > random + 0.02);
  }
}

TEST_CASE("monte_carlo sampling: a feasible-leaning first population, for any optimizer") {
  // x1 + ... feasible only when x2 <= 4 and x3 <= 4 (a quarter of each range): uniform sampling
  // finds both true for about 6% of genomes.
  SearchSpace space = zdt_space(kVars, kSteps);
  space.add_condition("network.x2 <= 4");
  space.add_condition("network.x3 <= 4");
  for (std::string name : {"random", "nsga2", "parego", "reinforce"}) {
    CAPTURE(name);
    std::size_t feasible[2] = {0, 0};
    for (int mc = 0; mc < 2; ++mc) {
      OptimizerSetup s;
      s.config.name = name;
      s.config.population = 16;
      s.config.seed = 4;
      s.config.sampling = mc ? Sampling::kMonteCarlo : Sampling::kUniform;
      s.cardinalities = space.cardinalities();
      s.violation_estimate = [&](const Genome& g) { return space.check(g).violation; };
      auto opt = make_optimizer(s);
      opt->hot_start({Genome(kVars, 0)});  // kept in front of the sample
      auto first = opt->ask();
      REQUIRE(first.size() == 16);
      CHECK(first[0] == Genome(kVars, 0));
      for (const auto& g : first) feasible[mc] += space.check(g).ok();
      if (mc) {  // the same seed gives the same sample
        auto again = make_optimizer(s);
        again->hot_start({Genome(kVars, 0)});
        CHECK(again->ask() == first);
      }
    }
    MESSAGE("feasible in the first 16: uniform " << feasible[0] << ", monte_carlo " << feasible[1]);
    CHECK(feasible[1] >= 14);
    CHECK(feasible[0] <= 6);
  }
  // Without an estimate, monte_carlo cannot run: rejected at construction.
  OptimizerSetup s;
  s.config.name = "random";
  s.config.sampling = Sampling::kMonteCarlo;
  s.cardinalities = {4, 4};
  CHECK_THROWS_WITH_AS(make_optimizer(s), doctest::Contains("needs a feasibility estimate"), InputError);
}

TEST_CASE("the new settings are read and checked at load") {
  OptimizerConfig c;
  auto doc = imc::common::ConfigNode::parse_string(
      "name = \"parego\"\nsampling = \"monte_carlo\"\n[parego]\nmax_points = 50\n[reinforce]\nhidden = 8\n"
      "[monte_carlo]\noversample = 5\n",
      "o.toml");
  imc::common::read_fields(doc, [&](imc::common::Fields& f) { describe(f, c); });
  CHECK(c.name == "parego");
  CHECK(c.sampling == Sampling::kMonteCarlo);
  CHECK(c.parego.max_points == 50);
  CHECK(c.reinforce.hidden == 8);
  CHECK(c.monte_carlo.oversample == 5);
  auto bad = imc::common::ConfigNode::parse_string("sampling = \"sobol\"\n", "o.toml");
  CHECK_THROWS_WITH_AS(imc::common::read_fields(bad, [&](imc::common::Fields& f) { describe(f, c); }),
                       doctest::Contains("monte_carlo"), InputError);
  auto unknown = imc::common::ConfigNode::parse_string("name = \"bayes\"\n", "o.toml");
  CHECK_THROWS_WITH_AS(imc::common::read_fields(unknown, [&](imc::common::Fields& f) { describe(f, c); }),
                       doctest::Contains("parego"), InputError);
}

TEST_CASE("parego: a GP data cap smaller than the data keeps the search working") {
  const double capped = [] {
    OptimizerConfig c;
    c.name = "parego";
    c.population = 10;
    c.seed = 2;
    c.parego.max_points = 30;
    LoopOptions o;
    o.progress = nullptr;
    o.objective_names = {"f1", "f2"};
    o.generations = 10;
    o.reference_point = {1.1, 1.1};
    SearchLoop loop(zdt_space(kVars, kSteps), c, zdt_evaluator(1, kSteps), o);
    loop.run();
    return loop.history().back().hypervolume / zdt_true_hv(1);
  }();
  const double random = final_hv("random", 1, 2, 10, 10);
  MESSAGE("ZDT1 HV ratio with 30 GP points of 100: parego " << capped << ", random " << random);
  CHECK(capped > random);
}

TEST_CASE("parego and reinforce on categorical genes and one objective (scalar formulations)") {
  // 6 string genes of 5 labels; minimize the number of genes that are not "a" (optimum 0, 1 genome
  // of 15625). The loop marks string genes categorical, so parego's kernel compares them by equality.
  SearchSpace space;
  for (int i = 0; i < 6; ++i) {
    Gene g;
    g.name = "hardware.g" + std::to_string(i);
    for (const char* label : {"e", "d", "a", "c", "b"}) g.values.push_back(GeneValue::text(label));
    space.add_gene(std::move(g));
  }
  BatchEvaluator eval = [&space](const std::vector<Genome>& batch) {
    std::vector<Evaluation> out;
    for (const auto& g : batch) {
      double wrong = 0;
      for (const auto& [name, v] : space.decode(g)) wrong += v.as_string() != "a";
      Evaluation e;
      e.objectives = {wrong};
      out.push_back(e);
    }
    return out;
  };
  auto mean_best = [&](const std::string& name, std::size_t generations) {
    double sum = 0;
    for (std::int64_t seed = 1; seed <= 5; ++seed) {
      OptimizerConfig c;
      c.name = name;
      c.population = 10;
      c.seed = seed;
      LoopOptions o;
      o.progress = nullptr;
      o.objective_names = {"wrong"};
      o.generations = generations;
      SearchLoop loop(space, c, eval, o);
      loop.run();
      double best = 1e9;
      for (const auto& cd : loop.candidates()) best = std::min(best, cd.evaluation.objectives[0]);
      sum += best;
    }
    return sum / 5;
  };
  const double parego = mean_best("parego", 8), random = mean_best("random", 8);
  const double reinforce = mean_best("reinforce", 20), random_long = mean_best("random", 20);
  MESSAGE("mean best wrong genes: parego " << parego << " vs random " << random
                                           << " (80 evaluations); reinforce " << reinforce << " vs random "
                                           << random_long << " (200)");
  CHECK(parego < random);
  CHECK(reinforce < random_long);
}
