// The fast analytical path: evaluates a mapping as AnalyticalModel::evaluate(lower(mapping)) would,
// without building the Program. lower() emits ops in an order where every dependency precedes its
// dependent and ops on one unit run in program order, so each op's start and end are known the
// moment it would be emitted: this walk emits nothing, it computes them on the spot (only the end
// times of layer chunks are kept), and adds each op's actions to its layer. Same walk, same order,
// same service times: the Report is identical (tests/analytical holds it over the zoo), at a few
// nanoseconds per op instead of the Program's allocations.
//
// The order of the walk is lower()'s own (mapping/emission.h) and the service times are
// sim/timing.h's; the ops of each chunk mirror mapping/lower_*.cpp step by step: a change there
// must be made here too; tests/analytical/test_estimate_fast.cpp fails otherwise.
#pragma once

#include <cstddef>

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/mapping.h"
#include "sim/report.h"
#include "workloads/graph.h"

namespace imc::sim::fast {

// `ops` receives how many ops the lowered Program would hold. With layers = false the Report's
// `layers` stay empty (totals only: what a search needs, without a string and map per layer).
Report evaluate(const arch::ArchSpec& spec, const arch::cost::CostTable& costs, const workloads::Graph& graph,
                const mapping::Mapping& mapping, std::size_t& ops, bool layers = true);

}  // namespace imc::sim::fast
