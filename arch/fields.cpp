#include "arch/fields.h"

#include <fmt/format.h>

#include <limits>
#include <string>

namespace imc::arch {
namespace {

using common::ChoiceDecl;
using common::Fields;
using common::IntDecl;
using common::kRequired;
using common::RealDecl;
constexpr double kInf = std::numeric_limits<double>::infinity();

void describe_buffer(Fields& f, BufferSpec& b, std::int64_t def_bytes, int def_width,
                     BufferTechnology def_tech) {
  f.integer("capacity_bytes", b.capacity_bytes,
            IntDecl{def_bytes, 0, std::int64_t(1) << 36, "B", "capacity; 0 = no buffer at this level"});
  f.integer("width_bits", b.width_bits, IntDecl{def_width, 8, 8192, "bit", "bits per access (port width)"});
  f.choice("technology", b.technology, def_tech, spellings(BufferTechnology{}),
           "memory technology (cost table in the tech file)");
}

void describe_buffer_tech(Fields& f, BufferTech& b) {
  f.real("energy_fj_per_bit", b.energy_fj_per_bit,
         RealDecl{kRequired, 0, 1e6, "fJ", "dynamic energy per bit read or written at ref_bytes"});
  f.real("ref_bytes", b.ref_bytes, RealDecl{kRequired, 1, 1e12, "B", "capacity the energy is given for"});
  f.real("energy_exponent", b.energy_exponent,
         RealDecl{kRequired, 0, 2, "", "energy per bit ~ (capacity/ref_bytes)^exponent"});
  f.real("area_um2_coeff", b.area_um2_coeff,
         RealDecl{kRequired, 0, 1e9, "um^2", "area = coeff * bits^exponent"});
  f.real("area_exponent", b.area_exponent, RealDecl{kRequired, 0.1, 2, "", "area exponent on bits"});
  f.real("leakage_nw_per_bit", b.leakage_nw_per_bit,
         RealDecl{kRequired, 0, 1e6, "nW", "static power per bit"});
}

void describe_offchip_tech(Fields& f, OffchipTech& o) {
  f.real("energy_pj_per_bit", o.energy_pj_per_bit, RealDecl{kRequired, 0, 1e4, "pJ", "energy per bit moved"});
  f.real("bandwidth_gbps", o.bandwidth_gbps, RealDecl{kRequired, 0.01, 1e5, "GB/s", "per link or channel"});
  f.real("latency_ns", o.latency_ns, RealDecl{kRequired, 0, 1e6, "ns", "access latency"});
  f.real("area_mm2_per_link", o.area_mm2_per_link, RealDecl{kRequired, 0, 1e4, "mm^2", "PHY + controller"});
  f.real("static_power_mw_per_link", o.static_power_mw_per_link,
         RealDecl{kRequired, 0, 1e6, "mW", "power drawn whether or not data moves"});
}

}  // namespace

void describe(Fields& f, ArchSpec& s) {
  // The sections that say what chip this is: a file without them would silently be the default
  // (32 nm, RRAM, 128x128 crossbars), so they must be written, even if empty of keys.
  f.required_section("chip");
  f.section("chip", "the chip as a whole", [&](Fields& g) {
    g.choice("name", s.chip.name, ChoiceDecl{"chip", {}, "free-form design name"});
    g.choice("tech", s.chip.tech, ChoiceDecl{"32nm", {}, "tech file: configs/tech/<tech>.toml or a path"});
    g.real("node_nm", s.chip.node_nm, RealDecl{32, 5, 180, "nm", "technology node; scales the tech file"});
    g.real("voltage_v", s.chip.voltage_v, RealDecl{0, 0, 2, "V", "supply; 0 = the node's nominal"});
    g.real("clock_ghz", s.chip.clock_ghz, RealDecl{1.0, 0.01, 10, "GHz", "digital clock"});
    // Off by default: the power switches' area, wake-up time and energy are not modelled, so a
    // gated estimate is optimistic; with it off, leakage is the whole chip's for the whole run.
    g.boolean("power_gating", s.chip.power_gating, false,
              "tiles and routers that no layer of the running reload group uses do not leak");
  });
  f.section("precision", "default operand precision", [&](Fields& g) {
    g.integer("weight_bits", s.precision.weight_bits, IntDecl{8, 1, 32, "bit", "weight precision"});
    g.integer("input_bits", s.precision.input_bits, IntDecl{8, 1, 32, "bit", "input (activation) precision"});
    g.integer("accumulator_bits", s.precision.accumulator_bits,
              IntDecl{24, 8, 64, "bit", "partial-sum width moved between PEs and tiles"});
  });
  f.required_section("device");
  f.section("device", "the memory cell", [&](Fields& g) {
    DeviceSpec& d = s.device;
    g.choice("type", d.type, DeviceType::Rram, spellings(DeviceType{}), "cell technology");
    g.integer("bits_per_cell", d.bits_per_cell, IntDecl{2, 1, 8, "bit", "levels = 2^bits"});
    g.real("r_on_ohm", d.r_on_ohm, RealDecl{2e5, 1, 1e12, "ohm", "lowest resistance level"});
    g.real("r_off_ohm", d.r_off_ohm, RealDecl{2e6, 1, 1e12, "ohm", "highest resistance level"});
    g.real("read_voltage_v", d.read_voltage_v, RealDecl{0.25, 0.01, 5, "V", "read voltage across a cell"});
    g.real("read_pulse_ns", d.read_pulse_ns, RealDecl{10, 0.01, 1e6, "ns", "one crossbar read"});
    g.real("cell_area_f2", d.cell_area_f2,
           RealDecl{4, 0.5, 1e5, "F^2",
                    "cell area in feature sizes squared (a compute cell with its adder or capacitors can "
                    "exceed 10^4)"});
    g.real("cell_read_energy_fj", d.cell_read_energy_fj,
           RealDecl{0, 0, 1e6, "fJ", "per cell read; 0 = V^2 * mean conductance * pulse"});
    g.real("cell_read_supply_v", d.cell_read_supply_v,
           RealDecl{0, 0, 5, "V",
                    "supply cell_read_energy_fj holds at; the energy scales x (chip supply / this)^2; 0 = "
                    "it holds at every supply"});
    g.real("write_energy_pj", d.write_energy_pj, RealDecl{10, 0, 1e6, "pJ", "programming one cell"});
    g.real("write_latency_ns", d.write_latency_ns, RealDecl{100, 0, 1e9, "ns", "programming one row"});
    g.real("variation_sigma", d.variation_sigma,
           RealDecl{0, 0, 2, "", "device-to-device relative std of conductance (lognormal)"});
    g.real("read_noise_sigma", d.read_noise_sigma,
           RealDecl{0, 0, 2, "", "cycle-to-cycle relative read noise"});
    g.real("stuck_on_rate", d.stuck_on_rate, RealDecl{0, 0, 1, "", "fraction of cells stuck at G_on"});
    g.real("stuck_off_rate", d.stuck_off_rate, RealDecl{0, 0, 1, "", "fraction of cells stuck at G_off"});
    g.boolean("stuck_aware_programming", d.stuck_aware_programming, false,
              "stuck cells are known (tested) and each weight's healthy cells are programmed to cancel them");
    g.real("drift_nu", d.drift_nu, RealDecl{0, 0, 1, "", "drift exponent: G(t) = G0 (t/t0)^-nu"});
    g.real("drift_t0_s", d.drift_t0_s, RealDecl{1, 1e-9, 1e9, "s", "drift reference time"});
    g.real("drift_time_s", d.drift_time_s, RealDecl{0, 0, 1e10, "s", "time since programming; 0 = none"});
    // A cell cannot be stuck both ways: the two fractions share one population of cells.
    g.rule("stuck_off_rate", [&d]() -> std::string {
      if (d.stuck_on_rate + d.stuck_off_rate <= 1) return "";
      return fmt::format(
          "stuck_on_rate + stuck_off_rate = {:g} + {:g} exceeds 1 (fractions of the same cells)",
          d.stuck_on_rate, d.stuck_off_rate);
    });
  });
  f.required_section("crossbar");
  f.section("crossbar", "one array of cells", [&](Fields& g) {
    g.integer("rows", s.crossbar.rows, IntDecl{128, 2, 65536, "", "word lines (inputs)"});
    g.integer("cols", s.crossbar.cols, IntDecl{128, 2, 65536, "", "bit lines (outputs)"});
    g.integer("rows_parallel", s.crossbar.rows_parallel,
              IntDecl{0, 0, 65536, "", "rows driven in one read; 0 = all"});
    g.choice("signed_scheme", s.crossbar.signed_scheme, SignedScheme::Differential, spellings(SignedScheme{}),
             "signed weights: two columns (G+ - G-) or one column with an offset subtracted digitally");
    g.boolean("combine_bit_columns", s.crossbar.combine_bit_columns, false,
              "a weight's bit columns are summed in the charge domain (C-2C, weighted caps): one conversion "
              "per weight");
  });
  f.section("dac", "row drivers", [&](Fields& g) {
    g.integer("bits", s.dac.bits, IntDecl{1, 1, 16, "bit", "input bits per read; 1 = bit-serial"});
    g.choice("style", s.dac.style, DacStyle::Pulse, spellings(DacStyle{}),
             "multi-bit drive: pulse = 2^(bits-1) one-bit pulses (word-line pulses, pulse width); "
             "voltage = one level from an R-2R ladder (energy ~ bits)");
  });
  f.section("adc", "column readout", [&](Fields& g) {
    AdcSpec& a = s.adc;
    g.choice("type", a.type, AdcType::Sar, spellings(AdcType{}), "ADC architecture");
    g.choice("model", a.model,
             ChoiceDecl{"survey", {"survey", "walden"}, "cost model (registry in arch/adc_models.cpp)"});
    g.integer("bits", a.bits, IntDecl{8, 1, 16, "bit", "resolution"});
    g.integer("cols_per_adc", a.cols_per_adc, IntDecl{128, 1, 65536, "", "columns sharing one ADC"});
    g.real("rate_gsps", a.rate_gsps, RealDecl{1.28, 1e-4, 100, "GS/s", "conversions per ns of one ADC"});
  });
  f.section("pe", "processing element: the level that holds the crossbars (ISAAC's IMA)", [&](Fields& g) {
    g.integer("crossbars", s.pe.crossbars, IntDecl{8, 1, 4096, "", "crossbars per PE"});
    g.integer("shift_add_units", s.pe.shift_add_units, IntDecl{4, 1, 1024, "", "shift-and-add units per PE"});
    g.boolean("sample_hold", s.pe.sample_hold, true, "sample-and-hold lets ADCs overlap the next read");
    g.section("input_buffer", "PE input register", [&](Fields& h) {
      describe_buffer(h, s.pe.input_buffer, 2048, 128, BufferTechnology::Regfile);
    });
    g.section("output_buffer", "PE output register", [&](Fields& h) {
      describe_buffer(h, s.pe.output_buffer, 256, 128, BufferTechnology::Regfile);
    });
  });
  f.section("tile", "a tile: PEs, buffer, digital units, a share of a router", [&](Fields& g) {
    TileSpec& t = s.tile;
    g.integer("pes", t.pes, IntDecl{12, 1, 4096, "", "PEs per tile"});
    g.integer("shift_add_units", t.shift_add_units, IntDecl{1, 0, 1024, "", "cross-PE accumulation units"});
    g.integer("activation_units", t.activation_units, IntDecl{2, 0, 1024, "", "activation function units"});
    g.integer("pool_units", t.pool_units, IntDecl{1, 0, 1024, "", "pooling units"});
    g.integer("vector_lanes", t.vector_lanes,
              IntDecl{16, 0, 4096, "", "vector unit lanes (softmax, norms, element-wise, dynamic matmul)"});
    g.integer("bus_width_bits", t.bus_width_bits, IntDecl{384, 8, 65536, "bit", "tile buffer <-> PE bus"});
    g.section("buffer", "tile buffer (activations)",
              [&](Fields& h) { describe_buffer(h, t.buffer, 65536, 256, BufferTechnology::Edram); });
    g.section("output_buffer", "tile output register",
              [&](Fields& h) { describe_buffer(h, t.output_buffer, 3072, 128, BufferTechnology::Regfile); });
  });
  f.section("noc", "on-chip mesh network", [&](Fields& g) {
    NocSpec& n = s.noc;
    g.integer("mesh_x", n.mesh_x, IntDecl{7, 1, 1024, "", "routers along x"});
    g.integer("mesh_y", n.mesh_y, IntDecl{6, 1, 1024, "", "routers along y"});
    g.integer("tiles_per_router", n.tiles_per_router, IntDecl{4, 1, 256, "", "tiles sharing a router"});
    g.integer("flit_bits", n.flit_bits, IntDecl{32, 8, 4096, "bit", "flit width"});
    g.integer("ports", n.ports, IntDecl{8, 2, 128, "", "router ports"});
    g.integer("router_latency_cycles", n.router_latency_cycles, IntDecl{2, 1, 100, "cycle", "per hop"});
    g.integer("link_latency_cycles", n.link_latency_cycles, IntDecl{1, 0, 100, "cycle", "per link"});
    g.integer("link_flits_per_cycle", n.link_flits_per_cycle,
              IntDecl{1, 1, 64, "flit/cycle", "link bandwidth"});
    g.integer("router_buffer_flits", n.router_buffer_flits, IntDecl{8, 1, 1024, "flit", "per input port"});
    g.integer("packet_payload_flits", n.packet_payload_flits,
              IntDecl{16, 1, 4096, "flit", "payload flits per packet (each packet adds a head flit)"});
    g.choice("routing", n.routing, Routing::Xy, spellings(Routing{}), "dimension-order routing");
    g.choice("flow_control", n.flow_control, FlowControl::Wormhole, spellings(FlowControl{}), "flow control");
  });
  f.section("global", "chip-level global buffer",
            [&](Fields& g) { describe_buffer(g, s.global.buffer, 0, 512, BufferTechnology::Sram); });
  f.section("offchip", "off-chip link or DRAM", [&](Fields& g) {
    OffchipSpec& o = s.offchip;
    g.choice(
        "kind", o.kind, OffchipKind::None, spellings(OffchipKind{}),
        "kind (constants in the tech file); none = no off-chip memory: inputs and outputs cross the tech "
        "file's [host_interface], weights cannot be reloaded");
    g.integer("links", o.links, IntDecl{1, 0, 64, "", "links or channels (not with kind none)"});
    g.real("bandwidth_gbps", o.bandwidth_gbps,
           RealDecl{0, 0, 1e5, "GB/s", "per link; 0 = the kind's default (not with kind none)"});
    g.real("latency_ns", o.latency_ns,
           RealDecl{0, 0, 1e6, "ns", "access latency; 0 = the kind's default (not with kind none)"});
  });
}

void describe(Fields& f, TechSpec& t) {
  f.section("node", "the node and its supply", [&](Fields& g) {
    g.real("node_nm", t.node_nm, RealDecl{kRequired, 5, 180, "nm", "feature size this file describes"});
    g.real("vdd_nominal_v", t.vdd_nominal_v, RealDecl{kRequired, 0.3, 3, "V", "nominal supply"});
    g.real("vth_v", t.vth_v, RealDecl{kRequired, 0.05, 1, "V", "threshold voltage (alpha-power law)"});
    g.real("alpha", t.alpha, RealDecl{kRequired, 1, 2, "", "alpha-power-law exponent"});
    g.real("fmax_nominal_ghz", t.fmax_nominal_ghz,
           RealDecl{kRequired, 0.01, 20, "GHz", "max clock at nominal"});
  });
  f.section("adc", "ADC survey-fitted model", [&](Fields& g) {
    g.real("energy_floor_pj", t.adc_energy_floor_pj,
           RealDecl{kRequired, 0, 1e3, "pJ", "bits-independent part"});
    g.real("walden_fom_fj", t.adc_walden_fom_fj, RealDecl{kRequired, 0, 1e4, "fJ/step", "Walden FOM"});
    g.real("rate_corner_gsps", t.adc_rate_corner_gsps,
           RealDecl{kRequired, 1e-3, 1e3, "GS/s", "energy and area x (1 + rate/corner)"});
    g.real("area_floor_um2", t.adc_area_floor_um2,
           RealDecl{kRequired, 0, 1e7, "um^2", "bits-independent area"});
    g.real("area_per_step_um2", t.adc_area_per_step_um2,
           RealDecl{kRequired, 0, 1e5, "um^2", "area per 2^bits"});
    g.real("flash_energy_factor", t.adc_flash_energy_factor, RealDecl{kRequired, 0, 1e3, "", "flash vs SAR"});
    g.real("flash_area_factor", t.adc_flash_area_factor, RealDecl{kRequired, 0, 1e3, "", "flash vs SAR"});
    g.real("ramp_energy_factor", t.adc_ramp_energy_factor, RealDecl{kRequired, 0, 1e3, "", "ramp vs SAR"});
    g.real("ramp_area_factor", t.adc_ramp_area_factor, RealDecl{kRequired, 0, 1e3, "", "ramp vs SAR"});
    g.real("sense_amp_energy_pj", t.adc_sense_amp_energy_pj,
           RealDecl{kRequired, 0, 1e3, "pJ", "1-bit sense amp"});
    g.real("sense_amp_area_um2", t.adc_sense_amp_area_um2,
           RealDecl{kRequired, 0, 1e5, "um^2", "1-bit sense amp"});
    g.real("energy_node_exponent", t.adc_energy_node_exponent,
           RealDecl{1, 0, 3, "", "ADC energy x (node/file node)^exponent when a spec's node differs"});
    g.real("area_node_exponent", t.adc_area_node_exponent,
           RealDecl{2, 0, 3, "", "ADC area x (node/file node)^exponent when a spec's node differs"});
  });
  f.section("analog", "DAC, sample-and-hold, crossbar periphery", [&](Fields& g) {
    g.real("dac_energy_fj_1bit", t.dac_energy_fj_1bit,
           RealDecl{kRequired, 0, 1e5, "fJ", "one 1-bit row drive"});
    g.real("row_wire_energy_fj_per_col", t.row_wire_energy_fj_per_col,
           RealDecl{0, 0, 1e3, "fJ", "word line charged per column crossed, per 1-bit row drive"});
    g.real("dac_area_um2_1bit", t.dac_area_um2_1bit, RealDecl{kRequired, 0, 1e5, "um^2", "one 1-bit DAC"});
    g.real("voltage_dac_energy_fj_per_bit", t.voltage_dac_energy_fj_per_bit,
           RealDecl{kRequired, 0, 1e5, "fJ",
                    "voltage (R-2R) DAC: per ladder bit per drive, beyond the 1-bit drive"});
    g.real(
        "voltage_dac_area_um2_per_bit", t.voltage_dac_area_um2_per_bit,
        RealDecl{kRequired, 0, 1e6, "um^2", "voltage (R-2R) DAC: per ladder bit, beyond the 1-bit driver"});
    g.real("sample_hold_energy_fj", t.sample_hold_energy_fj, RealDecl{kRequired, 0, 1e5, "fJ", "one sample"});
    g.real("sample_hold_area_um2", t.sample_hold_area_um2, RealDecl{kRequired, 0, 1e5, "um^2", "one S&H"});
    g.real("crossbar_periphery_area_um2", t.crossbar_periphery_area_um2,
           RealDecl{kRequired, 0, 1e7, "um^2", "per crossbar beyond its cells"});
  });
  f.section("digital", "digital units, per operation and per unit", [&](Fields& g) {
    g.real("shift_add_energy_fj", t.shift_add_energy_fj, RealDecl{kRequired, 0, 1e6, "fJ", "one shift-add"});
    g.real("shift_add_area_um2", t.shift_add_area_um2, RealDecl{kRequired, 0, 1e7, "um^2", "one unit"});
    g.real("activation_energy_fj", t.activation_energy_fj,
           RealDecl{kRequired, 0, 1e6, "fJ", "one activation"});
    g.real("activation_area_um2", t.activation_area_um2, RealDecl{kRequired, 0, 1e7, "um^2", "one unit"});
    g.real("pool_energy_fj", t.pool_energy_fj, RealDecl{kRequired, 0, 1e6, "fJ", "one pooling compare/add"});
    g.real("pool_area_um2", t.pool_area_um2, RealDecl{kRequired, 0, 1e7, "um^2", "one unit"});
    g.real("vector_lane_energy_fj", t.vector_lane_energy_fj,
           RealDecl{kRequired, 0, 1e6, "fJ", "one lane op"});
    g.real("vector_lane_area_um2", t.vector_lane_area_um2, RealDecl{kRequired, 0, 1e7, "um^2", "one lane"});
  });
  f.section("interconnect", "tile bus and router", [&](Fields& g) {
    g.real("bus_energy_fj_per_bit", t.bus_energy_fj_per_bit,
           RealDecl{kRequired, 0, 1e5, "fJ", "per bit moved"});
    g.real("bus_area_um2_per_wire", t.bus_area_um2_per_wire, RealDecl{kRequired, 0, 1e6, "um^2", "per wire"});
    g.real("router_energy_fj_per_bit", t.router_energy_fj_per_bit,
           RealDecl{kRequired, 0, 1e5, "fJ", "per bit per router traversal"});
    g.real("router_xbar_area_um2", t.router_xbar_area_um2,
           RealDecl{kRequired, 0, 1e3, "um^2", "switch area = this x (ports * flit_bits)^2"});
    g.real("router_buffer_area_um2_per_bit", t.router_buffer_area_um2_per_bit,
           RealDecl{kRequired, 0, 1e4, "um^2", "input buffer area per bit"});
    g.real("router_leakage_mw", t.router_leakage_mw,
           RealDecl{kRequired, 0, 1e4, "mW", "static power per router"});
  });
  f.section("regfile", "register file", [&](Fields& g) { describe_buffer_tech(g, t.regfile); });
  f.section("sram", "SRAM", [&](Fields& g) { describe_buffer_tech(g, t.sram); });
  f.section("edram", "eDRAM", [&](Fields& g) { describe_buffer_tech(g, t.edram); });
  f.section("hypertransport", "HyperTransport link",
            [&](Fields& g) { describe_offchip_tech(g, t.hypertransport); });
  f.section("lpddr4", "LPDDR4 channel (x32)", [&](Fields& g) { describe_offchip_tech(g, t.lpddr4); });
  f.section("ddr4", "DDR4 channel (x64)", [&](Fields& g) { describe_offchip_tech(g, t.ddr4); });
  f.section("hbm2", "HBM2 pseudo-channel stack", [&](Fields& g) { describe_offchip_tech(g, t.hbm2); });
  f.section("host_interface", "link to the host of a chip without off-chip memory (offchip.kind = none)",
            [&](Fields& g) { describe_offchip_tech(g, t.host_interface); });
  (void)kInf;
}

}  // namespace imc::arch
