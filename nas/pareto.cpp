#include "nas/pareto.h"

#include <algorithm>
#include <pagmo/utils/hypervolume.hpp>
#include <pagmo/utils/multi_objective.hpp>
#include <stdexcept>

namespace imc::nas {

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("dominates(): points of different dimension");
  bool better = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    better = better || a[i] < b[i];
  }
  return better;
}

std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& points) {
  std::vector<std::size_t> out;
  if (points.size() < 2) {  // pagmo's sorting needs two points
    for (std::size_t i = 0; i < points.size(); ++i) out.push_back(i);
    return out;
  }
  auto sorted = pagmo::fast_non_dominated_sorting(points);
  for (auto i : std::get<0>(sorted).front()) out.push_back(static_cast<std::size_t>(i));
  std::sort(out.begin(), out.end());
  return out;
}

double hypervolume(const std::vector<std::vector<double>>& points, const std::vector<double>& reference) {
  std::vector<std::vector<double>> inside;
  for (const auto& p : points) {
    if (p.size() != reference.size())
      throw std::invalid_argument("hypervolume(): point and reference differ in size");
    bool ok = true;
    for (std::size_t i = 0; i < p.size() && ok; ++i) ok = p[i] < reference[i];
    if (ok) inside.push_back(p);
  }
  if (inside.empty()) return 0.0;
  if (reference.size() == 1) {  // pagmo's hypervolume starts at two dimensions
    double best = inside.front()[0];
    for (const auto& p : inside) best = std::min(best, p[0]);
    return reference[0] - best;
  }
  pagmo::hypervolume hv(inside, true);
  return hv.compute(reference);
}

bool ParetoArchive::insert(std::size_t id, const std::vector<double>& objectives) {
  for (const auto& e : entries_)
    if (dominates(e.objectives, objectives)) return false;
  std::vector<Entry> kept;
  kept.reserve(entries_.size() + 1);
  for (auto& e : entries_)
    if (!dominates(objectives, e.objectives)) kept.push_back(std::move(e));
  kept.push_back({id, objectives});
  entries_ = std::move(kept);
  return true;
}

std::vector<std::vector<double>> ParetoArchive::points() const {
  std::vector<std::vector<double>> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.objectives);
  return out;
}

}  // namespace imc::nas
