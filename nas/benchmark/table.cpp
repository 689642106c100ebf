#include "nas/benchmark/table.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

#include "common/rank_correlation.h"
#include "nas/loop.h"
#include "nas/search/evaluator.h"

namespace imc::nas::benchmark {
namespace fs = std::filesystem;
using common::InputError;

std::uint64_t genome_count(const std::vector<std::size_t>& cardinalities) {
  std::uint64_t n = 1;
  for (std::size_t c : cardinalities) {
    if (c != 0 && n > std::numeric_limits<std::uint64_t>::max() / c)
      return std::numeric_limits<std::uint64_t>::max();
    n *= c;
  }
  return n;
}

std::uint64_t genome_index(const Genome& g, const std::vector<std::size_t>& cardinalities) {
  if (g.size() != cardinalities.size())
    throw InputError(fmt::format("a genome of {} genes for a space of {}", g.size(), cardinalities.size()));
  std::uint64_t index = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (g[i] < 0 || static_cast<std::size_t>(g[i]) >= cardinalities[i])
      throw InputError(fmt::format("gene {}: value index {} outside [0, {})", i, g[i], cardinalities[i]));
    index = index * cardinalities[i] + static_cast<std::uint64_t>(g[i]);
  }
  return index;
}

Genome genome_at(std::uint64_t index, const std::vector<std::size_t>& cardinalities) {
  Genome g(cardinalities.size());
  for (std::size_t i = cardinalities.size(); i-- > 0;) {
    g[i] = static_cast<int>(index % cardinalities[i]);
    index /= cardinalities[i];
  }
  return g;
}

const Evaluation& Table::lookup(const Genome& g) const {
  const std::uint64_t i = genome_index(g, cardinalities);
  if (i >= entries.size() || !entries[i])
    throw InputError(
        fmt::format("benchmark table: genome {} has no entry (it violates a space condition)", i));
  return *entries[i];
}

