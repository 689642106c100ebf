// imcsim benchmark: equal budgets, determinism per seed, table lookups equal to direct evaluation,
// tables of another space rejected, bad configs rejected, evaluations-to-90% and hypervolume curves
// on hand cases.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/config.h"
#include "nas/benchmark/config.h"
#include "nas/benchmark/metrics.h"
#include "nas/benchmark/run.h"
#include "nas/benchmark/run_one.h"
#include "nas/benchmark/table.h"
#include "nas/search/evaluator.h"

using namespace imc::nas;
using namespace imc::nas::benchmark;
namespace fs = std::filesystem;
using imc::common::InputError;

namespace {

const std::string kData = "tests/benchmark/data/";

// A fresh directory holding copies of the test configs (so that edited variants can sit beside them).
struct Scratch {
  fs::path dir;
  explicit Scratch(const std::string& name) {
    dir = fs::temp_directory_path() / ("imcsim_bench_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const char* f : {"tiny.toml", "tiny_space.toml"}) {
      std::ifstream in(kData + f);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      // The copies sit elsewhere: point base_arch at the repository's arch file.
      const std::string from = "../../../configs/arch/";
      if (auto at = text.find(from); at != std::string::npos)
        text.replace(at, from.size(), fs::absolute("configs/arch/").string());
      write(f, text);
    }
  }
  ~Scratch() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
  std::string replace_in(const std::string& name, const std::string& from, const std::string& to,
                         const std::string& as) const {
    std::ifstream in(dir / name);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    return write(as, text);
  }
};

std::string error_of(const std::string& path) {
  try {
    load_benchmark_config(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

BatchEvaluator lookup_in(const Table& t) {
  return [&t](const std::vector<Genome>& genomes) {
    std::vector<Evaluation> out;
    for (const Genome& g : genomes) out.push_back(t.lookup(g));
    return out;
  };
}

}  // namespace

TEST_CASE("bad benchmark configs are rejected at load with file, key and what is allowed") {
  Scratch s("config");
  const std::string unknown =
      s.replace_in("tiny.toml", "\"random\"]", "\"random\", \"hillclimb\"]", "a.toml");
  const std::string e1 = error_of(unknown);
  CHECK(e1.find("a.toml") != std::string::npos);
  CHECK(e1.find("algorithms") != std::string::npos);
  CHECK(e1.find("unknown algorithm 'hillclimb'") != std::string::npos);
  CHECK(e1.find("nsga2") != std::string::npos);  // the allowed names, from the registry
  const std::string e2 =
      error_of(s.replace_in("tiny.toml", "budget_evaluations = 30", "budget_evaluations = 0", "b.toml"));
  CHECK(e2.find("budget_evaluations") != std::string::npos);
  CHECK(e2.find("b.toml") != std::string::npos);
  const std::string e3 = error_of(s.replace_in("tiny.toml", "accuracy_source = \"none\"",
                                               "accuracy_source = \"proxy_training\"", "c.toml"));
  CHECK(e3.find("accuracy_source") != std::string::npos);
  CHECK(e3.find("allowed: none") != std::string::npos);
  const std::string e4 = error_of(s.replace_in("tiny.toml", "seeds = 3", "seeds = 3\nbudget = 5", "d.toml"));
  CHECK(e4.find("budget") != std::string::npos);
  CHECK(error_of((s.dir / "tiny.toml").string()).empty());
}

TEST_CASE("every algorithm spends exactly the same budget, and a seed gives the same run") {
  // tiny_space.toml is small enough that nsga2 and moead with 8 candidates sometimes converge and stall.
  Scratch s("budget");
  const BenchmarkConfig c = load_benchmark_config((s.dir / "tiny.toml").string());
  const Table t = build_table(c, nullptr);
  const search::SearchEvaluator ev(c.search);
  const KeyFunction key = [&](const Genome& g) { return ev.key(g); };
  const RunLimits limits{30, 30 * 50};
  for (const std::string& algorithm : c.algorithms) {
    CAPTURE(algorithm);
    OptimizerConfig oc = c.search.optimizer;
    oc.name = algorithm;
    oc.population = 8;
    oc.seed = 3;
    const RunTrace a = run_one(c.search.space, oc, 3, lookup_in(t), key, limits);
    const RunTrace b = run_one(c.search.space, oc, 3, lookup_in(t), key, limits);
    // Exactly the budget, unless the optimizer only re-proposed what it had seen until the cap.
    CHECK(a.evaluations.size() <= 30);
    CHECK((a.stalled ? a.proposals >= limits.max_proposals : a.evaluations.size() == 30));
    if (algorithm == "random") CHECK_FALSE(a.stalled);
    CHECK(a.evaluations == b.evaluations);
    CHECK(a.proposals == b.proposals);
    oc.seed = 4;
    const RunTrace other = run_one(c.search.space, oc, 3, lookup_in(t), key, limits);
    CHECK((other.stalled || other.evaluations.size() == 30));
    CHECK(other.evaluations != a.evaluations);  // the seed matters
    // Counting proposals: every run spends exactly its budget, none stalls.
    const RunLimits per_proposal{30, 30 * 50, BudgetUnit::kProposals};
    const RunTrace p = run_one(c.search.space, oc, 3, lookup_in(t), key, per_proposal);
    CHECK_FALSE(p.stalled);
    CHECK(p.evaluations.size() == 30);
    CHECK(p.proposals == 30);
    CHECK(p.distinct_evaluations <= 30);
    CHECK(p.distinct_evaluations + p.cache_hits + p.rejected == 30);
    CHECK(run_one(c.search.space, oc, 3, lookup_in(t), key, per_proposal).evaluations == p.evaluations);
  }
}

TEST_CASE("a table lookup equals the direct evaluation, also after a JSON round trip") {
  Scratch s("lookup");
  const BenchmarkConfig c = load_benchmark_config((s.dir / "tiny.toml").string());
  const Table built = build_table(c, nullptr);
  REQUIRE(built.entries.size() == 864);
  const Table t = table_from_json(to_json(built), "round trip");
  const search::SearchEvaluator direct(c.search);
  std::size_t compared = 0, feasible = 0, violating = 0;
  for (std::uint64_t i = 0; i < t.entries.size(); i += 7) {  // every 7th genome
    const Genome g = genome_at(i, t.cardinalities);
    CHECK(genome_index(g, t.cardinalities) == i);
    if (!c.search.space.check(g).ok()) {
      CHECK_FALSE(t.entries[i].has_value());
      CHECK_THROWS_AS(t.lookup(g), InputError);
      ++violating;
      continue;
    }
    const Evaluation d = direct({g}).at(0);
    const Evaluation& l = t.lookup(g);
    CHECK(l.violation == d.violation);
    CHECK(l.objectives == d.objectives);  // bit for bit: JSON keeps doubles exactly
    if (!d.feasible()) CHECK(l.reason == d.reason);
    feasible += d.feasible();
    ++compared;
  }
  CHECK(compared > 20);
  CHECK(feasible > 10);
  CHECK(violating > 0);
}

TEST_CASE("a table built for another space is rejected with both hashes and the rebuild command") {
  Scratch s("mismatch");
  const BenchmarkConfig c = load_benchmark_config((s.dir / "tiny.toml").string());
  const std::string table = (s.dir / "tiny_table.json").string();
  std::ofstream(table) << to_json(build_table(c, nullptr)).dump();
  CHECK_NOTHROW(load_table(table, c));
  // Another domain of one gene, and another constraint: each changes the hash.
  s.replace_in("tiny_space.toml", "tile.pes = [2, 4]", "tile.pes = [2, 8]", "other_space.toml");
  s.replace_in("tiny.toml", "\"tiny_space.toml\"", "\"other_space.toml\"", "other.toml");
  s.replace_in("tiny_space.toml", "area_mm2_max = 7", "area_mm2_max = 8", "limit_space.toml");
  s.replace_in("tiny.toml", "\"tiny_space.toml\"", "\"limit_space.toml\"", "limit.toml");
  for (const char* other : {"other.toml", "limit.toml"}) {
    CAPTURE(other);
    const BenchmarkConfig o = load_benchmark_config((s.dir / other).string());
    CHECK(space_hash(o) != space_hash(c));
    try {
      load_table(table, o);
      FAIL("a table of another space was accepted");
    } catch (const InputError& e) {
      const std::string m = e.what();
      CHECK(m.find("built for another space") != std::string::npos);
      CHECK(m.find(space_hash(c)) != std::string::npos);
      CHECK(m.find(space_hash(o)) != std::string::npos);
      CHECK(m.find("imcsim benchmark-table") != std::string::npos);
    }
  }
}

TEST_CASE("hypervolume curve and evaluations to 90% on hand cases") {
  CHECK(evaluations_to_reach({0, 0.2, 0.5, 0.5, 0.95, 1.0}, 0.9) == 5);
  CHECK(evaluations_to_reach({0, 0.2, 0.5, 0.5, 0.95, 1.0}, 0.2) == 2);
  CHECK_FALSE(evaluations_to_reach({0, 0.2, 0.5}, 0.9).has_value());
  // Two objectives, ideal (0, 0), nadir (10, 100): the reference is (1.1, 1.1) after normalization.
  const Normalization n = normalization_of({{0, 100}, {10, 0}, {5, 50}}, 2);
  CHECK(n.ideal == std::vector<double>{0, 0});
  CHECK(n.nadir == std::vector<double>{10, 100});
  RunTrace t;
  t.evaluations = {{10, 100}, {}, {5, 50}, {10, 0}};  // nadir; infeasible; middle; a corner
  const std::vector<double> curve = hypervolume_curve(t, n, 6);
  REQUIRE(curve.size() == 6);
  CHECK(curve[0] == doctest::Approx(0.1 * 0.1));
  CHECK(curve[1] == doctest::Approx(0.01));
  CHECK(curve[2] == doctest::Approx(0.6 * 0.6));
  // (0.5, 0.5) and (1, 0): 0.6 * 0.6 + 0.1 * 0.5 (the strip the corner adds below 0.5)
  CHECK(curve[3] == doctest::Approx(0.36 + 0.05));
  CHECK(curve[5] == curve[3]);  // short of the budget: the last value holds
  CHECK(evaluations_to_reach(curve, 0.9 * 0.41) == 4);
  const CurveStats st = curve_stats({{1, 2}, {3, 6}});
  CHECK(st.mean == std::vector<double>{2, 4});
  CHECK(st.std[0] == doctest::Approx(std::sqrt(2.0)));
  CHECK(st.min == std::vector<double>{1, 2});
}

TEST_CASE("imcsim benchmark in table mode writes its reports and locks its run directory") {
  Scratch s("run");
  TableOptions to;
  to.config_path = (s.dir / "tiny.toml").string();
  to.out_file = (s.dir / "tiny_table.json").string();
  to.progress = nullptr;
  const nlohmann::json built = build_table_file(to);
  CHECK(built["genomes"] == 864);
  CHECK_THROWS_AS(build_table_file(to), InputError);  // exists, no --force
  BenchmarkOptions o;
  o.config_path = to.config_path;
  o.table_file = to.out_file;
  o.out_dir = (s.dir / "out").string();
  o.progress = nullptr;
  const nlohmann::json sum = run_benchmark(o);
  CHECK(sum["mode"] == "table");
  REQUIRE(sum["results"].size() == 4);
  for (const auto& r : sum["results"]) {
    CHECK(r["runs"].size() == 3);
    for (const auto& run : r["runs"]) CHECK((run["stalled"] == true || run["budget_spent"] == 30));
    CHECK(r["final_hypervolume_mean"].get<double>() > 0);
    CHECK(r["final_hypervolume_mean"].get<double>() <=
          sum["table_optimum_hypervolume"].get<double>() + 1e-12);
  }
  for (const char* f : {"summary.json", "hypervolume.csv", "hypervolume.svg", "runs.csv"})
    CHECK(fs::exists(s.dir / "out" / f));
  CHECK_THROWS_AS(run_benchmark(o), InputError);  // a fresh run into a non-empty directory
  o.force = true;
  const nlohmann::json again = run_benchmark(o);
  REQUIRE(again["results"].size() == 4);
  for (std::size_t a = 0; a < 4; ++a)  // the same seeds give the same hypervolumes
    CHECK(again["results"][a]["final_hypervolume_mean"] == sum["results"][a]["final_hypervolume_mean"]);
}

TEST_CASE("the shipped benchmark tables belong to today's spaces") {
  // A change to the model's settings that enter the space hash (mapping defaults, accuracy settings,
  // the base chip) makes a shipped table stale: `imcsim benchmark` would refuse it. This test fails
  // first, naming the command that rebuilds it.
  for (const char* config : {"configs/benchmark/hw_small.toml", "configs/benchmark/fmnist_small.toml"}) {
    CAPTURE(config);
    const BenchmarkConfig c = load_benchmark_config(config);
    REQUIRE(!c.table_file.empty());
    CHECK_NOTHROW(load_table(c.table_file, c));
  }
}
