#include "sim/analytical/latency_bound.h"

#include <algorithm>
#include <vector>

#include "sim/analytical/analytical_model.h"
#include "sim/timing.h"

namespace imc::sim {

LatencyBound latency_bound(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                           const mapping::Program& program) {
  LatencyBound b;
  const std::size_t n = program.ops.size();
  // Earliest start of each op in any execution: its dependencies' earliest ends (ops come in
  // program order, after their dependencies).
  struct Timed {
    std::int64_t earliest, service, occupancy;
  };
  std::vector<std::int64_t> earliest_end(n, 0);
  std::vector<std::vector<Timed>> per_unit(std::size_t(unit_count(program)));
  for (std::size_t id = 0; id < n; ++id) {
    const mapping::Op& op = program.ops[id];
    std::int64_t ready = 0;
    for (int d : op.deps) ready = std::max(ready, earliest_end[std::size_t(d)]);
    const auto [service, occupancy] = op_cycles_of(op, spec, costs, [&] { return dram_channel(spec); });
    earliest_end[id] = ready + service;
    b.dependency_cycles = std::max(b.dependency_cycles, earliest_end[id]);
    if (occupancy > 0) per_unit[std::size_t(unit_index(op, program))].push_back({ready, service, occupancy});
  }
  // A unit serves the ops that cannot start before t one after another from t on: the last one
  // starts no earlier than t + (their occupancies - its own) and ends its service after that. Over
  // the thresholds t = each op's earliest start, latest first, the sums are running totals.
  for (std::size_t u = 0; u < per_unit.size(); ++u) {
    std::vector<Timed>& ops = per_unit[u];
    std::sort(ops.begin(), ops.end(), [](const Timed& x, const Timed& y) { return x.earliest > y.earliest; });
    std::int64_t occupied = 0, overhang = 0;  // overhang: the largest occupancy - service, >= 0
    for (const Timed& t : ops) {
      occupied += t.occupancy;
      overhang = std::max(overhang, t.occupancy - t.service);
      const std::int64_t end = t.earliest + occupied - overhang;
      if (end > b.unit_cycles) {
        b.unit_cycles = end;
        b.unit = int(u);
      }
    }
  }
  return b;
}

}  // namespace imc::sim
