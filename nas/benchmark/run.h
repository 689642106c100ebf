// `imcsim benchmark` and `imcsim benchmark-table` as functions: algorithms x seeds at equal budgets
// of evaluations on one space (evaluated directly, or looked up in a table), and the table build.
#pragma once

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

namespace imc::nas::benchmark {

struct BenchmarkOptions {
  std::string config_path;  // benchmark TOML (configs/benchmark/*.toml)
  std::string out_dir;      // run directory: summary.json, hypervolume.csv/.svg, runs.csv
  std::string table_file;   // overrides the config's table_file; "none" = evaluate directly
  bool force = false;       // a non-empty out_dir holding an earlier run: empty it first
  // Load and check the config, its search config and the table (its space hash), run nothing, write
  // nothing; returns {config, algorithms, seeds, budget_evaluations, genomes, table}.
  bool dry_run = false;
  std::ostream* progress = &std::cerr;
};

// Runs every algorithm of the config with every seed; returns the summary (also summary.json).
nlohmann::json run_benchmark(const BenchmarkOptions& options);

struct TableOptions {
  std::string config_path;
  std::string out_file;  // "" = the config's table_file
  bool force = false;    // replace an existing file
  std::ostream* progress = &std::cerr;
};

// Builds the table of the config's space into out_file (written atomically); returns its summary.
nlohmann::json build_table_file(const TableOptions& options);

// Markdown of every benchmark key (--keys, docs/benchmark.md).
std::string benchmark_keys();

}  // namespace imc::nas::benchmark
