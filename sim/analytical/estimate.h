// One call from (chip, network, mapping options) to the analytical report: map, lower, evaluate.
// The search and the co-search call this for every candidate; it is the hot path of both, so it
// takes a cost table already built for the chip.
#pragma once

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/mapping.h"
#include "sim/report.h"
#include "workloads/graph.h"

namespace imc::sim {

struct Estimate {
  Report report;
  int reload_groups = 1;   // > 1 when the network does not fit and weights are reloaded from DRAM
  std::size_t ops = 0;     // ops of the lowered program
};

// Throws common::InputError when the network cannot be mapped (for example overflow = "error"
// and the network is larger than the chip).
Estimate estimate(const arch::ArchSpec& spec, const arch::cost::CostTable& costs, const workloads::Graph& graph,
                  const mapping::MappingOptions& options);

}  // namespace imc::sim
