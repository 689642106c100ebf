// Numerical crossbar model. Eigen is used only inside this file (no Eigen type in the header), so
// this one translation unit can be built for the machine's vector units.
#include "sim/functional/crossbar_layer.h"

#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/functional/cell_model.h"

namespace imc::sim::functional {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double adc_step(double full_scale, int adc_bits) {
  const double codes = std::ldexp(1.0, adc_bits) - 1;
  double step = 1;
  while (step * codes < full_scale) step *= 2;
  return step;
}

namespace {
constexpr std::int64_t kBlockVectors = 256;  // input vectors per GEMM (and per parallel task)
using IntMat = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// One DAC slice of the inputs: bits [shift, shift + dac_bits) of rows [row0, row0 + rows).
// Returns false when every value is 0 (no row is driven).
bool dac_slice(const IntMat& xu, std::int64_t row0, std::int64_t rows, int shift, std::int32_t mask, RowMat& d) {
  d.resize(xu.rows(), rows);
  std::int32_t any = 0;
  for (std::int64_t n = 0; n < xu.rows(); ++n) {
    const std::int32_t* src = xu.data() + n * xu.cols() + row0;
    float* dst = d.data() + n * rows;
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int32_t v = (src[r] >> shift) & mask;
      any |= v;
      dst[r] = float(v);
    }
  }
  return any != 0;
}
}  // namespace

// One analog read of a group set: `rows` consecutive packed rows, all packed columns.
struct Chunk {
  std::int64_t row0 = 0, rows = 0;
  RowMat g;  // rows x packed cols: programmed conductance above G_off, in level steps
  RowMat h;  // read noise only: squared absolute conductance (level-step units)
  double step = 1;  // ADC step in level units
};

struct GroupSet {
  std::int64_t first_group = 0, groups = 0;
  std::vector<Chunk> chunks;
};

struct CrossbarLayer::Impl {
  arch::ArchSpec spec;
  workloads::WeightMatrix m;
  std::vector<std::int32_t> w;
  LayerOptions opt;
  mapping::CrossbarTiling tiling;
  CellModel cell;
  int slices = 1, diff = 2, cell_bits = 1, levels = 2, dac_bits = 1, input_slices = 1;
  std::int64_t phys_cols = 0;  // per group
  std::vector<GroupSet> sets;
  std::vector<double> col_sums;  // groups x cols: sum_r w (for signed inputs)
  LayerStats stats;

  Impl(const arch::ArchSpec& s, const workloads::WeightMatrix& mm, const std::vector<std::int32_t>& ww,
       const LayerOptions& o)
      : spec(s), m(mm), w(ww), opt(o), cell(s.device) {
    if (std::int64_t(w.size()) != m.groups * m.rows * m.cols)
      throw std::invalid_argument("CrossbarLayer: weight count does not match groups x rows x cols");
    if (opt.weight_bits < 2 || opt.input_bits < 1 || (opt.signed_inputs && opt.input_bits < 2))
      throw std::invalid_argument("CrossbarLayer: weight_bits >= 2 and input_bits >= 1 (2 if signed) required");
    const std::int32_t wmax = (1 << (opt.weight_bits - 1)) - 1;
    for (auto v : w)
      if (v > wmax || v < -wmax) throw std::invalid_argument("CrossbarLayer: weight outside the signed weight_bits range");
    tiling = mapping::tile_matrix(m, spec, opt.weight_bits, opt.input_bits);
    slices = tiling.slices_per_weight;
    diff = spec.crossbar.signed_scheme == "differential" ? 2 : 1;
    cell_bits = spec.device.bits_per_cell;
    levels = 1 << cell_bits;
    dac_bits = spec.dac.bits;
    input_slices = (opt.input_bits + dac_bits - 1) / dac_bits;
    phys_cols = m.cols * slices * diff;
    col_sums.assign(std::size_t(m.groups * m.cols), 0.0);
    for (std::int64_t g = 0; g < m.groups; ++g)
      for (std::int64_t r = 0; r < m.rows; ++r)
        for (std::int64_t c = 0; c < m.cols; ++c) col_sums[std::size_t(g * m.cols + c)] += w[std::size_t((g * m.rows + r) * m.cols + c)];
    program();
  }

