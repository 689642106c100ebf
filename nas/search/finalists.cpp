#include "nas/search/finalists.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "arch/cost.h"
#include "common/run_dir.h"
#include "mapping/mapping.h"
#include "nas/pareto.h"
#include "nas/search/formulation.h"
#include "nas/workers.h"
#include "sim/analytical/analytical_model.h"
#include "sim/analytical/latency_bound.h"
#include "sim/report_io.h"
#include "sim/systemc/systemc_model.h"
#include "workloads/activity.h"

namespace imc::nas::search {
namespace fs = std::filesystem;

std::vector<std::size_t> pick_finalists(const SearchLoop& loop, std::size_t count) {
  std::vector<std::size_t> front = loop.front();  // sorted by objectives, then id
  if (front.size() <= count) return front;
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t i = count == 1 ? 0 : k * (front.size() - 1) / (count - 1);
    if (out.empty() || out.back() != front[i]) out.push_back(front[i]);
  }
  return out;
}

std::vector<FinalistResult> reevaluate_finalists(const SearchLoop& loop, const SearchEvaluator& evaluator,
                                                 const std::vector<std::size_t>& ids, std::size_t workers) {
  // A finalist's measured activity (when the search measured it) stays with it, so both models
  // count the same energy the search ranked.
  std::vector<std::pair<Genome, nlohmann::json>> tasks;
  for (std::size_t id : ids) {
    const Candidate& c = loop.candidates().at(id);
    const nlohmann::json& extra = c.evaluation.extra;
    tasks.emplace_back(c.genome, extra.is_object() && extra.contains("input_bit_density")
                                     ? extra.at("input_bit_density")
                                     : nlohmann::json());
  }
  // Each child maps and lowers its finalist once and runs both models on the same Program.
  auto run_one = [&](const std::pair<Genome, nlohmann::json>& task) {
    Design d = evaluator.decode(task.first);
    if (task.second.is_object())
      workloads::apply_activity_json(d.graph, task.second, "measured activity of " + d.graph.name());
    const arch::cost::CostTable costs = arch::cost::build(d.spec);
    const mapping::Mapping m = mapping::map(d.spec, d.graph, evaluator.mapping_options());
    const mapping::Program p = mapping::lower(d.spec, d.graph, m);
    Evaluation e;
    e.fidelity = "systemc";
    e.extra["analytical"] = sim::to_json(sim::AnalyticalModel().evaluate(d.spec, costs, p));
    e.extra["systemc"] = sim::to_json(sim::SystemCModel().evaluate(d.spec, costs, p));
    e.extra["latency_bound_cycles"] = sim::latency_bound(d.spec, costs, p).cycles();
    return e;
  };
  WorkerOptions wo;
  wo.workers = workers;
  wo.per_process = 1;  // one SystemC elaboration per process
  wo.failures_are_infeasible = true;
  const std::vector<Evaluation> done = evaluate_in_workers(tasks, run_one, wo);
  std::vector<FinalistResult> out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    FinalistResult r;
    r.id = ids[i];
    if (done[i].feasible()) {
      r.analytical = done[i].extra.at("analytical");
      r.systemc = done[i].extra.at("systemc");
      r.latency_bound_cycles = done[i].extra.at("latency_bound_cycles").get<std::int64_t>();
    } else {
      r.error = done[i].reason;
    }
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

// The candidate's minimized columns with the hardware figures taken from `report` (a sim::to_json
// report; accuracy does not depend on the performance model: the candidate's own is kept).
std::vector<double> objectives_with(const SearchConfig& config, const Candidate& c,
                                    const nlohmann::json& report) {
  const sim::DesignMetrics m = sim::metrics_of(sim::report_from_json(report));
  const double hardware_accuracy = c.evaluation.extra.value("hardware_accuracy", 0.0);
  std::vector<double> raw;
  for (Objective o : config.objectives) raw.push_back(objective_value(o, m, hardware_accuracy));
  return formulate(config, raw);
}

std::vector<std::size_t> order_by(const std::vector<std::vector<double>>& pts, std::size_t k) {
  std::vector<std::size_t> idx(pts.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(),
                   [&](std::size_t a, std::size_t b) { return pts[a][k] < pts[b][k]; });
  return idx;
}

}  // namespace

