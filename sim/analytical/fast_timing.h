// sim/timing.cpp's service and occupancy times for the fast analytical path, with the
// per-design constants hoisted out of the per-op arithmetic. Same formulas, same order of
// floating-point operations: tests/analytical holds the fast path equal to the Program path.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "arch/cost.h"
#include "arch/spec.h"
#include "sim/analytical/fast_copy.h"
#include "sim/analytical/fast_math.h"

namespace imc::sim::fast {

using i64 = std::int64_t;

// lower.cpp's rounding helper, and timing.cpp's (which tolerates a zero divisor).
inline i64 cdiv_lower(i64 a, i64 b) { return div_ceil(a, b); }
inline i64 cdiv(i64 a, i64 b) { return timing_ceil(a, b); }
inline i64 ns_to_cycles(double ns, double ghz) { return i64(std::ceil(ns * ghz - 1e-9)); }

// sim/timing.cpp's service and occupancy times, with the per-design constants hoisted.
struct Timing {
  explicit Timing(const arch::ArchSpec& s, const arch::cost::CostTable& c) : s(s), c(c) {
    const arch::OffchipTech& t = s.tech.offchip(s.offchip.kind);
    dram_bw_gbps = (s.offchip.bandwidth_gbps > 0 ? s.offchip.bandwidth_gbps : t.bandwidth_gbps) *
                   std::max(1, s.offchip.links);
    dram_lat_ns = s.offchip.latency_ns > 0 ? s.offchip.latency_ns : t.latency_ns;
    load_width = std::min<i64>(s.tile.bus_width_bits, s.tile.buffer.width_bits);
  }
  const arch::ArchSpec& s;
  const arch::cost::CostTable& c;
  double dram_bw_gbps = 1, dram_lat_ns = 0;
  i64 load_width = 1;

  i64 noc_flits(i64 bits) const {
    const i64 payload = cdiv(bits, s.noc.flit_bits);
    return payload + cdiv(payload, s.noc.packet_payload_flits);
  }
  i64 send_service(i64 bits, int hops) const {
    if (bits == 0) return 0;
    const i64 head = i64(hops) * s.noc.router_latency_cycles + i64(std::max(0, hops - 1)) * s.noc.link_latency_cycles;
    return head + cdiv(noc_flits(bits), s.noc.link_flits_per_cycle);
  }
  i64 send_occupancy(i64 bits) const { return bits == 0 ? 0 : cdiv(noc_flits(bits), s.noc.link_flits_per_cycle); }
  i64 recv(i64 bits) const { return cdiv(bits, s.tile.buffer.width_bits); }
  i64 dram_service(i64 bits) const {
    return bits == 0 ? 0 : ns_to_cycles(dram_lat_ns + double(bits) / 8.0 / dram_bw_gbps, c.clock_ghz);
  }
  i64 dram_occupancy(i64 bits) const {
    return bits == 0 ? 0 : std::max<i64>(1, ns_to_cycles(double(bits) / 8.0 / dram_bw_gbps, c.clock_ghz));
  }
  i64 tile_load(i64 bits) const { return cdiv(bits, load_width); }
  i64 accumulate(i64 count, i64 bits) const {
    return std::max(cdiv(count, std::max(1, s.tile.shift_add_units)), cdiv(bits, s.tile.bus_width_bits));
  }
  i64 weight_write(int rows) const { return ns_to_cycles(rows * s.device.write_latency_ns, c.clock_ghz); }
  // mvm_cycles(n) = n == 0 ? 0 : base + n * per_vector.
  void mvm(TileAgg& t, int slices) const {
    const i64 read = c.xbar_read_cycles;
    const i64 adc = c.adc_cycles(t.cpa_max);
    const i64 step = c.sample_hold ? std::max(read, adc) : read + adc;
    const i64 pv = i64(slices) * t.reads_max * step;
    const i64 merge = cdiv(t.merges_max, s.pe.shift_add_units);
    t.mvm_base = c.sample_hold ? c.xbar_read_cycles : 0;
    t.mvm_per_vector = std::max(pv, merge);
  }
};

}  // namespace imc::sim::fast