  // Level of packed cell (row pr, column pc) of a set: block-diagonal groups, level 0 elsewhere.
  int level(std::int64_t first_group, std::int64_t pr, std::int64_t pc) const {
    const std::int64_t gr = pr / m.rows, gc = pc / phys_cols;
    if (gr != gc) return 0;
    const std::int64_t r = pr % m.rows, p = pc % phys_cols;
    const std::int64_t j = p / (slices * diff), k = (p / diff) % slices, sign = p % diff;
    const std::int32_t v = w[std::size_t(((first_group + gr) * m.rows + r) * m.cols + j)];
    std::int64_t mag;
    if (diff == 2) mag = sign == 0 ? std::max(v, 0) : std::max(-v, 0);
    else mag = std::int64_t(v) + (std::int64_t(1) << (opt.weight_bits - 1));
    return int((mag >> (k * cell_bits)) & (levels - 1));
  }

  double read_full_scale(std::int64_t rows) const {
    const double dmax = std::min(std::ldexp(1.0, dac_bits), std::ldexp(1.0, opt.input_bits)) - 1;
    return double(rows) * dmax * (levels - 1);
  }

  void set_steps() {
    for (auto& s : sets)
      for (auto& c : s.chunks)
        c.step = adc_step(opt.adc_full_scale > 0 ? opt.adc_full_scale : read_full_scale(c.rows), spec.adc.bits);
  }

  void program() {
    const std::int64_t gpc = std::max<std::int64_t>(1, tiling.groups_per_crossbar);
    const std::int64_t xbar_rows = spec.crossbar.rows;
    const std::int64_t read_rows = std::min<std::int64_t>(spec.crossbar.active_rows(), xbar_rows);
    const bool noise = spec.device.read_noise_sigma > 0;
    for (std::int64_t g0 = 0; g0 < m.groups; g0 += gpc) {
      GroupSet set;
      set.first_group = g0;
      set.groups = std::min(gpc, m.groups - g0);
      const std::int64_t prow = set.groups * m.rows, pcol = set.groups * phys_cols;
      // Row blocks of one crossbar's rows, each read in chunks of rows_parallel rows.
      for (std::int64_t b0 = 0; b0 < prow; b0 += xbar_rows) {
        const std::int64_t bend = std::min(prow, b0 + xbar_rows);
        for (std::int64_t r0 = b0; r0 < bend; r0 += read_rows) {
          Chunk c;
          c.row0 = r0;
          c.rows = std::min(bend, r0 + read_rows) - r0;
          c.g.resize(c.rows, pcol);
          Rng rng(opt.seed, 0xce11, std::uint64_t(g0), std::uint64_t(r0));
          for (std::int64_t i = 0; i < c.rows; ++i)
            for (std::int64_t p = 0; p < pcol; ++p) c.g(i, p) = cell.program(level(g0, r0 + i, p), rng);
          if (noise) {
            const double off = cell.g_off() / cell.level_step();
            c.h = ((c.g.array().cast<double>() + off).square()).cast<float>().matrix();
          }
          set.chunks.push_back(std::move(c));
        }
      }
      sets.push_back(std::move(set));
    }
    set_steps();
  }

  // Unsigned DAC-domain inputs of one block of vectors for one set: vectors x packed rows.
  void unsigned_inputs(const float* x, std::int64_t n0, std::int64_t nb, const GroupSet& set,
                       IntMat& xu) const {
    const std::int64_t in_width = m.groups * m.rows;
    const std::int64_t prow = set.groups * m.rows;
    const std::int32_t off = opt.signed_inputs ? (1 << (opt.input_bits - 1)) : 0;
    const std::int32_t hi = (1 << opt.input_bits) - 1;
    xu.resize(nb, prow);
    for (std::int64_t n = 0; n < nb; ++n) {
      const float* row = x + (n0 + n) * in_width + set.first_group * m.rows;
      for (std::int64_t r = 0; r < prow; ++r) {
        const std::int32_t v = std::int32_t(std::lrint(row[r])) + off;
        if (v < 0 || v > hi || float(v - off) != row[r])
          throw std::invalid_argument("CrossbarLayer: input is not an integer in the input_bits range");
        xu(n, r) = v;
      }
    }
  }

