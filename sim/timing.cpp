#include "sim/timing.h"

#include <algorithm>
#include <cmath>

namespace imc::sim {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return b <= 0 ? a : (a + b - 1) / b; }
std::int64_t ns_to_cycles(double ns, double ghz) { return std::int64_t(std::ceil(ns * ghz - 1e-9)); }

std::int64_t units_for(mapping::DigitalUnit u, const arch::ArchSpec& s) {
  switch (u) {
    case mapping::DigitalUnit::Activation: return s.tile.activation_units;
    case mapping::DigitalUnit::Pool: return s.tile.pool_units;
    case mapping::DigitalUnit::ShiftAdd: return s.tile.shift_add_units;
    case mapping::DigitalUnit::Vector: return s.tile.vector_lanes;
  }
  return 1;
}

}  // namespace

std::int64_t mvm_step_cycles(const mapping::Op& op, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  const std::int64_t read = c.xbar_read_cycles;
  const std::int64_t adc = c.adc_cycles(op.cols_per_adc_used);
  (void)s;
  return c.sample_hold ? std::max(read, adc) : read + adc;
}

std::int64_t mvm_cycles(const mapping::Op& op, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  if (op.vectors == 0) return 0;
  // Each ADC shift-adds its conversions into its column's partial sum as they come out (no extra
  // time); the PE's shift-add units then add the partial sums of its crossbars' row blocks, one
  // per unit per cycle, overlapping the next vector's reads. With sample-and-hold the first read is
  // exposed and the rest overlap the conversions.
  const std::int64_t per_vector = std::int64_t(op.slices) * op.reads_per_slice * mvm_step_cycles(op, s, c);
  const std::int64_t merge = ceil_div(op.merges_per_vector, s.pe.shift_add_units);
  return (c.sample_hold ? c.xbar_read_cycles : 0) + op.vectors * std::max(per_vector, merge);
}

std::int64_t noc_packets(std::int64_t bits, const arch::ArchSpec& s) {
  return ceil_div(ceil_div(bits, s.noc.flit_bits), s.noc.packet_payload_flits);
}

std::int64_t noc_flits(std::int64_t bits, const arch::ArchSpec& s) {
  return ceil_div(bits, s.noc.flit_bits) + noc_packets(bits, s);
}

std::int64_t noc_cycles(std::int64_t bits, int hops, const arch::ArchSpec& s) {
  if (bits == 0) return 0;
  const std::int64_t head = std::int64_t(hops) * s.noc.router_latency_cycles +
                            std::int64_t(std::max(0, hops - 1)) * s.noc.link_latency_cycles;
  return head + ceil_div(noc_flits(bits, s), s.noc.link_flits_per_cycle);
}

std::int64_t dram_cycles(std::int64_t bits, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  if (bits == 0) return 0;
  const arch::OffchipTech& t = s.tech.offchip(s.offchip.kind);
  const double bw_gbps = (s.offchip.bandwidth_gbps > 0 ? s.offchip.bandwidth_gbps : t.bandwidth_gbps) *
                         std::max(1, s.offchip.links);
  const double lat_ns = s.offchip.latency_ns > 0 ? s.offchip.latency_ns : t.latency_ns;
  return ns_to_cycles(lat_ns + double(bits) / 8.0 / bw_gbps, c.clock_ghz);
}

std::int64_t service_cycles(const mapping::Op& op, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  using mapping::OpType;
  switch (op.type) {
    case OpType::Mvm: return mvm_cycles(op, s, c);
    case OpType::TileLoad:
      return ceil_div(op.bits, std::min<std::int64_t>(s.tile.bus_width_bits, s.tile.buffer.width_bits));
    case OpType::Accumulate:  // additions on the accumulators, partial sums over the bus: the slower bounds it
      return std::max(ceil_div(op.count, std::max(1, s.tile.shift_add_units)), ceil_div(op.bits, s.tile.bus_width_bits));
    case OpType::Digital: return ceil_div(op.count, std::max<std::int64_t>(1, units_for(op.digital_unit, s)));
    case OpType::Send: return noc_cycles(op.bits, op.hops, s);
    case OpType::Recv: return ceil_div(op.bits, s.tile.buffer.width_bits);
    case OpType::DramRead:
    case OpType::DramWrite: return dram_cycles(op.bits, s, c);
    case OpType::WeightWrite: return ns_to_cycles(op.rows * s.device.write_latency_ns, c.clock_ghz);
  }
  return 0;
}

std::int64_t occupancy_cycles(const mapping::Op& op, const arch::ArchSpec& s, const arch::cost::CostTable& c) {
  using mapping::OpType;
  if (op.type == OpType::Send) return op.bits == 0 ? 0 : ceil_div(noc_flits(op.bits, s), s.noc.link_flits_per_cycle);
  if (op.type == OpType::DramRead || op.type == OpType::DramWrite) {
    if (op.bits == 0) return 0;
    const arch::OffchipTech& t = s.tech.offchip(s.offchip.kind);
    const double bw_gbps = (s.offchip.bandwidth_gbps > 0 ? s.offchip.bandwidth_gbps : t.bandwidth_gbps) *
                           std::max(1, s.offchip.links);
    return std::max<std::int64_t>(1, ns_to_cycles(double(op.bits) / 8.0 / bw_gbps, c.clock_ghz));
  }
  return service_cycles(op, s, c);
}

}  // namespace imc::sim
