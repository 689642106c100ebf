// imcsim cosearch: one chip for many networks — a hardware-only search minimizing the aggregate
// EDAP of a workload set (or, with objective = "multi", NSGA-II over per-network energy and latency
// and the area), against three baselines, with the best designs re-run in SystemC (docs/cosearch.md).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/config.h"
#include "common/run_dir.h"
#include "nas/cosearch/config.h"
#include "nas/cosearch/cosearch.h"
#include "nas/cosearch/summary.h"
#include "nas/mpi_launcher.h"
#include "nas/nas_plugin.h"

namespace imc::cli {
namespace {

struct CosearchArgs {
  std::string config;
  std::string out_dir;
  std::string json_out;
  bool resume = false;
  bool force = false;
  bool dry_run = false;
  bool quiet = false;
  bool no_systemc = false;
  bool no_baselines = false;
  bool keys = false;
  // Overrides as given (flag, config key, value): applied through the keys' declarations, so a flag
  // accepts exactly what the config file does (range, allowed names).
  struct Override {
    const char* flag;
    const char* key;
    std::string value;
  };
  std::vector<Override> overrides = {{"--objective", "cosearch.objective", ""},
                                     {"--seed", "optimizer.seed", ""},
                                     {"--generations", "cosearch.generations", ""},
                                     {"--population", "optimizer.population", ""},
                                     {"--workers", "cosearch.workers", ""},
                                     {"--finalists", "cosearch.finalists", ""},
                                     {"--seeds", "cosearch.seeds", ""}};
};

void print_result(const nas::cosearch::Result& r, const nas::cosearch::Config& c) {
  if (!r.found) {
    fmt::print("no feasible design in {} evaluated ({} proposals)\n", r.designs_evaluated, r.proposals);
  } else {
    fmt::print("best design (candidate {}):", r.best.id);
    for (const auto& [k, v] : r.best.genes.items()) fmt::print(" {}={}", k.substr(k.find('.') + 1), v.dump());
    fmt::print("\n  area {:.2f} mm2, {} {:.4g}\n\n", r.best.figures.front().metrics.area_mm2,
               nas::cosearch::to_string(r.aggregate), r.best.aggregate_edap);
    fmt::print("{}\n", nas::cosearch::reductions_table(r));
    if (!r.specific.empty()) fmt::print("{}\n", nas::cosearch::per_network_table(r));
    if (!r.front.empty() && c.multi())
      fmt::print("Pareto front: {} designs (pareto.csv)\n\n", r.front.size());
    const std::string fin = nas::cosearch::finalists_table(r);
    if (!fin.empty()) fmt::print("finalists, analytical vs SystemC:\n{}\n", fin);
    const std::string rs = nas::cosearch::rescoring_table(r);
    if (!rs.empty()) fmt::print("{}\n", rs);
  }
  fmt::print(
      "designs evaluated: {} by the joint search ({} proposals, {} cache hits, {} rejected, {} feasible), {} "
      "in "
      "the whole run\n",
      r.designs_evaluated, r.proposals, r.cache_hits, r.rejected, r.feasible, r.designs_evaluated_total);
  fmt::print(
      "time: search {:.1f} s, baselines and specific searches {:.1f} s, finalists {:.1f} s, total {:.1f} s\n",
      r.search_s, r.baselines_s, r.systemc_s, r.total_s);
}

const Command kCosearch{
    "cosearch", "One chip for many networks: joint hardware search over a workload set, with baselines", 80,
    [](CLI::App& sub) -> Action {
      auto a = std::make_shared<CosearchArgs>();
      sub.add_option("config", a->config, "cosearch TOML (configs/cosearch/rram4.toml, sram9.toml)");
      sub.add_flag("--keys", a->keys, "print every config key with its doc, default and range, then exit");
      sub.add_option("--out", a->out_dir,
                     "run directory: reports, checkpoints, baselines, finalists, summary.json");
      sub.add_option("--json", a->json_out, "write the JSON summary here");
      sub.add_flag("--resume", a->resume, "continue the run in --out from its checkpoints");
      sub.add_flag("--force", a->force,
                   "start a new run in a non-empty --out that holds an earlier run: empty it first");
      for (auto& o : a->overrides)  // the help is the key's declaration (doc, default, range)
        sub.add_option(o.flag, o.value,
                       fmt::format("override {}: {}", o.key,
                                   common::field_help(
                                       [](common::Fields& f) {
                                         nas::cosearch::Config d;
                                         nas::cosearch::describe(f, d);
                                       },
                                       o.key)));
      sub.add_flag("--dry-run", a->dry_run,
                   "load and check the config and the overrides, print the space's size, run nothing");
      sub.add_flag("--no-systemc", a->no_systemc, "finalists: analytical only");
      sub.add_flag("--no-baselines", a->no_baselines, "run the joint search only");
      sub.add_flag("--quiet", a->quiet, "no progress lines");
      return [a]() {
        if (a->keys) {
          fmt::print("{}", nas::cosearch::document_cosearch_keys());
          return 0;
        }
        if (a->config.empty()) throw common::InputError("cosearch: a config file is required (or --keys)");
        if (a->resume && a->out_dir.empty()) throw common::InputError("cosearch: --resume needs --out DIR");
        if (a->resume && a->force)
          throw common::InputError(
              "cosearch: --force starts a new run and --resume continues one; choose one");
        nas::cosearch::Config c = nas::cosearch::load_config(a->config);
        const bool was_multi = c.multi();
        for (const auto& o : a->overrides)
          if (!o.value.empty())
            common::set_field([&](common::Fields& f) { nas::cosearch::describe(f, c); }, o.key, o.value,
                              o.flag);
        if (c.multi() != was_multi)
          throw common::InputError(
              "--objective: multi is set in the config with its optimizer; the flag switches between ela, "
              "ela_mean, ela_all, edap_mean and edap_product");
        if (a->no_systemc) c.settings.systemc = false;
        if (a->no_baselines)
          c.baselines.single = c.baselines.stagewise = c.baselines.random = c.baselines.specific = false;

        if (a->dry_run) {
          fmt::print("{}: config OK: {} genes ({} free), 10^{:.1f} designs\n", a->config,
                     c.space.genes().size(), c.space.free_genes(), c.space.log10_candidates());
          return 0;
        }
        // The run directory is ours alone while we run (lock), and a new run never lands beside an
        // old one's files (refused unless --resume or --force).
        common::RunLock lock;
        // Under mpirun, rank 0 alone owns the run directory and --json (nas/distributed.h).
        const bool writes = nas::launcher_rank() <= 0;
        if (!a->out_dir.empty() && writes)
          lock = common::open_run_dir(a->out_dir, a->resume  ? common::OutDirMode::Resume
                                                  : a->force ? common::OutDirMode::Force
                                                             : common::OutDirMode::Fresh);
        nas::cosearch::RunOptions o;
        o.out_dir = a->out_dir;
        o.resume = a->resume;
        o.progress = a->quiet ? nullptr : &std::cerr;
        const std::vector<nas::cosearch::Result> runs = nas::nas_plugin().run_cosearch(c, o);  // loads pagmo
        for (std::size_t i = 0; i < runs.size(); ++i) {
          if (runs.size() > 1) fmt::print("=== seed {} ===\n", c.optimizer.seed + std::int64_t(i));
          print_result(runs[i], c);
        }
        if (runs.size() > 1) fmt::print("\n{}", nas::cosearch::seeds_table(runs));
        if (!a->json_out.empty() && writes)
          common::write_file_atomically(a->json_out, nas::cosearch::runs_json(c, runs).dump(2) + "\n");
        return 0;
      };
    }};

}  // namespace
}  // namespace imc::cli
