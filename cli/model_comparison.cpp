#include "cli/model_comparison.h"

#include "sim/analytical/latency_bound.h"

namespace imc::cli {

double gap_pct(double analytical, double systemc) {
  return analytical > 0 ? 100.0 * (systemc - analytical) / analytical : (systemc > 0 ? 100.0 : 0.0);
}

std::string main_stall(const std::map<std::string, std::int64_t>& path, std::int64_t gap_cycles) {
  if (gap_cycles <= 0) return "none";
  std::string best = "none";
  std::int64_t most = 0;
  for (const std::string k : {"buffer_full", "network_contention"})
    if (path.count(k) && path.at(k) > most) {
      best = k;
      most = path.at(k);
    }
  if (most > 0) return best;
  for (const auto& [k, v] : path)
    if (v > most) {
      best = k;
      most = v;
    }
  return best;
}

nlohmann::json compare_models(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                              const std::string& workload, const mapping::Program& program,
                              const sim::Report& a, const sim::Report& c, const sim::ChildRunInfo& info) {
  nlohmann::json layers = nlohmann::json::array();
  bool actions_ok = a.actions == c.actions;
  const sim::LatencyBound bound = sim::latency_bound(spec, costs, program);
  const bool bound_ok = a.latency_cycles >= bound.cycles() && c.latency_cycles >= bound.cycles();
  int earlier_layers = 0;  // layers SystemC finishes before the analytical model
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const sim::LayerReport& la = a.layers[i];
    const sim::LayerReport& lc = c.layers.at(i);
    const bool eq = la.actions == lc.actions;
    actions_ok = actions_ok && eq;
    if (lc.end_cycle < la.end_cycle) ++earlier_layers;
    if (la.actions == arch::ActionCounts{} && la.macs == 0) continue;  // folded into another layer
    const auto& path = info.critical_path.layers.at(i);
    layers.push_back({{"name", la.name},
                      {"op", la.op},
                      {"analytical_cycles", la.latency_cycles},
                      {"systemc_cycles", lc.latency_cycles},
                      {"analytical_end_cycle", la.end_cycle},
                      {"systemc_end_cycle", lc.end_cycle},
                      {"gap_pct", gap_pct(double(la.latency_cycles), double(lc.latency_cycles))},
                      {"end_delay_cycles", lc.end_cycle - la.end_cycle},
                      {"main_stall", main_stall(path, lc.latency_cycles - la.latency_cycles)},
                      {"critical_path_stalls", path},
                      {"stall_cycles", lc.stall_cycles},
                      {"energy_gap_pct", gap_pct(la.energy_pj, lc.energy_pj)},
                      {"actions_equal", eq}});
  }
  return {{"workload", workload},
          {"batch", program.batch},
          {"analytical_cycles", a.latency_cycles},
          {"systemc_cycles", c.latency_cycles},
          {"gap_pct", gap_pct(double(a.latency_cycles), double(c.latency_cycles))},
          {"main_stall", main_stall(info.critical_path.total, c.latency_cycles - a.latency_cycles)},
          {"critical_path_stalls", info.critical_path.total},
          {"stalls", c.stalls},
          {"analytical_energy_pj", a.energy_pj},
          {"systemc_energy_pj", c.energy_pj},
          {"energy_gap_pct", gap_pct(a.energy_pj, c.energy_pj)},
          {"actions_equal", actions_ok},
          {"latency_bound_cycles", bound.cycles()},
          {"latency_bound_dependency_cycles", bound.dependency_cycles},
          {"latency_bound_unit_cycles", bound.unit_cycles},
          {"latency_bound_holds", bound_ok},
          {"systemc_at_least_analytical", c.latency_cycles >= a.latency_cycles},
          {"layers_ending_earlier_in_systemc", earlier_layers},
          {"systemc_events", c.events},
          {"systemc_wall_s", info.wall_s},
          {"layers", layers}};
}

}  // namespace imc::cli
