// Benchmark (not a test): search algorithms against random search on a search config at equal
// proposals (same population and generations), over several seeds, by the hypervolume of the final
// front against the config's fixed reference point (issue 16: NSGA-II against random, 5 seeds, mean
// ± std). Whatever the config's [accuracy] says is used: with method = "supernet" (fmnist_demo.toml)
// every candidate inherits its weights from the space's supernet (the shipped one, or the one in the
// cache), so a run costs no training; with the proxy method, trained weights are cached, so networks
// seen by one run are not retrained by the next.
// Usage: bench_search_compare [config.toml] [seeds] [population] [generations] [out_dir] [optimizers]
//        [first_seed]
// (population / generations 0 = the config's; optimizers: comma-separated, default "nsga2,random";
// each is compared against "random"; seeds first_seed .. first_seed + seeds - 1, default from 1, so
// that two processes can share the seeds of one comparison).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "common/config.h"
#include "nas/search/config.h"
#include "nas/search/run.h"

namespace {

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? NAN : s / double(v.size());
}

double sample_sd(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return v.size() > 1 ? std::sqrt(s / double(v.size() - 1)) : 0.0;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace imc::nas::search;
  namespace fs = std::filesystem;
  const std::string config = argc > 1 ? argv[1] : "configs/nas/fmnist_demo.toml";
  const int seeds = argc > 2 ? std::atoi(argv[2]) : 5;
  const int population = argc > 3 ? std::atoi(argv[3]) : 0;
  const int generations = argc > 4 ? std::atoi(argv[4]) : 0;
  const std::string out = argc > 5 ? argv[5] : (fs::temp_directory_path() / "imcsim_search_compare").string();
  const std::vector<std::string> optimizers = split_commas(argc > 6 ? argv[6] : "nsga2,random");
  const int first_seed = argc > 7 ? std::atoi(argv[7]) : 1;
  if (seeds < 1 || optimizers.empty() || first_seed < 0) {
    fmt::print(stderr,
               "usage: bench_search_compare [config] [seeds >= 1] [population] [generations] [out] "
               "[optimizers,...] [first_seed]\n");
    return 2;
  }
  // Same thread settings as imcsim (cli/main.cpp): they must be in the environment before libgomp loads.
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    execv("/proc/self/exe", argv);
  }
  std::string accuracy_method;
  try {
    const SearchConfig c = load_search_config(config);
    accuracy_method = c.wants_accuracy() ? (c.accuracy.method == imc::nas::accuracy::AccuracyMethod::kSupernet
                                                ? "supernet"
                                                : "proxy training")
                                         : "none (hardware only)";
  } catch (const imc::common::InputError& e) {
    fmt::print(stderr, "bench_search_compare: {}\n", e.what());
    return 2;
  }
  fmt::print("config {}: accuracy from {}; {} seeds; optimizers {}\n", config, accuracy_method, seeds,
             fmt::join(optimizers, ", "));
  nlohmann::json runs = nlohmann::json::array();
  std::map<std::string, std::vector<double>> hv, search_seconds;
  fmt::print("{:<10} {:>5} {:>10} {:>10} {:>7} {:>14} {:>9} {:>9}\n", "optimizer", "seed", "proposals",
             "evaluated", "front", "hypervolume", "search s", "total s");
  for (int seed = first_seed; seed < first_seed + seeds; ++seed) {
    for (const std::string& opt : optimizers) {
      RunOptions o;
      o.config_path = config;
      o.out_dir = fmt::format("{}/{}-{}", out, opt, seed);
      fs::remove_all(o.out_dir);
      o.optimizer = opt;
      o.seed = seed;
      // One finalist: the hypervolume is the loop's front, so the work after the loop is kept to the
      // least the run does (finalists = 0 would score *every* front member on the full test set).
      o.finalists = 1;
      if (population > 0) o.population = population;
      if (generations > 0) o.generations = generations;
      o.progress = nullptr;
      const auto t0 = std::chrono::steady_clock::now();
      const nlohmann::json s = run_search(o);
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const std::size_t proposals = s["proposals"].get<std::size_t>();
      const double search_s = s.value("search_seconds", NAN);
      fmt::print("{:<10} {:>5} {:>10} {:>10} {:>7} {:>14.6g} {:>9.1f} {:>9.1f}\n", opt, seed, proposals,
                 s["designs_evaluated"].get<std::size_t>(), s["front"].size(), s["hypervolume"].get<double>(),
                 search_s, sec);
      std::fflush(stdout);
      hv[opt].push_back(s["hypervolume"].get<double>());
      search_seconds[opt].push_back(search_s);
      runs.push_back({{"optimizer", opt},
                      {"seed", seed},
                      {"proposals", proposals},
                      {"designs_evaluated", s["designs_evaluated"]},
                      {"hypervolume", s["hypervolume"]},
                      {"front_size", s["front"].size()},
                      {"search_seconds", search_s},
                      {"seconds", sec}});
    }
  }
  nlohmann::json summary = {{"config", config},
                            {"accuracy", accuracy_method},
                            {"runs", runs},
                            {"seeds", seeds},
                            {"first_seed", first_seed},
                            {"population", population},
                            {"generations", generations},
                            {"optimizers", optimizers}};
  fmt::print("\nhypervolume mean ± std over {} seeds (search seconds mean):\n", seeds);
  for (const std::string& opt : optimizers) {
    fmt::print("  {:<10} {:.6g} ± {:.3g}  ({:.1f} s)\n", opt, mean(hv[opt]), sample_sd(hv[opt]),
               mean(search_seconds[opt]));
    summary["hypervolume"][opt] = {{"mean", mean(hv[opt])}, {"std", sample_sd(hv[opt])}, {"values", hv[opt]}};
  }
  if (hv.count("random"))
    for (const std::string& opt : optimizers) {
      if (opt == "random") continue;
      int wins = 0;
      for (std::size_t i = 0; i < hv[opt].size(); ++i) wins += hv[opt][i] > hv["random"][i] ? 1 : 0;
      fmt::print("  {} / random = {:.3f}; {} better on {}/{} seeds\n", opt,
                 mean(hv[opt]) / mean(hv["random"]), opt, wins, seeds);
      summary["wins_over_random"][opt] = wins;
    }
  std::ofstream(fs::path(out) / "compare.json") << summary.dump(1) << "\n";
  return 0;
}
