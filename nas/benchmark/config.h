// The benchmark's TOML: which algorithms, how many seeds, what budget, on which search config, and
// (tabular mode) which table of precomputed candidates. docs/benchmark.md documents every key.
//
//   search_config = "small_space.toml"   # a search config (space, objectives, base_arch, [accuracy], ...)
//   table_file = "small_table.json"      # optional: look candidates up instead of evaluating them
//   algorithms = ["nsga2", "moead", "sa", "random"]   # optimizer registry names
//   [benchmark]  seeds, first_seed,
//                budget_evaluations, budget_unit, population, max_proposals_per_evaluation
//   [table]      accuracy_source, systemc_sample, max_candidates   (imcsim benchmark-table)
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/config.h"
#include "nas/benchmark/run_one.h"
#include "nas/search/config.h"

namespace imc::nas::benchmark {

// Where the accuracy objective of a table comes from. "proxy_training" is the search's accuracy
// evaluator (a short training per network, cached, then hardware-aware inference through each
// candidate's crossbars); "none" = the space's objectives have no accuracy.
enum class AccuracySource { kProxyTraining, kNone };
const std::vector<std::pair<const char*, AccuracySource>>& accuracy_source_names();
const std::vector<std::pair<const char*, BudgetUnit>>& budget_unit_names();

struct BenchmarkSettings {
  std::int64_t seeds = 5;  // runs per algorithm: seeds first_seed, first_seed + 1, ...
  std::int64_t first_seed = 1;
  std::int64_t budget_evaluations = 200;  // per run, in budget_unit (the equal budget)
  BudgetUnit budget_unit = BudgetUnit::kEvaluations;
  std::int64_t population = 16;  // every algorithm's optimizer.population
  // A run whose optimizer keeps proposing candidates it has seen (a converged population on a small
  // space) stops after budget * this many proposals, short of its budget (reported as "stalled").
  std::int64_t max_proposals_per_evaluation = 50;
};

struct TableSettings {
  AccuracySource accuracy_source = AccuracySource::kProxyTraining;
  std::int64_t systemc_sample = 12;     // candidates also simulated with SystemC (0 = none)
  std::int64_t max_candidates = 20000;  // a larger space is refused (the table enumerates every genome)
};

struct BenchmarkConfig {
  std::string path;                     // the benchmark file
  std::string table_file;               // resolved; "" = evaluate candidates directly
  std::vector<std::string> algorithms;  // optimizer registry names, in the order given
  BenchmarkSettings benchmark;
  TableSettings table;
  search::SearchConfig search;  // the space and how a candidate is evaluated
};

void describe(common::Fields& f, BenchmarkSettings& s);
void describe(common::Fields& f, TableSettings& s);

// Reads and checks a benchmark config: unknown algorithms (against the optimizer registry, so
// optimizers registered later are accepted), budgets and seeds out of range, an accuracy source that
// does not match the objectives: common::InputError naming file, line, key and what is allowed.
BenchmarkConfig load_benchmark_config(const std::string& path);

// What decides a candidate's evaluation: the space's genes and conditions, the objectives, the base
// chip, the constraints, the mapping and accuracy settings and the accuracy source. A table is valid
// for a config exactly when their hashes agree.
nlohmann::json space_identity(const BenchmarkConfig& c);
std::string space_hash(const BenchmarkConfig& c);  // 16 hex digits of common::hash64(identity)

std::string document_benchmark_keys();

}  // namespace imc::nas::benchmark
