// Why a layer finished when it did: the SystemC-only delays on the critical path to its last op.
//
// Walking back from an op: if it waited for its unit (the op that held the unit before it,
// OpRecord::unit_prev, released it after the op was ready), the path continues at that op, reached through
// its release; otherwise at the dependency that completed last, reached through its completion. On the way,
// every delay the analytical model cannot see is summed by reason: an op's own wait for buffer space
// (buffer_full), a Send's time beyond its idle-mesh latency when the path goes through its completion, or its
// injection held by back-pressure when the path goes through its release, or a release the mesh confirmed
// late (network_contention). The waits for a unit held by another op are summed per unit kind
// ("tile_bus_queue", ...): queueing is on the path of both models, but where the arbiters order ops
// differently (sim/systemc/unit.h vs sim/analytical/unit_timeline.h) it is where the gap comes from.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/program.h"
#include "sim/systemc/stats.h"

namespace imc::sim::systemc {

struct CriticalPath {
  // Per layer: cycles by reason (buffer_full, network_contention, <unit kind>_queue).
  std::vector<std::map<std::string, std::int64_t>> layers;
  std::map<std::string, std::int64_t> total;  // path to the last op of the run
};

CriticalPath critical_path(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                           const mapping::Program& program, const Stats& stats);

}  // namespace imc::sim::systemc
