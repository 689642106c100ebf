// Benchmark (not a test): wall time of the co-search studies on this machine.
// Runs configs/cosearch/rram4.toml and sram9.toml as `imcsim cosearch` does (joint search, the three
// baselines, the SystemC finalists) and prints, for each, the wall time of every phase, the designs
// evaluated and the reductions, against the targets for the joint search (the study): rram4 under
// 30 s and sram9 under 60 s with at least 1,000 designs evaluated. Exit 1 when a target is missed.
// Usage: bench_cosearch [rram4|sram9|all] [--no-systemc] [--generations N]
#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <string>
#include <thread>

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
  bool systemc = true;
  long generations = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--no-systemc"))
      systemc = false;
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
  for (const Study s : {Study{"rram4", 30.0}, Study{"sram9", 60.0}}) {
    if (which != "all" && which != s.name) continue;
    Config c = load_config(fmt::format("configs/cosearch/{}.toml", s.name));
    c.settings.systemc = systemc;
    if (generations > 0) c.settings.generations = generations;
    const Result r = run(c);
    const nlohmann::json j = summary_json(c, r);
    // The target is the study itself: the joint search over the workload set. The baselines (and
    // the random one's uniform samples, many of them slow tiny-crossbar designs) are reported apart.
    const bool ok = r.search_s < s.target_s && r.designs_evaluated >= 1000;
    failed += !ok;
    fmt::print("{}: {} networks, {} x {} generations ({})\n", s.name, r.networks.size(),
               c.optimizer.population, r.generations, c.optimizer.name);
    fmt::print(
        "  designs evaluated: {} joint ({} proposals, {} cache hits, {} rejected, {} feasible), {} in the "
        "run\n",
        r.designs_evaluated, r.proposals, r.cache_hits, r.rejected, r.feasible, r.designs_evaluated_total);
    fmt::print(
        "  joint search: {:.1f} s, {} designs, {:.1f} ms/design (target < {:.0f} s with >= 1000 designs: "
        "{})\n",
        r.search_s, r.designs_evaluated,
        1e3 * r.search_s / double(std::max<std::size_t>(1, r.designs_evaluated)), s.target_s,
        ok ? "met" : "MISSED");
    fmt::print("  whole run: baselines {:.1f} s (", r.baselines_s);
    for (const auto& b : r.baselines)
      fmt::print("{} {:.1f} s / {} designs; ", b.name, b.seconds, b.designs_evaluated);
    fmt::print("), finalists {:.1f} s, total {:.1f} s\n", r.systemc_s, r.total_s);
    fmt::print("  aggregate EDAP reduction vs single {}, vs stagewise {}, vs random {}\n",
               pct(j["reduction_vs_single_pct"]), pct(j["reduction_vs_stagewise_pct"]),
               pct(j["reduction_vs_random_pct"]));
    fmt::print("{}", reductions_table(r));
    const std::string fin = finalists_table(r);
    if (!fin.empty()) fmt::print("{}", fin);
    fmt::print("  load average after: {}\n\n", loadavg());
  }
  return failed ? 1 : 0;
}
