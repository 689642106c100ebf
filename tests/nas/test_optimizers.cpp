// The optimizers through the ask/tell interface and the loop: ZDT1/ZDT2 hypervolume, determinism,
// constraint handling, hot start, state save/load, registry and configuration errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "nas/loop.h"
#include "nas/pareto.h"
#include "zdt.h"

using imc::common::InputError;
using namespace imc::nas;
using namespace imc::nas::test;

namespace {

constexpr int kSteps =
    1000;  // x_i = index / 1000: the discrete front's hypervolume is within 0.1% of the true one
constexpr std::size_t kVars = 30;

struct ZdtRun {
  double hv_ratio;
  double best_scalar;  // min over feasible candidates of (f1 + f2) / 2
  std::vector<std::size_t> front;
  std::vector<Candidate> candidates;
};

ZdtRun run_zdt(const std::string& name, int which, std::size_t generations, std::int64_t seed = 7,
               std::size_t vars = kVars, std::int64_t population = 100) {
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
  ZdtRun r;
  r.hv_ratio = loop.history().back().hypervolume / zdt_true_hv(which);
  r.best_scalar = INFINITY;
  for (const auto& cd : loop.candidates())
    r.best_scalar =
        std::min(r.best_scalar, 0.5 * (cd.evaluation.objectives[0] + cd.evaluation.objectives[1]));
  r.front = loop.front();
  r.candidates = loop.candidates();
  return r;
}

}  // namespace

TEST_CASE("zdt: the discrete true front is within 0.1% of the analytic hypervolume") {
  // Sanity of the test problem itself: x2..xn = 0 and every x1 on the grid.
  for (int which : {1, 2}) {
    std::vector<std::vector<double>> pts;
    for (int k = 0; k <= kSteps; ++k) {
      Genome g(kVars, 0);
      g[0] = k;
      pts.push_back(zdt(which, g, kSteps));
    }
    double hv = hypervolume(pts, {1.1, 1.1});
    CHECK(hv <= zdt_true_hv(which));
    CHECK(hv / zdt_true_hv(which) > 0.999);
  }
}

TEST_CASE("optimizers reach >= 95% of the true ZDT hypervolume") {
  struct Case {
    std::string name;
    int which;
    std::size_t generations;
  };
  for (Case c :
       {Case{"nsga2", 1, 100}, Case{"nsga2", 2, 150}, Case{"moead", 1, 300}, Case{"moead", 2, 300}}) {
    ZdtRun r = run_zdt(c.name, c.which, c.generations);
    MESSAGE(c.name << " ZDT" << c.which << " after " << c.generations << " x 100: HV ratio " << r.hv_ratio);
    CHECK(r.hv_ratio >= 0.95);
    CHECK(r.hv_ratio <= 1.0);
  }
}

TEST_CASE("scalarized optimizers approach the weighted-sum optimum of ZDT1") {
  // min (f1 + f2) / 2 on the ZDT1 front: f1 + 1 - sqrt(f1) is smallest at f1 = 1/4, value 3/8.
  ZdtRun sga = run_zdt("sga", 1, 100);
  ZdtRun sa = run_zdt("sa", 1, 300);
  ZdtRun random = run_zdt("random", 1, 100);
  MESSAGE("best (f1+f2)/2: sga " << sga.best_scalar << ", sa " << sa.best_scalar << ", random "
                                 << random.best_scalar << " (optimum 0.375); HV ratio sga " << sga.hv_ratio
                                 << ", sa " << sa.hv_ratio << ", random " << random.hv_ratio);
  CHECK(sga.best_scalar < 0.40);
  CHECK(sa.best_scalar < 0.42);
  CHECK(sga.best_scalar >= 0.375 - 1e-12);
  CHECK(random.best_scalar > 1.0);  // uniform sampling of 30 genes is far from the front
}

TEST_CASE("same seed -> same sequence; another seed -> another") {
  for (std::string name : {"nsga2", "moead", "sga", "sa", "random", "parego", "reinforce"}) {
    CAPTURE(name);
    ZdtRun a = run_zdt(name, 1, 4, 11, 8, 16);
    ZdtRun b = run_zdt(name, 1, 4, 11, 8, 16);
    ZdtRun c = run_zdt(name, 1, 4, 12, 8, 16);
    REQUIRE(a.candidates.size() == b.candidates.size());
    bool same = true;
    for (std::size_t i = 0; i < a.candidates.size(); ++i)
      same = same && a.candidates[i].genome == b.candidates[i].genome &&
             a.candidates[i].evaluation.objectives == b.candidates[i].evaluation.objectives;
    CHECK(same);
    CHECK(a.front == b.front);
    bool differs = a.candidates.size() != c.candidates.size();
    for (std::size_t i = 0; !differs && i < a.candidates.size(); ++i)
      differs = a.candidates[i].genome != c.candidates[i].genome;
    CHECK(differs);
  }
}

