// imcsim search: the joint network + hardware search (nas/search/run.h). Prints the final front
// and the SystemC re-evaluation of the finalists; everything else goes to the run directory.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "common/config.h"
#include "nas/mpi_launcher.h"
#include "nas/nas_plugin.h"
#include "nas/search/config.h"
#include "nas/search/run.h"

namespace imc::cli {
namespace {

void print_summary(const nlohmann::json& s) {
  fmt::print(
      "\nsearch: {} designs evaluated ({} cache hits, {} rejected by conditions, {} feasible), "
      "{} generations, {:.1f} s\n",
      s["designs_evaluated"].get<std::size_t>(), s["cache_hits"].get<std::size_t>(),
      s["rejected_by_conditions"].get<std::size_t>(), s["feasible"].get<std::size_t>(),
      s["generations"].get<std::size_t>(), s["search_seconds"].get<double>());
  fmt::print("hypervolume {:.6g} (reference point {})\n", s["hypervolume"].get<double>(),
             s["reference_point"].dump());
  const auto& names = s["objectives"];
  fmt::print("\nPareto front ({} designs):\n{:>5}", s["front"].size(), "id");
  for (const auto& n : names) fmt::print(" {:>14}", n.get<std::string>());
  fmt::print("  design\n");
  for (const auto& f : s["front"]) {
    fmt::print("{:>5}", f["id"].get<std::size_t>());
    for (const auto& n : names) fmt::print(" {:>14.5g}", f["objectives"][n.get<std::string>()].get<double>());
    std::string genes;
    for (const auto& [k, v] : f["genes"].items())
      if (k.rfind("hardware.", 0) == 0 || k.rfind("network.", 0) == 0)
        genes +=
            fmt::format(" {}={}", k.substr(k.find('.') + 1), v.is_string() ? v.get<std::string>() : v.dump());
    fmt::print(" {}\n", genes);
  }
  const auto& fin = s["finalists"];
  if (fin.is_object() && fin.contains("finalists")) {
    fmt::print(
        "\nfinalists re-evaluated with SystemC ({:.1f} s):\n{:>5} {:>14} {:>14} {:>8} {:>12} {:>12} {:>8}\n",
        s["systemc_seconds"].get<double>(), "id", "cycles ana", "cycles sysc", "gap %", "uJ ana", "uJ sysc",
        "actions");
    for (const auto& r : fin["finalists"]) {
      if (r.contains("error")) {
        fmt::print("{:>5} SystemC failed: {}\n", r["id"].get<std::size_t>(), r["error"].get<std::string>());
        continue;
      }
      fmt::print("{:>5} {:>14.0f} {:>14.0f} {:>8.2f} {:>12.5g} {:>12.5g} {:>8}\n", r["id"].get<std::size_t>(),
                 r["latency_cycles_analytical"].get<double>(), r["latency_cycles_systemc"].get<double>(),
                 r["latency_gap_pct"].get<double>(), r["energy_uj_analytical"].get<double>(),
                 r["energy_uj_systemc"].get<double>(),
                 r["actions_identical"].get<bool>() ? "same" : "DIFFER");
    }
    fmt::print("front order changed by SystemC: {} (non-dominated finalists: {} analytical, {} SystemC)\n",
               fin["front_order_changed"].get<bool>() ? "yes" : "no",
               fin["finalists_nondominated_analytical"].get<std::size_t>(),
               fin["finalists_nondominated_systemc"].get<std::size_t>());
  }
}

const Command kSearch{
    "search",
    "joint network + hardware search (NSGA-II and baselines), SystemC re-evaluation of the finalists", 70,
    [](CLI::App& sub) -> Action {
      auto o = std::make_shared<nas::search::RunOptions>();
      auto json_out = std::make_shared<std::string>();
      auto keys = std::make_shared<bool>(false);
      sub.add_option("--config", o->config_path, "search TOML (configs/nas/*.toml)");
      sub.add_option("--out", o->out_dir, "run directory (reports, checkpoint, finalists)");
      sub.add_option("--resume", o->resume_dir, "continue the run saved in this directory");
      sub.add_option("--hot-start", o->hot_start,
                     "first-population designs: a TOML of [[design]] tables or a previous run directory");
      // The overrides are checked against the config keys' declarations (range, allowed names) when
      // applied (run_search), so a flag accepts exactly what the config file does; the help is the
      // declaration too.
      auto help = [](const char* key) {
        return fmt::format("override {}: {}", key,
                           common::field_help(
                               [](common::Fields& f) {
                                 nas::search::SearchConfig d;
                                 nas::search::describe(f, d);
                               },
                               key));
      };
      auto int_flag = [&sub, &help](const char* flag, std::optional<std::int64_t>& target, const char* key) {
        sub.add_option_function<std::int64_t>(
            flag, [&target](std::int64_t v) { target = v; }, help(key));
      };
      int_flag("--seed", o->seed, "optimizer.seed");
      int_flag("--generations", o->generations, "search.generations");
      int_flag("--population", o->population, "optimizer.population");
      sub.add_option("--optimizer", o->optimizer, help("optimizer.name"));
      int_flag("--workers", o->workers, "search.workers");
      int_flag("--finalists", o->finalists, "search.finalists");
      sub.add_flag("--dry-run", o->dry_run,
                   "load and check the config, the overrides and the --hot-start designs, print the space's "
                   "size, run nothing");
      sub.add_flag("--force", o->force,
                   "start a new run in a non-empty --out that holds an earlier run: empty it first");
      sub.add_option("--json", *json_out, "write the summary as JSON here too");
      sub.add_flag("--keys", *keys, "print every config key with its doc, default and range, then exit");
      return [o, json_out, keys]() {
        if (*keys) {
          fmt::print("{}", nas::search::document_search_keys());
          return 0;
        }
        const nlohmann::json s = nas::nas_plugin().run_search(*o);  // loads pagmo
        if (o->dry_run) {
          fmt::print("{}: config OK: {} genes ({} free), 10^{:.1f} designs, objectives {}\n",
                     s["config"].get<std::string>(), s["genes"].get<std::size_t>(),
                     s["free_genes"].get<std::size_t>(), s["log10_candidates"].get<double>(),
                     s["objectives"].dump());
          if (s.contains("hot_start_designs"))
            fmt::print("hot start: {} design(s) read\n", s["hot_start_designs"].get<std::size_t>());
          return 0;
        }
        print_summary(s);
        if (!json_out->empty() && nas::launcher_rank() <= 0) write_json(*json_out, s);  // mpirun: rank 0
        return 0;
      };
    }};

}  // namespace
}  // namespace imc::cli
