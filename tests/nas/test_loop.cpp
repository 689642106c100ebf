// The search loop: cache, conditions, hot start, checkpoints, resume after a stop and after a
// kill, reports, progress line.
#include <doctest/doctest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "common/children.h"
#include "nas/loop.h"
#include "nas/workers.h"
#include "zdt.h"

using imc::common::InputError;
using namespace imc::nas;
using namespace imc::nas::test;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path test_root() {
  return fs::temp_directory_path() / ("imcsim_test_nas_" + std::to_string(::getpid()));
}

// Removes this process's run directories at exit (forked children leave with _exit and keep them).
struct CleanUp {
  ~CleanUp() {
    std::error_code ec;
    fs::remove_all(test_root(), ec);
  }
} clean_up;

fs::path fresh_dir(const std::string& name) {
  fs::path d = test_root() / name;
  fs::remove_all(d);
  return d;
}

// A 2-objective problem on a small space with a condition, for the loop tests.
SearchSpace small_space() {
  SearchSpace s = zdt_space(6, 20);
  s.add_condition("network.x2 <= 15");
  return s;
}

LoopOptions options(const fs::path& dir, std::size_t generations) {
  LoopOptions o;
  o.progress = nullptr;
  o.objective_names = {"f1", "f2"};
  o.generations = generations;
  o.run_dir = dir.string();
  return o;
}

OptimizerConfig config(const std::string& name) {
  OptimizerConfig c;
  c.name = name;
  c.population = 12;
  c.seed = 3;
  c.moead.neighbours = 5;
  return c;
}

const char* kResultFiles[] = {"evaluations.csv", "evaluations.json", "pareto.csv", "hypervolume.csv",
                              "front.svg"};

}  // namespace

TEST_CASE("loop: cache, conditions and counters") {
  std::set<std::string> seen;
  std::size_t calls = 0;
  SearchSpace space = small_space();
  BatchEvaluator eval = [&](const std::vector<Genome>& batch) {
    std::vector<Evaluation> out;
    for (const auto& g : batch) {
      ++calls;
      CHECK(seen.insert(space.key(g)).second);  // never evaluated twice
      CHECK(g[1] <= 15);                        // the condition is checked before evaluation
      Evaluation e;
      e.objectives = zdt(1, g, 20);
      out.push_back(e);
    }
    return out;
  };
  LoopOptions o;
  o.progress = nullptr;
  o.objective_names = {"f1", "f2"};
  o.generations = 25;
  OptimizerConfig c = config("nsga2");
  c.population = 16;
  SearchLoop loop(space, c, eval, o);
  loop.run();
  const GenerationStats& s = loop.history().back();
  CHECK(loop.history().size() == 25);
  CHECK(s.evaluated == calls);
  CHECK(s.asked == s.evaluated + s.cache_hits + s.rejected);
  CHECK(s.cache_hits > 0);
  CHECK(s.rejected > 0);
  CHECK(loop.candidates().size() == s.evaluated + s.rejected);
  std::size_t rejected = 0;
  for (const auto& cd : loop.candidates())
    if (cd.evaluation.fidelity == "conditions") {
      ++rejected;
      CHECK(cd.evaluation.reason.find("condition 'network.x2 <= 15' violated") == 0);
      CHECK(cd.genome[1] > 15);
    }
  CHECK(rejected == s.rejected);
  // The hypervolume never decreases and the reference point came from generation 0.
  for (std::size_t i = 1; i < loop.history().size(); ++i)
    CHECK(loop.history()[i].hypervolume >= loop.history()[i - 1].hypervolume);
  CHECK(loop.reference_point().size() == 2);
  CHECK(s.hypervolume > 0);
}

TEST_CASE("loop: hot start and progress line") {
  std::ostringstream progress;
  LoopOptions o;
  o.objective_names = {"f1", "f2"};
  o.generations = 2;
  o.progress = &progress;
  SearchLoop loop(zdt_space(6, 20), config("nsga2"), zdt_evaluator(1, 20), o);
  Genome best(6, 0);
  best[0] = 5;
  loop.hot_start({best});
  CHECK_THROWS_AS(loop.hot_start({Genome(5, 0)}), InputError);
  loop.run();
  CHECK(loop.candidates()[0].genome == best);
  CHECK(loop.candidates()[0].generation == 0);
  std::string p = progress.str();
  CHECK(p.find("[nas] gen 1/2  evals 12 (+12)  cache hits 0") == 0);
  CHECK(p.find("[nas] gen 2/2") != std::string::npos);
  CHECK(p.find("HV ") != std::string::npos);
  CHECK(p.find("ETA ") != std::string::npos);
  CHECK(p.find("best f1=0") != std::string::npos);
}

