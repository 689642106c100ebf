#include "arch/cost.h"

#include <cmath>

#include "arch/adc_models.h"

namespace imc::arch::cost {
namespace {

constexpr double kUm2PerMm2 = 1e6;

double pow2(double x) {
  return x * x;
}

double leakage_factor(const ArchSpec& s) {
  return s.supply_v() / s.tech.vdd_nominal_v;
}

}  // namespace

double voltage_energy_factor(const ArchSpec& s) {
  return pow2(s.supply_v() / s.tech.vdd_nominal_v);
}

double adc_energy_pj(const ArchSpec& s) {
  return adc_model(s.adc.model).energy_pj(s) * voltage_energy_factor(s);
}

double adc_area_um2(const ArchSpec& s) {
  return adc_model(s.adc.model).area_um2(s);
}

double buffer_energy_fj_per_bit(const ArchSpec& s, const BufferSpec& b) {
  const BufferTech& t = s.tech.buffer(b.technology);
  const double ratio = std::max(1.0, double(b.capacity_bytes)) / t.ref_bytes;
  return t.energy_fj_per_bit * std::pow(ratio, t.energy_exponent) * voltage_energy_factor(s);
}

double buffer_area_um2(const ArchSpec& s, const BufferSpec& b) {
  if (b.capacity_bytes == 0) return 0;
  const BufferTech& t = s.tech.buffer(b.technology);
  return t.area_um2_coeff * std::pow(8.0 * double(b.capacity_bytes), t.area_exponent);
}

double cell_read_energy_fj(const ArchSpec& s) {
  const DeviceSpec& d = s.device;
  // A measured per-cell figure (SRAM, capacitor cells) holds at the supply it was measured at; its
  // switched charge moves with the supply like every other C V^2 term.
  if (d.cell_read_energy_fj > 0)
    return d.cell_read_energy_fj *
           (d.cell_read_supply_v > 0 ? pow2(s.supply_v() / d.cell_read_supply_v) : 1.0);
  // Mean conductance of uniformly used levels between G_off and G_on, conducting for one pulse.
  const double g_mean_s = 0.5 * (1.0 / d.r_on_ohm + 1.0 / d.r_off_ohm);
  return pow2(d.read_voltage_v) * g_mean_s * d.read_pulse_ns * 1e-9 * 1e15;
}

double row_drive_energy_pj(const ArchSpec& s) {
  const TechSpec& t = s.tech;
  const double one_bit_fj = t.dac_energy_fj_1bit + t.row_wire_energy_fj_per_col * s.crossbar.cols;
  // A pulse train repeats the 1-bit drive 2^(bits-1) times on average; a voltage DAC charges the
  // word line once and adds its ladder.
  if (s.dac.style == DacStyle::Voltage)
    return (one_bit_fj + t.voltage_dac_energy_fj_per_bit * s.dac.bits) * 1e-3 * voltage_energy_factor(s);
  return one_bit_fj * std::ldexp(1.0, s.dac.bits - 1) * 1e-3 * voltage_energy_factor(s);
}

double dac_area_um2(const ArchSpec& s) {
  const TechSpec& t = s.tech;
  if (s.dac.style == DacStyle::Voltage)
    return t.dac_area_um2_1bit + t.voltage_dac_area_um2_per_bit * s.dac.bits;
  return t.dac_area_um2_1bit * std::ldexp(1.0, s.dac.bits - 1);
}

int CostTable::adc_cycles(int columns_per_adc) const {
  return std::max(1, int(std::ceil(columns_per_adc * adc_conversion_ns * clock_ghz - 1e-9)));
}

namespace {

struct Builder {
  const ArchSpec& s;
  CostTable& c;

  void add(const std::string& level, const std::string& name, double count, double area_um2, double power_mw,
           double leak_mw) {
    c.inventory.push_back(
        {level, name, count, count * area_um2 / kUm2PerMm2, count * power_mw * 1e-3, count * leak_mw * 1e-3});
  }

  // A buffer accessed `width_bits` per clock at peak.
  void add_buffer(const std::string& level, const std::string& name, double count, const BufferSpec& b) {
    if (b.capacity_bytes == 0) return;
    const double leak_mw = s.tech.buffer(b.technology).leakage_nw_per_bit * 8.0 * double(b.capacity_bytes) *
                           1e-6 * leakage_factor(s);
    const double dyn_mw = buffer_energy_fj_per_bit(s, b) * b.width_bits * s.chip.clock_ghz * 1e-3;
    add(level, name, count, buffer_area_um2(s, b), dyn_mw + leak_mw, leak_mw);
  }

