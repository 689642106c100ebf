// sim/functional: one crossbar layer against the exact integer matrix product, and the direction of
// the errors each non-ideality introduces.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>

#include "arch/load.h"
#include "sim/functional/cell_model.h"
#include "sim/functional/crossbar_layer.h"

using namespace imc;
using sim::functional::CrossbarLayer;
using sim::functional::LayerOptions;

namespace {

arch::ArchSpec ideal() {
  return arch::load_arch("configs/arch/ideal.toml");
}

struct Problem {
  workloads::WeightMatrix m;
  std::vector<std::int32_t> w;
  std::vector<float> x;
  std::int64_t vectors;
};

Problem random_problem(std::int64_t rows, std::int64_t cols, std::int64_t groups, std::int64_t vectors,
                       int wb, int ib, bool signed_inputs, unsigned seed, double zero_fraction = 0.3) {
  std::mt19937 rng(seed);
  Problem p;
  p.m.rows = rows, p.m.cols = cols, p.m.groups = groups, p.m.vectors = vectors;
  p.vectors = vectors;
  const int wmax = (1 << (wb - 1)) - 1;
  std::uniform_int_distribution<int> wd(-wmax, wmax);
  for (std::int64_t i = 0; i < groups * rows * cols; ++i) p.w.push_back(wd(rng));
  const int lo = signed_inputs ? -((1 << (ib - 1)) - 1) : 0,
            hi = signed_inputs ? (1 << (ib - 1)) - 1 : (1 << ib) - 1;
  std::uniform_int_distribution<int> xd(lo, hi);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::int64_t i = 0; i < vectors * groups * rows; ++i)
    p.x.push_back(u(rng) < zero_fraction ? 0.f : float(xd(rng)));
  return p;
}

std::vector<double> exact(const Problem& p) {
  const auto& m = p.m;
  std::vector<double> y(std::size_t(p.vectors * m.groups * m.cols), 0.0);
  for (std::int64_t n = 0; n < p.vectors; ++n)
    for (std::int64_t g = 0; g < m.groups; ++g)
      for (std::int64_t r = 0; r < m.rows; ++r) {
        const double xv = p.x[std::size_t((n * m.groups + g) * m.rows + r)];
        for (std::int64_t c = 0; c < m.cols; ++c)
          y[std::size_t((n * m.groups + g) * m.cols + c)] +=
              xv * p.w[std::size_t((g * m.rows + r) * m.cols + c)];
      }
  return y;
}

// Root-mean-square error relative to the RMS of the exact result.
double rel_rms_error(const std::vector<float>& y, const std::vector<double>& ref) {
  double e = 0, s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    e += (y[i] - ref[i]) * (y[i] - ref[i]);
    s += ref[i] * ref[i];
  }
  return std::sqrt(e / s);
}

std::vector<float> run(const arch::ArchSpec& spec, const Problem& p, int wb, int ib, bool signed_inputs,
                       std::uint64_t seed = 7) {
  LayerOptions o;
  o.weight_bits = wb, o.input_bits = ib, o.signed_inputs = signed_inputs, o.seed = seed;
  CrossbarLayer layer(spec, p.m, p.w, o);
  return layer.run(p.x, p.vectors);
}

}  // namespace

TEST_CASE("ideal crossbars compute the exact integer product (row blocks, slices, both signed schemes)") {
  for (arch::SignedScheme scheme : {arch::SignedScheme::Differential, arch::SignedScheme::Offset})
    for (bool signed_inputs : {false, true}) {
      CAPTURE(arch::to_string(scheme));
      CAPTURE(signed_inputs);
      arch::ArchSpec spec = ideal();
      spec.crossbar.signed_scheme = scheme;
      spec.adc.bits = 12;  // offset scheme: 256 rows x 3 x 1 still fits; keep margin
      // 600 rows = 3 row blocks of a 256-row crossbar; 8-bit weights over four 2-bit cells.
      const Problem p = random_problem(600, 37, 1, 50, 8, 8, signed_inputs, 11);
      const auto y = run(spec, p, 8, 8, signed_inputs);
      const auto ref = exact(p);
      for (std::size_t i = 0; i < y.size(); ++i) REQUIRE(double(y[i]) == ref[i]);
    }
}

