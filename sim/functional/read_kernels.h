// Kernels of one crossbar read for CrossbarLayer::run (sim/functional/crossbar_layer.cpp, the
// only includer, compiled for the machine's vector units): the column sums of the driven rows
// (gathered, not multiplied), the ADC with shift-add, and input bit planes.
//
// One read's column currents are sums of the conductance rows whose input digit is non-zero, so
// they are computed as such sums (rows gathered, zero digits skipped) rather than as a dense
// product: bit planes of quantized activations are mostly zeros (ReLU outputs, high bits).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#ifdef __AVX2__
#include <immintrin.h>
#endif

namespace imc::sim::functional::kernels {

// v16: 16 floats (one AVX-512 register, two AVX or four SSE ones), unaligned, may alias float.
typedef float v16 __attribute__((vector_size(64), aligned(4), may_alias));
constexpr std::int64_t kLanes = 16;
constexpr int kTileVectors = 8;  // 128 columns per pass, kept in registers

struct Active {
  std::int32_t row;
  float digit;  // the DAC input of that row in this read (>= 1)
};

// Calls f(std::integral_constant<int, T>{}, c0) for the column tiles [c0, c0 + 16 T) of a row of
// `ld` floats (ld a multiple of 16): T = 8 (128 columns, kept in registers) except for the last tile.
template <class F>
inline void for_each_tile(std::int64_t ld, F&& f) {
  for (std::int64_t c0 = 0; c0 < ld; c0 += kTileVectors * kLanes) {
    switch (std::min<std::int64_t>(kTileVectors, (ld - c0) / kLanes)) {
      case 8:
        f(std::integral_constant<int, 8>{}, c0);
        break;
      case 7:
        f(std::integral_constant<int, 7>{}, c0);
        break;
      case 6:
        f(std::integral_constant<int, 6>{}, c0);
        break;
      case 5:
        f(std::integral_constant<int, 5>{}, c0);
        break;
      case 4:
        f(std::integral_constant<int, 4>{}, c0);
        break;
      case 3:
        f(std::integral_constant<int, 3>{}, c0);
        break;
      case 2:
        f(std::integral_constant<int, 2>{}, c0);
        break;
      default:
        f(std::integral_constant<int, 1>{}, c0);
        break;
    }
  }
}

// Multi-bit DACs: y[0, 16 T) = sum over `e` of f(digit) * g[row][0, 16 T), with f(d) = d, or d^2
// (SQUARE: read-noise variance).
template <int T, bool SQUARE>
void gather_tile(const float* g, std::int64_t ld, const Active* e, std::size_t ne, float* y) {
  v16 acc[T];
  std::memset(static_cast<void*>(acc), 0, sizeof acc);
  for (std::size_t k = 0; k < ne; ++k) {
    const v16* row = reinterpret_cast<const v16*>(g + std::int64_t(e[k].row) * ld);
    const float d = SQUARE ? e[k].digit * e[k].digit : e[k].digit;
    for (int j = 0; j < T; ++j) acc[j] += d * row[j];
  }
  v16* out = reinterpret_cast<v16*>(y);
  for (int j = 0; j < T; ++j) out[j] = acc[j];
}

// y[0, ld) for a row-major g with `ld` (a multiple of 16) floats per row.
template <bool SQUARE>
void gather(const float* g, std::int64_t ld, const Active* e, std::size_t ne, float* y) {
  for_each_tile(ld, [&](auto t, std::int64_t c0) {
    gather_tile<decltype(t)::value, SQUARE>(g + c0, ld, e, ne, y + c0);
  });
}

// 1-bit DACs: the rows driven in one read are the set bits of that slice's bit plane of the inputs.
// acc[0, T) = sum over set bits r of plane[0, words) of g[r][0, 16 T), in registers (inlined into
// gather_bits_tile, which stores it in y, and gather_adc_tile, which converts it).
template <int T>
__attribute__((always_inline)) inline void sum_set_rows(const float* g, std::int64_t ld,
                                                        const std::uint64_t* plane, std::int64_t words,
                                                        v16 (&acc)[T]) {
  std::memset(static_cast<void*>(acc), 0, sizeof acc);
  for (std::int64_t q = 0; q < words; ++q)
    for (std::uint64_t w = plane[q]; w != 0; w &= w - 1) {
      const v16* row = reinterpret_cast<const v16*>(g + (q * 64 + __builtin_ctzll(w)) * ld);
      for (int j = 0; j < T; ++j) acc[j] += row[j];
    }
}

template <int T>
void gather_bits_tile(const float* g, std::int64_t ld, const std::uint64_t* plane, std::int64_t words,
                      float* y) {
  v16 acc[T];
  sum_set_rows<T>(g, ld, plane, words, acc);
  v16* out = reinterpret_cast<v16*>(y);
  for (int j = 0; j < T; ++j) out[j] = acc[j];
}

inline void gather_bits(const float* g, std::int64_t ld, const std::uint64_t* plane, std::int64_t words,
                        float* y) {
  for_each_tile(ld, [&](auto t, std::int64_t c0) {
    gather_bits_tile<decltype(t)::value>(g + c0, ld, plane, words, y + c0);
  });
}

// Bit planes of one vector's inputs to a read: bit (r % 64) of planes[s * words + r / 64] is bit s of
// xr[r], for s < slices (<= 31).
inline void bit_planes(const std::int32_t* xr, std::int64_t rows, int slices, std::int64_t words,
                       std::uint64_t* planes) {
  std::fill(planes, planes + slices * words, std::uint64_t(0));
  std::int64_t r = 0;
#ifdef __AVX2__
  // 8 rows at a time: shift bit s to the sign bit, collect the signs (movemask).
  for (; r + 8 <= rows; r += 8) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xr + r));
    std::uint64_t* p = planes + r / 64;
    const int at = int(r % 64);
    for (int s = 0; s < slices; ++s) {
      const __m256i top = _mm256_sll_epi32(v, _mm_cvtsi32_si128(31 - s));
      p[s * words] |= std::uint64_t(unsigned(_mm256_movemask_ps(_mm256_castsi256_ps(top)))) << at;
    }
  }
