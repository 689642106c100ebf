// Service time of one op on an idle unit, in cycles of the digital clock. The analytical model and
// the SystemC modules both call these, so their formulas cannot drift apart: the SystemC model adds
// only what these cannot see (waiting for a busy shared unit, a full buffer, a contended link).
//
// Two layers: scalar per-design functions (inline, on plain numbers, the only place each formula
// is written) and the per-op dispatch below them, which reads the numbers off an op: a
// mapping::Op of a Program, or the mapping::OpDesc the lowering hands its sink (the analytical
// walk, sim/analytical/walk_sink.h, times ops as they are emitted without building the Program).
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/int_math.h"
#include "mapping/program.h"

namespace imc::sim {

// a / b without the 64-bit divide instruction where it can (mapping/int_math.h).
using mapping::div_floor;
// ceil(a / b) for a >= 0; a zero or negative divisor leaves a unchanged (an unset width or rate
// divides nothing rather than trapping).
inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return b <= 0 ? a : div_floor(a + b - 1, b);
}
// A duration rounded up to whole cycles; the epsilon keeps exact products (10 ns at 1 GHz) from
// rounding up through floating-point noise.
inline std::int64_t ns_to_cycles(double ns, double ghz) {
  return std::int64_t(std::ceil(ns * ghz - 1e-9));
}

// ---- Scalar service times of one design ----

// One crossbar read step: the analog read, then (or, with sample-and-hold, overlapped with) the
// conversions of the columns sharing an ADC.
inline std::int64_t mvm_step_cycles(int cols_per_adc_used, const arch::cost::CostTable& c) {
  const std::int64_t read = c.xbar_read_cycles;
  const std::int64_t adc = c.adc_cycles(cols_per_adc_used);
  return c.sample_hold ? std::max(read, adc) : read + adc;
}
// An Mvm of n > 0 vectors takes mvm_fill_cycles + n * mvm_vector_cycles. With sample-and-hold the
// first read is exposed and the rest overlap the conversions.
inline std::int64_t mvm_fill_cycles(const arch::cost::CostTable& c) {
  return c.sample_hold ? c.xbar_read_cycles : 0;
}
// Each ADC shift-adds its conversions into its column's partial sum as they come out (no extra
// time); the PE's shift-add units then add the partial sums of its crossbars' row blocks, one per
// unit per cycle, overlapping the next vector's reads.
inline std::int64_t mvm_vector_cycles(int slices, int reads_per_slice, int cols_per_adc_used,
                                      std::int64_t merges_per_vector, const arch::ArchSpec& s,
                                      const arch::cost::CostTable& c) {
  const std::int64_t reads = std::int64_t(slices) * reads_per_slice * mvm_step_cycles(cols_per_adc_used, c);
  return std::max(reads, ceil_div(merges_per_vector, s.pe.shift_add_units));
}

inline std::int64_t noc_packets(std::int64_t bits, const arch::ArchSpec& s) {
  return ceil_div(ceil_div(bits, s.noc.flit_bits), s.noc.packet_payload_flits);
}
// Payload plus one head flit per packet.
inline std::int64_t noc_flits(std::int64_t bits, const arch::ArchSpec& s) {
  return ceil_div(bits, s.noc.flit_bits) + noc_packets(bits, s);
}
// Idle-mesh latency of a message: head through `hops` routers and hops-1 links, then the
// remaining flits one per cycle per link_flits_per_cycle.
inline std::int64_t noc_cycles(std::int64_t bits, int hops, const arch::ArchSpec& s) {
  if (bits == 0) return 0;
  const std::int64_t head = std::int64_t(hops) * s.noc.router_latency_cycles +
                            std::int64_t(std::max(0, hops - 1)) * s.noc.link_latency_cycles;
  return head + ceil_div(noc_flits(bits, s), s.noc.link_flits_per_cycle);
}
// How long a Send keeps its tile's network interface: the injection of its flits only.
inline std::int64_t noc_injection_cycles(std::int64_t bits, const arch::ArchSpec& s) {
  return bits == 0 ? 0 : ceil_div(noc_flits(bits, s), s.noc.link_flits_per_cycle);
}
// A Recv writes the message into the tile buffer.
inline std::int64_t recv_cycles(std::int64_t bits, const arch::ArchSpec& s) {
  return ceil_div(bits, s.tile.buffer.width_bits);
}
// A TileLoad moves input rows from the tile buffer over the bus: the narrower of the two bounds it.
inline std::int64_t tile_load_cycles(std::int64_t bits, const arch::ArchSpec& s) {
  return ceil_div(bits, std::min<std::int64_t>(s.tile.bus_width_bits, s.tile.buffer.width_bits));
}
// Additions on the accumulators, partial sums over the bus: the slower bounds it.
inline std::int64_t accumulate_cycles(std::int64_t count, std::int64_t bits, const arch::ArchSpec& s) {
  return std::max(ceil_div(count, std::max(1, s.tile.shift_add_units)),
                  ceil_div(bits, s.tile.bus_width_bits));
}
// Units of a tile that run a Digital op of this kind (at least one).
inline std::int64_t digital_units(mapping::DigitalUnit u, const arch::ArchSpec& s) {
  std::int64_t n = 1;
  switch (u) {
    case mapping::DigitalUnit::Activation:
      n = s.tile.activation_units;
      break;
    case mapping::DigitalUnit::Pool:
      n = s.tile.pool_units;
      break;
    case mapping::DigitalUnit::ShiftAdd:
      n = s.tile.shift_add_units;
      break;
    case mapping::DigitalUnit::Vector:
      n = s.tile.vector_lanes;
      break;
  }
  return std::max<std::int64_t>(1, n);
}
// `count` element operations on `units` units (from digital_units), one per unit per cycle.
inline std::int64_t digital_cycles(std::int64_t count, std::int64_t units) {
  return ceil_div(count, units);
}
// Programming a crossbar's cells goes row by row.
inline std::int64_t weight_write_cycles(int rows, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  return ns_to_cycles(rows * s.device.write_latency_ns, c.clock_ghz);
}

