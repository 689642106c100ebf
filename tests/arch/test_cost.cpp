// Cost-model behaviour: ADC energy and area grow with bits and rate; buffers with capacity; energy
// scales with supply voltage; energy of counted actions equals the sum of its breakdown.
#include <doctest/doctest.h>

#include "arch/cost.h"
#include "arch/load.h"

using namespace imc::arch;

namespace {
ArchSpec base() {
  return load_arch("configs/arch/rram_default.toml");
}
}  // namespace

TEST_CASE("ADC energy and area grow with bits, slowly below ~8 bits and ~4x per 2 bits above") {
  ArchSpec s = base();
  double prev_e = 0, prev_a = 0;
  for (int bits = 1; bits <= 12; ++bits) {
    s.adc.bits = bits;
    const double e = cost::adc_energy_pj(s), a = cost::adc_area_um2(s);
    CHECK(e > prev_e);
    CHECK(a > prev_a);
    prev_e = e;
    prev_a = a;
  }
  s.adc.bits = 4;
  const double e4 = cost::adc_energy_pj(s);
  s.adc.bits = 6;
  const double e6 = cost::adc_energy_pj(s);
  s.adc.bits = 10;
  const double e10 = cost::adc_energy_pj(s);
  s.adc.bits = 12;
  const double e12 = cost::adc_energy_pj(s);
  CHECK(e6 / e4 < 2.5);                                 // slow at low resolution
  CHECK(e12 / e10 == doctest::Approx(4).epsilon(0.1));  // ~4x per 2 bits at high resolution
}

TEST_CASE("ADC energy and area grow with sample rate") {
  ArchSpec s = base();
  s.adc.rate_gsps = 0.1;
  const double e_slow = cost::adc_energy_pj(s), a_slow = cost::adc_area_um2(s);
  s.adc.rate_gsps = 2.0;
  CHECK(cost::adc_energy_pj(s) > e_slow);
  CHECK(cost::adc_area_um2(s) > a_slow);
}

TEST_CASE("flash costs no less than SAR at equal bits; a sense amplifier is cheapest") {
  ArchSpec s = base();
  s.adc.bits = 4;
  const double sar = cost::adc_energy_pj(s), sar_area = cost::adc_area_um2(s);
  s.adc.type = AdcType::Flash;
  // 22nm.toml: no energy premium at <= 5 bits (Sinangil's 4-bit flash), a 1.3x area premium.
  CHECK(cost::adc_energy_pj(s) == doctest::Approx(sar));
  CHECK(cost::adc_area_um2(s) == doctest::Approx(1.3 * sar_area));
  s.adc.type = AdcType::SenseAmp;
  s.adc.bits = 1;
  CHECK(cost::adc_energy_pj(s) < sar);
}

TEST_CASE("buffer energy per bit and area grow with capacity") {
  ArchSpec s = base();
  BufferSpec small{4096, 256, BufferTechnology::Sram}, large{1 << 20, 256, BufferTechnology::Sram};
  CHECK(cost::buffer_energy_fj_per_bit(s, large) > cost::buffer_energy_fj_per_bit(s, small));
  CHECK(cost::buffer_area_um2(s, large) > cost::buffer_area_um2(s, small));
  BufferSpec none{0, 256, BufferTechnology::Sram};
  CHECK(cost::buffer_area_um2(s, none) == 0);
}

TEST_CASE("dynamic energy scales with the square of the supply; leakage linearly") {
  ArchSpec s = base();
  s.chip.voltage_v = s.tech.vdd_nominal_v;
  const auto c1 = cost::build(s);
  s.chip.voltage_v = 0.5 * s.tech.vdd_nominal_v;
  const auto c2 = cost::build(s);
  const int adc = static_cast<int>(Action::AdcConversion);
  CHECK(c2.energy_pj[adc] == doctest::Approx(0.25 * c1.energy_pj[adc]));
  // Off-chip PHY power is an interface figure, not supply-scaled: leave it out.
  auto on_chip_leakage_mw = [](const cost::CostTable& c) {
    double mw = c.chip_leakage_mw;
    for (const auto& row : c.inventory)
      if (row.component.rfind("offchip_", 0) == 0) mw -= row.leakage_w * 1e3;
    return mw;
  };
  CHECK(c1.chip_leakage_mw > on_chip_leakage_mw(c1));  // lpddr4: its PHY draws static power
  CHECK(on_chip_leakage_mw(c2) == doctest::Approx(0.5 * on_chip_leakage_mw(c1)));
  // The crossbar's analog read energy depends on the read voltage, not the supply.
  const int cell = static_cast<int>(Action::XbarCellRead);
  CHECK(c2.energy_pj[cell] == doctest::Approx(c1.energy_pj[cell]));
}