  void run(const float* x, std::int64_t vectors, float* y, std::uint64_t call_id) {
    const std::int64_t blocks = (vectors + kBlockVectors - 1) / kBlockVectors;
    const std::int64_t tasks = blocks * std::int64_t(sets.size());
    const double sigma = spec.device.read_noise_sigma;
    const float codes_max_f = float(std::ldexp(1.0, spec.adc.bits) - 1);
    const std::int32_t dmask = (1 << dac_bits) - 1;
    const std::int64_t out_width = m.groups * m.cols;
    std::int64_t conv = 0, clip_hi = 0, clip_lo = 0;
    // Exceptions may not leave an OpenMP region: remember the first and rethrow after it.
    std::string error;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : conv, clip_hi, clip_lo)
    for (std::int64_t t = 0; t < tasks; ++t) {
      try {
        const GroupSet& set = sets[std::size_t(t / blocks)];
        const std::int64_t n0 = (t % blocks) * kBlockVectors;
        const std::int64_t nb = std::min(kBlockVectors, vectors - n0);
        const std::int64_t pcol = set.groups * phys_cols;
        IntMat xu;
        unsigned_inputs(x, n0, nb, set, xu);
        RowMatD acc = RowMatD::Zero(nb, pcol);
        RowMat d, yv, var, chunk_sum(nb, pcol);
        const std::int64_t cells = nb * pcol;
        for (std::size_t ci = 0; ci < set.chunks.size(); ++ci) {
          const Chunk& c = set.chunks[ci];
          // Shift-add of one read's codes over the input slices stays below
          // 2^input_bits x full scale, exact in float; the sum over reads is kept in double.
          chunk_sum.setZero();
          const float inv_step = float(1.0 / c.step);  // a power of two: exact
          for (int s = 0; s < input_slices; ++s) {
            conv += cells;
            if (!dac_slice(xu, c.row0, c.rows, s * dac_bits, dmask, d)) continue;  // every column reads 0
            yv.noalias() = d * c.g;
            if (sigma > 0) {
              var.noalias() = d.array().square().matrix() * c.h;
              Rng rng(opt.seed, 0x4ead ^ (call_id << 16), std::uint64_t(t), ci * 64 + std::uint64_t(s));
              float* yp = yv.data();
              const float* vp = var.data();
              for (std::int64_t i = 0; i < cells; ++i) yp[i] += float(sigma * std::sqrt(double(vp[i])) * rng.normal());
            }
            const float scale = float(std::ldexp(c.step, s * dac_bits));
            const float* yp = yv.data();
            float* sp = chunk_sum.data();
            std::int64_t hi_n = 0, lo_n = 0;
            // ADC: round to the nearest code, clip at 0 and at 2^bits - 1 (vectorizable).
            for (std::int64_t i = 0; i < cells; ++i) {
              const float code = std::nearbyint(yp[i] * inv_step);
              hi_n += code > codes_max_f;
              lo_n += code < 0.f;
              sp[i] += std::min(std::max(code, 0.f), codes_max_f) * scale;
            }
            clip_hi += hi_n;
            clip_lo += lo_n;
          }
          acc += chunk_sum.cast<double>();
        }
        combine(set, xu, acc, n0, nb, y, out_width);
      } catch (const std::exception& e) {
#pragma omp critical
        if (error.empty()) error = e.what();
      }
    }
    if (!error.empty()) throw std::invalid_argument(error);
    stats.conversions += conv;
    stats.clipped_high += clip_hi;
    stats.clipped_low += clip_lo;
  }

  // Shift-add over weight slices, differential / offset subtraction, signed-input correction.
  void combine(const GroupSet& set,
               const IntMat& xu,
               const RowMatD& acc, std::int64_t n0, std::int64_t nb, float* y, std::int64_t out_width) const {
    const double w_off = diff == 2 ? 0.0 : std::ldexp(1.0, opt.weight_bits - 1);
    const double x_off = opt.signed_inputs ? std::ldexp(1.0, opt.input_bits - 1) : 0.0;
    for (std::int64_t gl = 0; gl < set.groups; ++gl) {
      const std::int64_t g = set.first_group + gl;
      for (std::int64_t n = 0; n < nb; ++n) {
        double xsum = 0;
        if (w_off != 0)
          for (std::int64_t r = 0; r < m.rows; ++r) xsum += xu(n, gl * m.rows + r);
        for (std::int64_t j = 0; j < m.cols; ++j) {
          double v = 0;
          for (int k = 0; k < slices; ++k) {
            const std::int64_t p = gl * phys_cols + (j * slices + k) * diff;
            const double col = diff == 2 ? acc(n, p) - acc(n, p + 1) : acc(n, p);
            v += std::ldexp(col, k * cell_bits);
          }
          v -= w_off * xsum;
          v -= x_off * col_sums[std::size_t(g * m.cols + j)];
          y[(n0 + n) * out_width + g * m.cols + j] = float(v);
        }
      }
    }
  }

  double max_partial_sum(const float* x, std::int64_t vectors) const {
    const std::int32_t dmask = (1 << dac_bits) - 1;
    double best = 0;
    for (const GroupSet& set : sets) {
      const std::int64_t pcol = set.groups * phys_cols;
      for (const Chunk& c : set.chunks) {
        RowMat nominal(c.rows, pcol);
        for (std::int64_t i = 0; i < c.rows; ++i)
          for (std::int64_t p = 0; p < pcol; ++p) nominal(i, p) = float(level(set.first_group, c.row0 + i, p));
        for (std::int64_t n0 = 0; n0 < vectors; n0 += kBlockVectors) {
          const std::int64_t nb = std::min(kBlockVectors, vectors - n0);
          IntMat xu;
          unsigned_inputs(x, n0, nb, set, xu);
          for (int s = 0; s < input_slices; ++s) {
            RowMat d;
            if (!dac_slice(xu, c.row0, c.rows, s * dac_bits, dmask, d)) continue;
            RowMat yv = d * nominal;
            if (yv.size()) best = std::max(best, double(yv.maxCoeff()));
          }
        }
      }
    }
    return best;
  }
};