  LevelTotals sum(const std::string& level) const {
    LevelTotals t;
    for (const auto& r : c.inventory)
      if (r.level == level) {
        t.area_mm2 += r.area_mm2;
        t.peak_power_w += r.peak_power_w;
        t.leakage_w += r.leakage_w;
      }
    return t;
  }

  void run() {
    const TechSpec& t = s.tech;
    const double vf = voltage_energy_factor(s);
    const double f = s.chip.clock_ghz;
    const int rows = s.crossbar.active_rows();
    const int cols = s.crossbar.cols;
    const double f_area = pow2(s.chip.node_nm * 1e-3);  // F^2 in um^2

    c.clock_ghz = f;
    c.xbar_read_ns = s.device.read_pulse_ns;
    c.adc_conversion_ns = 1.0 / s.adc.rate_gsps;
    c.adcs_per_crossbar = (cols + s.adc.cols_per_adc - 1) / s.adc.cols_per_adc;
    c.xbar_read_cycles = std::max(1, int(std::ceil(c.xbar_read_ns * f - 1e-9)));
    c.sample_hold = s.pe.sample_hold;

    auto& e = c.energy_pj;
    auto set = [&](Action a, double pj) { e[static_cast<int>(a)] = pj; };
    const double e_cell_pj = cell_read_energy_fj(s) * 1e-3;
    const double e_dac_pj = row_drive_energy_pj(s);
    const double e_sh_pj = t.sample_hold_energy_fj * 1e-3 * vf;
    const double e_adc_pj = adc_energy_pj(s);
    set(Action::XbarCellRead, e_cell_pj);
    set(Action::XbarRead, 0);
    set(Action::DacDrive, e_dac_pj);
    set(Action::SampleHold, e_sh_pj);
    set(Action::AdcConversion, e_adc_pj);
    set(Action::PeShiftAdd, t.shift_add_energy_fj * 1e-3 * vf);
    set(Action::TileAccumulate, t.shift_add_energy_fj * 1e-3 * vf);
    const double e_pin = buffer_energy_fj_per_bit(s, s.pe.input_buffer) * 1e-3;
    const double e_pout = buffer_energy_fj_per_bit(s, s.pe.output_buffer) * 1e-3;
    const double e_tb = buffer_energy_fj_per_bit(s, s.tile.buffer) * 1e-3;
    const double e_tob = buffer_energy_fj_per_bit(s, s.tile.output_buffer) * 1e-3;
    const double e_gb = buffer_energy_fj_per_bit(s, s.global.buffer) * 1e-3;
    set(Action::PeInBufRead, e_pin);
    set(Action::PeInBufWrite, e_pin);
    set(Action::PeOutBufRead, e_pout);
    set(Action::PeOutBufWrite, e_pout);
    set(Action::TileBufRead, e_tb);
    set(Action::TileBufWrite, e_tb);
    set(Action::TileOutBufRead, e_tob);
    set(Action::TileOutBufWrite, e_tob);
    set(Action::GlobalBufRead, e_gb);
    set(Action::GlobalBufWrite, e_gb);
    set(Action::BusBit, t.bus_energy_fj_per_bit * 1e-3 * vf);
    set(Action::Activation, t.activation_energy_fj * 1e-3 * vf);
    set(Action::Pool, t.pool_energy_fj * 1e-3 * vf);
    set(Action::VectorOp, t.vector_lane_energy_fj * 1e-3 * vf);
    const double e_flit_pj = t.router_energy_fj_per_bit * 1e-3 * s.noc.flit_bits * vf;
    set(Action::NocFlitHop, e_flit_pj);
    // Every bit that crosses the chip boundary: over the off-chip memory or link, or, on a chip
    // without one (kind none), over the host interface.
    const bool has_offchip = s.offchip.kind != OffchipKind::None;
    const OffchipTech& ot = t.boundary_link(s.offchip.kind);
    set(Action::OffchipBit, ot.energy_pj_per_bit);
    set(Action::CellWrite, s.device.write_energy_pj);

    // ---- Inventory: PE level. Peak = every unit at its highest action rate.
    // One read per MVM step; the step is the read, or the conversions when they take longer
    // (with sample-and-hold they overlap; without, they add).
    const int cells_per_weight =
        (s.precision.weight_bits + s.device.bits_per_cell - 1) / s.device.bits_per_cell;
    const int cols_per_weight =
        cells_per_weight * (s.crossbar.signed_scheme == SignedScheme::Differential ? 2 : 1);
    const double adc_ns =
        double(conversions_per_read(s.crossbar, s.adc.cols_per_adc, cols_per_weight)) * c.adc_conversion_ns;
    const double step_ns = c.sample_hold ? std::max(c.xbar_read_ns, adc_ns) : c.xbar_read_ns + adc_ns;
    const double xbars = s.pe.crossbars;
    const double xbar_area =
        double(s.crossbar.rows) * cols * s.device.cell_area_f2 * f_area + t.crossbar_periphery_area_um2;
    add("pe", "crossbar", xbars, xbar_area, e_cell_pj * rows * cols / step_ns, 0);
    add("pe", "dac", xbars * s.crossbar.rows, dac_area_um2(s), e_dac_pj / step_ns, 0);
    if (c.sample_hold) add("pe", "sample_hold", xbars * cols, t.sample_hold_area_um2, e_sh_pj / step_ns, 0);
    add("pe", "adc", xbars * c.adcs_per_crossbar, adc_area_um2(s), e_adc_pj * s.adc.rate_gsps, 0);
    add("pe", "shift_add", s.pe.shift_add_units, t.shift_add_area_um2, t.shift_add_energy_fj * 1e-3 * vf * f,
        0);
    add_buffer("pe", "input_buffer", 1, s.pe.input_buffer);
    add_buffer("pe", "output_buffer", 1, s.pe.output_buffer);
    c.pe = sum("pe");

    // ---- Tile level.
    add("tile", "pe", s.tile.pes, c.pe.area_mm2 * kUm2PerMm2, c.pe.peak_power_w * 1e3, c.pe.leakage_w * 1e3);
    add_buffer("tile", "buffer", 1, s.tile.buffer);
    add_buffer("tile", "output_buffer", 1, s.tile.output_buffer);
    add("tile", "bus", 1, t.bus_area_um2_per_wire * s.tile.bus_width_bits,
        t.bus_energy_fj_per_bit * 1e-3 * vf * s.tile.bus_width_bits * f, 0);
    const double port_bits = double(s.noc.ports) * s.noc.flit_bits;
    const double router_area = t.router_xbar_area_um2 * port_bits * port_bits +
                               t.router_buffer_area_um2_per_bit * port_bits * s.noc.router_buffer_flits;
    const double router_leak = t.router_leakage_mw * leakage_factor(s);
    add("tile", "router_share", 1.0 / s.noc.tiles_per_router, router_area,
        t.router_energy_fj_per_bit * 1e-3 * vf * port_bits * f + router_leak, router_leak);
    if (s.tile.activation_units > 0)
      add("tile", "activation", s.tile.activation_units, t.activation_area_um2,
          t.activation_energy_fj * 1e-3 * vf * f, 0);
    if (s.tile.shift_add_units > 0)
      add("tile", "shift_add", s.tile.shift_add_units, t.shift_add_area_um2,
          t.shift_add_energy_fj * 1e-3 * vf * f, 0);
    if (s.tile.pool_units > 0)
      add("tile", "pool", s.tile.pool_units, t.pool_area_um2, t.pool_energy_fj * 1e-3 * vf * f, 0);
    if (s.tile.vector_lanes > 0)
      add("tile", "vector_unit", s.tile.vector_lanes, t.vector_lane_area_um2,
          t.vector_lane_energy_fj * 1e-3 * vf * f, 0);
    c.tile = sum("tile");

    // ---- Chip level.
    add("chip", "tile", s.tiles(), c.tile.area_mm2 * kUm2PerMm2, c.tile.peak_power_w * 1e3,
        c.tile.leakage_w * 1e3);
    add_buffer("chip", "global_buffer", 1, s.global.buffer);
    if (has_offchip) {
      const double bw = s.offchip.bandwidth_gbps > 0 ? s.offchip.bandwidth_gbps : ot.bandwidth_gbps;
      add("chip", "offchip_" + to_string(s.offchip.kind), s.offchip.links, ot.area_mm2_per_link * kUm2PerMm2,
          ot.energy_pj_per_bit * bw * 8 + ot.static_power_mw_per_link, ot.static_power_mw_per_link);
    } else {
      add("chip", "host_interface", 1, ot.area_mm2_per_link * kUm2PerMm2,
          ot.energy_pj_per_bit * ot.bandwidth_gbps * 8 + ot.static_power_mw_per_link,
          ot.static_power_mw_per_link);
    }
    c.chip = sum("chip");
    c.chip_leakage_mw = c.chip.leakage_w * 1e3;
    c.router_leakage_mw = router_leak;
    c.tile_leakage_mw = c.tile.leakage_w * 1e3 - router_leak / s.noc.tiles_per_router;
    c.ungated_leakage_mw = c.chip_leakage_mw - c.tile.leakage_w * 1e3 * s.tiles();

    // Peak throughput: every crossbar busy with full-precision MACs.
    const int slices = (s.precision.input_bits + s.dac.bits - 1) / s.dac.bits;
    const double weights_per_xbar = double(rows) * (cols / cols_per_weight);
    const double macs_per_ns = double(s.crossbars()) * weights_per_xbar / (slices * step_ns);
    c.peak_tops = 2 * macs_per_ns * 1e-3;
  }
};

}  // namespace

CostTable build(const ArchSpec& spec) {
  CostTable c;
  Builder{spec, c}.run();
  return c;
}

double energy_pj(const ActionCounts& counts, const CostTable& costs) {
  double e = 0;
  for (int i = 0; i < kActionCount; ++i) e += double(counts.n[i]) * costs.energy_pj[i];
  return e;
}

std::map<std::string, double> energy_breakdown_pj(const ActionCounts& counts, const CostTable& costs) {
  std::map<std::string, double> out;
  for (int i = 0; i < kActionCount; ++i) {
    const double e = double(counts.n[i]) * costs.energy_pj[i];
    if (e != 0) out[std::string(component_of(static_cast<Action>(i)))] += e;
  }
  return out;
}

double MacroFigures::energy_share(const std::string& component) const {
  auto it = energy_breakdown_pj.find(component);
  return it == energy_breakdown_pj.end() ? 0 : it->second / energy_pj;
}

double MacroFigures::area_share(const std::string& component) const {
  auto it = area_breakdown_mm2.find(component);
  return it == area_breakdown_mm2.end() ? 0 : it->second / area_mm2;
}

MacroFigures macro_figures(const ArchSpec& s, double row_activity) {
  const CostTable c = build(s);
  const std::int64_t rows = s.crossbar.rows, cols = s.crossbar.cols;
  const std::int64_t active = s.crossbar.active_rows();
  const std::int64_t reads = (rows + active - 1) / active;  // reads per input slice
  const std::int64_t slices = (s.precision.input_bits + s.dac.bits - 1) / s.dac.bits;
  const int cells_per_weight =
      (s.precision.weight_bits + s.device.bits_per_cell - 1) / s.device.bits_per_cell;
  const std::int64_t weight_cols =
      cols / (cells_per_weight *
              (s.crossbar.signed_scheme == SignedScheme::Differential ? 2 : 1));  // weights per row
  const std::int64_t xbars = s.pe.crossbars;
  auto scaled = [&](std::int64_t n) { return std::int64_t(std::llround(double(n) * row_activity)); };

  ActionCounts n;
  n[Action::DacDrive] = xbars * slices * scaled(rows);
  n[Action::XbarCellRead] = xbars * slices * scaled(rows * cols);
  n[Action::XbarRead] = xbars * slices * reads;
  const int cols_per_weight =
      cells_per_weight * (s.crossbar.signed_scheme == SignedScheme::Differential ? 2 : 1);
  const std::int64_t col_reads =
      xbars * slices * reads * conversions_per_read(s.crossbar, cols, cols_per_weight);
  n[Action::SampleHold] = s.pe.sample_hold ? col_reads : 0;
  n[Action::AdcConversion] = s.adc.type == AdcType::Ramp ? scaled(col_reads) : col_reads;
  n[Action::PeShiftAdd] = col_reads;
  if (s.pe.input_buffer.capacity_bytes > 0) n[Action::PeInBufRead] = xbars * rows * s.precision.input_bits;
  if (s.pe.output_buffer.capacity_bytes > 0)
    n[Action::PeOutBufWrite] = xbars * weight_cols * s.precision.accumulator_bits;

  MacroFigures m;
  m.ops = 2.0 * double(xbars * rows * weight_cols);
  m.energy_pj = energy_pj(n, c);
  m.energy_breakdown_pj = energy_breakdown_pj(n, c);
  // One step per read: the read, then the conversions of the columns one ADC serves (overlapped
  // with the next read under sample-and-hold), as in CostTable's peak figures.
  const double adc_ns =
      double(conversions_per_read(s.crossbar, s.adc.cols_per_adc, cols_per_weight)) * c.adc_conversion_ns;
  const double step_ns = c.sample_hold ? std::max(c.xbar_read_ns, adc_ns) : c.xbar_read_ns + adc_ns;
  m.time_ns = double(slices * reads) * step_ns;
  for (const auto& r : c.inventory)
    if (r.level == "pe") m.area_breakdown_mm2[r.component] += r.area_mm2;
  m.area_mm2 = c.pe.area_mm2;
  return m;
}

}  // namespace imc::arch::cost
