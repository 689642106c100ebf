// Numerical crossbar model. Eigen is used only inside this file (no Eigen type in the header), so
// this one translation unit can be built for the machine's vector units.
#include "sim/functional/crossbar_layer.h"

#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "sim/functional/cell_model.h"
#include "sim/functional/read_kernels.h"

namespace imc::sim::functional {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double adc_step(double full_scale, int adc_bits) {
  const double codes = std::ldexp(1.0, adc_bits) - 1;
  double step = 1;
  while (step * codes < full_scale) step *= 2;
  return step;
}

using namespace kernels;

namespace {
constexpr std::int64_t kBlockVectors = 256;  // input vectors per parallel task
using IntMat = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// One DAC slice of the inputs: bits [shift, shift + dac_bits) of rows [row0, row0 + rows).
// Returns false when every value is 0 (no row is driven).
bool dac_slice(const IntMat& xu, std::int64_t row0, std::int64_t rows, int shift, std::int32_t mask,
               RowMat& d) {
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
  // rows x padded(packed cols), zero-padded: programmed conductance above G_off, in level steps
  RowMat g;
  RowMat h;         // read noise only: squared absolute conductance (level-step units), same shape
  double step = 1;  // ADC step in level units
  // Reads of few rows with 1-bit DACs and no read noise: the clipped ADC codes of every subset of
  // driven rows (2^rows x padded cols, row subset = bit mask), and per subset the codes clipped
  // high and low. Empty when not used.
  std::vector<float> codes;
  std::vector<std::int32_t> clipped;  // 2 per subset: high, low
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
  std::mutex stats_mutex;

  Impl(const arch::ArchSpec& s, const workloads::WeightMatrix& mm, const std::vector<std::int32_t>& ww,
       const LayerOptions& o)
      : spec(s), m(mm), w(ww), opt(o), cell(s.device) {
    if (std::int64_t(w.size()) != m.groups * m.rows * m.cols)
      throw std::invalid_argument("CrossbarLayer: weight count does not match groups x rows x cols");
    if (opt.weight_bits < 2 || opt.input_bits < 1 || (opt.signed_inputs && opt.input_bits < 2))
      throw std::invalid_argument(
          "CrossbarLayer: weight_bits >= 2 and input_bits >= 1 (2 if signed) required");
    const std::int32_t wmax = (1 << (opt.weight_bits - 1)) - 1;
    for (auto v : w)
      if (v > wmax || v < -wmax)
        throw std::invalid_argument("CrossbarLayer: weight outside the signed weight_bits range");
    tiling = mapping::tile_matrix(m, spec, opt.weight_bits, opt.input_bits);
    slices = tiling.slices_per_weight;
    diff = spec.crossbar.signed_scheme == arch::SignedScheme::Differential ? 2 : 1;
    cell_bits = spec.device.bits_per_cell;
    levels = 1 << cell_bits;
    dac_bits = spec.dac.bits;
    input_slices = (opt.input_bits + dac_bits - 1) / dac_bits;
    phys_cols = m.cols * slices * diff;
    col_sums.assign(std::size_t(m.groups * m.cols), 0.0);
    for (std::int64_t g = 0; g < m.groups; ++g)
      for (std::int64_t r = 0; r < m.rows; ++r)
        for (std::int64_t c = 0; c < m.cols; ++c)
          col_sums[std::size_t(g * m.cols + c)] += w[std::size_t((g * m.rows + r) * m.cols + c)];
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
    if (diff == 2)
      mag = sign == 0 ? std::max(v, 0) : std::max(-v, 0);
    else
      mag = std::int64_t(v) + (std::int64_t(1) << (opt.weight_bits - 1));
    return int((mag >> (k * cell_bits)) & (levels - 1));
  }

  // The value the cells of one weight (physical columns [p0, p0 + slices * diff) of packed row pr)
  // store: the weight (differential), the weight + 2^(weight_bits-1) (offset), 0 off the diagonal blocks
  // (as level() programs them).
  std::int64_t stored_value(std::int64_t first_group, std::int64_t pr, std::int64_t p0) const {
    const std::int64_t gr = pr / m.rows, gc = p0 / phys_cols;
    const std::int64_t offset = diff == 2 ? 0 : std::int64_t(1) << (opt.weight_bits - 1);
    if (gr != gc) return 0;
    const std::int64_t j = (p0 % phys_cols) / (slices * diff);
    return std::int64_t(w[std::size_t(((first_group + gr) * m.rows + pr % m.rows) * m.cols + j)]) + offset;
  }

  // One packed row with the chip's fault map known: each weight's cells draw their faults first; a
  // weight with a stuck cell has its healthy cells' levels chosen, most significant slice first, to
  // bring sum_k 2^(k cell_bits) (p_k - n_k) closest to the stored value given the stuck levels (the
  // differential partner of a stuck-on cell takes its level; lower slices absorb the rest). Weights
  // without a stuck cell keep the usual levels. Conductances are drawn after, in column order.
  void program_row_stuck_aware(std::int64_t first_group, std::int64_t pr, std::int64_t pcol, Rng& rng,
                               float* out) const {
    const std::int64_t cells = std::int64_t(slices) * diff;
    std::vector<CellModel::Fault> fault(static_cast<std::size_t>(cells));
    std::vector<int> lvl(static_cast<std::size_t>(cells));
    for (std::int64_t p0 = 0; p0 < pcol; p0 += cells) {
      bool any = false;
      for (std::int64_t q = 0; q < cells; ++q) {
        fault[std::size_t(q)] = cell.draw_fault(rng);
        any = any || fault[std::size_t(q)] != CellModel::Fault::kNone;
        lvl[std::size_t(q)] = level(first_group, pr, p0 + q);
      }
      if (any) compensate(stored_value(first_group, pr, p0), fault, lvl);
      for (std::int64_t q = 0; q < cells; ++q)
        out[p0 + q] = cell.conductance(lvl[std::size_t(q)], fault[std::size_t(q)], rng);
    }
  }

  // Levels of one weight's healthy cells (index k * diff + sign) that best represent `value` around
  // its stuck cells: greedy from the most significant slice, nearest digit with both polarities
  // (differential: the lower slices can correct either way), the digit rounded down with one
  // (offset: they only add).
  void compensate(std::int64_t value, const std::vector<CellModel::Fault>& fault,
                  std::vector<int>& lvl) const {
    using Fault = CellModel::Fault;
    std::int64_t rest = value;
    for (int k = 0; k < slices; ++k)
      for (int sign = 0; sign < diff; ++sign) {
        const std::size_t q = std::size_t(k * diff + sign);
        if (fault[q] == Fault::kNone) continue;
        lvl[q] = cell.stuck_level(fault[q]);
        rest -= (sign == 0 ? 1 : -1) * (std::int64_t(lvl[q]) << (k * cell_bits));
      }
    for (int k = slices - 1; k >= 0; --k) {
      const std::int64_t weight = std::int64_t(1) << (k * cell_bits);
      const std::size_t qp = std::size_t(k * diff), qn = qp + 1;
      const bool p_free = fault[qp] == Fault::kNone, n_free = diff == 2 && fault[qn] == Fault::kNone;
      const std::int64_t hi = p_free ? levels - 1 : 0, lo = n_free ? -(levels - 1) : 0;
      const double ratio = double(rest) / double(weight);
      const std::int64_t d = std::clamp<std::int64_t>(
          diff == 2 ? std::int64_t(std::llround(ratio)) : std::int64_t(std::floor(ratio)), lo, hi);
      if (p_free) lvl[qp] = int(std::max<std::int64_t>(d, 0));
      if (n_free) lvl[qn] = int(std::max<std::int64_t>(-d, 0));
      rest -= d * weight;
    }
  }

  double read_full_scale(std::int64_t rows) const {
    const double dmax = std::min(std::ldexp(1.0, dac_bits), std::ldexp(1.0, opt.input_bits)) - 1;
    return double(rows) * dmax * (levels - 1);
  }

  void set_steps() {
    for (auto& s : sets)
      for (auto& c : s.chunks)
        c.step =
            adc_step(opt.adc_full_scale > 0 ? opt.adc_full_scale : read_full_scale(c.rows), spec.adc.bits);
    std::int64_t table_floats = 0;
    for (auto& s : sets)
      for (auto& c : s.chunks) table_floats += code_table(c, table_floats);
  }

  // The ADC codes of every subset of a read's rows, where that is small (at most kTableRows rows,
  // kTableFloats codes, kLayerTableFloats for the layer) and exact: 1-bit DACs (a read sums the conductance
  // rows of its set input bits) and no read noise. Each subset's column sums are formed in increasing row
  // order, the order gather_bits() adds them in, so the table holds the very codes run() would compute.
  // Returns the table's size in floats (0: none); `used` is what the layer's tables hold already.
  std::int64_t code_table(Chunk& c, std::int64_t used) const {
    c.codes.clear();
    c.clipped.clear();
    const std::int64_t ld = c.g.cols();
    if (dac_bits != 1 || spec.device.read_noise_sigma > 0 || c.rows > kTableRows) return 0;
    const std::int64_t subsets = std::int64_t(1) << c.rows;
    if (subsets * ld > kTableFloats || used + subsets * ld > kLayerTableFloats) return 0;
    std::vector<float> sums(std::size_t(subsets * ld), 0.f);
    c.codes.assign(std::size_t(subsets * ld), 0.f);
    c.clipped.assign(std::size_t(2 * subsets), 0);
    const Adc adc{float(1.0 / c.step), float(std::ldexp(1.0, spec.adc.bits) - 1), 1.f};
    for (std::int64_t mask = 1; mask < subsets; ++mask) {
      const int top = 63 - __builtin_clzll(std::uint64_t(mask));
      const float* prev = sums.data() + (mask ^ (std::int64_t(1) << top)) * ld;
      const float* row = c.g.data() + top * ld;
      float* cur = sums.data() + mask * ld;
      for (std::int64_t i = 0; i < ld; ++i) cur[i] = prev[i] + row[i];
      const std::int64_t hi_lo = adc_accumulate(cur, ld, adc, c.codes.data() + mask * ld);
      c.clipped[std::size_t(2 * mask)] = std::int32_t(hi_lo >> 32);
      c.clipped[std::size_t(2 * mask + 1)] = std::int32_t(hi_lo & 0xffffffff);
    }
    return subsets * ld;
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
          c.g = RowMat::Zero(c.rows, padded(pcol));
          Rng rng(opt.seed, 0xce11, std::uint64_t(g0), std::uint64_t(r0));
          for (std::int64_t i = 0; i < c.rows; ++i) {
            float* row = c.g.data() + i * c.g.cols();
            if (spec.device.stuck_aware_programming)
              program_row_stuck_aware(g0, r0 + i, pcol, rng, row);
            else
              for (std::int64_t p = 0; p < pcol; ++p) row[p] = cell.program(level(g0, r0 + i, p), rng);
          }
          if (noise) {
            const double off = cell.g_off() / cell.level_step();
            c.h = ((c.g.array().cast<double>() + off).square()).cast<float>().matrix();
            c.h.rightCols(c.h.cols() - pcol).setZero();
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
    const float lo_f = float(-off), hi_f = float(hi - off);
    int bad = 0;
    for (std::int64_t n = 0; n < nb; ++n) {
      const float* row = x + (n0 + n) * in_width + set.first_group * m.rows;
      std::int32_t* dst = xu.data() + n * prow;
      for (std::int64_t r = 0; r < prow; ++r) {
        // Range first (also rejects NaN), then integrality; checked once per block (vectorizable).
        const float f0 = row[r] > lo_f ? row[r] : lo_f;  // NaN -> lo_f (flagged below)
        const float f = f0 < hi_f ? f0 : hi_f;
        const std::int32_t v = std::int32_t(f);
        bad |= int(row[r] < lo_f) | int(row[r] > hi_f) | int(float(v) != row[r]);  // NaN: != holds
        dst[r] = v + off;
      }
    }
    if (bad) throw std::invalid_argument("CrossbarLayer: input is not an integer in the input_bits range");
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
        const std::int64_t pcol = set.groups * phys_cols, ld = padded(pcol);
        IntMat xu;
        unsigned_inputs(x, n0, nb, set, xu);
        RowMatD acc = RowMatD::Zero(nb, pcol);
        // Per input slice, the rows driven in the current read: active[s * max_rows + k], k < count[s].
        std::int64_t max_rows = 0;
        for (const Chunk& c : set.chunks) max_rows = std::max(max_rows, c.rows);
        std::vector<Active> active(static_cast<std::size_t>(input_slices * max_rows));
        std::vector<std::int32_t> count(static_cast<std::size_t>(input_slices));
        std::vector<float> slice_scale(static_cast<std::size_t>(input_slices));  // ADC step x 2^(s dac_bits)
        std::vector<std::uint64_t> plane_buf(static_cast<std::size_t>(input_slices * ((max_rows + 63) / 64)));
        std::vector<float> yv(static_cast<std::size_t>(ld)), var(static_cast<std::size_t>(ld)),
            chunk_sum(static_cast<std::size_t>(ld));
        std::vector<Rng> noise;
        for (std::size_t ci = 0; ci < set.chunks.size(); ++ci) {
          const Chunk& c = set.chunks[ci];
          conv += nb * pcol * input_slices;
          // A slice no vector of this block drives is skipped entirely (and draws no noise).
          std::int32_t driven = 0;
          for (std::int64_t n = 0; n < nb; ++n)
            for (std::int64_t r = 0; r < c.rows; ++r) driven |= xu(n, c.row0 + r);
          if (driven == 0) continue;
          // Read noise: one stream per slice, consumed in (vector, column) order.
          noise.clear();
          if (sigma > 0)
            for (int s = 0; s < input_slices; ++s)
              noise.emplace_back(opt.seed, 0x4ead ^ (call_id << 16), std::uint64_t(t),
                                 ci * 64 + std::uint64_t(s));
          const float inv_step = float(1.0 / c.step);  // a power of two: exact
          for (int s = 0; s < input_slices; ++s)
            slice_scale[std::size_t(s)] = float(std::ldexp(c.step, s * dac_bits));
          for (std::int64_t n = 0; n < nb; ++n) {
            const std::int32_t* xr = xu.data() + n * xu.cols() + c.row0;
            const std::int64_t words = (c.rows + 63) / 64;
            if (!c.codes.empty()) {  // look the codes up: one bit-plane word per slice
              bit_planes(xr, c.rows, input_slices, words, plane_buf.data());
              bool any = false;
              for (int s = 0; s < input_slices; ++s) {
                const std::uint64_t mask = plane_buf[std::size_t(s)];
                clip_hi += c.clipped[std::size_t(2 * mask)];  // 0 for mask 0
                clip_lo += c.clipped[std::size_t(2 * mask + 1)];
                any |= mask != 0;
              }
              if (!any) continue;
              table_sum(c.codes.data(), ld, plane_buf.data(), input_slices, slice_scale.data(),
                        chunk_sum.data());
              double* arow = acc.data() + n * acc.cols();
              for (std::int64_t i = 0; i < pcol; ++i) arow[i] += double(chunk_sum[std::size_t(i)]);
              continue;
            }
            std::uint64_t* planes = plane_buf.data();
            Active* act = active.data();
            std::int32_t* cnt = count.data();
            if (dac_bits == 1) {
              bit_planes(xr, c.rows, input_slices, words, planes);
            } else {
              // Branch-free: every row is written, only driven rows advance the count.
              for (int s = 0; s < input_slices; ++s) {
                Active* as = act + s * max_rows;
                std::int32_t k = 0;
                const int shift = s * dac_bits;
                for (std::int64_t r = 0; r < c.rows; ++r) {
                  const std::int32_t d = (xr[r] >> shift) & dmask;
                  as[k] = {std::int32_t(r), float(d)};
                  k += d != 0;
                }
                cnt[s] = k;
              }
            }
            // Shift-add of one read's codes over the input slices stays below
            // 2^input_bits x full scale, exact in float; the sum over reads is kept in double.
            std::fill(chunk_sum.begin(), chunk_sum.end(), 0.f);
            bool any = false;
            for (int s = 0; s < input_slices; ++s) {
              if (((driven >> (s * dac_bits)) & dmask) == 0) continue;
              const Active* a = act + s * max_rows;
              const std::uint64_t* plane = planes + s * words;
              std::size_t na = 0;
              if (dac_bits == 1)
                for (std::int64_t q = 0; q < words; ++q) na += std::size_t(plane[q] != 0);
              else
                na = std::size_t(cnt[s]);
              if (na == 0) {  // no row driven: every column reads 0 (plus zero noise)
                if (sigma > 0)
                  for (std::int64_t i = 0; i < pcol; ++i) noise[std::size_t(s)].normal();
                continue;
              }
              const Adc adc{inv_step, codes_max_f, slice_scale[std::size_t(s)]};
              std::int64_t hi_lo;
              if (dac_bits == 1 && sigma <= 0) {
                hi_lo = gather_adc(c.g.data(), ld, plane, words, adc, yv.data(), chunk_sum.data());
              } else {
                if (dac_bits == 1)
                  gather_bits(c.g.data(), ld, plane, words, yv.data());
                else
                  gather<false>(c.g.data(), ld, a, na, yv.data());
                if (sigma > 0) {
                  if (dac_bits == 1)
                    gather_bits(c.h.data(), ld, plane, words, var.data());
                  else
                    gather<true>(c.h.data(), ld, a, na, var.data());
                  Rng& rng = noise[std::size_t(s)];
                  for (std::int64_t i = 0; i < pcol; ++i)
                    yv[std::size_t(i)] +=
                        float(sigma * std::sqrt(double(var[std::size_t(i)])) * rng.normal());
                }
                hi_lo = adc_accumulate(yv.data(), ld, adc, chunk_sum.data());
              }
              const std::int32_t hi_n = std::int32_t(hi_lo >> 32), lo_n = std::int32_t(hi_lo & 0xffffffff);
              clip_hi += hi_n;
              clip_lo += lo_n;
              any = true;
            }
            if (any)
              for (std::int64_t i = 0; i < pcol; ++i) acc(n, i) += double(chunk_sum[std::size_t(i)]);
          }
        }
        combine(set, xu, acc, n0, nb, y, out_width);
      } catch (const std::exception& e) {
#pragma omp critical
        if (error.empty()) error = e.what();
      }
    }
    if (!error.empty()) throw std::invalid_argument(error);
    const std::lock_guard<std::mutex> lock(stats_mutex);  // run() may be called concurrently
    stats.conversions += conv;
    stats.clipped_high += clip_hi;
    stats.clipped_low += clip_lo;
  }

