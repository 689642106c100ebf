#include "sim/systemc/systemc_model.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/children.h"
#include "common/config.h"
#include "sim/analytical/analytical_model.h"
#include "sim/report_io.h"
#include "sim/systemc/chip.h"
#include "sim/systemc/trace.h"

namespace imc::sim {

using systemc::Stall;
using systemc::Stats;

namespace {

// SystemC has one kernel per process and cannot elaborate a second design after simulating.
std::atomic<bool> g_kernel_used{false};

Report build_report(const arch::ArchSpec& spec, const arch::cost::CostTable& costs, const mapping::Program& p,
                    const Stats& stats) {
  Report r = report_skeleton(p, "systemc");
  for (int s = 0; s < systemc::kStallCount; ++s) r.stalls[systemc::to_string(Stall(s))] = 0;
  InferenceTimes inferences(p.batch, unit_count(p));
  std::int64_t latency = 0;
  for (std::size_t id = 0; id < p.ops.size(); ++id) {
    const mapping::Op& op = p.ops[id];
    const systemc::OpRecord& rec = stats.ops[id];
    LayerReport& l = r.layers.at(std::size_t(op.layer));
    r.actions += op.actions;
    l.actions += op.actions;
    if (l.start_cycle < 0 || rec.start < l.start_cycle) l.start_cycle = rec.start;
    l.end_cycle = std::max(l.end_cycle, rec.done);
    latency = std::max(latency, rec.done);
    inferences.add(op.batch, unit_index(op, p), rec.start, rec.done, rec.release - rec.start);
    l.busy_cycles[mapping::to_string(op.unit)] += rec.release - rec.start;
    for (int s = 0; s < systemc::kStallCount; ++s) {
      const std::int64_t v = rec.stall[std::size_t(s)];
      if (v <= 0) continue;
      l.stall_cycles[systemc::to_string(Stall(s))] += v;
      r.stalls[systemc::to_string(Stall(s))] += v;
    }
  }
  for (auto& l : r.layers)
    if (l.start_cycle < 0) l.start_cycle = 0;
  r.latency_cycles = latency;
  inferences.fill(r, p.reload_groups > 1);
  r.events = stats.events;
  finalize(r, spec, costs);
  return r;
}

}  // namespace

SystemCModel::SystemCModel(SystemCOptions options) : options_(std::move(options)) {}
SystemCModel::~SystemCModel() = default;

Report SystemCModel::evaluate(const arch::ArchSpec& spec, const mapping::Program& program) {
  return evaluate(spec, arch::cost::build(spec), program);
}

Report SystemCModel::evaluate(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                              const mapping::Program& program) {
  if (g_kernel_used.exchange(true))
    throw std::logic_error(
        "SystemCModel::evaluate: SystemC elaborates once per process; use run_systemc_in_child for further "
        "runs");
  const auto t0 = std::chrono::steady_clock::now();
  stats_ = std::make_unique<Stats>(program.ops.size());
  systemc::SimSpec sim_spec(spec, costs);
  systemc::OpTracker tracker(program, *stats_);
  if (options_.progress) tracker.on_progress(options_.progress_every_ops, options_.progress);
  systemc::LinkTrace links;
  systemc::Chip chip("chip", sim_spec, *stats_, tracker, options_.finite_buffers);
  if (!options_.trace_csv.empty()) chip.mesh().log_links(&links.grants);
  chip.run();
  Report r = build_report(spec, costs, program, *stats_);
  critical_path_ = systemc::critical_path(spec, costs, program, *stats_);
  if (!options_.trace_csv.empty()) {
    links.flits_per_cycle = chip.mesh().flits_per_cycle();
    links.links = chip.mesh().links();
    std::ofstream f(options_.trace_csv);
    f << systemc::utilization_csv(program, *stats_, links, r.latency_cycles, options_.trace_buckets);
    if (!f) throw common::InputError(fmt::format("cannot write trace file '{}'", options_.trace_csv));
  }
  r.eval_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

Report run_systemc_in_child(const arch::ArchSpec& spec, const mapping::Program& program,
                            const SystemCOptions& options, ChildRunInfo* info) {
  const std::vector<common::ChildOutcome<nlohmann::json>> outcomes =
      common::run_in_children(std::vector<int>{0}, [&](int) {
        SystemCModel model(options);
        return nlohmann::json{{"report", to_json(model.evaluate(spec, program))},
                              {"critical_layers", model.critical_path().layers},
                              {"critical_total", model.critical_path().total}};
      });
  const common::ChildOutcome<nlohmann::json>& o = outcomes.at(0);
  if (info) {
    info->wall_s = o.child.wall_s;
    info->peak_rss_kb = o.child.peak_rss_kb;
  }
  const nlohmann::json& j = o.value();  // rethrows the child's failure
  if (info) {
    info->critical_path.layers =
        j.at("critical_layers").get<std::vector<std::map<std::string, std::int64_t>>>();
    info->critical_path.total = j.at("critical_total").get<std::map<std::string, std::int64_t>>();
  }
  return report_from_json(j.at("report"));
}

}  // namespace imc::sim