#endif
  for (; r < rows; ++r)
    for (int s = 0; s < slices; ++s)
      planes[s * words + r / 64] |= std::uint64_t((xr[r] >> s) & 1) << (r % 64);
}

typedef std::int32_t v16i __attribute__((vector_size(64)));

// The ADC of one read and the shift-add over input slices, 16 columns: v = y / step (a power of
// two: exact); code = round(v) to nearest even, clipped to [0, codes_max]; sum += code * scale.
// Clipping first and rounding after gives the same code (the bounds are integers), and then
// (c + 1.5 2^23) - 1.5 2^23 rounds exactly (0 <= c < 2^22; default rounding mode, no -ffast-math).
// A code is clipped high iff v >= codes_max + 1/2 (codes_max = 2^bits - 1 is odd, so a tie rounds
// up) and low (a negative current) iff v < -1/2 (-1/2 rounds to 0).
struct Adc {
  float inv_step, codes_max, scale;
};

// (v16 values are passed by reference: by value they change the ABI between vector extensions.)
inline void adc_codes(const v16& y, const Adc& a, v16& vmax, v16& vmin, v16& code) {
  const float magic = 12582912.0f;
  const v16 zero = {};
  v16 v = y * a.inv_step;
  vmax = v > vmax ? v : vmax;
  vmin = v < vmin ? v : vmin;
  v = v < zero ? zero : v;
  v = v > a.codes_max ? a.codes_max : v;
  code = (v + magic) - magic;
}

// Codes clipped high and low among y[0, n) (only called when the range says some are).
inline std::int64_t count_clipped(const float* y, std::int64_t n, const Adc& a) {
  std::int64_t hi = 0, lo = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const float v = y[i] * a.inv_step;
    hi += v >= a.codes_max + 0.5f;
    lo += v < -0.5f;
  }
  return hi << 32 | lo;
}

