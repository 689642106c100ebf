// The analytical model without the Program: the lowering (mapping/lowering.h) emits each op into a
// sink that times it on the spot as AnalyticalModel::evaluate would time it in a Program. lower()
// emits ops in an order where every dependency precedes its dependent and ops on one unit run in
// program order, so an op's start and end are known the moment it is emitted: the walk keeps only
// the units' free times and the end cycles of layer chunks, and adds each op's actions to its
// layer. Same ops, same order, same service times (sim/timing.h): the Report is identical
// (tests/analytical holds it over the zoo), at a few nanoseconds per op instead of the Program's
// allocations.
#pragma once

#include <cstddef>

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/mapping.h"
#include "sim/report.h"
#include "workloads/graph.h"

namespace imc::sim {

// `ops` receives how many ops the lowered Program would hold. With layers = false the Report's
// `layers` stay empty (totals only: what a search needs, without a string and map per layer).
Report evaluate_walk(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                     const workloads::Graph& graph, const mapping::Mapping& mapping, std::size_t& ops,
                     bool layers = true);

}  // namespace imc::sim