TEST_CASE("ideal crossbars: multi-bit DACs, rows_parallel reads and packed depthwise groups are exact") {
  arch::ArchSpec spec = ideal();
  spec.dac.bits = 2;
  spec.crossbar.rows_parallel = 64;
  spec.adc.bits = 10;                                               // 64 rows x 3 x 3 = 576 < 1023
  const Problem dw = random_problem(9, 1, 40, 30, 6, 6, false, 3);  // depthwise 3x3, 40 channels
  CrossbarLayer layer(spec, dw.m, dw.w, LayerOptions{6, 6, false, 1, 0});
  CHECK(layer.tiling().groups_per_crossbar > 1);
  const auto y = layer.run(dw.x, dw.vectors);
  const auto ref = exact(dw);
  for (std::size_t i = 0; i < y.size(); ++i) REQUIRE(double(y[i]) == ref[i]);
  const Problem grouped = random_problem(72, 16, 4, 20, 8, 7, true, 5);
  const auto y2 = run(spec, grouped, 8, 7, true);
  const auto ref2 = exact(grouped);
  for (std::size_t i = 0; i < y2.size(); ++i) REQUIRE(double(y2[i]) == ref2[i]);
}

TEST_CASE("ADC step: a power of two covering the full scale") {
  CHECK(sim::functional::adc_step(768, 10) == 1);
  CHECK(sim::functional::adc_step(768, 6) == 16);  // 63 x 16 = 1008 >= 768
  CHECK(sim::functional::adc_step(768, 8) == 4);
  CHECK(sim::functional::adc_step(100, 3) == 16);
}

TEST_CASE("fewer ADC bits, more variation: larger errors") {
  const Problem p = random_problem(256, 32, 1, 64, 8, 8, false, 21, 0.6);
  const auto ref = exact(p);
  arch::ArchSpec spec = ideal();
  double last = -1;
  for (int bits : {10, 8, 6, 4, 3}) {
    spec.adc.bits = bits;
    const double e = rel_rms_error(run(spec, p, 8, 8, false), ref);
    CAPTURE(bits);
    CHECK(e > last);
    last = e;
  }
  spec = ideal();
  last = -1;
  for (double sigma : {0.0, 0.02, 0.1, 0.3}) {
    spec.device.variation_sigma = sigma;
    const double e = rel_rms_error(run(spec, p, 8, 8, false), ref);
    CAPTURE(sigma);
    CHECK(e > last);
    last = e;
  }
}

TEST_CASE("faults, drift and read noise perturb the result; draws are seeded") {
  const Problem p = random_problem(128, 16, 1, 32, 8, 8, false, 4);
  const auto ref = exact(p);
  arch::ArchSpec spec = ideal();
  spec.device.stuck_on_rate = 0.01;
  spec.device.stuck_off_rate = 0.01;
  const auto a = run(spec, p, 8, 8, false, 1), b = run(spec, p, 8, 8, false, 1),
             c = run(spec, p, 8, 8, false, 2);
  CHECK(a == b);  // same seed, same chip
  CHECK(a != c);  // another chip instance
  CHECK(rel_rms_error(a, ref) > 0.01);

  spec = ideal();
  spec.device.drift_nu = 0.05;
  spec.device.drift_time_s = 1e4;  // G x (1e4)^-0.05 = 0.63: columns read low
  const auto d = run(spec, p, 8, 8, false);
  double sd = 0, sr = 0;
  for (std::size_t i = 0; i < d.size(); ++i) sd += std::abs(d[i]), sr += std::abs(ref[i]);
  CHECK(rel_rms_error(d, ref) > 0.1);
  CHECK(sd < sr);

  spec = ideal();
  spec.device.read_noise_sigma = 0.05;
  LayerOptions o{8, 8, false, 3, 0};
  CrossbarLayer layer(spec, p.m, p.w, o);
  const auto r1 = layer.run(p.x, p.vectors, 0), r2 = layer.run(p.x, p.vectors, 1),
             r1b = layer.run(p.x, p.vectors, 0);
  CHECK(r1 == r1b);
  CHECK(r1 != r2);
  CHECK(rel_rms_error(r1, ref) > 0);
  CHECK(rel_rms_error(r1, ref) < 0.2);
}

TEST_CASE("ADC clipping is counted; invalid inputs are rejected") {
  arch::ArchSpec spec = ideal();
  spec.adc.bits = 4;  // full scale 768 -> step 64: coarse, but never clips
  const Problem p = random_problem(256, 8, 1, 16, 8, 8, false, 9, 0.0);
  LayerOptions o{8, 8, false, 1, 0};
  CrossbarLayer layer(spec, p.m, p.w, o);
  layer.run(p.x, p.vectors);
  CHECK(layer.stats().clipped_high == 0);
  CHECK(layer.stats().conversions > 0);
  layer.set_adc_full_scale(8);  // step 1, 15 codes: far below the column sums, codes saturate
  layer.reset_stats();
  layer.run(p.x, p.vectors);
  CHECK(layer.stats().clipped_high > 0);
  std::vector<float> bad = p.x;
  bad[0] = 0.5f;  // not an integer
  CHECK_THROWS(layer.run(bad, p.vectors));
  bad[0] = 256.f;  // beyond 8 unsigned bits
  CHECK_THROWS(layer.run(bad, p.vectors));
}

