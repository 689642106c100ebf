// Utilization over time (`imcsim simulate --trace FILE.csv`): for each bucket of cycles, the
// fraction of the chip's units of each kind that were busy (PEs: all tiles x PEs; tile units: one
// per tile; the DRAM channel), and of its router-to-router links. Built after the run from the
// op records and the link grants, so tracing adds no events.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mapping/program.h"
#include "sim/systemc/stats.h"

namespace imc::sim::systemc {

struct LinkTrace {
  std::vector<std::pair<std::int64_t, int>> grants;  // (slot, flits)
  int flits_per_cycle = 1;
  int links = 0;
};

// CSV: cycle_start,cycle_end,<unit kinds...>,noc_links; `buckets` rows over [0, end).
std::string utilization_csv(const mapping::Program& program, const Stats& stats, const LinkTrace& links,
                            std::int64_t end_cycle, int buckets);

}  // namespace imc::sim::systemc
