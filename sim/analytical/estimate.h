// One call from (chip, network, mapping options) to the analytical report: map, then evaluate.
// The search and the co-search call this for every candidate; it is the hot path of both, so it
// takes a cost table already built for the chip, and evaluates the mapping with the walk
// (walk.h: the lowering's ops timed as they are emitted), which gives the Report AnalyticalModel
// gives on the lowered Program without building the Program.
#pragma once

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/mapping.h"
#include "sim/report.h"
#include "workloads/graph.h"

namespace imc::sim {

struct Estimate {
  Report report;
  int reload_groups = 1;  // > 1 when the network does not fit and weights are reloaded from DRAM
  std::size_t ops = 0;    // ops of the lowered program
};

// How much of the Report to fill. Totals: every chip-level figure (actions, energy and its
// breakdown, latency, area, utilization), equal to the Layers report's, but `layers` left empty —
// what a search that ranks designs needs, without a name, an op string and a busy-cycle map to
// build per layer.
enum class EstimateDetail { Layers, Totals };

// Throws common::InputError when the network cannot be mapped (for example overflow = "error"
// and the network is larger than the chip).
Estimate estimate(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                  const workloads::Graph& graph, const mapping::MappingOptions& options,
                  EstimateDetail detail = EstimateDetail::Layers);

// The same through the Program: map -> lower -> AnalyticalModel::evaluate: the same lowering with
// the Program sink. tests/analytical and `bench_estimate verify` hold the two sinks equal.
Estimate estimate_program(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                          const workloads::Graph& graph, const mapping::MappingOptions& options);

}  // namespace imc::sim
