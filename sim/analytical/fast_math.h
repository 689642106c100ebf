// Exact integer division without the 64-bit divide instruction (40-90 cycles on the server cores
// the search runs on), for the fast analytical path's inner loops: a power-of-two divisor shifts;
// any other goes through a double division and one correction step, which is exact for the
// dividends below 2^52 that occur here (larger ones take the plain division).
#pragma once

#include <bit>
#include <cstdint>

namespace imc::sim::fast {

// floor(a / b) for a >= 0, b > 0.
// Negative or huge dividends take the plain division (truncating, as the code it mirrors does).
inline std::int64_t div_floor(std::int64_t a, std::int64_t b) {
  if (a < 0 || a >= (std::int64_t(1) << 52)) return a / b;
  if ((b & (b - 1)) == 0) return a >> std::countr_zero(std::uint64_t(b));
  std::int64_t q = std::int64_t(double(a) / double(b));
  const std::int64_t r = a - q * b;
  if (r < 0) --q;
  else if (r >= b) ++q;
  return q;
}

// ceil(a / b) as mapping/lower.cpp computes it ((a + b - 1) / b), for a >= 0, b > 0.
inline std::int64_t div_ceil(std::int64_t a, std::int64_t b) { return div_floor(a + b - 1, b); }

// sim/timing.cpp's ceil_div: a zero or negative divisor leaves a unchanged.
inline std::int64_t timing_ceil(std::int64_t a, std::int64_t b) { return b <= 0 ? a : div_floor(a + b - 1, b); }

// The k-th of K near-equal parts of total (lower.cpp's share()).
inline std::int64_t share(std::int64_t total, std::int64_t k, std::int64_t K) {
  if (K == 1) return total;
  const std::int64_t hi = total * (k + 1), lo = total * k;
  if ((K & (K - 1)) == 0 && lo >= 0) {  // the usual 8 chunks
    const int s = std::countr_zero(std::uint64_t(K));
    return (hi >> s) - (lo >> s);
  }
  return div_floor(hi, K) - div_floor(lo, K);
}

}  // namespace imc::sim::fast
