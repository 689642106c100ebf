#include "sim/report.h"

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
  return design_metrics(r.energy_pj, r.latency_ns, r.latency_cycles, r.area_mm2, r.macs);
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
