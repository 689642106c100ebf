// Kendall's tau-b (common/rank_correlation.h) on hand-counted cases, ties in particular: where it
// differs from tau-a (every pair tied in one ranking leaves the denominator), and where it is
// undefined.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "common/rank_correlation.h"

using imc::common::kendall_tau_b;
using V = std::vector<double>;

TEST_CASE("kendall tau-b: no ties, it is tau-a") {
  CHECK(*kendall_tau_b(V{1, 2, 3, 4}, V{10, 20, 30, 40}) == doctest::Approx(1.0));
  CHECK(*kendall_tau_b(V{1, 2, 3, 4}, V{40, 30, 20, 10}) == doctest::Approx(-1.0));
  CHECK(*kendall_tau_b(V{1, 2, 3}, V{1, 3, 2}) == doctest::Approx(1.0 / 3.0));  // 2 concordant, 1 not
  // 5 items, 10 pairs: (0,1), (2,4) and (3,4) discordant, the other 7 concordant: (7 - 3) / 10.
  CHECK(*kendall_tau_b(V{1, 2, 3, 4, 5}, V{2, 1, 4, 5, 3}) == doctest::Approx(0.4));
}

TEST_CASE("kendall tau-b: ties") {
  // a = 1 2 2 3, b = 1 2 3 3: 4 concordant, 0 discordant, one pair tied in a only, one in b only.
  // tau-b = 4 / sqrt(5 * 5) = 0.8 (tau-a would say 4 / 6).
  CHECK(*kendall_tau_b(V{1, 2, 2, 3}, V{1, 2, 3, 3}) == doctest::Approx(0.8));
  // The same ties in both rankings: they agree on every pair they order, so tau-b is 1 (tau-a 2/3).
  CHECK(*kendall_tau_b(V{1, 1, 2}, V{5, 5, 9}) == doctest::Approx(1.0));
  CHECK(*kendall_tau_b(V{1, 1, 2}, V{9, 9, 5}) == doctest::Approx(-1.0));
  // a = 1 1 2 2, b = 1 2 1 2: 6 pairs; (0,1) and (2,3) tied in a; (0,2) and (1,3) tied in b;
  // (0,3) concordant, (1,2) discordant: tau-b = 0 / sqrt(4 * 4) = 0.
  CHECK(*kendall_tau_b(V{1, 1, 2, 2}, V{1, 2, 1, 2}) == doctest::Approx(0.0));
  // a = 1 2 3 3 3, b = 1 2 3 4 5: 10 pairs, 3 tied in a, 7 concordant: 7 / sqrt(7 * 10).
  CHECK(*kendall_tau_b(V{1, 2, 3, 3, 3}, V{1, 2, 3, 4, 5}) == doctest::Approx(7.0 / std::sqrt(70.0)));
  // Symmetric in its arguments.
  CHECK(*kendall_tau_b(V{1, 2, 3, 4, 5}, V{1, 2, 3, 3, 3}) == doctest::Approx(7.0 / std::sqrt(70.0)));
}

TEST_CASE("kendall tau-b: undefined cases and bad input") {
  CHECK_FALSE(kendall_tau_b(V{}, V{}).has_value());
  CHECK_FALSE(kendall_tau_b(V{1}, V{1}).has_value());
  CHECK_FALSE(kendall_tau_b(V{3, 3, 3}, V{1, 2, 3}).has_value());  // a constant ranking orders nothing
  CHECK_FALSE(kendall_tau_b(V{1, 2, 3}, V{1, NAN, 3}).has_value());
  CHECK_FALSE(kendall_tau_b(V{1, INFINITY}, V{1, 2}).has_value());
  CHECK_THROWS_AS(kendall_tau_b(V{1, 2, 3}, V{1, 2}), std::invalid_argument);
}