nlohmann::json compare_finalists(const SearchLoop& loop, const SearchConfig& config,
                                 const std::vector<FinalistResult>& results) {
  nlohmann::json rows = nlohmann::json::array();
  std::vector<std::vector<double>> ana, sc;
  for (const auto& r : results) {
    const Candidate& c = loop.candidates().at(r.id);
    nlohmann::json row = {{"id", r.id}, {"key", c.key}};
    if (r.systemc.is_null()) {
      row["error"] = r.error;
      rows.push_back(row);
      continue;
    }
    const sim::Report ra = sim::report_from_json(r.analytical), rs = sim::report_from_json(r.systemc);
    const double la = double(ra.latency_cycles), ls = double(rs.latency_cycles);
    const double ea = ra.energy_pj, es = rs.energy_pj;
    row["latency_cycles_analytical"] = la;
    row["latency_cycles_systemc"] = ls;
    row["latency_bound_cycles"] = r.latency_bound_cycles;
    row["latency_gap_pct"] = la > 0 ? 100 * (ls - la) / la : 0.0;
    row["energy_uj_analytical"] = ea * 1e-6;
    row["energy_uj_systemc"] = es * 1e-6;
    row["energy_gap_pct"] = ea > 0 ? 100 * (es - ea) / ea : 0.0;
    row["actions_identical"] = ra.actions == rs.actions;
    rows.push_back(row);
    ana.push_back(objectives_with(config, c, r.analytical));
    sc.push_back(objectives_with(config, c, r.systemc));
  }
  nlohmann::json changed = nlohmann::json::object();
  bool any = false;
  const auto& names = loop.options().objective_names;
  for (std::size_t k = 0; k < names.size() && !ana.empty(); ++k) {
    const bool c = order_by(ana, k) != order_by(sc, k);
    changed[names[k]] = c;
    any = any || c;
  }
  const std::size_t still_front = pareto_front(sc).size();
  return {{"finalists", rows},
          {"order_changed", changed},
          {"front_order_changed", any},
          {"finalists_nondominated_analytical", pareto_front(ana).size()},
          {"finalists_nondominated_systemc", still_front}};
}

void write_finalists(const SearchLoop& loop, const std::vector<FinalistResult>& results,
                     const nlohmann::json& comparison, const std::string& run_dir) {
  const fs::path dir = fs::path(run_dir) / "finalists";
  fs::create_directories(dir);
  std::string csv =
      "id,latency_cycles_analytical,latency_cycles_systemc,latency_gap_pct,energy_uj_analytical,"
      "energy_uj_systemc,energy_gap_pct,actions_identical\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    const Candidate& c = loop.candidates().at(r.id);
    const nlohmann::json doc = {{"id", r.id},
                                {"genes", genes_json(loop.space(), c.genome)},
                                {"metrics", c.evaluation.extra},
                                {"analytical", r.analytical},
                                {"systemc", r.systemc},
                                {"error", r.error}};
    common::write_file_atomically((dir / fmt::format("{}.json", r.id)).string(), doc.dump(1) + "\n");
    const nlohmann::json& row = comparison.at("finalists").at(i);
    if (row.contains("error")) continue;
    csv += fmt::format("{},{},{},{:.3f},{:.6g},{:.6g},{:.3f},{}\n", r.id,
                       row["latency_cycles_analytical"].get<double>(),
                       row["latency_cycles_systemc"].get<double>(), row["latency_gap_pct"].get<double>(),
                       row["energy_uj_analytical"].get<double>(), row["energy_uj_systemc"].get<double>(),
                       row["energy_gap_pct"].get<double>(), row["actions_identical"].get<bool>());
  }
  common::write_file_atomically((dir / "../finalists.csv").string(), csv);
  common::write_file_atomically((dir / "../finalists.json").string(), comparison.dump(1) + "\n");
}

}  // namespace imc::nas::search
