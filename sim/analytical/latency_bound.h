// A lower bound on the latency of any execution of a Program in which (1) an op starts after all
// its dependencies have ended, (2) it ends at least its idle-unit service time after its start
// and (3) a unit (unit_index) serves one op at a time, each for at least its occupancy
// (sim/timing.h). Both performance models satisfy (1)-(3): the analytical model exactly, SystemC
// with its extra waits (buffers, mesh, arbitration), so both report at least this bound, whatever
// order their arbiters pick. It is the relation between the two models that can be proven; the
// analytical model itself is no bound on SystemC (docs/systemc.md: its gap-insertion rule is not
// causal and list schedules have anomalies), so `imcsim validate` and tests/systemc check this one.
#pragma once

#include <cstdint>

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/program.h"

namespace imc::sim {

struct LatencyBound {
  // The longest dependency chain, each op taking its service time (no unit is ever shared).
  std::int64_t dependency_cycles = 0;
  // The busiest unit: over its ops and a cycle t, t plus the occupancies of the ops that cannot
  // start before t (by the chain above), the last of them taking its service time.
  std::int64_t unit_cycles = 0;
  int unit = -1;  // which (unit_index), -1 when no op has an occupancy
  std::int64_t cycles() const { return dependency_cycles > unit_cycles ? dependency_cycles : unit_cycles; }
};

LatencyBound latency_bound(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                           const mapping::Program& program);

}  // namespace imc::sim
