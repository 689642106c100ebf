// Calibration against measured silicon (shared/reference/macros.md): each configs/arch/macros/*.toml
// describes a published macro by its design parameters and cell only; every periphery cost comes from
// the one calibrated library (configs/tech/22nm.toml scaled by node and supply). Each test case holds
// one macro's published figures: energy efficiency and area efficiency (or macro area) within 20%,
// component shares within the tolerance stated at each row; rows with tolerance 0 are reported, not
// held (a miss or a figure the sources do not give), and say why in the README table.
//
// `build/tests/arch/test_arch_macros -tc="*table*"` prints the whole table (README.s6-calib.md).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "arch/cost.h"
#include "arch/load.h"

using namespace imc::arch;

namespace {

struct Row {
  std::string macro, metric;
  double published = 0, ours = 0;
  double tolerance = 0;  // relative, or absolute for shares (`share`); 0 = reported only
  bool share = false;    // published and ours are fractions; tolerance in fraction points
};

void check(const Row& r) {
  if (r.tolerance <= 0) return;
  CAPTURE(r.macro);
  CAPTURE(r.metric);
  CAPTURE(r.ours);
  CAPTURE(r.published);
  const double error = r.share ? std::abs(r.ours - r.published) : std::abs(r.ours / r.published - 1);
  CHECK(error <= r.tolerance);
}

cost::MacroFigures figures(const ArchSpec& s, double activity = 1.0) {
  return cost::macro_figures(s, activity);
}
ArchSpec macro(const std::string& file) {
  return load_arch("configs/arch/macros/" + file);
}
double share_excluding(const cost::MacroFigures& m, std::initializer_list<const char*> parts) {
  double e = 0;
  for (const char* p : parts) e += m.energy_share(p);
  return 1 - e;
}

std::vector<Row> jia() {
  const auto m = figures(macro("jia2020_65nm_sram.toml"));
  const std::string n = "Jia 2020, 65 nm capacitor SRAM, 1b, 0.85 V";
  return {{n, "1b-TOPS/W", 400, m.tops_per_w(), 0.20},
          {n, "1b-TOPS/mm^2 (MAC hardware)", 0.24, m.tops_per_mm2(), 0.20},
          // Table I: ADC 1.79 pJ per conversion of CiM 9.7 + ADC 1.79 pJ per ADC column.
          {n, "ADC share of energy (Table I)", 1.79 / (1.79 + 9.7), m.energy_share("adc"), 0.05, true},
          // Fig 11: ADC 0.497 of CiM 2.91 + ADC 0.497 + NMC 0.497 mm^2 (sparsity control not modelled).
          {n, "ADC share of area (Fig 11)", 0.497 / (2.91 + 0.497 + 0.497), m.area_share("adc"), 0.05, true}};
}

std::vector<Row> sinangil() {
  const std::string n = "Sinangil 2021, 7 nm 8T SRAM, 4b x 4b, 0.8 V";
  const ArchSpec s = macro("sinangil2021_7nm_sram.toml");
  const auto m = figures(s), m0 = figures(s, 0.0);
  // Average output 0: no word-line pulses, so only the ADCs, S&H and shift-adds spend energy: this
  // holds the library's 4-bit flash energy at 7 nm independently of the cells.
  return {{n, "TOPS/W at average output 0", 610.5, m0.tops_per_w(), 0.20},
          {n, "TOPS/W at the largest output (all rows driven)", 262.3, m.tops_per_w(), 0.20},
          {n, "TOPS (1024 MACs per 5.5 ns)", 0.3724, m.tops(), 0.05},
          {n, "macro area mm^2", 0.002556, m.area_mm2, 0.20},
          {n, "ADC share of area", 1596.0 / 2556, m.area_share("adc"), 0.05, true}};
}

// Wang at a supply: the cycle follows CiMLoop's fit of the published latency, (0.7/V)^1.1 x 6.9 ns.
ArchSpec wang_at(double volts) {
  ArchSpec s = macro("wang2023_22nm_c2c_sram.toml");
  s.chip.voltage_v = volts;
  s.device.read_pulse_ns = 6.9 * std::pow(0.7 / volts, 1.1);
  s.adc.rate_gsps = 1.0 / s.device.read_pulse_ns;
  return s;
}

std::vector<Row> wang() {
  const std::string n = "Wang 2023, 22 nm C-2C SRAM, 8b x 8b";
  const auto m = figures(wang_at(1.0)), m07 = figures(wang_at(0.7));
  return {{n, "TOPS/W at 1.0 V", 16.4, m.tops_per_w(), 0.20},
          {n, "TOPS/mm^2 at 1.0 V", 3.60, m.tops_per_mm2(), 0.20},
          {n, "TOPS/W at 0.7 V (supply scaling)", 32.0, m07.tops_per_w(), 0.20},
          {n, "TOPS/mm^2 at 0.7 V", 2.38, m07.tops_per_mm2(), 0.20},
          {n, "macro area mm^2", 0.124, m.area_mm2, 0.20},
          {n, "ADC share of energy at 1.0 V (Fig 22a)", 0.34, m.energy_share("adc"), 0.05, true},
          {n, "DAC share of energy (fit: by construction)", 0.22, m.energy_share("dac"), 0.05, true},
          {n, "MAC (cells) share of energy (cell input)", 0.40, m.energy_share("crossbar"), 0.05, true},
          {n, "misc share of energy", 0.04, share_excluding(m, {"adc", "dac", "crossbar"}), 0.05, true},
          {n, "ADC share of area (Fig 22b)", 0.13, m.area_share("adc"), 0.05, true},
          {n, "DAC share of area (fit: by construction)", 0.30, m.area_share("dac"), 0.05, true},
          // The cells' area is an input (46 % of 0.124 mm^2); its share is high by what misc lacks.
          {n, "MAC (cells) share of area (cell input)", 0.46, m.area_share("crossbar"), 0, true},
          {n, "misc share of area (not modelled: control, timing)", 0.11,
           1 - m.area_share("adc") - m.area_share("dac") - m.area_share("crossbar"), 0, true},
          {n, "ADC area mm^2 (16 x 8-bit SAR, 13 % of 0.124)", 0.13 * 0.124, m.area_breakdown_mm2.at("adc"),
           0.10}};
}

std::vector<Row> colonnade() {
  const std::string n = "Colonnade 2021, 65 nm digital SRAM, 1b x 1b, 0.6 V";
  const auto m = figures(macro("colonnade2021_65nm_digital_sram.toml"));
  return {{n, "TOPS/W (17.1 fJ/MAC)", 2 / 17.1e-3, m.tops_per_w(), 0},
          {n, "macro area mm^2", 0.2272, m.area_mm2, 0.20},
          {n, "array share of energy (cell input)", 0.602, m.energy_share("crossbar"), 0, true},
          {n, "drivers share of energy", 0.288, m.energy_share("dac"), 0, true},
          {n, "array share of area (cell input)", 0.839, m.area_share("crossbar"), 0.05, true},
          {n, "drivers share of area", 0.018, m.area_share("dac"), 0, true}};
}

std::vector<Row> hermes() {
  const std::string n = "HERMES 2022, 14 nm PCM core, 8b";
  const auto m = figures(macro("hermes2022_14nm_pcm.toml"));
  return {{n, "TOPS/W (PCM conductances assumed)", 10.5, m.tops_per_w(), 0},
          {n, "TOPS (design input: 128 ns pulses + 5 ns readout)", 2 * 65536 / 133.0 * 1e-3, m.tops(), 0.20}};
}

std::vector<Row> neurram() {
  const std::string n = "NeuRRAM 2022, 130 nm RRAM core, (out,in) = (3,1)";
  const auto m = figures(macro("neurram2022_130nm_rram.toml"));
  const double fj_per_op = 1e3 / m.ops;
  return {{n, "row drivers fJ/op (word lines 9.0 + inputs 3.4)", 12.4,
           m.energy_breakdown_pj.at("dac") * fj_per_op, 0},
          {n, "neuron/ADC fJ/op", 10.6, m.energy_breakdown_pj.at("adc") * fj_per_op, 0},
          {n, "TOPS/W (chip; ours: cells V^2 G t with assumed G)", 43.1, m.tops_per_w(), 0}};
}

// The NeuroSim-equivalent chip's PE (issue 14): reported beside silicon and the reference tool, not
// held: it moves toward silicon only through the per-action fits above.
std::vector<Row> neurosim_equivalent() {
  const std::string n = "NeuroSim-equivalent PE, 22 nm, 8b x 8b bit-serial (not a macro)";
  const ArchSpec s = macro("neurosim_equiv_22nm.toml");
  const auto m = figures(s);
  const double fj_per_mac = 2e3 * m.energy_pj / m.ops;
  return {{n, "fJ per 8b x 8b MAC, PE scope (vs Wang 22 nm silicon at 1.0 V)", 2e3 / 16.4, fj_per_mac, 0},
          {n, "pJ per 5-bit conversion (vs the reference tool's ~0.1 incl. array)", 0.1,
           cost::adc_energy_pj(s), 0}};
}

void hold(const std::vector<Row>& rows) {
  for (const auto& r : rows) check(r);
}

std::string format(const Row& r) {
  auto v = [&](double x) { return r.share ? fmt::format("{:.1f} %", 100 * x) : fmt::format("{:.4g}", x); };
  const std::string error = r.share ? fmt::format("{:+.1f} pt", 100 * (r.ours - r.published))
                                    : fmt::format("{:+.1f} %", 100 * (r.ours / r.published - 1));
  const std::string held = r.tolerance <= 0 ? "reported"
                           : r.share        ? fmt::format("±{:.0f} pt", 100 * r.tolerance)
                                            : fmt::format("±{:.0f} %", 100 * r.tolerance);
  return fmt::format("| {} | {} | {} | {} | {} | {} |", r.macro, r.metric, v(r.published), v(r.ours), error,
                     held);
}

}  // namespace

