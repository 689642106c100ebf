// imcsim benchmark / benchmark-table: algorithms x seeds at equal evaluation budgets on one space,
// and the table of precomputed candidates that makes such comparisons cost seconds
// (nas/benchmark/run.h, docs/benchmark.md). The work runs in libimcsim_nas.so (pagmo).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "nas/benchmark/plugin.h"

namespace imc::cli {
namespace {

std::string count_or_dash(const nlohmann::json& v) {
  return v.is_null() ? std::string("-") : std::to_string(v.get<std::size_t>());
}

void print_benchmark(const nlohmann::json& s) {
  fmt::print("\nbenchmark ({} mode): {} genomes, objectives {}, {} {} per run, {} seeds from {}\n",
             s["mode"].get<std::string>(), s["genomes"].get<std::uint64_t>(), s["objectives"].dump(),
             s["budget_evaluations"].get<std::size_t>(), s["budget_unit"].get<std::string>(),
             s["seeds"].get<std::int64_t>(), s["first_seed"].get<std::int64_t>());
  fmt::print(
      "normalized hypervolume (reference 1.1 per objective after (f - ideal)/(nadir - ideal), ideal and "
      "nadir from {})\n",
      s["normalization"]["ideal_nadir_from"].get<std::string>());
  fmt::print(
      "90% target = {:.4f} (90% of the best run's {:.4f}){}\n\n", s["target_90pct"].get<double>(),
      s["best_hypervolume"].get<double>(),
      s["table_optimum_hypervolume"].is_null()
          ? std::string()
          : fmt::format("; the whole table's front: {:.4f}", s["table_optimum_hypervolume"].get<double>()));
  fmt::print("{:<12} {:>20} {:>16} {:>14} {:>10} {:>8}\n", "algorithm", "final HV mean ± std",
             "wall s mean ± std", "budget to 90%", "seeds 90%", "stalled");
  for (const auto& r : s["results"]) {
    fmt::print("{:<12} {:>11.4f} ± {:<6.4f} {:>8.3f} ± {:<5.3f} {:>14} {:>7}/{:<2} {:>8}\n",
               r["algorithm"].get<std::string>(), r["final_hypervolume_mean"].get<double>(),
               r["final_hypervolume_std"].get<double>(), r["seconds_mean"].get<double>(),
               r["seconds_std"].get<double>(), count_or_dash(r["evaluations_to_90pct_of_mean_curve"]),
               r["seeds_reaching_90pct"].get<std::size_t>(), r["runs"].size(),
               r["stalled_runs"].get<std::size_t>());
  }
}

const Command kBenchmark{
    "benchmark",
    "Search algorithms x seeds at equal evaluation budgets on one space: hypervolume vs evaluations", 90,
    [](CLI::App& sub) -> Action {
      auto o = std::make_shared<nas::benchmark::BenchmarkOptions>();
      auto json_out = std::make_shared<std::string>();
      auto keys = std::make_shared<bool>(false);
      sub.add_option("--config", o->config_path, "benchmark TOML (configs/benchmark/*.toml)");
      sub.add_option("--out", o->out_dir, "run directory: summary.json, hypervolume.csv/.svg, runs.csv");
      sub.add_option(
          "--table", o->table_file,
          "candidate table to look up (default: the config's table_file; \"none\" = evaluate directly)");
      sub.add_flag("--force", o->force,
                   "start in a non-empty --out that holds an earlier run: empty it first");
      sub.add_option("--json", *json_out, "write the summary as JSON here too");
      sub.add_flag("--keys", *keys, "print every benchmark config key, then exit");
      sub.add_flag(
          "--dry-run", o->dry_run,
          "load and check the config, its search config and the table, run nothing (no --out needed)");
      return [o, json_out, keys]() {
        if (*keys) {
          fmt::print("{}", nas::benchmark::benchmark_plugin().benchmark_keys());
          return 0;
        }
        const nlohmann::json s = nas::benchmark::benchmark_plugin().run_benchmark(*o);
        if (o->dry_run) {
          fmt::print(
              "{}: config OK: {} algorithms x {} seeds, {} evaluations each, {} genomes, table {}\n",
              s["config"].get<std::string>(), s["algorithms"].size(), s["seeds"].get<std::int64_t>(),
              s["budget_evaluations"].get<std::int64_t>(), s["genomes"].get<std::uint64_t>(),
              s["table"].is_null() ? std::string("none (direct evaluation)") : s["table"].get<std::string>());
          return 0;
        }
        print_benchmark(s);
        if (!json_out->empty()) write_json(*json_out, s);
        return 0;
      };
    }};

const Command kBenchmarkTable{
    "benchmark-table",
    "Evaluate every candidate of a small benchmark space once into a table (NAS-Bench style lookups)", 91,
    [](CLI::App& sub) -> Action {
      auto o = std::make_shared<nas::benchmark::TableOptions>();
      sub.add_option("--config", o->config_path, "benchmark TOML (configs/benchmark/*.toml)");
      sub.add_option("--out", o->out_file, "table file to write (default: the config's table_file)");
      sub.add_flag("--force", o->force, "replace an existing table file");
      return [o]() {
        const nlohmann::json s = nas::benchmark::benchmark_plugin().build_table_file(*o);
        fmt::print(
            "{}: {} genomes, {} evaluated, {} feasible, objectives {}, accuracy {}, {:.1f} s, space hash "
            "{}\n",
            s["table_file"].get<std::string>(), s["genomes"].get<std::size_t>(),
            s["evaluated"].get<std::size_t>(), s["feasible"].get<std::size_t>(), s["objectives"].dump(),
            s["accuracy_source"].get<std::string>(), s["build_seconds"].get<double>(),
            s["space_hash"].get<std::string>());
        const auto& a = s["systemc_agreement"];
        if (a.contains("columns")) {
          fmt::print("analytical vs SystemC on {} sampled candidates ({} SystemC failures):\n",
                     a["candidates"].get<std::size_t>(), a["systemc_failed"].get<std::size_t>());
          for (const auto& [col, v] : a["columns"].items())
            fmt::print("  {:<14} mean error {:6.2f}%  worst {:6.2f}%  Kendall tau {}\n", col,
                       v["mean_rel_error_pct"].get<double>(), v["worst_rel_error_pct"].get<double>(),
                       v["kendall_tau"].is_null() ? std::string("-")
                                                  : fmt::format("{:.3f}", v["kendall_tau"].get<double>()));
        }
        return 0;
      };
    }};

}  // namespace
}  // namespace imc::cli