TEST_CASE("loop: stop after 3 generations + resume == 6 straight generations") {
  for (std::string name : {"nsga2", "moead", "sga", "sa", "random", "parego", "reinforce"}) {
    CAPTURE(name);
    fs::path straight = fresh_dir("straight_" + name), split = fresh_dir("split_" + name);
    {
      SearchLoop loop(small_space(), config(name), zdt_evaluator(1, 20), options(straight, 6));
      loop.run();
    }
    {
      SearchLoop loop(small_space(), config(name), zdt_evaluator(1, 20), options(split, 3));
      loop.run();
      CHECK(loop.generation() == 3);
    }
    std::size_t calls = 0;
    SearchLoop resumed(small_space(), config(name), zdt_evaluator(1, 20, &calls), options(split, 6));
    resumed.resume(split.string());
    CHECK(resumed.generation() == 3);
    resumed.run();
    CHECK(resumed.generation() == 6);
    CHECK(calls > 0);
    for (const char* f : kResultFiles) {
      CAPTURE(f);
      CHECK(slurp(straight / f) == slurp(split / f));
    }
    CHECK(slurp(straight / "checkpoint.json") == slurp(split / "checkpoint.json"));
  }
}

TEST_CASE(
    "loop: resume == straight with the state's bounds reached (parego's GP cap, reinforce's controller)") {
  // parego keeps at most max_points of its data for the GP (selected by Pareto rank): with 20 of 72
  // the selection itself must come back equal; reinforce with a larger controller and monte_carlo
  // sampling (its first population is drawn through the estimate).
  struct Case {
    std::string name;
    std::function<void(OptimizerConfig&)> tweak;
  };
  const std::vector<Case> cases = {
      {"parego", [](OptimizerConfig& c) { c.parego.max_points = 20; }},
      {"reinforce",
       [](OptimizerConfig& c) {
         c.reinforce.hidden = 16;
         c.sampling = Sampling::kMonteCarlo;
       }},
  };
  for (const Case& k : cases) {
    CAPTURE(k.name);
    OptimizerConfig c = config(k.name);
    k.tweak(c);
    LoopOptions straight_o = options(fresh_dir("bounds_straight_" + k.name), 6);
    LoopOptions split_o = options(fresh_dir("bounds_split_" + k.name), 3);
    SearchSpace space = small_space();
    straight_o.feasibility_estimate =
        split_o.feasibility_estimate = [&space](const Genome& g) { return space.check(g).violation; };
    SearchLoop(space, c, zdt_evaluator(1, 20), straight_o).run();
    SearchLoop(space, c, zdt_evaluator(1, 20), split_o).run();
    LoopOptions resumed_o = split_o;
    resumed_o.generations = 6;
    SearchLoop resumed(space, c, zdt_evaluator(1, 20), resumed_o);
    resumed.resume(split_o.run_dir);
    CHECK(resumed.generation() == 3);
    resumed.run();
    for (const char* f : kResultFiles) {
      CAPTURE(f);
      CHECK(slurp(fs::path(straight_o.run_dir) / f) == slurp(fs::path(split_o.run_dir) / f));
    }
    CHECK(slurp(fs::path(straight_o.run_dir) / "checkpoint.json") ==
          slurp(fs::path(split_o.run_dir) / "checkpoint.json"));
  }
}