TEST_CASE("infeasible candidates never reach the front, and the search moves to feasibility") {
  // ZDT1 where every candidate with f1 < 0.3 is infeasible (violation = 0.3 - f1), so the true
  // front's best part is forbidden and the optimizers are pulled across the boundary.
  for (std::string name : {"nsga2", "moead", "sga", "random"}) {
    CAPTURE(name);
    OptimizerConfig c;
    c.name = name;
    c.population = 32;
    LoopOptions o;
    o.progress = nullptr;
    o.objective_names = {"f1", "f2"};
    o.generations = 30;
    o.reference_point = {1.1, 1.1};
    std::size_t infeasible = 0;
    BatchEvaluator eval = [&](const std::vector<Genome>& batch) {
      std::vector<Evaluation> out;
      for (const auto& g : batch) {
        auto f = zdt(1, g, 100);
        if (f[0] < 0.3) {
          ++infeasible;
          out.push_back(Evaluation::infeasible(0.3 - f[0] + 1e-9, "f1 below 0.3"));
        } else {
          Evaluation e;
          e.objectives = f;
          out.push_back(e);
        }
      }
      return out;
    };
    SearchLoop loop(zdt_space(10, 100), c, eval, o);
    loop.run();
    CHECK(infeasible > 0);
    REQUIRE_FALSE(loop.front().empty());
    for (auto id : loop.front()) {
      const auto& e = loop.candidates()[id].evaluation;
      CHECK(e.feasible());
      CHECK(e.objectives[0] >= 0.3);
    }
    if (name != "random") {
      // The final population lies in the feasible region: infeasible ones rank behind all feasible.
      std::size_t feasible_in_pop = 0;
      auto pop = loop.optimizer().population();
      for (const auto& g : pop) feasible_in_pop += zdt(1, g, 100)[0] >= 0.3;
      CHECK(feasible_in_pop >= pop.size() * 3 / 4);
    }
  }
}

TEST_CASE("ask/tell: hot start, repeated ask, save and load between generations") {
  for (std::string name : {"nsga2", "moead", "sga", "sa", "random", "parego", "reinforce"}) {
    CAPTURE(name);
    OptimizerSetup setup;
    setup.config.name = name;
    setup.config.population = 8;
    setup.config.moead.neighbours = 4;
    setup.cardinalities = {11, 1, 11, 11};
    setup.objectives = 2;
    auto eval = [](const std::vector<Genome>& gs) {
      std::vector<Evaluation> out;
      for (const auto& g : gs) {
        Evaluation e;
        e.objectives = {g[0] / 10.0, 1.0 - std::sqrt(g[0] / 10.0) + (g[2] + g[3]) / 10.0};
        out.push_back(e);
      }
      return out;
    };
    auto opt = make_optimizer(setup);
    opt->hot_start({{10, 0, 0, 0}, {0, 0, 0, 0}});
    auto first = opt->ask();
    CHECK(first.size() == 8);
    CHECK(first[0] == Genome{10, 0, 0, 0});
    CHECK(first[1] == Genome{0, 0, 0, 0});
    for (const auto& g : first) CHECK(g[1] == 0);  // fixed gene
    CHECK(opt->ask() == first);                    // asking again without telling changes nothing
    CHECK_THROWS_AS(opt->hot_start({}), std::logic_error);
    opt->tell(first, eval(first));
    CHECK(opt->generation() == 1);
    // Run two more generations, saving at the boundary after the first of them.
    nlohmann::json saved;
    std::vector<std::vector<Genome>> asked_after_save;
    while (opt->generation() < 3) {
      if (opt->generation() == 2 && saved.is_null()) saved = opt->save();
      auto gs = opt->ask();
      if (!saved.is_null()) asked_after_save.push_back(gs);
      if (opt->generation() == 2) {
        CHECK_THROWS_AS(opt->save(), std::logic_error);  // mid-generation
      }
      opt->tell(gs, eval(gs));
    }
    auto other = make_optimizer(setup);
    other->load(saved);
    CHECK(other->generation() == 2);
    std::vector<std::vector<Genome>> replayed;
    while (other->generation() < 3) {
      auto gs = other->ask();
      replayed.push_back(gs);
      other->tell(gs, eval(gs));
    }
    CHECK(replayed == asked_after_save);
    CHECK(other->population() == opt->population());
    CHECK(other->save() == opt->save());
  }
}

