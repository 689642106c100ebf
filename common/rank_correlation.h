// Rank agreement between two scorings of the same items: Kendall's tau-b, the one definition the
// benchmark (analytical vs SystemC), the estimators' validation and the accuracy pre-screen report.
//
// Why tau-b and not tau-a: the rankings compared here tie often (designs with equal area, a
// predictor that scores a plateau alike, accuracies on a few hundred images). tau-a divides by all
// n(n-1)/2 pairs, so two rankings that agree on every pair they order still score below 1 as soon
// as there are ties; tau-b divides by the pairs each ranking orders, and is 1 for such rankings.
#pragma once

#include <optional>
#include <span>

namespace imc::common {

// Kendall's tau-b of (a[i], b[i]): (concordant - discordant) / sqrt((n0 - n1) (n0 - n2)), where n0
// = n(n-1)/2 pairs, n1 = pairs tied in a, n2 = pairs tied in b (a pair tied in both counts in each
// and in neither numerator term). The sign does not depend on whether higher or lower is better,
// as long as both scorings use the same sense. nullopt when it is undefined: fewer than two items,
// a ranking that is constant (no ordered pair), or a value that is not finite.
// Throws std::invalid_argument when the sizes differ. O(n^2): meant for up to a few thousand items.
std::optional<double> kendall_tau_b(std::span<const double> a, std::span<const double> b);

}  // namespace imc::common
