// Exact integer arithmetic of mapping/lower.cpp for the fast analytical path's inner loops, on
// sim/timing.h's div_floor (no 64-bit divide instruction for the divisors that occur here).
#pragma once

#include <bit>
#include <cstdint>

#include "sim/timing.h"

namespace imc::sim::fast {

using sim::div_floor;

// ceil(a / b) as mapping/lower.cpp computes it ((a + b - 1) / b), for a >= 0, b > 0.
inline std::int64_t div_ceil(std::int64_t a, std::int64_t b) {
  return div_floor(a + b - 1, b);
}

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