TEST_CASE("Jia 2020, 65 nm capacitor SRAM, 1b-normalized, 0.85 V") {
  hold(jia());
}

TEST_CASE("Sinangil 2021, 7 nm 8T SRAM, 4b x 4b, flash ADCs, 0.8 V") {
  hold(sinangil());
}

TEST_CASE("Wang 2023, 22 nm C-2C SRAM, 8b x 8b, R-2R voltage DAC, 1.0 V and 0.7 V") {
  hold(wang());
}

// Digital CIM: the library's row drivers (an analog word line's C V^2) are ~20x below Colonnade's
// drivers, which clock every compute bitcell's adder; so its TOPS/W is reported, not held.
TEST_CASE("Colonnade 2021, 65 nm digital bit-serial SRAM, 1b x 1b, 0.6 V: area held, energy reported") {
  hold(colonnade());
}

// HERMES: ~86% of its energy is PCM cell reads, whose conductances and read voltage the sources do
// not give (the config's are assumptions), so its TOPS/W is reported; its cycle is held.
// NeuRRAM: the library's drivers and ADC are ~3x low at 130 nm and 1.8 V (reported).
TEST_CASE("HERMES 2022 and NeuRRAM 2022: what the sources allow") {
  hold(hermes());
  hold(neurram());
}