TEST_CASE("loop: a run killed mid-generation resumes to the same result") {
  fs::path straight = fresh_dir("kill_straight"), killed = fresh_dir("kill_killed");
  {
    SearchLoop loop(small_space(), config("moead"), zdt_evaluator(2, 20), options(straight, 6));
    loop.run();
  }
  // The child is killed by SIGKILL during generation 4 (index 3), after checkpoint 3 was written.
  const auto killed_run = imc::common::run_in_children(std::vector<int>{0}, [&](int) {
    SearchLoop* self = nullptr;
    int calls_in_gen3 = 0;
    BatchEvaluator eval = [&](const std::vector<Genome>& batch) {
      if (self && self->generation() == 3 && ++calls_in_gen3 == 5) ::raise(SIGKILL);
      return zdt_evaluator(2, 20)(batch);
    };
    SearchLoop loop(small_space(), config("moead"), eval, options(killed, 6));
    self = &loop;
    loop.run();
    return 0;  // not reached
  });
  REQUIRE(killed_run.at(0).failure);
  CHECK(killed_run.at(0).failure->kind == imc::common::ChildFailureKind::Signal);
  CHECK(killed_run.at(0).failure->signal == SIGKILL);
  CHECK(slurp(killed / "hypervolume.csv") != slurp(straight / "hypervolume.csv"));
  SearchLoop resumed(small_space(), config("moead"), zdt_evaluator(2, 20), options(killed, 6));
  resumed.resume(killed.string());
  CHECK(resumed.generation() == 3);
  resumed.run();
  for (const char* f : kResultFiles) {
    CAPTURE(f);
    CHECK(slurp(straight / f) == slurp(killed / f));
  }
}

TEST_CASE("loop: resume checks that the run is the same") {
  fs::path dir = fresh_dir("mismatch");
  {
    SearchLoop loop(small_space(), config("nsga2"), zdt_evaluator(1, 20), options(dir, 2));
    loop.run();
  }
  OptimizerConfig other = config("nsga2");
  other.seed = 4;
  SearchLoop a(small_space(), other, zdt_evaluator(1, 20), options(dir, 4));
  CHECK_THROWS_WITH_AS(a.resume(dir.string()),
                       doctest::Contains("the checkpoint was written with different 'optimizer'"),
                       InputError);
  SearchSpace bigger = small_space();
  bigger.add_condition("network.x3 <= 15");
  SearchLoop b(bigger, config("nsga2"), zdt_evaluator(1, 20), options(dir, 4));
  CHECK_THROWS_WITH_AS(b.resume(dir.string()), doctest::Contains("different 'space_fingerprint'"),
                       InputError);
  SearchLoop c(small_space(), config("nsga2"), zdt_evaluator(1, 20), options(dir, 4));
  CHECK_THROWS_WITH_AS(c.resume((dir / "nowhere").string()), doctest::Contains("cannot read the checkpoint"),
                       InputError);
}

TEST_CASE("loop: run-directory reports") {
  fs::path dir = fresh_dir("reports");
  fs::create_directories(dir);
  fs::path cfg = dir / "search.toml";
  std::ofstream(cfg) << "# the search config\n";
  LoopOptions o = options(dir, 3);
  o.config_path = cfg.string();
  SearchLoop loop(small_space(), config("nsga2"), zdt_evaluator(1, 20), o);
  loop.run();
  for (const char* f : {"run.json", "config.toml", "checkpoint.json", "evaluations.csv", "evaluations.json",
                        "pareto.csv", "hypervolume.csv", "front.svg"})
    CHECK(fs::exists(dir / f));
  CHECK(slurp(dir / "config.toml") == "# the search config\n");
  auto run = nlohmann::json::parse(slurp(dir / "run.json"));
  CHECK(run.at("seed") == 3);
  CHECK(run.at("optimizer").at("name") == "nsga2");

  std::istringstream csv(slurp(dir / "evaluations.csv"));
  std::string header, line;
  std::getline(csv, header);
  CHECK(header ==
        "id,generation,hash,network.x1,network.x2,network.x3,network.x4,network.x5,network.x6,f1,f2,feasible,"
        "violation,reason,fidelity");
  std::size_t rows = 0;
  while (std::getline(csv, line)) ++rows;
  CHECK(rows == loop.candidates().size());

  auto json = nlohmann::json::parse(slurp(dir / "evaluations.json"));
  CHECK(json.size() == loop.candidates().size());
  CHECK(json[0].at("genes").contains("network.x1"));
  for (const auto& row : json) {
    const auto& cd = loop.candidates().at(row.at("id").get<std::size_t>());
    CHECK(row.at("fidelity") == (cd.evaluation.fidelity == "conditions" ? "conditions" : "exact"));
    CHECK(row.at("feasible") == cd.evaluation.feasible());
    CHECK(row.at("key") == cd.key);
  }

  std::istringstream pareto(slurp(dir / "pareto.csv"));
  std::getline(pareto, header);
  CHECK(header.substr(header.size() - 9) == ",finalist");
  rows = 0;
  while (std::getline(pareto, line)) {
    ++rows;
    CHECK(line.find(",1,0,,exact,0") != std::string::npos);  // feasible, violation 0, not a finalist
  }
  CHECK(rows == loop.front().size());

  std::istringstream hv(slurp(dir / "hypervolume.csv"));
  std::getline(hv, header);
  CHECK(header ==
        "generation,asked,evaluated,cache_hits,rejected,feasible,front_size,hypervolume,best_f1,best_f2");
  rows = 0;
  while (std::getline(hv, line)) ++rows;
  CHECK(rows == 3);

  // Finalists are marked in pareto.csv and ringed in the SVG.
  std::vector<std::size_t> finalists = {loop.front().front()};
  loop.write_reports(finalists);
  CHECK(slurp(dir / "pareto.csv").find(",1\n") != std::string::npos);
  std::string svg = slurp(dir / "front.svg");
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  CHECK(svg.find("stroke=\"#d62728\" stroke-width=\"2\"/>\n") != std::string::npos);
  std::size_t front_points = 0;
  for (std::size_t p = svg.find("r=\"3.5\" fill=\"#1f77b4\"><title>"); p != std::string::npos;
       p = svg.find("r=\"3.5\" fill=\"#1f77b4\"><title>", p + 1))
    ++front_points;
  CHECK(front_points == loop.front().size());
}