// A read of few rows looks its ADC codes up in a table of every row subset (1-bit DACs, no read
// noise); longer reads add the driven rows' conductances. The two must give the same codes on a
// non-ideal chip: the same 9 x 12 matrix as a 9-row layer (table) and as a 14-row layer whose extra
// rows are never driven (summed). Both layers draw the same cells for rows 0-8 (draws follow the
// position), so the results must match exactly, clipping counts included.
TEST_CASE("code tables of short reads equal the summed reads, on a non-ideal chip") {
  for (const std::string range : {"full", "tight"}) {
    arch::ArchSpec spec = arch::load_arch("configs/arch/rram_default.toml");
    spec.device.read_noise_sigma = 0;
    const Problem p = random_problem(9, 12, 1, 300, 8, 8, false, 7, 0.4);
    Problem q = p;
    q.m.rows = 14;
    q.w.clear();
    q.x.clear();
    for (std::int64_t r = 0; r < 14; ++r)
      for (std::int64_t c = 0; c < 12; ++c) q.w.push_back(r < 9 ? p.w[std::size_t(r * 12 + c)] : 5 - int(c));
    for (std::int64_t n = 0; n < p.vectors; ++n)
      for (std::int64_t r = 0; r < 14; ++r) q.x.push_back(r < 9 ? p.x[std::size_t(n * 9 + r)] : 0.f);
    LayerOptions o;
    o.seed = 11;
    if (range == "tight") {  // 3-bit ADC, step 1: partial sums above 7 clip
      spec.adc.bits = 3;
      o.adc_full_scale = 7;
    }
    CrossbarLayer short_read(spec, p.m, p.w, o), long_read(spec, q.m, q.w, o);
    const std::vector<float> a = short_read.run(p.x, p.vectors), b = long_read.run(q.x, q.vectors);
    CHECK(a == b);
    CHECK(short_read.stats().clipped_high == long_read.stats().clipped_high);
    CHECK(short_read.stats().clipped_low == long_read.stats().clipped_low);
    CHECK(short_read.stats().conversions == long_read.stats().conversions);
    if (range == "tight") CHECK(short_read.stats().clipped_high > 0);
    const double err = rel_rms_error(a, exact(p));
    MESSAGE(range << " ADC range: relative RMS error " << err << ", clipped high "
                  << short_read.stats().clipped_high);
    CHECK(err > 0);  // variation and faults do change the result
  }
}

TEST_CASE("stuck-aware programming cancels the known stuck cells with the weight's healthy cells") {
  // Two groups: the off-diagonal blocks (level 0) have stuck cells to cancel too.
  const Problem p = random_problem(64, 16, 2, 24, 8, 8, false, 11);
  const auto ref = exact(p);
  for (auto scheme : {arch::SignedScheme::Differential, arch::SignedScheme::Offset})
    for (int cell_bits : {1, 2, 4}) {
      CAPTURE(cell_bits);
      CAPTURE(int(scheme));
      arch::ArchSpec spec = ideal();
      spec.device.bits_per_cell = cell_bits;
      spec.adc.bits = 16;  // no ADC loss: the error is the cells' alone
      spec.crossbar.signed_scheme = scheme;
      // Without faults the option changes nothing, draw for draw (variation included).
      spec.device.variation_sigma = 0.05;
      const auto varied = run(spec, p, 8, 8, false);
      spec.device.stuck_aware_programming = true;
      CHECK(run(spec, p, 8, 8, false) == varied);

      spec.device.variation_sigma = 0;
      spec.device.stuck_on_rate = 0.01;
      spec.device.stuck_off_rate = 0.01;
      const double aware = rel_rms_error(run(spec, p, 8, 8, false), ref);
      spec.device.stuck_aware_programming = false;
      const double plain = rel_rms_error(run(spec, p, 8, 8, false), ref);
      CAPTURE(aware);
      CAPTURE(plain);
      CHECK(plain > 0.02);
      CHECK(aware < plain / (scheme == arch::SignedScheme::Differential ? 4 : 1));
      // 1-bit differential cells can represent any weight around one stuck cell exactly.
      if (cell_bits == 1 && scheme == arch::SignedScheme::Differential) CHECK(aware < 0.01);
    }
}
