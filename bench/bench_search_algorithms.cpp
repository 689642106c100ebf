// Benchmark (not a test): the search algorithms side by side at equal proposals (population x
// generations), hypervolume mean ± std over seeds.
//   bench_search_algorithms zdt WHICH GENES STEPS POPULATION GENERATIONS SEEDS [ALGORITHMS]
//     ZDT1/ZDT2 on GENES genes of STEPS+1 values (tests/nas/zdt.h); hypervolume / the true front's,
//     reference (1.1, 1.1).
//   bench_search_algorithms search CONFIG POPULATION GENERATIONS SEEDS [ALGORITHMS] [OUT_DIR]
//     an imcsim search config (finalists off). Every run's front is normalized by the per-objective
//     minimum and maximum over the fronts of all runs, reference 1.1 in each: one scale for all.
// ALGORITHMS: comma-separated optimizer names (default random,nsga2,moead,parego,reinforce).
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "nas/loop.h"
#include "nas/pareto.h"
#include "nas/search/run.h"
#include "zdt.h"

namespace {

using namespace imc::nas;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');) out.push_back(part);
  return out;
}

struct Stats {
  double mean = 0, sd = 0;
};
Stats stats(const std::vector<double>& v) {
  Stats s;
  for (double x : v) s.mean += x / double(v.size());
  for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
  s.sd = v.size() > 1 ? std::sqrt(s.sd / double(v.size() - 1)) : 0.0;
  return s;
}

void print_table(const std::vector<std::string>& algorithms,
                 const std::map<std::string, std::vector<double>>& hv,
                 const std::map<std::string, std::vector<double>>& evals,
                 const std::map<std::string, std::vector<double>>& seconds) {
  fmt::print(
      "\n| algorithm | hypervolume mean ± std | distinct evaluations (mean) | seconds per run (mean) |\n");
  fmt::print("|---|---|---|---|\n");
  for (const auto& a : algorithms) {
    const Stats h = stats(hv.at(a));
    fmt::print("| {} | {:.3f} ± {:.3f} | {:.0f} | {:.2f} |\n", a, h.mean, h.sd, stats(evals.at(a)).mean,
               stats(seconds.at(a)).mean);
  }
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int zdt_mode(int argc, char** argv) {
  if (argc < 8)
    throw std::invalid_argument("zdt WHICH GENES STEPS POPULATION GENERATIONS SEEDS [ALGORITHMS]");
  const int which = std::atoi(argv[2]), steps = std::atoi(argv[4]);
  const auto genes = static_cast<std::size_t>(std::atoi(argv[3]));
  const std::int64_t population = std::atoi(argv[5]);
  const auto generations = static_cast<std::size_t>(std::atoi(argv[6]));
  const int seeds = std::atoi(argv[7]);
  const auto algorithms = split(argc > 8 ? argv[8] : "random,nsga2,moead,parego,reinforce");
  std::map<std::string, std::vector<double>> hv, evals, seconds;
  for (const auto& a : algorithms)
    for (int seed = 1; seed <= seeds; ++seed) {
      OptimizerConfig c;
      c.name = a;
      c.population = population;
      c.seed = seed;
      c.moead.neighbours = std::min<std::int64_t>(20, population / 2);
      LoopOptions o;
      o.progress = nullptr;
      o.objective_names = {"f1", "f2"};
      o.generations = generations;
      o.reference_point = {1.1, 1.1};
      std::size_t calls = 0;
      const auto t0 = std::chrono::steady_clock::now();
      SearchLoop loop(test::zdt_space(genes, steps), c, test::zdt_evaluator(which, steps, &calls), o);
      loop.run();
      seconds[a].push_back(since(t0));
      hv[a].push_back(loop.history().back().hypervolume / test::zdt_true_hv(which));
      evals[a].push_back(double(calls));
    }
  fmt::print("ZDT{} on {} genes x {} values, {} x {} proposals, {} seeds; hypervolume / the true front's\n",
             which, genes, steps + 1, population, generations, seeds);
  print_table(algorithms, hv, evals, seconds);
  return 0;
}

int search_mode(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc < 6)
    throw std::invalid_argument("search CONFIG POPULATION GENERATIONS SEEDS [ALGORITHMS] [OUT_DIR]");
  const std::string config = argv[2];
  const int population = std::atoi(argv[3]), generations = std::atoi(argv[4]), seeds = std::atoi(argv[5]);
  const auto algorithms = split(argc > 6 ? argv[6] : "random,nsga2,moead,parego,reinforce");
  const std::string out =
      argc > 7 ? argv[7] : (fs::temp_directory_path() / "imcsim_search_algorithms").string();
  std::map<std::string, std::vector<std::vector<std::vector<double>>>> fronts;
  std::map<std::string, std::vector<double>> evals, seconds;
  std::vector<double> lo, hi;
  for (const auto& a : algorithms)
    for (int seed = 1; seed <= seeds; ++seed) {
      imc::nas::search::RunOptions o;
      o.config_path = config;
      o.out_dir = fmt::format("{}/{}-{}", out, a, seed);
      fs::remove_all(o.out_dir);
      o.optimizer = a;
      o.seed = seed;
      o.finalists = 0;
      o.population = population;
      o.generations = generations;
      o.progress = nullptr;
      const auto t0 = std::chrono::steady_clock::now();
      const nlohmann::json s = imc::nas::search::run_search(o);
      seconds[a].push_back(since(t0));
      evals[a].push_back(s["designs_evaluated"].get<double>());
      std::vector<std::vector<double>> front;
      for (const auto& m : s["front"]) {
        std::vector<double> f;
        for (const auto& [k, v] : m["objectives"].items()) f.push_back(v.get<double>());
        if (lo.empty()) lo = hi = f;
        for (std::size_t i = 0; i < f.size(); ++i)
          lo[i] = std::min(lo[i], f[i]), hi[i] = std::max(hi[i], f[i]);
        front.push_back(std::move(f));
      }
      fronts[a].push_back(std::move(front));
    }
  std::map<std::string, std::vector<double>> hv;
  for (const auto& a : algorithms)
    for (const auto& front : fronts[a]) {
      std::vector<std::vector<double>> normalized;
      for (const auto& f : front) {
        std::vector<double> n(f.size());
        for (std::size_t i = 0; i < f.size(); ++i)
          n[i] = hi[i] > lo[i] ? (f[i] - lo[i]) / (hi[i] - lo[i]) : 0.0;
        normalized.push_back(std::move(n));
      }
      hv[a].push_back(hypervolume(normalized, std::vector<double>(lo.size(), 1.1)));
    }
  fmt::print(
      "{}: {} x {} proposals, {} seeds; hypervolume of the normalized front (all runs' fronts span [0, 1]), "
      "reference 1.1 per objective (max {:.3f})\n",
      config, population, generations, seeds, std::pow(1.1, double(lo.size())));
  print_table(algorithms, hv, evals, seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "zdt") return zdt_mode(argc, argv);
    if (mode == "search") return search_mode(argc, argv);
    throw std::invalid_argument("first argument: zdt or search");
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_search_algorithms: {}\n", e.what());
    return 2;
  }
}
