// Benchmark (not a test): wall time of the co-search studies on this machine.
// Runs configs/cosearch/rram4.toml, sram4.toml and sram9.toml as `imcsim cosearch` does (joint search,
// the three baselines, a workload-specific search per network, SystemC re-scoring of the top 4 under
// each objective) and prints, for each seed, the wall time of every phase, the designs evaluated, the
// reductions and the per-network table, against the targets for the whole run per seed: rram4 under
// 20 s, sram9 under 120 s (sram4: reported, no target). Exit 1 when a target is missed.
// Usage: bench_cosearch [rram4|sram4|sram9|all] [--no-systemc] [--generations N] [--population N] [--seeds N]
//        [--no-shared-cache] (each workload-specific search with a (design, network) cache of its own)
//        [--no-pruning] (the random baseline evaluates every sample on every network)
//        [--objective ela|ela_mean|ela_all|edap_mean|edap_product]
#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "common/resources.h"
#include "nas/cosearch/config.h"
#include "nas/cosearch/cosearch.h"
#include "nas/cosearch/summary.h"

namespace {

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return fmt::format("{} {} {}", a, b, c);
}

std::string pct(const nlohmann::json& v) {
  return v.is_null() ? "n/a" : fmt::format("{:.1f}%", v.get<double>());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace imc::nas::cosearch;
  std::string which = "all";
  bool systemc = true, shared_cache = true, prune_random = true;
  long generations = 0, population = 0, seeds = 1;
  std::string objective;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--no-systemc"))
      systemc = false;
    else if (!std::strcmp(argv[i], "--no-shared-cache"))
      shared_cache = false;
    else if (!std::strcmp(argv[i], "--no-pruning"))
      prune_random = false;
    else if (!std::strcmp(argv[i], "--seeds") && i + 1 < argc)
      seeds = std::atol(argv[++i]);
    else if (!std::strcmp(argv[i], "--objective") && i + 1 < argc)
      objective = argv[++i];
    else if (!std::strcmp(argv[i], "--population") && i + 1 < argc)
      population = std::atol(argv[++i]);
    else if (!std::strcmp(argv[i], "--generations") && i + 1 < argc)
      generations = std::atol(argv[++i]);
    else
      which = argv[i];
  }
  fmt::print("bench_cosearch: {} cores, load average {}\n", std::thread::hardware_concurrency(), loadavg());
  struct Study {
    const char* name;
    double target_s;
  };
  int failed = 0;
  for (const Study s : {Study{"rram4", 20.0}, Study{"sram4", 0.0}, Study{"sram9", 120.0}}) {
    if (which != "all" && which != s.name) continue;
    Config c = load_config(fmt::format("configs/cosearch/{}.toml", s.name));
    c.settings.systemc = systemc;
    if (generations > 0) c.settings.generations = generations;
    if (population > 0) c.optimizer.population = population;
    if (!objective.empty())
      imc::common::set_field([&](imc::common::Fields& f) { describe(f, c); }, "cosearch.objective", objective,
                             "--objective");
    c.settings.seeds = seeds;
    const double cpu0 = imc::common::cpu_seconds_with_children();
    RunOptions options;
    options.share_network_cache = shared_cache;
    options.prune_random = prune_random;
    const std::vector<Result> runs = run_seeds(c, options);
    const double cpu = imc::common::cpu_seconds_with_children() - cpu0;
    for (std::size_t k = 0; k < runs.size(); ++k) {
      const Result& r = runs[k];
      Config ck = c;
      ck.optimizer.seed = c.optimizer.seed + std::int64_t(k);
      const nlohmann::json j = summary_json(ck, r);
      const bool ok = s.target_s <= 0 || r.total_s < s.target_s;
      failed += !ok;
      fmt::print("{} seed {}: {} networks, {} x {} generations ({}), objective {}\n", s.name,
                 ck.optimizer.seed, r.networks.size(), c.optimizer.population, r.generations,
                 c.optimizer.name, to_string(c.settings.objective));
      fmt::print(
          "  designs evaluated: {} joint ({} proposals, {} cache hits, {} rejected, {} feasible), {} in the "
          "run\n",
          r.designs_evaluated, r.proposals, r.cache_hits, r.rejected, r.feasible, r.designs_evaluated_total);
      fmt::print(
          "  (design, network) pairs through the analytical model: {}, recalled from the run's cache: {}\n",
          r.networks_run, r.network_cache_hits);
      fmt::print("  joint search: {:.1f} s, {} designs, {:.1f} ms/design\n", r.search_s, r.designs_evaluated,
                 1e3 * r.search_s / double(std::max<std::size_t>(1, r.designs_evaluated)));
      fmt::print("  baselines and specific searches {:.1f} s (", r.baselines_s);
      for (const auto& b : r.baselines)
        fmt::print("{} {:.1f} s / {} designs{}; ", b.name, b.seconds, b.designs_evaluated,
                   b.pruned ? fmt::format(" ({} bounded above its best, {} (design, network) runs saved)",
                                          b.pruned, b.pairs_skipped)
                            : "");
      double specific_s = 0;
      std::size_t specific_n = 0;
      for (const auto& b : r.specific) specific_s += b.seconds, specific_n += b.designs_evaluated;
      fmt::print("{} specific {:.1f} s / {} designs), SystemC re-scoring {:.1f} s ({} designs)\n",
                 r.specific.size(), specific_s, specific_n, r.systemc_s, r.finalists.size());
      fmt::print("  whole run {:.1f} s (target < {:.0f} s per seed: {})\n", r.total_s, s.target_s,
                 s.target_s <= 0 ? "none"
                 : ok            ? "met"
                                 : "MISSED");
      fmt::print("  aggregate reduction vs single {}, vs stagewise {}, vs random {}\n",
                 pct(j["reduction_vs_single_pct"]), pct(j["reduction_vs_stagewise_pct"]),
                 pct(j["reduction_vs_random_pct"]));
      fmt::print("{}", reductions_table(r));
      fmt::print("{}", per_network_table(r));
      fmt::print("{}", rescoring_table(r));
      fmt::print("  load average after: {}\n\n", loadavg());
    }
    double wall = 0;
    for (const auto& r : runs) wall += r.total_s;
    fmt::print("{}: {} seed(s), wall {:.1f} s, CPU {:.1f} s (this process and its workers)\n", s.name,
               runs.size(), wall, cpu);
    if (runs.size() > 1) fmt::print("{} {}\n", s.name, seeds_table(runs));
  }
  return failed ? 1 : 0;
}