TEST_CASE("loop: three objectives give three projections") {
  fs::path dir = fresh_dir("three");
  LoopOptions o = options(dir, 2);
  o.objective_names = {"a", "b", "c"};
  BatchEvaluator eval = [](const std::vector<Genome>& gs) {
    std::vector<Evaluation> out;
    for (const auto& g : gs) {
      Evaluation e;
      e.objectives = {double(g[0]), double(g[1]), double(20 - g[0] - g[1])};
      out.push_back(e);
    }
    return out;
  };
  SearchLoop loop(zdt_space(3, 10), config("nsga2"), eval, o);
  loop.run();
  std::string svg = slurp(dir / "front.svg");
  std::size_t panels = 0;
  for (std::size_t p = svg.find("<g>"); p != std::string::npos; p = svg.find("<g>", p + 1)) ++panels;
  CHECK(panels == 3);
  CHECK(loop.history().back().hypervolume > 0);
}

TEST_CASE("loop: worker processes behind a suspended optimizer give the same run") {
  // moead keeps its evolve() asleep on a helper thread while the evaluator forks workers.
  LoopOptions o;
  o.progress = nullptr;
  o.objective_names = {"f1", "f2"};
  o.generations = 3;
  SearchLoop plain(small_space(), config("moead"), zdt_evaluator(1, 20), o);
  plain.run();
  std::set<long> pids;
  BatchEvaluator forked = [&](const std::vector<Genome>& batch) {
    auto res = evaluate_in_workers(batch,
                                   [](const Genome& g) {
                                     Evaluation e;
                                     e.objectives = zdt(1, g, 20);
                                     e.fidelity = "exact";
                                     e.extra = {{"pid", static_cast<long>(::getpid())}};
                                     return e;
                                   },
                                   {2, 1, false});
    for (auto& e : res) {
      pids.insert(e.extra.at("pid").get<long>());
      e.extra = nlohmann::json::object();
    }
    return res;
  };
  SearchLoop workers(small_space(), config("moead"), forked, o);
  workers.run();
  REQUIRE(workers.candidates().size() == plain.candidates().size());
  for (std::size_t i = 0; i < plain.candidates().size(); ++i) {
    CHECK(workers.candidates()[i].genome == plain.candidates()[i].genome);
    CHECK(workers.candidates()[i].evaluation.objectives == plain.candidates()[i].evaluation.objectives);
  }
  CHECK(pids.size() == workers.history().back().evaluated);
  CHECK_FALSE(pids.count(::getpid()));
}