TEST_CASE("a lower supply lowers the highest clock (alpha-power law)") {
  ArchSpec s = base();
  s.chip.voltage_v = s.tech.vdd_nominal_v;
  const double f_nom = fmax_ghz(s);
  s.chip.voltage_v = 0.6;
  CHECK(fmax_ghz(s) < f_nom);
  CHECK(f_nom == doctest::Approx(s.tech.fmax_nominal_ghz));
}

TEST_CASE("energy of counted actions equals the sum of its breakdown") {
  const ArchSpec s = base();
  const auto c = cost::build(s);
  ActionCounts n;
  for (int i = 0; i < kActionCount; ++i) n.n[i] = 1000 + 37 * i;
  double sum = 0;
  for (const auto& [k, v] : cost::energy_breakdown_pj(n, c)) sum += v;
  CHECK(sum == doctest::Approx(cost::energy_pj(n, c)));
}

TEST_CASE("cell read energy follows V^2 * mean conductance * pulse unless given") {
  ArchSpec s = base();
  s.device.r_on_ohm = 1e5;
  s.device.r_off_ohm = 1e6;
  s.device.read_voltage_v = 0.2;
  s.device.read_pulse_ns = 10;
  s.device.cell_read_energy_fj = 0;
  CHECK(cost::cell_read_energy_fj(s) == doctest::Approx(0.04 * 0.5 * (1e-5 + 1e-6) * 10e-9 * 1e15));
  s.device.cell_read_energy_fj = 3;
  CHECK(cost::cell_read_energy_fj(s) == 3);
}

TEST_CASE("a measured cell energy scales with the supply only when its supply is given") {
  ArchSpec s = base();
  s.device.cell_read_energy_fj = 2.0;
  s.chip.voltage_v = 1.2;
  CHECK(cost::cell_read_energy_fj(s) == doctest::Approx(2.0));  // default: holds at every supply
  s.device.cell_read_supply_v = 0.6;
  CHECK(cost::cell_read_energy_fj(s) == doctest::Approx(2.0 * 4));  // (1.2 / 0.6)^2
}

TEST_CASE("a voltage (R-2R) DAC grows linearly with its bits, a pulse train exponentially") {
  ArchSpec s = base();
  s.precision.input_bits = 8;
  s.dac.bits = 1;
  const double one_bit = cost::row_drive_energy_pj(s);
  s.dac.style = DacStyle::Voltage;
  s.dac.bits = 4;
  const double v4 = cost::row_drive_energy_pj(s), a4 = cost::dac_area_um2(s);
  s.dac.bits = 8;
  const double v8 = cost::row_drive_energy_pj(s), a8 = cost::dac_area_um2(s);
  // One word-line charge plus the ladder: linear in bits.
  const double per_bit_pj = s.tech.voltage_dac_energy_fj_per_bit * 1e-3 * cost::voltage_energy_factor(s);
  CHECK(v4 == doctest::Approx(one_bit + 4 * per_bit_pj));
  CHECK(v8 - v4 == doctest::Approx(4 * per_bit_pj));
  CHECK(a8 - a4 == doctest::Approx(4 * s.tech.voltage_dac_area_um2_per_bit));
  s.dac.style = DacStyle::Pulse;
  CHECK(cost::row_drive_energy_pj(s) == doctest::Approx(one_bit * 128));  // 2^(8-1) pulses
  CHECK(cost::dac_area_um2(s) == doctest::Approx(s.tech.dac_area_um2_1bit * 128));
}
