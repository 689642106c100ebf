// Calibration against measured silicon (shared/reference/macros.md): each configs/arch/macros/*.toml
// describes a published macro with its design parameters only; every periphery cost comes from the
// one calibrated library (configs/tech/22nm.toml scaled by node and supply). The published energy
// efficiency and area efficiency (or macro area) must hold within 20%, and published component
// shares within the tolerance stated at each check.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "arch/cost.h"
#include "arch/load.h"

using namespace imc::arch;

namespace {

void within(double ours, double published, double tolerance) {
  MESSAGE(fmt::format("ours {:.4g}, published {:.4g}: {:+.1f}% (tolerance {:.0f}%)", ours, published,
                      100 * (ours / published - 1), 100 * tolerance));
  CAPTURE(ours);
  CAPTURE(published);
  CAPTURE(tolerance);
  CHECK(std::abs(ours - published) <= tolerance * std::abs(published));
}

cost::MacroFigures figures(const char* file, double activity = 1.0) {
  const ArchSpec s = load_arch(fmt::format("configs/arch/macros/{}", file));
  const cost::MacroFigures m = cost::macro_figures(s, activity);
  std::string parts;
  for (const auto& [k, v] : m.energy_breakdown_pj) parts += fmt::format(" {}={:.3g}pJ", k, v);
  std::string areas;
  for (const auto& [k, v] : m.area_breakdown_mm2) areas += fmt::format(" {}={:.4g}", k, v);
  MESSAGE(fmt::format("{}: {:.4g} TOPS/W, {:.4g} TOPS, {:.4g} mm^2, {:.4g} TOPS/mm^2, {:.4g} pJ/MVM;{};{}",
                      file, m.tops_per_w(), m.tops(), m.area_mm2, m.tops_per_mm2(), m.energy_pj, parts,
                      areas));
  return m;
}

}  // namespace

TEST_CASE("Jia 2020, 65 nm capacitor SRAM, 1b-normalized, 0.85 V") {
  const auto m = figures("jia2020_65nm_sram.toml");
  within(m.tops_per_w(), 400, 0.20);
  within(m.tops_per_mm2(), 0.24, 0.20);
}

TEST_CASE("Sinangil 2021, 7 nm 8T SRAM, 4b x 4b, flash ADCs, 0.8 V") {
  // Average output 0: no word-line pulses, so only the ADCs, S&H and shift-adds spend energy: this
  // holds the library's 4-bit flash energy at 7 nm.
  within(figures("sinangil2021_7nm_sram.toml", 0.0).tops_per_w(), 610.5, 0.20);
  // Every row driven: the largest output (262.3 TOPS/W). The cells' energy is taken from Fig 13a
  // less the library's row drivers, so this point holds the ADCs + drivers + cells sum.
  const auto m = figures("sinangil2021_7nm_sram.toml");
  within(m.tops_per_w(), 262.3, 0.20);
  within(m.tops(), 0.3724, 0.05);      // 1024 MACs per 5.5 ns access (design parameter)
  within(m.area_mm2, 0.002556, 0.20);  // ADC + counter 1596, base 800, caps 160 um^2
  within(m.area_share("adc"), 1596.0 / 2556, 0.20);
}

// HERMES (configs/arch/macros/hermes2022_14nm_pcm.toml, 14 nm PCM, 10.5 TOPS/W, 1.59 TOPS/mm^2) is
// described but not held: ~86% of its energy is PCM cell reads, whose conductances and read voltage
// the sources do not give (the config's are assumptions; README.h14-calib.md has its figures), and
// its cell area is not published.

namespace {
// The NeuroSim-equivalent chip with its tech rescaled to another node / supply and ADC settings.
ArchSpec at(double node_nm, double voltage_v, AdcType type, int bits, double rate_gsps) {
  ArchSpec s = load_arch("configs/arch/macros/neurosim_equiv_22nm.toml");
  s.chip.node_nm = node_nm;
  s.chip.voltage_v = voltage_v;
  s.tech = load_tech("configs/tech/22nm.toml", node_nm);
  s.adc.type = type;
  s.adc.bits = bits;
  s.adc.rate_gsps = rate_gsps;
  return s;
}
}  // namespace