CrossbarLayer::CrossbarLayer(const arch::ArchSpec& spec, const workloads::WeightMatrix& m,
                             const std::vector<std::int32_t>& weights, const LayerOptions& options)
    : impl_(std::make_unique<Impl>(spec, m, weights, options)) {}
CrossbarLayer::~CrossbarLayer() = default;
CrossbarLayer::CrossbarLayer(CrossbarLayer&&) noexcept = default;
CrossbarLayer& CrossbarLayer::operator=(CrossbarLayer&&) noexcept = default;

void CrossbarLayer::run(const float* x, std::int64_t vectors, float* y, std::uint64_t call_id) {
  impl_->run(x, vectors, y, call_id);
}

std::vector<float> CrossbarLayer::run(const std::vector<float>& x, std::int64_t vectors, std::uint64_t call_id) {
  if (std::int64_t(x.size()) != vectors * impl_->m.groups * impl_->m.rows)
    throw std::invalid_argument("CrossbarLayer::run: input size is not vectors x groups x rows");
  std::vector<float> y(std::size_t(vectors * impl_->m.groups * impl_->m.cols));
  impl_->run(x.data(), vectors, y.data(), call_id);
  return y;
}

double CrossbarLayer::max_partial_sum(const float* x, std::int64_t vectors) const {
  return impl_->max_partial_sum(x, vectors);
}

void CrossbarLayer::set_adc_full_scale(double level_units) {
  impl_->opt.adc_full_scale = level_units;
  impl_->set_steps();
}

const mapping::CrossbarTiling& CrossbarLayer::tiling() const { return impl_->tiling; }
const LayerStats& CrossbarLayer::stats() const { return impl_->stats; }
void CrossbarLayer::reset_stats() { impl_->stats = {}; }

}  // namespace imc::sim::functional
