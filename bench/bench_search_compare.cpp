// Benchmark (not a test): NSGA-II against random search on a search config at equal proposals
// (same population and generations), over several seeds, by the hypervolume of the final front
// against the config's fixed reference point. Trained weights are cached, so networks seen by one
// run are not retrained by the next.
// Usage: bench_search_compare [config.toml] [seeds] [population] [generations] [out_dir]
// (population / generations 0 = the config's)
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "nas/search/run.h"

int main(int argc, char** argv) {
  using namespace imc::nas::search;
  namespace fs = std::filesystem;
  const std::string config = argc > 1 ? argv[1] : "configs/nas/fmnist_demo.toml";
  const int seeds = argc > 2 ? std::atoi(argv[2]) : 3;
  const int population = argc > 3 ? std::atoi(argv[3]) : 0;
  const int generations = argc > 4 ? std::atoi(argv[4]) : 0;
  const std::string out = argc > 5 ? argv[5] : (fs::temp_directory_path() / "imcsim_search_compare").string();
  // Same thread settings as imcsim (cli/main.cpp): they must be in the environment before libgomp loads.
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    execv("/proc/self/exe", argv);
  }
  nlohmann::json runs = nlohmann::json::array();
  std::map<std::string, std::vector<double>> hv;
  fmt::print("{:<8} {:>5} {:>10} {:>10} {:>7} {:>14} {:>9}\n", "optimizer", "seed", "proposals", "evaluated",
             "front", "hypervolume", "seconds");
  for (int seed = 1; seed <= seeds; ++seed) {
    for (const std::string opt : {"nsga2", "random"}) {
      RunOptions o;
      o.config_path = config;
      o.out_dir = fmt::format("{}/{}-{}", out, opt, seed);
      fs::remove_all(o.out_dir);
      o.optimizer = opt;
      o.seed = seed;
      o.finalists = 0;
      if (population > 0) o.population = population;
      if (generations > 0) o.generations = generations;
      o.progress = nullptr;
      const auto t0 = std::chrono::steady_clock::now();
      const nlohmann::json s = run_search(o);
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const std::size_t proposals = s["proposals"].get<std::size_t>();
      fmt::print("{:<8} {:>5} {:>10} {:>10} {:>7} {:>14.6g} {:>9.1f}\n", opt, seed, proposals,
                 s["designs_evaluated"].get<std::size_t>(), s["front"].size(), s["hypervolume"].get<double>(),
                 sec);
      std::fflush(stdout);
      hv[opt].push_back(s["hypervolume"].get<double>());
      runs.push_back({{"optimizer", opt},
                      {"seed", seed},
                      {"proposals", proposals},
                      {"designs_evaluated", s["designs_evaluated"]},
                      {"hypervolume", s["hypervolume"]},
                      {"front_size", s["front"].size()},
                      {"seconds", sec}});
    }
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / double(v.size());
  };
  auto sd = [&](const std::vector<double>& v) {
    const double m = mean(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return v.size() > 1 ? std::sqrt(s / double(v.size() - 1)) : 0.0;
  };
  int wins = 0;
  for (std::size_t i = 0; i < hv["nsga2"].size(); ++i) wins += hv["nsga2"][i] > hv["random"][i] ? 1 : 0;
  fmt::print(
      "\nhypervolume mean ± std over {} seeds: nsga2 {:.6g} ± {:.3g}, random {:.6g} ± {:.3g}; "
      "nsga2 / random = {:.3f}; nsga2 better on {}/{} seeds\n",
      seeds, mean(hv["nsga2"]), sd(hv["nsga2"]), mean(hv["random"]), sd(hv["random"]),
      mean(hv["nsga2"]) / mean(hv["random"]), wins, seeds);
  std::ofstream(fs::path(out) / "compare.json") << nlohmann::json{{"config", config},
                                                                  {"runs", runs},
                                                                  {"nsga2_mean", mean(hv["nsga2"])},
                                                                  {"random_mean", mean(hv["random"])},
                                                                  {"nsga2_wins", wins},
                                                                  {"seeds", seeds}}
                                                       .dump(1)
                                                << "\n";
  return 0;
}