namespace {

// The search config restricted to its hardware objectives, Pareto, worst-case activity: what both
// models of the SystemC sample evaluate (accuracy does not depend on the performance model).
search::SearchConfig hardware_only(const search::SearchConfig& in, search::EvaluatorKind kind) {
  search::SearchConfig c = in;
  c.objectives.clear();
  for (search::Objective o : in.objectives)
    if (o != search::Objective::kAccuracy) c.objectives.push_back(o);
  c.formulation = {};
  c.reference_point.clear();
  c.search.activity = search::ActivitySource::kWorstCase;
  c.search.evaluator = kind;
  return c;
}

std::vector<SystemCCheck> systemc_sample(const BenchmarkConfig& c, const Table& t, std::ostream* progress) {
  std::vector<std::uint64_t> feasible;
  for (std::uint64_t i = 0; i < t.entries.size(); ++i)
    if (t.entries[i] && t.entries[i]->feasible()) feasible.push_back(i);
  const std::size_t n =
      std::min<std::size_t>(static_cast<std::size_t>(c.table.systemc_sample), feasible.size());
  const search::SearchConfig ana_cfg = hardware_only(c.search, search::EvaluatorKind::kAnalytical);
  if (n == 0 || ana_cfg.objectives.empty()) return {};
  const search::SearchConfig sysc_cfg = hardware_only(c.search, search::EvaluatorKind::kSystemC);
  std::vector<Genome> genomes;
  std::vector<std::uint64_t> picked;
  for (std::size_t k = 0; k < n; ++k) {  // evenly spread over the feasible candidates, both ends included
    const std::size_t at = n == 1 ? 0 : k * (feasible.size() - 1) / (n - 1);
    picked.push_back(feasible[at]);
    genomes.push_back(genome_at(feasible[at], t.cardinalities));
  }
  if (progress) *progress << fmt::format("benchmark-table: SystemC on a sample of {} candidates\n", n);
  const std::vector<Evaluation> ana = search::SearchEvaluator(ana_cfg)(genomes);
  const std::vector<Evaluation> sysc = search::SearchEvaluator(sysc_cfg)(genomes);
  std::vector<SystemCCheck> out;
  for (std::size_t k = 0; k < n; ++k) {
    SystemCCheck s;
    s.index = picked[k];
    s.columns = ana_cfg.objective_columns();
    s.analytical = ana[k].objectives;
    if (sysc[k].feasible())
      s.systemc = sysc[k].objectives;
    else
      s.reason = sysc[k].reason;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Table build_table(const BenchmarkConfig& c, std::ostream* progress) {
  const auto t0 = std::chrono::steady_clock::now();
  Table t;
  t.identity = space_identity(c);
  t.space_hash = space_hash(c);
  t.objective_columns = c.search.objective_columns();
  t.cardinalities = c.search.space.cardinalities();
  const std::uint64_t n = genome_count(t.cardinalities);
  if (n > static_cast<std::uint64_t>(c.table.max_candidates))
    throw InputError(fmt::format(
        "{}: key 'table.max_candidates': the space of {} has {} genomes, more than {}; a table enumerates "
        "every one: shrink the space or raise the limit",
        c.path, c.search.path, n, c.table.max_candidates));
  search::SearchConfig cfg = c.search;
  cfg.search.evaluator = search::EvaluatorKind::kAnalytical;  // the table's hardware figures
  const search::SearchEvaluator evaluate(cfg);
  t.entries.resize(n);
  // Batches large enough that the accuracy evaluator's workers have several networks to share.
  constexpr std::uint64_t kBatch = 1024;
  for (std::uint64_t first = 0; first < n; first += kBatch) {
    std::vector<Genome> batch;
    std::vector<std::uint64_t> at;
    for (std::uint64_t i = first; i < std::min(n, first + kBatch); ++i) {
      Genome g = genome_at(i, t.cardinalities);
      if (!c.search.space.check(g).ok()) continue;
      batch.push_back(std::move(g));
      at.push_back(i);
    }
    const std::vector<Evaluation> evals = evaluate(batch);
    for (std::size_t k = 0; k < evals.size(); ++k) {
      Evaluation e = evals[k];
      check_evaluation(e, t.objective_columns.size(), c.search.space.key(batch[k]));
      e.extra = nlohmann::json::object();  // the table keeps what the optimizers see
      t.entries[at[k]] = std::move(e);
    }
    t.evaluated += batch.size();
    if (progress)
      *progress << fmt::format("benchmark-table: {}/{} genomes ({} evaluated)\n", std::min(n, first + kBatch),
                               n, t.evaluated);
  }
  t.systemc = systemc_sample(c, t, progress);
  t.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return t;
}

nlohmann::json systemc_agreement(const std::vector<SystemCCheck>& checks) {
  nlohmann::json out = nlohmann::json::object();
  if (checks.empty()) return out;
  std::size_t failed = 0;
  for (const SystemCCheck& s : checks) failed += s.systemc.empty();
  out["candidates"] = checks.size();
  out["systemc_failed"] = failed;
  for (std::size_t col = 0; col < checks.front().columns.size(); ++col) {
    std::vector<double> ana, sysc;
    double sum_err = 0, worst_err = 0;
    for (const SystemCCheck& s : checks) {
      if (s.systemc.empty()) continue;
      ana.push_back(s.analytical[col]);
      sysc.push_back(s.systemc[col]);
      const double err =
          s.systemc[col] != 0 ? std::abs(s.analytical[col] - s.systemc[col]) / std::abs(s.systemc[col]) : 0;
      sum_err += err;
      worst_err = std::max(worst_err, err);
    }
    if (ana.empty()) continue;
    const std::optional<double> tau = common::kendall_tau_b(ana, sysc);
    out["columns"][checks.front().columns[col]] = {
        {"mean_rel_error_pct", 100 * sum_err / double(ana.size())},
        {"worst_rel_error_pct", 100 * worst_err},
        {"kendall_tau", tau ? nlohmann::json(*tau) : nlohmann::json()}};
  }
  return out;
}

nlohmann::json to_json(const Table& t) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : t.entries) {
    if (!e)
      entries.push_back(nullptr);
    else if (e->feasible())
      entries.push_back(e->objectives);
    else
      entries.push_back({{"violation", e->violation}, {"reason", e->reason}});
  }
  nlohmann::json sysc = nlohmann::json::array();
  for (const SystemCCheck& s : t.systemc)
    sysc.push_back({{"index", s.index},
                    {"columns", s.columns},
                    {"analytical", s.analytical},
                    {"systemc", s.systemc},
                    {"reason", s.reason}});
  return {{"format", "imcsim-benchmark-table-v1"},
          {"space_hash", t.space_hash},
          {"identity", t.identity},
          {"objective_columns", t.objective_columns},
          {"cardinalities", t.cardinalities},
          {"evaluated", t.evaluated},
          {"build_seconds", t.build_seconds},
          {"systemc_agreement", systemc_agreement(t.systemc)},
          {"systemc_sample", sysc},
          {"entries", entries}};
}

Table table_from_json(const nlohmann::json& j, const std::string& where) {
  Table t;
  try {
    if (j.at("format") != "imcsim-benchmark-table-v1")
      throw InputError(
          fmt::format("{}: not an imcsim benchmark table (format {})", where, j.at("format").dump()));
    t.space_hash = j.at("space_hash").get<std::string>();
    t.identity = j.at("identity");
    t.objective_columns = j.at("objective_columns").get<std::vector<std::string>>();
    t.cardinalities = j.at("cardinalities").get<std::vector<std::size_t>>();
    t.evaluated = j.at("evaluated").get<std::size_t>();
    t.build_seconds = j.at("build_seconds").get<double>();
    const std::uint64_t n = genome_count(t.cardinalities);
    const nlohmann::json& entries = j.at("entries");
    if (!entries.is_array() || entries.size() != n)
      throw InputError(fmt::format("{}: {} entries for a space of {} genomes", where, entries.size(), n));
    t.entries.reserve(n);
    for (const nlohmann::json& e : entries) {
      if (e.is_null()) {
        t.entries.emplace_back();
        continue;
      }
      Evaluation ev;
      ev.fidelity = "table";
      if (e.is_array()) {
        ev.objectives = e.get<std::vector<double>>();
        if (ev.objectives.size() != t.objective_columns.size())
          throw InputError(fmt::format("{}: an entry with {} objectives for {} columns", where,
                                       ev.objectives.size(), t.objective_columns.size()));
      } else {
        ev.violation = e.at("violation").get<double>();
        ev.reason = e.at("reason").get<std::string>();
        if (!(ev.violation > 0))
          throw InputError(fmt::format("{}: an infeasible entry with violation <= 0", where));
      }
      t.entries.emplace_back(std::move(ev));
    }
    for (const nlohmann::json& s : j.at("systemc_sample"))
      t.systemc.push_back({s.at("index").get<std::uint64_t>(),
                           s.at("columns").get<std::vector<std::string>>(),
                           s.at("analytical").get<std::vector<double>>(),
                           s.at("systemc").get<std::vector<double>>(), s.at("reason").get<std::string>()});
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not a valid benchmark table: {}", where, e.what()));
  }
  return t;
}

Table load_table(const std::string& path, const BenchmarkConfig& c) {
  // Every error names the benchmark config and its key too: the path may come from a mistyped
  // table_file (found by the fuzzer: table_file = "/etc/passwd" named only /etc/passwd).
  const std::string where = fmt::format("{}: key 'table_file': ", c.path);
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}{}: cannot read the benchmark table", where, path));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}{}: not valid JSON: {}", where, path, e.what()));
  }
  Table t;
  try {
    t = table_from_json(j, path);
  } catch (const InputError& e) {
    throw InputError(where + e.what());
  }
  const std::string expected = space_hash(c);
  if (t.space_hash != expected)
    throw InputError(fmt::format(
        "{}: key 'table_file': {} was built for another space (space hash {}, while {} gives {}: genes, "
        "conditions, objectives, base chip, constraints or accuracy settings differ); rebuild it with "
        "`imcsim "
        "benchmark-table --config {} --out {}`",
        c.path, path, t.space_hash, c.search.path, expected, c.path, path));
  return t;
}

}  // namespace imc::nas::benchmark
