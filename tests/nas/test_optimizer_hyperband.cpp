// hyperband / successive halving over the training budget, on a synthetic multi-fidelity ZDT1: the
// objectives carry noise whose size shrinks with the budget (0 at the full budget). At an equal
// total training budget it beats random search on the mean over seeds; it is deterministic; stop +
// resume equals an uninterrupted run; low-budget results never answer a full-budget ask (cache key)
// nor enter the front; bad settings are rejected naming the key.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/hash.h"
#include "nas/loop.h"
#include "zdt.h"

using imc::common::InputError;
using namespace imc::nas;
using namespace imc::nas::test;
namespace fs = std::filesystem;

namespace {

constexpr int kSteps = 20;
constexpr std::size_t kVars = 4;
constexpr double kNoiseAtZeroBudget = 0.3;

// ZDT1 plus noise of standard deviation-like size kNoiseAtZeroBudget * (1 - budget), fixed per
// (genome, budget) so that every run sees the same values.
std::vector<Evaluation> noisy_zdt(const std::vector<Genome>& batch, double budget) {
  std::vector<Evaluation> out;
  for (const auto& g : batch) {
    Evaluation e;
    e.objectives = zdt(1, g, kSteps);
    std::string key = fmt::format("{:.9g}", budget);
    for (int x : g) key += fmt::format(",{}", x);
    std::uint64_t h = imc::common::hash64(key);
    for (auto& f : e.objectives) {
      const double u = static_cast<double>(h & 0xffff) / 65535.0 - 0.5;  // uniform in [-0.5, 0.5]
      h >>= 16;
      f += 2.0 * kNoiseAtZeroBudget * (1.0 - budget) * u;
    }
    e.fidelity = fmt::format("budget {:.3g}", budget);
    out.push_back(std::move(e));
  }
  return out;
}

OptimizerConfig hyperband_config(std::int64_t seed, bool successive_halving) {
  OptimizerConfig c;
  c.name = "hyperband";
  c.population = 27;
  c.seed = seed;
  c.hyperband.eta = 3;
  c.hyperband.min_budget = 1.0 / 9.0;
  c.hyperband.successive_halving = successive_halving;
  return c;
}

LoopOptions options(std::size_t generations, const std::string& dir = "") {
  LoopOptions o;
  o.progress = nullptr;
  o.objective_names = {"f1", "f2"};
  o.generations = generations;
  o.reference_point = {1.1, 1.1};
  o.run_dir = dir;
  o.evaluate_at_budget = noisy_zdt;
  return o;
}

BatchEvaluator full_budget() {
  return [](const std::vector<Genome>& b) { return noisy_zdt(b, 1.0); };
}

double spent_budget(const SearchLoop& loop) {
  double sum = 0;
  for (const auto& c : loop.candidates()) sum += training_budget(c.evaluation);
  return sum;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("imcsim_test_hyperband_" + name);
  fs::remove_all(d);
  return d;
}

}  // namespace

TEST_CASE("hyperband: rungs, budgets and promotions follow the schedule") {
  SearchLoop loop(zdt_space(kVars, kSteps), hyperband_config(1, false), full_budget(), options(6));
  loop.run();
  // Bracket s = 2: 27 at 1/9, 9 at 1/3, 3 at 1; bracket s = 1: 27 at 1/3, 9 at 1; bracket s = 0: 27 at 1.
  std::map<std::size_t, std::pair<std::size_t, double>> per_generation;  // count, budget
  for (const auto& c : loop.candidates()) {
    auto& [n, b] = per_generation[c.generation];
    ++n;
    b = training_budget(c.evaluation);
  }
  REQUIRE(per_generation.size() == 6);
  const std::vector<std::pair<std::size_t, double>> expected = {{27, 1.0 / 9}, {9, 1.0 / 3}, {3, 1.0},
                                                                {27, 1.0 / 3}, {9, 1.0},     {27, 1.0}};
  for (std::size_t g = 0; g < 6; ++g) {
    CAPTURE(g);
    // Promoted candidates are new evaluations (their key carries the budget), never cache hits.
    CHECK(per_generation[g].first == expected[g].first);
    CHECK(per_generation[g].second == doctest::Approx(expected[g].second));
  }
  for (std::size_t id : loop.front()) CHECK(training_budget(loop.candidates()[id].evaluation) == 1.0);
  // Generation 1's candidates are the best third of generation 0's, re-evaluated at 3x the budget.
  std::set<Genome> first, second;
  for (const auto& c : loop.candidates()) (c.generation == 0 ? first : second).insert(c.genome);
  for (const auto& c : loop.candidates())
    if (c.generation == 1) CHECK(first.count(c.genome) == 1);
}

