// Technology constants: what one action of each component costs at a node and nominal supply.
// Values come from configs/tech/<node>.toml (each number with its source there); no constants in code.
//
// Scaling rule (docs/cost_model.md): a spec at node N using a tech file made for node N0 gets
//   dynamic energy  x (N / N0)            (switched capacitance scales with feature size)
//   area            x (N / N0)^2
//   leakage power   x (N / N0)
// and, at supply V instead of the nominal V0, dynamic energy x (V/V0)^2, leakage x (V/V0), and the
// highest clock x alpha-power law  f ~ (V - Vth)^alpha / V.
#pragma once

#include <string>

#include "arch/choices.h"

namespace imc::arch {

struct BufferTech {
  double energy_fj_per_bit{};  // per bit read or written, at reference capacity
  double ref_bytes{};          // capacity the energy above is for
  double energy_exponent{};    // energy per bit ~ (capacity / ref)^exponent
  double area_um2_coeff{};     // area = coeff * bits^area_exponent  [um^2]
  double area_exponent{};
  double leakage_nw_per_bit{};
};

// An off-chip memory channel or link, or the host interface (same figures, one instance).
struct OffchipTech {
  double energy_pj_per_bit{};
  double bandwidth_gbps{};  // per link, GB/s
  double latency_ns{};
  double area_mm2_per_link{};  // PHY and controller on the chip
  double static_power_mw_per_link{};
};

struct TechSpec {
  std::string file;  // where these constants came from
  double node_nm{};  // the node the file describes
  double vdd_nominal_v{};
  double vth_v{};
  double alpha{};             // alpha-power-law exponent (Sakurai-Newton)
  double fmax_nominal_ghz{};  // highest digital clock at nominal supply

  // ADC, survey-fitted model (arch/adc_models.cpp): E = (e_floor + fom * 2^bits) * (1 + fs / fs_corner)
  double adc_energy_floor_pj{};
  double adc_walden_fom_fj{};     // fJ per conversion step
  double adc_rate_corner_gsps{};  // above it, energy per conversion rises with rate
  double adc_area_floor_um2{};
  double adc_area_per_step_um2{};
  double adc_flash_energy_factor{}, adc_flash_area_factor{};  // per type, relative to SAR at same bits
  double adc_ramp_energy_factor{}, adc_ramp_area_factor{};
  double adc_sense_amp_energy_pj{}, adc_sense_amp_area_um2{};
  // Node scaling of the ADC figures, which do not follow logic scaling (docs/cost_model.md): energy
  // per conversion x (N/N0)^energy_node_exponent, area x (N/N0)^area_node_exponent.
  double adc_energy_node_exponent{1}, adc_area_node_exponent{2};

  // One row drive by a 1-bit DAC: the driver plus the word line charged along every column it
  // crosses; multi-bit (pulse-count) drives ~ 2^(bits-1) times that.
  double dac_energy_fj_1bit{};
  double row_wire_energy_fj_per_col{};
  double dac_area_um2_1bit{};
  // A voltage-mode (R-2R) DAC: one drive per row per slice of `bits` bits costs the 1-bit drive above
  // plus this per bit of the ladder (dac.style = "voltage").
  double voltage_dac_energy_fj_per_bit{};
  double voltage_dac_area_um2_per_bit{};
  double sample_hold_energy_fj{};
  double sample_hold_area_um2{};
  double shift_add_energy_fj{};  // one 16-bit shift-and-add
  double shift_add_area_um2{};
  double activation_energy_fj{};  // one activation (e.g. sigmoid via LUT)
  double activation_area_um2{};
  double pool_energy_fj{};
  double pool_area_um2{};
  double vector_lane_energy_fj{};  // one lane op (add, mul, compare, exp via LUT)
  double vector_lane_area_um2{};
  double bus_energy_fj_per_bit{};
  double bus_area_um2_per_wire{};
  double router_energy_fj_per_bit{};  // per bit per router traversal
  double router_xbar_area_um2{};      // x (ports * flit_bits)^2
  double router_buffer_area_um2_per_bit{};
  double router_leakage_mw{};
  double crossbar_periphery_area_um2{};  // per crossbar, beyond cells (decoders, drivers)

  BufferTech regfile, sram, edram;
  OffchipTech hypertransport, lpddr4, ddr4, hbm2;
  // What a chip with no off-chip memory (offchip.kind = "none") exchanges its network inputs and
  // outputs with the host through (a PCIe/AXI-class link). There is nothing to reload weights from.
  OffchipTech host_interface;

  const BufferTech& buffer(BufferTechnology technology) const;
  // The figures of an off-chip kind; OffchipKind::None (no off-chip memory) is a
  // common::InputError naming key offchip.kind.
  const OffchipTech& offchip(OffchipKind kind) const;
  // What a chip's data crosses its boundary through: the off-chip kind, or the host interface for
  // OffchipKind::None.
  const OffchipTech& boundary_link(OffchipKind kind) const;
};

}  // namespace imc::arch
