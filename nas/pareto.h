// Pareto dominance, front extraction and hypervolume (all objectives minimized).
#pragma once

#include <cstddef>
#include <vector>

namespace imc::nas {

// a dominates b: no worse in every objective and better in at least one.
bool dominates(const std::vector<double>& a, const std::vector<double>& b);

// Indices (ascending) of the non-dominated points (pagmo's non-dominated sorting, first front).
// Equal points are all kept.
std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& points);

// Hypervolume dominated by `points` and bounded by `reference` (pagmo::hypervolume). Points that
// are not strictly better than the reference in every objective contribute nothing and are
// skipped; returns 0 when none is left.
double hypervolume(const std::vector<std::vector<double>>& points, const std::vector<double>& reference);

// The non-dominated subset of everything inserted so far, maintained incrementally.
class ParetoArchive {
 public:
  struct Entry {
    std::size_t id;
    std::vector<double> objectives;
  };
  // Returns true when the point enters the front (it is then kept, and the points it dominates leave).
  bool insert(std::size_t id, const std::vector<double>& objectives);
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<std::vector<double>> points() const;
  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace imc::nas
