// The per-op service times: each reads an op's numbers and calls the scalar formulas of timing.h.
#include "sim/timing.h"

namespace imc::sim {

std::int64_t mvm_step_cycles(const mapping::Op& op, const arch::ArchSpec&, const arch::cost::CostTable& c) {
  return mvm_step_cycles(op.cols_per_adc_used, c);
}

std::int64_t mvm_cycles(const mapping::Op& op, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  return mvm_cycles_of(op, s, c);
}

std::int64_t dram_cycles(std::int64_t bits, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  if (bits == 0) return 0;  // no channel lookup for an empty access
  return dram_cycles(bits, dram_channel(s), c.clock_ghz);
}

std::int64_t service_cycles(const mapping::Op& op, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  return op_cycles_of(op, s, c, [&] { return dram_channel(s); }).service;
}

std::int64_t occupancy_cycles(const mapping::Op& op, const arch::ArchSpec& s,
                              const arch::cost::CostTable& c) {
  return op_cycles_of(op, s, c, [&] { return dram_channel(s); }).occupancy;
}

}  // namespace imc::sim