TEST_CASE("optimizer registry and configuration errors") {
  OptimizerSetup s;
  s.cardinalities = {4, 4};
  s.objectives = 2;
  std::vector<std::string> names = optimizer_names();
  for (const char* n : {"moead", "nsga2", "random", "sa", "sga"})
    CHECK(std::find(names.begin(), names.end(), n) != names.end());
  s.config.name = "nsga3";
  CHECK_THROWS_WITH_AS(
      make_optimizer(s),
      "optimizer: unknown name 'nsga3'; allowed: hyperband, moead, nsga2, parego, random, reinforce, sa, sga",
      InputError);
  s.config.name = "nsga2";
  s.config.population = 30;
  CHECK_THROWS_WITH_AS(make_optimizer(s),
                       doctest::Contains("nsga2 needs a multiple of 4, at least 8; found 30"), InputError);
  s.config.population = 32;
  s.objectives = 1;
  CHECK_THROWS_WITH_AS(make_optimizer(s), doctest::Contains("needs at least 2 objectives"), InputError);
  s.objectives = 3;
  s.config.name = "moead";
  s.config.moead.weight_generation = MoeadWeights::kGrid;
  CHECK_THROWS_WITH_AS(make_optimizer(s), doctest::Contains("optimizer.moead.weight_generation"), InputError);
  s.config.moead.weight_generation = MoeadWeights::kAuto;
  CHECK(make_optimizer(s)->name() == "moead");
  s.config.moead.neighbours = 32;
  CHECK_THROWS_WITH_AS(make_optimizer(s), doctest::Contains("must be smaller than the population"),
                       InputError);
  s.cardinalities = {1, 1};
  s.config.name = "random";
  CHECK_THROWS_WITH_AS(make_optimizer(s), doctest::Contains("every gene of the search space is fixed"),
                       InputError);
  s.cardinalities = {3, 3};
  s.config.name = "sga";
  s.config.weights = {1, 2};
  CHECK_THROWS_WITH_AS(make_optimizer(s), doctest::Contains("2 scalarization weights for 3 objectives"),
                       InputError);

  // A registered optimizer is found by name.
  register_optimizer("always-zero", [](const OptimizerSetup& setup) { return make_random_optimizer(setup); });
  s.config.name = "always-zero";
  s.config.weights.clear();
  CHECK(make_optimizer(s) != nullptr);

  // The declared parameters read from TOML through common::read_fields.
  OptimizerConfig c;
  auto doc = imc::common::ConfigNode::parse_string(
      "name = \"moead\"\npopulation = 40\n[moead]\nneighbours = 10\n", "o.toml");
  imc::common::read_fields(doc, [&](imc::common::Fields& f) { describe(f, c); });
  CHECK(c.name == "moead");
  CHECK(c.population == 40);
  CHECK(c.moead.neighbours == 10);
  auto bad = imc::common::ConfigNode::parse_string("name = \"nsga4\"\n", "o.toml");
  CHECK_THROWS_AS(imc::common::read_fields(bad, [&](imc::common::Fields& f) { describe(f, c); }), InputError);
}

TEST_CASE("evaluations from the evaluator are checked") {
  OptimizerConfig c;
  LoopOptions o;
  o.progress = nullptr;
  o.objective_names = {"a", "b"};
  o.generations = 1;
  BatchEvaluator wrong = [](const std::vector<Genome>& gs) {
    std::vector<Evaluation> out(gs.size());
    for (auto& e : out) e.objectives = {1.0};
    return out;
  };
  SearchLoop loop(zdt_space(3, 4), c, wrong, o);
  CHECK_THROWS_WITH_AS(loop.run(), doctest::Contains("1 objective values, the search has 2 objectives"),
                       InputError);
  BatchEvaluator nan = [](const std::vector<Genome>& gs) {
    std::vector<Evaluation> out(gs.size());
    for (auto& e : out) e.objectives = {1.0, NAN};
    return out;
  };
  SearchLoop loop2(zdt_space(3, 4), c, nan, o);
  CHECK_THROWS_WITH_AS(loop2.run(), doctest::Contains("objective #1 = nan must be finite"), InputError);
}