inline float hmax(const v16& v) {
  float m = v[0];
  for (int j = 1; j < kLanes; ++j) m = std::max(m, v[j]);
  return m;
}
inline float hmin(const v16& v) {
  float m = v[0];
  for (int j = 1; j < kLanes; ++j) m = std::min(m, v[j]);
  return m;
}

// ADC and shift-add over y[0, n), n a multiple of 16. Returns (clipped high) << 32 | (clipped low).
inline std::int64_t adc_accumulate(const float* y, std::int64_t n, const Adc& a, float* sum) {
  v16 vmax = {}, vmin = {};  // the padding columns read 0 anyway
  for (std::int64_t i = 0; i < n; i += kLanes) {
    v16 code;
    adc_codes(*reinterpret_cast<const v16*>(y + i), a, vmax, vmin, code);
    *reinterpret_cast<v16*>(sum + i) += code * a.scale;
  }
  if (hmax(vmax) < a.codes_max + 0.5f && hmin(vmin) >= -0.5f) return 0;
  return count_clipped(y, n, a);
}

// 1-bit DACs without read noise, one pass: the column sums of the rows set in plane[0, words)
// (as gather_bits_tile), kept in y[0, 16 T) and converted (adc_codes) into sum[0, 16 T).
template <int T>
void gather_adc_tile(const float* g, std::int64_t ld, const std::uint64_t* plane, std::int64_t words,
                     const Adc& a, float* y, float* sum, v16& vmax, v16& vmin) {
  v16 acc[T];
  sum_set_rows<T>(g, ld, plane, words, acc);
  v16* out = reinterpret_cast<v16*>(y);
  v16* s = reinterpret_cast<v16*>(sum);
  for (int j = 0; j < T; ++j) {
    out[j] = acc[j];
    v16 code;
    adc_codes(acc[j], a, vmax, vmin, code);
    s[j] += code * a.scale;
  }
}

inline std::int64_t gather_adc(const float* g, std::int64_t ld, const std::uint64_t* plane,
                               std::int64_t words, const Adc& a, float* y, float* sum) {
  v16 vmax = {}, vmin = {};  // the padding columns read 0 anyway
  for_each_tile(ld, [&](auto t, std::int64_t c0) {
    gather_adc_tile<decltype(t)::value>(g + c0, ld, plane, words, a, y + c0, sum + c0, vmax, vmin);
  });
  if (hmax(vmax) < a.codes_max + 0.5f && hmin(vmin) >= -0.5f) return 0;
  return count_clipped(y, ld, a);
}

// Reads with a code table (CrossbarLayer's Chunk::codes): out[0, 16 T) = sum over the input slices
// s < slices with a non-zero row mask of codes[mask_s][0, 16 T) x scale[s], in registers.
template <int T>
void table_sum_tile(const float* codes, std::int64_t ld, const std::uint64_t* masks, int slices,
                    const float* scale, float* out) {
  v16 acc[T];
  std::memset(static_cast<void*>(acc), 0, sizeof acc);
  for (int s = 0; s < slices; ++s) {
    if (masks[s] == 0) continue;
    const v16* code = reinterpret_cast<const v16*>(codes + std::int64_t(masks[s]) * ld);
    for (int j = 0; j < T; ++j) acc[j] += code[j] * scale[s];
  }
  v16* o = reinterpret_cast<v16*>(out);
  for (int j = 0; j < T; ++j) o[j] = acc[j];
}

inline void table_sum(const float* codes, std::int64_t ld, const std::uint64_t* masks, int slices,
                      const float* scale, float* out) {
  for_each_tile(ld, [&](auto t, std::int64_t c0) {
    table_sum_tile<decltype(t)::value>(codes + c0, ld, masks, slices, scale, out + c0);
  });
}

constexpr std::int64_t kTableRows = 12;              // reads of at most this many rows ...
constexpr std::int64_t kTableFloats = 1 << 19;       // ... get a code table of at most 2 MB,
constexpr std::int64_t kLayerTableFloats = 1 << 23;  // ... up to 32 MB per layer

inline std::int64_t padded(std::int64_t cols) {
  return (cols + kLanes - 1) / kLanes * kLanes;
}

}  // namespace imc::sim::functional::kernels
