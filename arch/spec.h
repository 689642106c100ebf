// What the hardware is: immutable spec structs for chip -> tiles (on a mesh) -> PEs -> crossbars.
//
// Every parameter is declared once, with doc, unit, default and allowed range, in fields.cpp
// (`describe(Fields&, ...)`); the TOML loader, the defaults, the docs (`imcsim arch --keys`) and the
// JSON dump all come from those declarations. Technology constants (what each action costs) are not
// here: they live in configs/tech/*.toml and are loaded into TechSpec (tech.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "arch/tech.h"

namespace imc::arch {

struct DeviceSpec {
  DeviceType type{};
  int bits_per_cell{};
  double r_on_ohm{};  // lowest resistance (highest conductance) level
  double r_off_ohm{};
  double read_voltage_v{};
  double read_pulse_ns{};        // one crossbar read (analog settle + sample)
  double cell_area_f2{};         // in units of F^2 (feature size squared)
  double cell_read_energy_fj{};  // 0: derived from conductance (V^2 * G_avg * t); SRAM cells set it
  double cell_read_supply_v{};   // supply cell_read_energy_fj was measured at: x (V/this)^2; 0 = fixed
  double write_energy_pj{};      // programming one cell (all pulses of its verify loop)
  double write_latency_ns{};     // programming one row of cells (row-parallel write)
  // Non-idealities used by sim/functional.
  double variation_sigma{};   // device-to-device: relative std of each conductance (lognormal)
  double read_noise_sigma{};  // cycle-to-cycle: relative std per read
  double stuck_on_rate{};     // fraction of cells stuck at the highest conductance
  double stuck_off_rate{};    // fraction stuck at the lowest conductance
  // The fault map is known (a post-fabrication test) and each weight's healthy cells are programmed to
  // cancel its stuck cells (the differential partner, the lower slices): sim/functional/crossbar_layer.cpp.
  bool stuck_aware_programming{};
  double drift_nu{};  // power-law drift exponent: G(t) = G0 * (t/t0)^-nu (PCM, RRAM)
  double drift_t0_s{};
  double drift_time_s{};  // time since programming at which inference runs (0 = no drift)
};

struct CrossbarSpec {
  int rows{};
  int cols{};
  int rows_parallel{};  // rows read in one analog read; 0 = all rows
  SignedScheme signed_scheme{};
  // The bit columns of one weight are summed with binary weights in the charge domain (C-2C ladder,
  // binary-weighted capacitors) before the ADC: one conversion per weight (per polarity), not per
  // physical column.
  bool combine_bit_columns{};
  int active_rows() const { return rows_parallel > 0 && rows_parallel < rows ? rows_parallel : rows; }
};

// Conversions one read of `physical_cols` columns needs: every column, or with combine_bit_columns one
// per group of `cols_per_weight` columns (a weight's bit slices x its polarities) per polarity.
inline std::int64_t conversions_per_read(const CrossbarSpec& x, std::int64_t physical_cols,
                                         int cols_per_weight) {
  if (!x.combine_bit_columns) return physical_cols;
  const int polarities = x.signed_scheme == SignedScheme::Differential ? 2 : 1;
  const int bit_cols = std::max(1, cols_per_weight / polarities);
  return (physical_cols + bit_cols - 1) / bit_cols;
}

struct DacSpec {
  int bits{};  // 1 = bit-serial inputs
  DacStyle style{};
};

struct AdcSpec {
  AdcType type{};
  std::string model{};  // cost model, chosen by name (arch/adc_models.cpp)
  int bits{};
  int cols_per_adc{};  // columns that share one ADC (converted one after another)
  double rate_gsps{};  // conversions per ns of one ADC
};

struct BufferSpec {
  std::int64_t capacity_bytes{};  // 0 = none at this level
  int width_bits{};               // bits per access
  BufferTechnology technology{};
};

struct PeSpec {
  int crossbars{};
  int shift_add_units{};
  bool sample_hold{};  // lets the ADCs convert one read while the array performs the next
  BufferSpec input_buffer;
  BufferSpec output_buffer;
};

struct TileSpec {
  int pes{};
  int shift_add_units{};  // cross-PE partial-sum accumulation
  int activation_units{};
  int pool_units{};
  int vector_lanes{};    // vector unit for softmax, norms, element-wise ops, dynamic matmuls
  int bus_width_bits{};  // buffer <-> PE bus
  BufferSpec buffer;
  BufferSpec output_buffer;
};

struct NocSpec {
  int mesh_x{};
  int mesh_y{};
  int tiles_per_router{};  // concentration: tiles sharing one router
  int flit_bits{};
  int ports{};
  int router_latency_cycles{};
  int link_latency_cycles{};
  int link_flits_per_cycle{};
  int router_buffer_flits{};   // per input port
  int packet_payload_flits{};  // payload flits per packet; each packet adds one head flit
  Routing routing{};
  FlowControl flow_control{};
  int routers() const { return mesh_x * mesh_y; }
};

struct GlobalBufferSpec {
  BufferSpec buffer;
};

struct OffchipSpec {
  OffchipKind kind{};       // None: no off-chip memory (the tech file's host interface)
  int links{};              // links or channels
  double bandwidth_gbps{};  // GB/s per link; 0 = the kind's default from the tech file
  double latency_ns{};      // 0 = the kind's default
};

struct PrecisionSpec {
  int weight_bits{};  // default precision of weights and inputs (a network can override in mapping)
  int input_bits{};
  int accumulator_bits{};  // partial-sum width sent between tiles
};

struct ChipSpec {
  std::string name{};
  std::string tech{};   // configs/tech/<tech>.toml, or a path to a tech file
  double node_nm{};     // technology node: scales the tech file if it differs from its node
  double voltage_v{};   // supply; 0 = the node's nominal
  double clock_ghz{};   // digital clock; all latencies are reported in its cycles
  bool power_gating{};  // idle tiles and routers do not leak (sim/power_gating.h)
};

struct ArchSpec {
  ChipSpec chip;
  PrecisionSpec precision;
  DeviceSpec device;
  CrossbarSpec crossbar;
  DacSpec dac;
  AdcSpec adc;
  PeSpec pe;
  TileSpec tile;
  NocSpec noc;
  GlobalBufferSpec global;
  OffchipSpec offchip;
  TechSpec tech;       // loaded from chip.tech, scaled to chip.node_nm
  std::string source;  // file the spec was loaded from ("" for built-in)

  int tiles() const { return noc.routers() * noc.tiles_per_router; }
  std::int64_t crossbars() const { return std::int64_t(tiles()) * tile.pes * pe.crossbars; }
  double supply_v() const { return chip.voltage_v > 0 ? chip.voltage_v : tech.vdd_nominal_v; }
  double cycle_ns() const { return 1.0 / chip.clock_ghz; }
};

}  // namespace imc::arch
