// sim/timing.h's service and occupancy times for the fast analytical path, bound to one design:
// the formulas are timing.h's scalar functions (not repeated here), with the per-design lookups
// (the off-chip channel) done once. tests/analytical holds the fast path equal to the Program path.
#pragma once

#include <cstdint>

#include "arch/cost.h"
#include "arch/spec.h"
#include "sim/analytical/fast_copy.h"
#include "sim/analytical/fast_math.h"
#include "sim/timing.h"

namespace imc::sim::fast {

using i64 = std::int64_t;

struct Timing {
  explicit Timing(const arch::ArchSpec& s, const arch::cost::CostTable& c)
      : s(s), c(c), dram(dram_channel(s)) {}
  const arch::ArchSpec& s;
  const arch::cost::CostTable& c;
  DramChannel dram;

  i64 noc_flits(i64 bits) const { return sim::noc_flits(bits, s); }
  i64 send_service(i64 bits, int hops) const { return noc_cycles(bits, hops, s); }
  i64 send_occupancy(i64 bits) const { return noc_injection_cycles(bits, s); }
  i64 recv(i64 bits) const { return recv_cycles(bits, s); }
  i64 dram_service(i64 bits) const { return dram_cycles(bits, dram, c.clock_ghz); }
  i64 dram_occupancy(i64 bits) const { return dram_occupancy_cycles(bits, dram, c.clock_ghz); }
  i64 tile_load(i64 bits) const { return tile_load_cycles(bits, s); }
  i64 accumulate(i64 count, i64 bits) const { return accumulate_cycles(count, bits, s); }
  i64 weight_write(int rows) const { return weight_write_cycles(rows, s, c); }
  // Mvm cycles of the tile's op for n vectors: n == 0 ? 0 : mvm_base + n * mvm_per_vector.
  void mvm(TileAgg& t, int slices) const {
    t.mvm_base = mvm_fill_cycles(c);
    t.mvm_per_vector = mvm_vector_cycles(slices, t.reads_max, t.cpa_max, t.merges_max, s, c);
  }
};

}  // namespace imc::sim::fast
