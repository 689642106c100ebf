// Exact integer arithmetic of the lowering and the timing formulas, without the 64-bit divide
// instruction where it can (40-90 cycles on the server cores the search runs on): the lowering's
// inner loops divide by chunk counts, tile fractions and widths for every op it emits.
#pragma once

#include <bit>
#include <cstdint>

namespace imc::mapping {

// a / b (floor for a >= 0, b > 0): a power-of-two divisor shifts; any other goes through a double
// division and one correction step, which is exact for the dividends below 2^52 that occur here.
// Negative or larger dividends take the plain (truncating) division.
inline std::int64_t div_floor(std::int64_t a, std::int64_t b) {
  if (a < 0 || a >= (std::int64_t(1) << 52)) return a / b;
  if ((b & (b - 1)) == 0) return a >> std::countr_zero(std::uint64_t(b));
  std::int64_t q = std::int64_t(double(a) / double(b));
  const std::int64_t r = a - q * b;
  if (r < 0)
    --q;
  else if (r >= b)
    ++q;
  return q;
}

// ceil(a / b) for a >= 0, b > 0.
inline std::int64_t div_ceil(std::int64_t a, std::int64_t b) {
  return div_floor(a + b - 1, b);
}

// The k-th of K near-equal integer parts of `total` (the parts sum to total exactly):
// total * (k + 1) / K - total * k / K, with the usual 8 chunks as shifts.
inline std::int64_t share(std::int64_t total, std::int64_t k, std::int64_t K) {
  if (K == 1) return total;
  const std::int64_t hi = total * (k + 1), lo = total * k;
  if ((K & (K - 1)) == 0 && lo >= 0) {
    const int s = std::countr_zero(std::uint64_t(K));
    return (hi >> s) - (lo >> s);
  }
  return div_floor(hi, K) - div_floor(lo, K);
}

}  // namespace imc::mapping
