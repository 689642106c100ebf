#include "sim/report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace imc::sim {

DesignMetrics design_metrics(double energy_pj, double latency_ns, std::int64_t latency_cycles,
                             double area_mm2, std::int64_t macs) {
  DesignMetrics m;
  m.energy_pj = energy_pj;
  m.latency_ns = latency_ns;
  m.latency_cycles = latency_cycles;
  m.area_mm2 = area_mm2;
  m.macs = macs;
  m.edap_j_s_mm2 = energy_pj * 1e-12 * latency_ns * 1e-9 * area_mm2;
  const double ops = 2.0 * double(macs);
  m.tops = latency_ns > 0 ? ops / latency_ns * 1e-3 : 0;  // ops/ns = 1e9 ops/s = 1e-3 TOPS
  m.tops_per_w = energy_pj > 0 ? ops / energy_pj : 0;     // ops/pJ = 1e12 ops/J = TOPS/W
  m.tops_per_mm2 = area_mm2 > 0 ? m.tops / area_mm2 : 0;
  m.power_w = latency_ns > 0 ? energy_pj / latency_ns * 1e-3 : 0;  // pJ/ns = mW
  return m;
}

DesignMetrics metrics_of(const Report& r) {
  DesignMetrics m = design_metrics(r.energy_pj, r.latency_ns, r.latency_cycles, r.area_mm2, r.macs);
  // The clock is latency_cycles / latency_ns (finalize); a report without cycles has no interval.
  const double ns_per_cycle = r.latency_cycles > 0 ? r.latency_ns / double(r.latency_cycles) : 0;
  m.inference_latency_ns = double(r.inference_latency_cycles) * ns_per_cycle;
  m.interval_cycles = r.interval_cycles;
  m.interval_ns = double(r.interval_cycles) * ns_per_cycle;
  m.throughput_inf_per_s = m.interval_ns > 0 ? 1e9 / m.interval_ns : 0;
  return m;
}

void InferenceTimes::fill(Report& r, bool reloads) const {
  const std::int64_t batch = std::int64_t(end_.size());
  r.inference_latency_cycles = end_[0] - std::max<std::int64_t>(0, start_[0]);
  const std::int64_t busiest = busy_.empty() ? 0 : *std::max_element(busy_.begin(), busy_.end());
  r.bottleneck_cycles = (busiest + batch - 1) / batch;
  if (reloads)
    r.interval_cycles = (r.latency_cycles + batch - 1) / batch;
  else
    r.interval_cycles =
        batch >= 2 ? (*std::max_element(end_.begin(), end_.end()) - end_[0] + batch - 2) / (batch - 1)
                   : r.bottleneck_cycles;
}

Report report_skeleton(const mapping::Program& p, const std::string& model) {
  Report r;
  r.model = model;
  r.workload = p.workload;
  r.batch = p.batch;
  r.macs = p.workload_macs * p.batch;
  r.utilization = p.utilization();
  r.layers.resize(p.layers.size());
  for (std::size_t i = 0; i < p.layers.size(); ++i) {
    r.layers[i].name = p.layers[i].name;
    r.layers[i].op = p.layers[i].op;
    r.layers[i].macs = p.layers[i].macs * p.batch;
    r.layers[i].start_cycle = -1;
    GatingLayer& g = r.gating.emplace_back();
    g.reload_group = p.layers[i].reload_group;
    g.tiles = p.layers[i].tiles;
    g.inputs = p.layers[i].inputs;
  }
  return r;
}

void finalize(Report& r, const arch::ArchSpec& spec, const arch::cost::CostTable& costs) {
  r.latency_ns = double(r.latency_cycles) / spec.chip.clock_ghz;
  r.energy_breakdown_pj = arch::cost::energy_breakdown_pj(r.actions, costs);
  r.dynamic_energy_pj = 0;
  for (const auto& [k, v] : r.energy_breakdown_pj) r.dynamic_energy_pj += v;
  if (r.gating.size() == r.layers.size())
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
      r.gating[i].start_cycle = r.layers[i].start_cycle;
      r.gating[i].end_cycle = r.layers[i].end_cycle;
    }
  r.leakage_energy_pj = leakage_energy_pj(spec, costs, r.gating, r.latency_cycles);
  r.energy_breakdown_pj["leakage"] = r.leakage_energy_pj;
  r.energy_pj = r.dynamic_energy_pj + r.leakage_energy_pj;
  r.area_mm2 = costs.chip.area_mm2;
  for (auto& l : r.layers) {
    l.energy_pj = arch::cost::energy_pj(l.actions, costs);
    l.latency_cycles = l.end_cycle - l.start_cycle;
  }
}

nlohmann::json to_json(const Report& r) {
  using nlohmann::json;
  const DesignMetrics m = metrics_of(r);
  auto actions = [](const arch::ActionCounts& a) {
    json j = json::object();
    for (int i = 0; i < arch::kActionCount; ++i)
      j[std::string(arch::to_string(static_cast<arch::Action>(i)))] = a.n[i];
    return j;
  };
  json total = {{"macs", r.macs},
                {"energy_pj", r.energy_pj},
                {"dynamic_energy_pj", r.dynamic_energy_pj},
                {"leakage_energy_pj", r.leakage_energy_pj},
                {"latency_ns", r.latency_ns},
                {"latency_cycles", r.latency_cycles},
                {"inference_latency_cycles", r.inference_latency_cycles},
                {"inference_latency_ns", m.inference_latency_ns},
                {"interval_cycles", r.interval_cycles},
                {"interval_ns", m.interval_ns},
                {"bottleneck_cycles", r.bottleneck_cycles},
                {"throughput_inf_per_s", m.throughput_inf_per_s},
                {"area_mm2", r.area_mm2},
                {"edap", m.edap_j_s_mm2},
                {"tops", m.tops},
                {"tops_per_w", m.tops_per_w},
                {"tops_per_mm2", m.tops_per_mm2},
                {"utilization", r.utilization},
                {"energy_breakdown_pj", r.energy_breakdown_pj},
                {"actions", actions(r.actions)}};
  json layers = json::array();
  for (const auto& l : r.layers) {
    json lj = {{"name", l.name},
               {"op", l.op},
               {"macs", l.macs},
               {"energy_pj", l.energy_pj},
               {"start_cycle", l.start_cycle},
               {"end_cycle", l.end_cycle},
               {"latency_cycles", l.latency_cycles},
               {"busy_cycles", l.busy_cycles},
               {"actions", actions(l.actions)}};
    if (!l.stall_cycles.empty()) lj["stall_cycles"] = l.stall_cycles;
    layers.push_back(std::move(lj));
  }
  json j = {{"workload", r.workload}, {"model", r.model}, {"batch", r.batch},
            {"total", total},         {"layers", layers}, {"eval_us", r.eval_us}};
  if (r.model == "systemc") {
    j["stalls"] = r.stalls;
    j["events"] = r.events;
  }
  return j;
}

}  // namespace imc::sim