  // Shift-add over weight slices, differential / offset subtraction, signed-input correction.
  void combine(const GroupSet& set, const IntMat& xu, const RowMatD& acc, std::int64_t n0, std::int64_t nb,
               float* y, std::int64_t out_width) const {
    const double w_off = diff == 2 ? 0.0 : std::ldexp(1.0, opt.weight_bits - 1);
    const double x_off = opt.signed_inputs ? std::ldexp(1.0, opt.input_bits - 1) : 0.0;
    std::vector<double> slice_weight(static_cast<std::size_t>(slices));
    for (int k = 0; k < slices; ++k) slice_weight[std::size_t(k)] = std::ldexp(1.0, k * cell_bits);
    // Every term is an integer (ADC codes times powers of two, integer inputs and weights) far below
    // 2^53, so the sums are exact in any order: slice-major loops, no dependency chain per output.
    std::vector<double> v(static_cast<std::size_t>(m.cols));
    const std::int64_t stride = std::int64_t(slices) * diff;
    for (std::int64_t gl = 0; gl < set.groups; ++gl) {
      const std::int64_t g = set.first_group + gl;
      const double* csum = col_sums.data() + g * m.cols;
      for (std::int64_t n = 0; n < nb; ++n) {
        double xsum = 0;
        if (w_off != 0)
          for (std::int64_t r = 0; r < m.rows; ++r) xsum += xu(n, gl * m.rows + r);
        const double* a = acc.data() + n * acc.cols() + gl * phys_cols;
        const double base = -w_off * xsum;
        for (std::int64_t j = 0; j < m.cols; ++j) v[std::size_t(j)] = base - x_off * csum[j];
        for (int k = 0; k < slices; ++k) {
          const double sw = slice_weight[std::size_t(k)];  // a power of two
          const double* ak = a + std::int64_t(k) * diff;
          if (diff == 2)
            for (std::int64_t j = 0; j < m.cols; ++j)
              v[std::size_t(j)] += (ak[j * stride] - ak[j * stride + 1]) * sw;
          else
            for (std::int64_t j = 0; j < m.cols; ++j) v[std::size_t(j)] += ak[j * stride] * sw;
        }
        float* out = y + (n0 + n) * out_width + g * m.cols;
        for (std::int64_t j = 0; j < m.cols; ++j) out[j] = float(v[std::size_t(j)]);
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
          for (std::int64_t p = 0; p < pcol; ++p)
            nominal(i, p) = float(level(set.first_group, c.row0 + i, p));
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

std::vector<float> CrossbarLayer::run(const std::vector<float>& x, std::int64_t vectors,
                                      std::uint64_t call_id) {
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

const mapping::CrossbarTiling& CrossbarLayer::tiling() const {
  return impl_->tiling;
}
const LayerStats& CrossbarLayer::stats() const {
  return impl_->stats;
}
void CrossbarLayer::reset_stats() {
  impl_->stats = {};
}

}  // namespace imc::sim::functional
