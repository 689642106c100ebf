#include "nas/benchmark/run.h"

#include <fmt/format.h>

#include <filesystem>
#include <limits>

#include "common/config.h"
#include "common/run_dir.h"
#include "nas/benchmark/config.h"
#include "nas/benchmark/metrics.h"
#include "nas/benchmark/report.h"
#include "nas/benchmark/run_one.h"
#include "nas/benchmark/table.h"
#include "nas/pareto.h"
#include "nas/report.h"
#include "nas/search/evaluator.h"

namespace imc::nas::benchmark {
namespace fs = std::filesystem;
using common::InputError;

namespace {

nlohmann::json optional_count(const std::optional<std::size_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

// The best feasible table entries' hypervolume: what a run that found the whole front would reach.
double table_optimum(const Table& t, const Normalization& n) {
  std::vector<std::vector<double>> points;
  for (const auto& e : t.entries)
    if (e && e->feasible()) points.push_back(n.apply(e->objectives));
  std::vector<std::vector<double>> front;
  for (std::size_t i : pareto_front(points)) front.push_back(points[i]);
  return hypervolume(front, std::vector<double>(n.ideal.size(), kNormalizedReference));
}

}  // namespace

nlohmann::json run_benchmark(const BenchmarkOptions& o) {
  if (o.config_path.empty()) throw InputError("benchmark: --config FILE is required");
  if (o.out_dir.empty() && !o.dry_run) throw InputError("benchmark: --out DIR is required");
  BenchmarkConfig c = load_benchmark_config(o.config_path);
  if (o.table_file == "none")
    c.table_file.clear();
  else if (!o.table_file.empty())
    c.table_file = o.table_file;
  std::optional<Table> table;
  if (!c.table_file.empty()) {
    if (!fs::is_regular_file(c.table_file))
      throw InputError(
          fmt::format("{}: key 'table_file': table file '{}' not found; build it with `imcsim "
                      "benchmark-table --config {} --out {}`",
                      c.path, c.table_file, c.path, c.table_file));
    table = load_table(c.table_file, c);
  }
  if (o.dry_run)
    return {{"config", c.path},
            {"algorithms", c.algorithms},
            {"seeds", c.benchmark.seeds},
            {"budget_evaluations", c.benchmark.budget_evaluations},
            {"genomes", genome_count(c.search.space.cardinalities())},
            {"table", table ? nlohmann::json(c.table_file) : nlohmann::json(nullptr)}};
  const common::RunLock lock =
      common::open_run_dir(o.out_dir, o.force ? common::OutDirMode::Force : common::OutDirMode::Fresh);

  const std::vector<std::string> columns = c.search.objective_columns();
  const search::SearchEvaluator evaluator(c.search);
  // Both modes key candidates alike (genomes decoding to one design are one evaluation), so a table
  // run and a direct run of the same seed spend their budgets on the same candidates.
  const KeyFunction key = [&](const Genome& g) { return evaluator.key(g); };
  BatchEvaluator evaluate;
  if (table)
    evaluate = [&](const std::vector<Genome>& genomes) {
      std::vector<Evaluation> out;
      for (const Genome& g : genomes) out.push_back(table->lookup(g));
      return out;
    };
  else
    evaluate = [&](const std::vector<Genome>& genomes) { return evaluator(genomes); };
  const auto budget = static_cast<std::size_t>(c.benchmark.budget_evaluations);
  const RunLimits limits{budget, budget * static_cast<std::size_t>(c.benchmark.max_proposals_per_evaluation),
                         c.benchmark.budget_unit};

  // Seeds outer, algorithms inner: a machine whose load drifts affects every algorithm alike.
  std::vector<RunTrace> traces;
  for (std::int64_t s = 0; s < c.benchmark.seeds; ++s)
    for (const std::string& algorithm : c.algorithms) {
      OptimizerConfig oc = c.search.optimizer;
      oc.name = algorithm;
      oc.seed = c.benchmark.first_seed + s;
      oc.population = c.benchmark.population;
      oc.weights.clear();  // run_one gives a scalarizing optimizer equal weights over the columns
      traces.push_back(run_one(c.search.space, oc, columns.size(), evaluate, key, limits));
      const RunTrace& t = traces.back();
      if (o.progress)
        *o.progress << fmt::format("benchmark: {} seed {}: {} evaluations, {} proposals, {:.2f} s{}\n",
                                   algorithm, oc.seed, t.distinct_evaluations, t.proposals, t.seconds,
                                   t.stalled ? " (stalled: proposal cap)" : "");
    }

  // One normalization for every run: the table's feasible range, or all runs' together.
  std::vector<std::vector<double>> points;
  if (table) {
    for (const auto& e : table->entries)
      if (e && e->feasible()) points.push_back(e->objectives);
  } else {
    for (const RunTrace& t : traces)
      for (const auto& p : t.evaluations)
        if (!p.empty()) points.push_back(p);
  }
  const Normalization norm = normalization_of(points, columns.size());
  std::vector<std::vector<double>> curves;
  double best = 0;
  for (const RunTrace& t : traces) {
    curves.push_back(hypervolume_curve(t, norm, budget));
    best = std::max(best, curves.back().back());
  }
  const double target = 0.9 * best;
  // No run found a feasible candidate: there is no best to reach 90% of.
  auto to_target = [&](const std::vector<double>& curve) {
    return best > 0 ? evaluations_to_reach(curve, target) : std::nullopt;
  };

  nlohmann::json results = nlohmann::json::array();
  std::vector<AlgorithmCurves> per_algorithm;
  std::string runs_csv =
      "algorithm,seed,final_hypervolume,seconds,evaluations,proposals,cache_hits,rejected,stalled,"
      "evaluations_to_90pct\n";
  for (const std::string& algorithm : c.algorithms) {
    std::vector<std::vector<double>> mine;
    std::vector<double> finals, seconds;
    nlohmann::json runs = nlohmann::json::array();
    std::size_t reached = 0, stalled = 0;
    for (std::size_t r = 0; r < traces.size(); ++r) {
      const RunTrace& t = traces[r];
      if (t.algorithm != algorithm) continue;
      mine.push_back(curves[r]);
      finals.push_back(curves[r].back());
      seconds.push_back(t.seconds);
      const auto to90 = to_target(curves[r]);
      reached += to90.has_value();
      stalled += t.stalled;
      runs.push_back({{"seed", t.seed},
                      {"final_hypervolume", curves[r].back()},
                      {"seconds", t.seconds},
                      {"budget_spent", t.evaluations.size()},
                      {"evaluations", t.distinct_evaluations},
                      {"proposals", t.proposals},
                      {"cache_hits", t.cache_hits},
                      {"rejected", t.rejected},
                      {"stalled", t.stalled},
                      {"evaluations_to_90pct", optional_count(to90)}});
      runs_csv += fmt::format("{},{},{:.9g},{:.4f},{},{},{},{},{},{}\n", csv_field(algorithm), t.seed,
                              curves[r].back(), t.seconds, t.distinct_evaluations, t.proposals, t.cache_hits,
                              t.rejected, t.stalled ? 1 : 0, to90 ? std::to_string(*to90) : "");
    }
    AlgorithmCurves ac{algorithm, curve_stats(mine)};
    results.push_back({{"algorithm", algorithm},
                       {"final_hypervolume_mean", mean_of(finals)},
                       {"final_hypervolume_std", std_of(finals)},
                       {"seconds_mean", mean_of(seconds)},
                       {"seconds_std", std_of(seconds)},
                       {"evaluations_to_90pct_of_mean_curve", optional_count(to_target(ac.stats.mean))},
                       {"seeds_reaching_90pct", reached},
                       {"stalled_runs", stalled},
                       {"runs", runs}});
    per_algorithm.push_back(std::move(ac));
  }

  nlohmann::json summary = {
      {"config", fs::absolute(c.path).string()},
      {"search_config", fs::absolute(c.search.path).string()},
      {"mode", table ? "table" : "direct"},
      {"table_file", table ? nlohmann::json(fs::absolute(c.table_file).string()) : nlohmann::json()},
      {"space_hash", space_hash(c)},
      {"genomes", genome_count(c.search.space.cardinalities())},
      {"objectives", columns},
      {"algorithms", c.algorithms},
      {"seeds", c.benchmark.seeds},
      {"first_seed", c.benchmark.first_seed},
      {"population", c.benchmark.population},
      {"budget_evaluations", budget},
      {"budget_unit", common::name_of(c.benchmark.budget_unit, budget_unit_names())},
      {"normalization",
       {{"rule",
         "f' = (f - ideal) / (nadir - ideal) per objective; hypervolume of the feasible front against "
         "the reference point 1.1 in every normalized objective"},
        {"ideal_nadir_from", table ? "every feasible table entry" : "every feasible evaluation of every run"},
        {"ideal", norm.ideal},
        {"nadir", norm.nadir},
        {"reference_normalized", kNormalizedReference}}},
      {"best_hypervolume", best},
      {"target_90pct", target},
      {"table_optimum_hypervolume", table ? nlohmann::json(table_optimum(*table, norm)) : nlohmann::json()},
      {"results", results}};
  const fs::path dir(o.out_dir);
  common::write_file_atomically((dir / "hypervolume.csv").string(), hypervolume_csv(per_algorithm));
  common::write_file_atomically(
      (dir / "hypervolume.svg").string(),
      hypervolume_svg(
          per_algorithm, target,
          fmt::format("{}: hypervolume vs evaluations, {} seeds, {} mode",
                      fs::path(c.path).filename().string(), c.benchmark.seeds, table ? "table" : "direct")));
  common::write_file_atomically((dir / "runs.csv").string(), runs_csv);
  common::write_file_atomically((dir / "summary.json").string(), summary.dump(1) + "\n");
  return summary;
}

nlohmann::json build_table_file(const TableOptions& o) {
  if (o.config_path.empty()) throw InputError("benchmark-table: --config FILE is required");
  const BenchmarkConfig c = load_benchmark_config(o.config_path);
  const std::string out = o.out_file.empty() ? c.table_file : o.out_file;
  if (out.empty())
    throw InputError(fmt::format("benchmark-table: --out FILE is required ({} sets no table_file)", c.path));
  if (fs::exists(out) && !o.force)
    throw InputError(fmt::format("benchmark-table: {} exists; give --force to replace it", out));
  if (fs::is_directory(out)) throw InputError(fmt::format("benchmark-table: {} is a directory", out));
  const Table t = build_table(c, o.progress);
  nlohmann::json j = to_json(t);
  std::size_t feasible = 0;
  for (const auto& e : t.entries) feasible += e && e->feasible();
  const nlohmann::json summary = {
      {"table_file", fs::absolute(out).string()},
      {"space_hash", t.space_hash},
      {"genomes", t.entries.size()},
      {"evaluated", t.evaluated},
      {"feasible", feasible},
      {"objectives", t.objective_columns},
      {"accuracy_source", common::name_of(c.table.accuracy_source, accuracy_source_names())},
      {"build_seconds", t.build_seconds},
      {"systemc_agreement", j.at("systemc_agreement")}};
  if (fs::path(out).has_parent_path()) fs::create_directories(fs::path(out).parent_path());
  common::write_file_atomically(out, j.dump() + "\n");
  return summary;
}

std::string benchmark_keys() {
  return document_benchmark_keys();
}

}  // namespace imc::nas::benchmark