TEST_CASE("macro calibration table (README.s6-calib.md)") {
  std::string out = "| macro | metric | published | ours | error | held |\n|---|---|---|---|---|---|\n";
  for (const auto& rows :
       {jia(), sinangil(), wang(), colonnade(), hermes(), neurram(), neurosim_equivalent()})
    for (const auto& r : rows) out += format(r) + "\n";
  fmt::print("{}", out);
  for (const auto& rows :
       {jia(), sinangil(), wang(), colonnade(), hermes(), neurram(), neurosim_equivalent()})
    for (const auto& r : rows) CHECK(std::isfinite(r.ours));
}

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
void within(double ours, double published, double tolerance) {
  MESSAGE(fmt::format("ours {:.4g}, published {:.4g}: {:+.1f}% (tolerance {:.0f}%)", ours, published,
                      100 * (ours / published - 1), 100 * tolerance));
  CAPTURE(ours);
  CAPTURE(published);
  CHECK(std::abs(ours - published) <= tolerance * std::abs(published));
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
  SUBCASE("Wang's 8-bit R-2R drive at 1.0 V: 22% of 124.9 pJ over 64 rows = 429 fJ (5%)") {
    within(cost::row_drive_energy_pj(wang_at(1.0)) * 1e3, 0.22 * 2048 / 16.4 / 64 * 1e3, 0.05);
  }
}

TEST_CASE("every macro description loads on the one calibrated library") {
  for (const char* f : {"jia2020_65nm_sram.toml", "hermes2022_14nm_pcm.toml", "neurram2022_130nm_rram.toml",
                        "sinangil2021_7nm_sram.toml", "wang2023_22nm_c2c_sram.toml",
                        "colonnade2021_65nm_digital_sram.toml", "neurosim_equiv_22nm.toml"}) {
    CAPTURE(f);
    const ArchSpec s = macro(f);
    CHECK(s.tech.file.find("22nm.toml") != std::string::npos);
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
