// The per-op service times: each reads an op's numbers and calls the scalar formulas of timing.h.
#include "sim/timing.h"

namespace imc::sim {

std::int64_t mvm_step_cycles(const mapping::Op& op, const arch::ArchSpec&, const arch::cost::CostTable& c) {
  return mvm_step_cycles(op.cols_per_adc_used, c);
}

std::int64_t mvm_cycles(const mapping::Op& op, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  if (op.vectors == 0) return 0;
  return mvm_fill_cycles(c) + op.vectors * mvm_vector_cycles(op.slices, op.reads_per_slice,
                                                             op.cols_per_adc_used, op.merges_per_vector, s,
                                                             c);
}

std::int64_t dram_cycles(std::int64_t bits, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  if (bits == 0) return 0;  // no channel lookup for an empty access
  return dram_cycles(bits, dram_channel(s), c.clock_ghz);
}

std::int64_t service_cycles(const mapping::Op& op, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  using mapping::OpType;
  switch (op.type) {
    case OpType::Mvm:
      return mvm_cycles(op, s, c);
    case OpType::TileLoad:
      return tile_load_cycles(op.bits, s);
    case OpType::Accumulate:
      return accumulate_cycles(op.count, op.bits, s);
    case OpType::Digital:
      return digital_cycles(op.count, digital_units(op.digital_unit, s));
    case OpType::Send:
      return noc_cycles(op.bits, op.hops, s);
    case OpType::Recv:
      return recv_cycles(op.bits, s);
    case OpType::DramRead:
    case OpType::DramWrite:
      return dram_cycles(op.bits, s, c);
    case OpType::WeightWrite:
      return weight_write_cycles(op.rows, s, c);
  }
  return 0;
}

std::int64_t occupancy_cycles(const mapping::Op& op, const arch::ArchSpec& s,
                              const arch::cost::CostTable& c) {
  using mapping::OpType;
  if (op.type == OpType::Send) return noc_injection_cycles(op.bits, s);
  if (op.type == OpType::DramRead || op.type == OpType::DramWrite)
    return op.bits == 0 ? 0 : dram_occupancy_cycles(op.bits, dram_channel(s), c.clock_ghz);
  return service_cycles(op, s, c);
}

}  // namespace imc::sim