TEST_CASE("per-action figures against the silicon they were fitted to (configs/tech/22nm.toml)") {
  SUBCASE("8-bit SAR energy per conversion: Wang 22 nm 1.0 V ~2.7 pJ, Jia 65 nm 0.85 V 1.79 pJ (10%)") {
    within(cost::adc_energy_pj(at(22, 1.0, AdcType::Sar, 8, 1.0 / 6.9)), 2.7, 0.10);
    within(cost::adc_energy_pj(at(65, 0.85, AdcType::Sar, 8, 0.01)), 1.79, 0.10);
  }
  SUBCASE("8-bit SAR area: Wang 22 nm 1008 um^2, Jia 65 nm 1941 um^2 (10%)") {
    within(cost::adc_area_um2(at(22, 1.0, AdcType::Sar, 8, 1.0 / 6.9)), 0.124e6 * 0.13 / 16, 0.10);
    within(cost::adc_area_um2(at(65, 0.85, AdcType::Sar, 8, 0.01)), 0.497e6 / 256, 0.10);
  }
  SUBCASE("4-bit flash + counter area: Sinangil 7 nm 1596 um^2 / 16 (10%)") {
    within(cost::adc_area_um2(at(7, 0.8, AdcType::Flash, 4, 1.0 / 5.5)), 1596.0 / 16, 0.10);
  }
  SUBCASE("ADC energy per conversion does not follow the node; area follows it weakly") {
    const ArchSpec a = at(22, 0.8, AdcType::Sar, 5, 0.5), b = at(65, 0.8, AdcType::Sar, 5, 0.5);
    CHECK(cost::adc_energy_pj(b) == doctest::Approx(cost::adc_energy_pj(a)));
    CHECK(cost::adc_area_um2(b) / cost::adc_area_um2(a) == doctest::Approx(std::pow(65.0 / 22, 0.6)));
  }
  SUBCASE("a 1-bit row drive across 128 columns at 22 nm is >= 10x below ISAAC's scaled 212 fJ") {
    const ArchSpec s = load_arch("configs/arch/macros/neurosim_equiv_22nm.toml");
    CHECK(cost::row_drive_energy_pj(s) * 1e3 <= 21.2);
    ArchSpec wide = s;
    wide.crossbar.cols = 256;  // the word line is twice as long
    CHECK(cost::row_drive_energy_pj(wide) > 1.8 * cost::row_drive_energy_pj(s));
  }
}

TEST_CASE("every macro description loads") {
  for (const char* f : {"jia2020_65nm_sram.toml", "hermes2022_14nm_pcm.toml", "neurram2022_130nm_rram.toml",
                        "sinangil2021_7nm_sram.toml", "neurosim_equiv_22nm.toml"}) {
    CAPTURE(f);
    const ArchSpec s = load_arch(fmt::format("configs/arch/macros/{}", f));
    CHECK(s.tech.file.find("22nm.toml") != std::string::npos);  // the one calibrated library
  }
}

// ISAAC on the calibrated library (32nm.toml) instead of its own table (isaac_32nm.toml): only the
// recalibrated components move (its 8-bit 1.28 GS/s ADCs cost more, its 1-bit DACs far less; the
// README gives the figures); its throughput and every other component stay ISAAC's.
TEST_CASE("ISAAC-CE on the calibrated library: what did not change still holds within 5%") {
  ArchSpec s = load_arch("configs/arch/isaac.toml");
  s.tech = load_tech("configs/tech/32nm.toml", s.chip.node_nm);
  const cost::CostTable c = cost::build(s);
  within(c.peak_tops, 41.3, 0.05);
  double adc_dac_w = 0;
  for (const auto& r : c.inventory)
    if (r.level == "pe" && (r.component == "adc" || r.component == "dac")) adc_dac_w += r.peak_power_w;
  const double pes = double(s.tiles()) * s.tile.pes;
  // Published chip power less its ADCs (16 mW per IMA) and DACs (4 mW per IMA).
  within(c.chip.peak_power_w - adc_dac_w * pes, 65.8 - pes * 20e-3, 0.05);
  MESSAGE(fmt::format(
      "ISAAC on 32nm.toml: IMA {:.2f} mW, chip {:.2f} W, {:.1f} GOPS/W, {:.2f} mm^2, {:.1f} GOPS/s/mm^2",
      c.pe.peak_power_w * 1e3, c.chip.peak_power_w, 1e3 * c.peak_tops / c.chip.peak_power_w, c.chip.area_mm2,
      1e3 * c.peak_tops / c.chip.area_mm2));
}