// The channel the chip's off-chip traffic crosses: with an off-chip memory or link, the spec's
// overrides, else its technology's figures, over all links; on a chip without one (offchip.kind =
// none), the tech file's host interface (one, no overrides: check_arch rejects them).
// (A lookup by name: callers in loops compute it once.)
struct DramChannel {
  double bandwidth_gbps = 1;
  double latency_ns = 0;
};
inline DramChannel dram_channel(const arch::ArchSpec& s) {
  if (s.offchip.kind == arch::OffchipKind::None)
    return {s.tech.host_interface.bandwidth_gbps, s.tech.host_interface.latency_ns};
  const arch::OffchipTech& t = s.tech.offchip(s.offchip.kind);
  return {(s.offchip.bandwidth_gbps > 0 ? s.offchip.bandwidth_gbps : t.bandwidth_gbps) *
              std::max(1, s.offchip.links),
          s.offchip.latency_ns > 0 ? s.offchip.latency_ns : t.latency_ns};
}
// A DRAM access: latency plus transfer.
inline std::int64_t dram_cycles(std::int64_t bits, const DramChannel& ch, double clock_ghz) {
  return bits == 0 ? 0 : ns_to_cycles(ch.latency_ns + double(bits) / 8.0 / ch.bandwidth_gbps, clock_ghz);
}
// How long a DRAM access keeps the channel: its transfer only (the latency overlaps the next
// transfer), at least a cycle.
inline std::int64_t dram_occupancy_cycles(std::int64_t bits, const DramChannel& ch, double clock_ghz) {
  return bits == 0
             ? 0
             : std::max<std::int64_t>(1, ns_to_cycles(double(bits) / 8.0 / ch.bandwidth_gbps, clock_ghz));
}

// ---- Per-op service times (read the scalars off an op) ----

// The op-level formulas, for any op type with mapping::Op's work fields (mapping::Op,
// mapping::OpDesc). `dram` returns the design's off-chip channel (dram_channel(s)); it is called
// only for a non-empty DRAM access, so a caller in a loop can hand in one it computed once.
// (The per-op functions further below are these on a mapping::Op.)
template <class O>
std::int64_t mvm_cycles_of(const O& op, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  if (op.vectors == 0) return 0;
  return mvm_fill_cycles(c) + op.vectors * mvm_vector_cycles(op.slices, op.reads_per_slice,
                                                             op.cols_per_adc_used, op.merges_per_vector, s,
                                                             c);
}
// An op's service time on an idle unit (from its start until its dependents may start) and its
// occupancy (how long it keeps its unit: the next op on the unit may start after it). They are
// equal except for pipelined transfers: a Send occupies its tile's network interface for the
// injection of its flits only, and a DRAM op occupies the channel for its transfer only (the access
// latency overlaps the next transfer).
struct OpCycles {
  std::int64_t service = 0, occupancy = 0;
};
template <class O, class DramFn>
OpCycles op_cycles_of(const O& op, const arch::ArchSpec& s, const arch::cost::CostTable& c, DramFn&& dram) {
  using mapping::OpType;
  std::int64_t t = 0;
  switch (op.type) {
    case OpType::Mvm:
      t = mvm_cycles_of(op, s, c);
      break;
    case OpType::TileLoad:
      t = tile_load_cycles(op.bits, s);
      break;
    case OpType::Accumulate:
      t = accumulate_cycles(op.count, op.bits, s);
      break;
    case OpType::Digital:
      t = digital_cycles(op.count, digital_units(op.digital_unit, s));
      break;
    case OpType::Send:
      return {noc_cycles(op.bits, op.hops, s), noc_injection_cycles(op.bits, s)};
    case OpType::Recv:
      t = recv_cycles(op.bits, s);
      break;
    case OpType::DramRead:
    case OpType::DramWrite: {
      if (op.bits == 0) return {0, 0};
      const DramChannel ch = dram();
      return {dram_cycles(op.bits, ch, c.clock_ghz), dram_occupancy_cycles(op.bits, ch, c.clock_ghz)};
    }
    case OpType::WeightWrite:
      t = weight_write_cycles(op.rows, s, c);
      break;
  }
  return {t, t};
}

std::int64_t mvm_step_cycles(const mapping::Op& op, const arch::ArchSpec& spec,
                             const arch::cost::CostTable& c);
std::int64_t mvm_cycles(const mapping::Op& op, const arch::ArchSpec& spec, const arch::cost::CostTable& c);
std::int64_t dram_cycles(std::int64_t bits, const arch::ArchSpec& spec, const arch::cost::CostTable& c);

// The service time of any op on an idle unit (dispatches on op.type): from its start until its
// dependents may start.
std::int64_t service_cycles(const mapping::Op& op, const arch::ArchSpec& spec,
                            const arch::cost::CostTable& c);
// How long the op keeps its unit busy (the next op on the same unit may start after this); see
// op_cycles_of.
std::int64_t occupancy_cycles(const mapping::Op& op, const arch::ArchSpec& spec,
                              const arch::cost::CostTable& c);

}  // namespace imc::sim
