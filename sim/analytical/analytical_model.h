// The analytical model: exact action counts and the latency of the dependency critical path, each
// op taking its idle-unit service time (sim/timing.h) — no contention. Microseconds per network.
#pragma once

#include "sim/report.h"

namespace imc::sim {

class AnalyticalModel : public IPerfModel {
 public:
  Report evaluate(const arch::ArchSpec& spec, const mapping::Program& program) override;
  // Same, with a cost table already built for `spec` (the search's hot path).
  Report evaluate(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                  const mapping::Program& program);
};

// Index of the unit an op occupies, in [0, unit_count(program)): ops with equal index share one
// unit (see mapping/program.h; the analytical model serves a PE's in program order, a shared
// unit's as they become ready: unit_timeline.h). Shared with the SystemC model.
int unit_index(const mapping::Op& op, const mapping::Program& program);
int unit_count(const mapping::Program& program);

}  // namespace imc::sim
