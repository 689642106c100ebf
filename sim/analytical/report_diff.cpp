#include "sim/analytical/report_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace imc::sim {

namespace {

std::string action_difference(const arch::ActionCounts& a, const arch::ActionCounts& b) {
  for (int k = 0; k < arch::kActionCount; ++k)
    if (a.n[k] != b.n[k])
      return fmt::format("{} {} vs {}", arch::to_string(static_cast<arch::Action>(k)), a.n[k], b.n[k]);
  return "";
}

}  // namespace

std::string report_difference(const Report& a, const Report& b, double rel_tol) {
  auto close = [&](double x, double y) {
    return std::abs(x - y) <= rel_tol * std::max(std::abs(x), std::abs(y));
  };
  if (a.model != b.model || a.workload != b.workload || a.batch != b.batch || a.macs != b.macs)
    return "identity (model, workload, batch or MACs)";
  if (std::string d = action_difference(a.actions, b.actions); !d.empty()) return "total " + d;
  if (a.latency_cycles != b.latency_cycles)
    return fmt::format("latency_cycles {} vs {}", a.latency_cycles, b.latency_cycles);
  if (a.inference_latency_cycles != b.inference_latency_cycles || a.interval_cycles != b.interval_cycles ||
      a.bottleneck_cycles != b.bottleneck_cycles)
    return fmt::format("inference latency / interval / bottleneck cycles {} / {} / {} vs {} / {} / {}",
                       a.inference_latency_cycles, a.interval_cycles, a.bottleneck_cycles,
                       b.inference_latency_cycles, b.interval_cycles, b.bottleneck_cycles);
  if (!close(a.latency_ns, b.latency_ns))
    return fmt::format("latency_ns {} vs {}", a.latency_ns, b.latency_ns);
  if (!close(a.energy_pj, b.energy_pj) || !close(a.dynamic_energy_pj, b.dynamic_energy_pj) ||
      !close(a.leakage_energy_pj, b.leakage_energy_pj))
    return fmt::format("energy_pj {} vs {}", a.energy_pj, b.energy_pj);
  if (a.energy_breakdown_pj.size() != b.energy_breakdown_pj.size()) return "energy breakdown components";
  for (const auto& [k, v] : b.energy_breakdown_pj) {
    const auto it = a.energy_breakdown_pj.find(k);
    if (it == a.energy_breakdown_pj.end() || !close(it->second, v)) return "energy breakdown " + k;
  }
  if (!close(a.area_mm2, b.area_mm2)) return "area_mm2";
  if (!close(a.utilization, b.utilization)) return "utilization";
  if (a.stalls != b.stalls) return "stalls";
  if (a.layers.size() != b.layers.size())
    return fmt::format("{} vs {} layers", a.layers.size(), b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const LayerReport& x = a.layers[i];
    const LayerReport& y = b.layers[i];
    const std::string where = fmt::format("layer {} ({}): ", i, y.name);
    if (x.name != y.name || x.op != y.op || x.macs != y.macs) return where + "identity (name, op or MACs)";
    if (std::string d = action_difference(x.actions, y.actions); !d.empty()) return where + d;
    if (!close(x.energy_pj, y.energy_pj))
      return where + fmt::format("energy_pj {} vs {}", x.energy_pj, y.energy_pj);
    if (x.start_cycle != y.start_cycle || x.end_cycle != y.end_cycle || x.latency_cycles != y.latency_cycles)
      return where + fmt::format("cycles [{}, {}] vs [{}, {}]", x.start_cycle, x.end_cycle, y.start_cycle,
                                 y.end_cycle);
    if (x.busy_cycles != y.busy_cycles) return where + "busy cycles";
    if (x.stall_cycles != y.stall_cycles) return where + "stall cycles";
  }
  return "";
}

}  // namespace imc::sim