TEST_CASE(
    "hyperband and successive halving beat random search at an equal training budget (mean of 5 seeds)") {
  for (bool sh : {true, false}) {
    CAPTURE(sh);
    double hb_sum = 0, random_sum = 0;
    for (std::int64_t seed = 1; seed <= 5; ++seed) {
      // 12 rungs: successive halving = 4 brackets of 9 budget units; hyperband = 2 cycles of 54.
      SearchLoop hb(zdt_space(kVars, kSteps), hyperband_config(seed, sh), full_budget(), options(12));
      hb.run();
      const double budget = spent_budget(hb);
      OptimizerConfig rc;
      rc.name = "random";
      rc.population = 9;
      rc.seed = seed;
      const auto generations = static_cast<std::size_t>(std::llround(budget / 9.0));
      SearchLoop random(zdt_space(kVars, kSteps), rc, full_budget(), options(generations));
      random.run();
      CHECK(spent_budget(random) == doctest::Approx(budget).epsilon(0.1));
      hb_sum += hb.history().back().hypervolume / zdt_true_hv(1);
      random_sum += random.history().back().hypervolume / zdt_true_hv(1);
    }
    const std::string label = sh ? "successive halving" : "hyperband";
    MESSAGE(label << " HV ratio " << hb_sum / 5 << ", random " << random_sum / 5);
    CHECK(hb_sum / 5 > random_sum / 5 + 0.02);
  }
}

TEST_CASE("hyperband: same seed -> same run; stop + resume == uninterrupted") {
  for (std::string sampler : {"random", "nsga2", "parego"}) {
    CAPTURE(sampler);
    OptimizerConfig c = hyperband_config(3, false);
    c.population = sampler == "nsga2" ? 12 : 10;
    c.hyperband.sampler = sampler;
    fs::path straight = fresh_dir("straight_" + sampler), split = fresh_dir("split_" + sampler);
    {
      SearchLoop loop(zdt_space(kVars, kSteps), c, full_budget(), options(7, straight.string()));
      loop.run();
      SearchLoop again(zdt_space(kVars, kSteps), c, full_budget(), options(7));
      again.run();
      REQUIRE(again.candidates().size() == loop.candidates().size());
      for (std::size_t i = 0; i < loop.candidates().size(); ++i)
        CHECK(again.candidates()[i].key == loop.candidates()[i].key);
    }
    {
      // Stopped mid-bracket (after rung 1 of the first bracket): the promoted genomes are state.
      SearchLoop loop(zdt_space(kVars, kSteps), c, full_budget(), options(2, split.string()));
      loop.run();
    }
    SearchLoop resumed(zdt_space(kVars, kSteps), c, full_budget(), options(7, split.string()));
    resumed.resume(split.string());
    CHECK(resumed.generation() == 2);
    resumed.run();
    CHECK(slurp(straight / "checkpoint.json") == slurp(split / "checkpoint.json"));
  }
}

TEST_CASE("hyperband: bad settings are rejected naming the key") {
  OptimizerConfig c = hyperband_config(1, false);
  c.hyperband.sampler = "hyperband";
  CHECK_THROWS_WITH_AS(SearchLoop(zdt_space(kVars, kSteps), c, full_budget(), options(2)),
                       doctest::Contains("optimizer.hyperband.sampler"), InputError);
  c = hyperband_config(1, false);
  c.hyperband.min_budget = 0.5;
  CHECK_THROWS_WITH_AS(SearchLoop(zdt_space(kVars, kSteps), c, full_budget(), options(2)),
                       doctest::Contains("optimizer.hyperband.min_budget"), InputError);
  // A search without a training budget (no evaluate_at_budget: e.g. a hardware-only space).
  LoopOptions o = options(2);
  o.evaluate_at_budget = nullptr;
  CHECK_THROWS_WITH_AS(SearchLoop(zdt_space(kVars, kSteps), hyperband_config(1, false), full_budget(), o),
                       doctest::Contains("optimizer.name = \"hyperband\""), InputError);
}
