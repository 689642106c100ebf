#include "common/rank_correlation.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace imc::common {

std::optional<double> kendall_tau_b(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size())
    throw std::invalid_argument("kendall_tau_b: " + std::to_string(a.size()) + " values against " +
                                std::to_string(b.size()));
  const std::size_t n = a.size();
  if (n < 2) return std::nullopt;
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) return std::nullopt;
  // Counted as integers: exact for any n this O(n^2) loop can reach.
  long long concordant = 0, discordant = 0, tied_a_only = 0, tied_b_only = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      const double da = a[i] - a[j], db = b[i] - b[j];
      if (da == 0 && db == 0) continue;  // tied in both: in n1 and n2, ordered by neither
      if (da == 0)
        ++tied_a_only;
      else if (db == 0)
        ++tied_b_only;
      else
        ++((da > 0) == (db > 0) ? concordant : discordant);
    }
  // n0 - n1 = the pairs a orders = concordant + discordant + those tied in b only (and likewise).
  const double ordered_by_a = double(concordant + discordant + tied_b_only);
  const double ordered_by_b = double(concordant + discordant + tied_a_only);
  if (ordered_by_a == 0 || ordered_by_b == 0) return std::nullopt;
  return double(concordant - discordant) / std::sqrt(ordered_by_a * ordered_by_b);
}

}  // namespace imc::common
