// Whole search runs on a hardware-only space (no training, so seconds): determinism, feasibility of
// the front, kill + resume, hot start, the SystemC finalists and the run directory.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "nas/search/config.h"
#include "nas/search/run.h"

using namespace imc::nas::search;
namespace fs = std::filesystem;

namespace {

const char* kConfig = "tests/search/data/hw_only.toml";

std::string fresh_dir(const std::string& name) {
  const fs::path p =
      fs::temp_directory_path() / ("imcsim_search_run_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(p);
  return p.string();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json run(const std::string& out, std::int64_t generations, std::int64_t finalists = 0) {
  RunOptions o;
  o.config_path = kConfig;
  o.out_dir = out;
  o.generations = generations;
  o.finalists = finalists;
  o.progress = nullptr;
  return run_search(o);
}

}  // namespace

TEST_CASE("same seed, same front; the front holds feasible designs only") {
  const std::string a = fresh_dir("a"), b = fresh_dir("b");
  const nlohmann::json sa = run(a, 3), sb = run(b, 3);
  CHECK(slurp(fs::path(a) / "pareto.csv") == slurp(fs::path(b) / "pareto.csv"));
  CHECK(slurp(fs::path(a) / "evaluations.csv") == slurp(fs::path(b) / "evaluations.csv"));
  CHECK(sa["designs_evaluated"] == sb["designs_evaluated"]);
  REQUIRE(sa["front"].size() > 0);
  // The area limit (7 mm2) removes some candidates; none of them is on the front.
  const nlohmann::json all = nlohmann::json::parse(slurp(fs::path(a) / "evaluations.json"));
  std::size_t infeasible = 0;
  for (const auto& c : all) infeasible += c["feasible"].get<bool>() ? 0 : 1;
  CHECK(infeasible > 0);
  for (const auto& f : sa["front"]) {
    CHECK(f["metrics"]["area_mm2"].get<double>() <= 7.0);
    const auto& c = all.at(f["id"].get<std::size_t>());
    CHECK(c["feasible"].get<bool>());
  }
  for (const char* file :
       {"evaluations.csv", "evaluations.json", "pareto.csv", "hypervolume.csv", "front.svg", "config.toml",
        "run.json", "search.json", "summary.json", "front.json", "checkpoint.json"})
    CHECK_MESSAGE(fs::exists(fs::path(a) / file), file);
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST_CASE("the finalists are re-evaluated with SystemC: same actions, both above the latency bound") {
  const std::string d = fresh_dir("fin");
  const nlohmann::json s = run(d, 2, 2);
  const auto& rows = s["finalists"]["finalists"];
  REQUIRE(rows.size() >= 1);
  for (const auto& r : rows) {
    REQUIRE_FALSE(r.contains("error"));
    CHECK(r["actions_identical"].get<bool>());
    CHECK(r["latency_cycles_systemc"].get<double>() >= r["latency_bound_cycles"].get<double>());
    CHECK(r["latency_cycles_analytical"].get<double>() >= r["latency_bound_cycles"].get<double>());
    CHECK(fs::exists(fs::path(d) / "finalists" / (std::to_string(r["id"].get<std::size_t>()) + ".json")));
  }
  CHECK(fs::exists(fs::path(d) / "finalists.csv"));
  CHECK(s["finalists"].contains("front_order_changed"));
  fs::remove_all(d);
}

TEST_CASE("resume after a partial run ends with the uninterrupted run's result") {
  const std::string full = fresh_dir("full"), part = fresh_dir("part");
  run(full, 3);
  run(part, 1);
  RunOptions o;
  o.resume_dir = part;
  o.generations = 3;
  o.progress = nullptr;
  run_search(o);
  CHECK(slurp(fs::path(full) / "pareto.csv") == slurp(fs::path(part) / "pareto.csv"));
  CHECK(slurp(fs::path(full) / "evaluations.csv") == slurp(fs::path(part) / "evaluations.csv"));
  fs::remove_all(full);
  fs::remove_all(part);
}

TEST_CASE("kill -9 during a run, then --resume: nothing lost, same front") {
  const char* bin = std::getenv("IMCSIM_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "IMCSIM_BIN must name the imcsim binary (set by ctest)");
  const std::string full = fresh_dir("kfull"), killed = fresh_dir("killed");
  run(full, 6);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(bin, bin, "search", "--config", kConfig, "--out", killed.c_str(), "--generations", "6",
          "--finalists", "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill as soon as the first checkpoint exists (mid-run: later generations are still to come).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(fs::path(killed) / "checkpoint.json") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(fs::exists(fs::path(killed) / "checkpoint.json"));
  const std::string resumed =
      std::string(bin) + " search --resume " + killed + " --generations 6 --finalists 0 > /dev/null 2>&1";
  REQUIRE(std::system(resumed.c_str()) == 0);
  CHECK(slurp(fs::path(full) / "pareto.csv") == slurp(fs::path(killed) / "pareto.csv"));
  CHECK(slurp(fs::path(full) / "evaluations.csv") == slurp(fs::path(killed) / "evaluations.csv"));
  fs::remove_all(full);
  fs::remove_all(killed);
}

TEST_CASE("hot start: given designs are in the first population") {
  const SearchConfig c = load_search_config(kConfig);
  const auto designs = load_designs("tests/search/data/designs.toml", c.space);
  REQUIRE(designs.size() == 1);
  const std::string d = fresh_dir("hot");
  RunOptions o;
  o.config_path = kConfig;
  o.out_dir = d;
  o.generations = 1;
  o.finalists = 0;
  o.hot_start = "tests/search/data/designs.toml";
  o.progress = nullptr;
  run_search(o);
  const nlohmann::json all = nlohmann::json::parse(slurp(fs::path(d) / "evaluations.json"));
  bool found = false;
  for (const auto& cand : all)
    found =
        found ||
        (cand["genes"]["hardware.crossbar.rows"] == 128 && cand["genes"]["hardware.tile.pes"] == 4 &&
         cand["genes"]["hardware.noc.routers"] == 2 && cand["genes"]["network.base_channels"] == 8 &&
         cand["genes"]["network.weight_bits"] == 8 && cand["genes"]["hardware.device.bits_per_cell"] == 2);
  CHECK(found);
  // A previous run directory works too (its front.json).
  CHECK(load_designs(d, c.space).size() >= 1);
  fs::remove_all(d);
}

TEST_CASE("a bad hot-start file is an error naming the file and the entry") {
  const SearchConfig c = load_search_config(kConfig);
  const fs::path p = fs::temp_directory_path() / "imcsim_bad_designs.toml";
  std::ofstream(p) << "[[design]]\nhardware.crossbar.rows = 100\n";
  CHECK_THROWS_WITH_AS(load_designs(p.string(), c.space), doctest::Contains("imcsim_bad_designs.toml"),
                       imc::common::InputError);
}

namespace {

// hw_only.toml with `extra` added to [search], base_arch absolute, written to `dir`.
std::string config_with(const std::string& dir, const std::string& extra) {
  std::string text = slurp(kConfig);
  const std::string search = "[search]\n", base = "../../../configs/arch/rram_default.toml";
  text.replace(text.find(search), search.size(), search + extra + "\n");
  text.replace(text.find(base), base.size(), fs::absolute("configs/arch/rram_default.toml").string());
  fs::create_directories(dir);
  const std::string path = (fs::path(dir) / "search.toml").string();
  std::ofstream(path) << text;
  return path;
}

nlohmann::json run_config(const std::string& config, const std::string& out, std::int64_t finalists) {
  RunOptions o;
  o.config_path = config;
  o.out_dir = out;
  o.generations = 1;
  o.finalists = finalists;
  o.progress = nullptr;
  return run_search(o);
}

}  // namespace

TEST_CASE(
    "evaluator = systemc: every candidate simulated; same area and MACs, both above the latency bound") {
  const std::string d = fresh_dir("sysc_eval");
  const nlohmann::json sa = run_config(config_with(d + "/a", "evaluator = \"analytical\""), d + "/an", 2);
  const nlohmann::json ss = run_config(config_with(d + "/s", "evaluator = \"systemc\""), d + "/sc", 1);
  CHECK(sa["evaluator"] == "analytical");
  CHECK(ss["evaluator"] == "systemc");
  CHECK(sa["finalists"].empty());  // the analytical evaluator runs no SystemC at all
  CHECK(ss["finalists"]["finalists"].size() == 1);
  const auto an = nlohmann::json::parse(slurp(fs::path(d) / "an" / "evaluations.json"));
  const auto sc = nlohmann::json::parse(slurp(fs::path(d) / "sc" / "evaluations.json"));
  REQUIRE(an.size() == sc.size());  // one generation, same seed: the same candidates
  std::size_t simulated = 0;
  for (std::size_t i = 0; i < an.size(); ++i) {
    REQUIRE(an[i].at("genes") == sc[i].at("genes"));
    CHECK(an[i]["feasible"] == sc[i]["feasible"]);  // area is the only constraint: model-independent
    if (!sc[i]["extra"].contains("latency_cycles")) continue;
    ++simulated;
    CHECK(sc[i]["fidelity"] == "systemc");
    CHECK(an[i]["fidelity"] == "analytical");
    CHECK(sc[i]["extra"]["area_mm2"].get<double>() ==
          doctest::Approx(an[i]["extra"]["area_mm2"].get<double>()));
    CHECK(sc[i]["extra"]["macs"] == an[i]["extra"]["macs"]);
    // Neither model bounds the other (docs/systemc.md); both respect the Program's latency bound.
    const double bound = sc[i]["extra"]["latency_bound_cycles"].get<double>();
    CHECK(bound > 0);
    CHECK(sc[i]["extra"]["latency_cycles"].get<double>() >= bound);
    CHECK(an[i]["extra"]["latency_cycles"].get<double>() >= bound);
  }
  CHECK(simulated >= 4);
  fs::remove_all(d);
}

TEST_CASE("hot start from a smaller space: missing genes take their base values, or the error lists them") {
  // The README's example (fmnist_joint hot-started from a demo run) failed on the first gene the
  // demo space did not have.
  const SearchConfig c = load_search_config(kConfig);
  const fs::path d = fs::temp_directory_path() / ("imcsim_hot_smaller_" + std::to_string(::getpid()));
  fs::create_directories(d);
  nlohmann::json genes = {
      {"hardware.crossbar.rows", 128}, {"hardware.crossbar.cols", 64}, {"hardware.device.bits_per_cell", 2},
      {"hardware.tile.pes", 4},        {"hardware.noc.routers", 2},    {"network.base_channels", 8},
      {"network.weight_bits", 8}};
  // network.stages is not given: the family's default (2) is among [2, 3].
  std::ofstream(d / "front.json") << nlohmann::json{{"front", {{{"genes", genes}}}}}.dump();
  const auto designs = load_designs(d.string(), c.space, c.base_arch_file);
  REQUIRE(designs.size() == 1);
  const auto& values = c.space.genes()[c.space.index_of("network.stages")].values;
  CHECK(values.at(std::size_t(designs[0][c.space.index_of("network.stages")])).as_number() == 2);
  // noc.routers is a derived key with no base value: the error names it and its allowed values.
  genes.erase("hardware.noc.routers");
  std::ofstream(d / "front.json", std::ios::trunc) << nlohmann::json{{"front", {{{"genes", genes}}}}}.dump();
  CHECK_THROWS_WITH_AS(load_designs(d.string(), c.space, c.base_arch_file),
                       doctest::Contains("'hardware.noc.routers' (allowed: 1, 2, 4, 9)"),
                       imc::common::InputError);
  fs::remove_all(d);
}

TEST_CASE(
    "optimizer.sampling = monte_carlo: more of the first population is feasible than uniform sampling") {
  // The estimate is the analytical model with the constraints and the space's condition; the area
  // limit is tightened from 7 to 5.8 mm2, which about a fifth of the designs meet.
  auto feasible_first = [](const std::string& sampling, const std::string& dir) {
    std::string text = slurp(config_with(dir, ""));
    text.replace(text.find("[optimizer]\n"), 12, "[optimizer]\nsampling = \"" + sampling + "\"\n");
    text.replace(text.find("area_mm2_max = 7"), 16, "area_mm2_max = 5.8");
    std::ofstream(dir + "/search.toml") << text;
    run_config(dir + "/search.toml", dir + "/out", 0);
    const auto evals = nlohmann::json::parse(slurp(fs::path(dir) / "out" / "evaluations.json"));
    std::size_t n = 0;
    for (const auto& e : evals) n += e.at("feasible").get<bool>();
    return std::pair{n, evals.size()};
  };
  const auto uniform = feasible_first("uniform", fresh_dir("mc_uniform"));
  const auto mc = feasible_first("monte_carlo", fresh_dir("mc_mc"));
  MESSAGE("feasible in the first population: uniform " << uniform.first << "/" << uniform.second
                                                       << ", monte_carlo " << mc.first << "/" << mc.second);
  CHECK(mc.first == mc.second);
  CHECK(mc.first > uniform.first);
}
