// Service time of one op on an idle unit, in cycles of the digital clock. The analytical model and
// the SystemC modules both call these, so their formulas cannot drift apart: the SystemC model adds
// only what these cannot see (waiting for a busy shared unit, a full buffer, a contended link).
#pragma once

#include <cstdint>

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/program.h"

namespace imc::sim {

// Per-unit service times.
std::int64_t mvm_step_cycles(const mapping::Op& op, const arch::ArchSpec& spec, const arch::cost::CostTable& c);
std::int64_t mvm_cycles(const mapping::Op& op, const arch::ArchSpec& spec, const arch::cost::CostTable& c);
std::int64_t noc_flits(std::int64_t bits, const arch::ArchSpec& spec);    // payload + head flits
std::int64_t noc_packets(std::int64_t bits, const arch::ArchSpec& spec);
// Idle-mesh latency of a message: head through `hops` routers and hops-1 links, then the
// remaining flits one per cycle per link_flits_per_cycle.
std::int64_t noc_cycles(std::int64_t bits, int hops, const arch::ArchSpec& spec);
std::int64_t dram_cycles(std::int64_t bits, const arch::ArchSpec& spec, const arch::cost::CostTable& c);

// The service time of any op on an idle unit (dispatches on op.type): from its start until its
// dependents may start.
std::int64_t service_cycles(const mapping::Op& op, const arch::ArchSpec& spec, const arch::cost::CostTable& c);
// How long the op keeps its unit busy (the next op on the same unit may start after this). Equal
// to service_cycles except for pipelined transfers: a Send occupies its tile's network interface
// for the injection of its flits only, and a DRAM op occupies the channel for its transfer only
// (the access latency overlaps the next transfer).
std::int64_t occupancy_cycles(const mapping::Op& op, const arch::ArchSpec& spec, const arch::cost::CostTable& c);

}  // namespace imc::sim
