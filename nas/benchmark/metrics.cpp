#include "nas/benchmark/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nas/pareto.h"

namespace imc::nas::benchmark {

std::vector<double> Normalization::apply(const std::vector<double>& point) const {
  std::vector<double> out(point.size());
  for (std::size_t i = 0; i < point.size(); ++i) out[i] = (point[i] - ideal[i]) / (nadir[i] - ideal[i]);
  return out;
}

Normalization normalization_of(const std::vector<std::vector<double>>& points, std::size_t objectives) {
  Normalization n;
  n.ideal.assign(objectives, std::numeric_limits<double>::infinity());
  n.nadir.assign(objectives, -std::numeric_limits<double>::infinity());
  for (const auto& p : points)
    for (std::size_t i = 0; i < p.size() && i < objectives; ++i) {
      n.ideal[i] = std::min(n.ideal[i], p[i]);
      n.nadir[i] = std::max(n.nadir[i], p[i]);
    }
  for (std::size_t i = 0; i < objectives; ++i) {
    if (!std::isfinite(n.ideal[i])) n.ideal[i] = 0, n.nadir[i] = 1;  // no feasible point at all
    if (!(n.nadir[i] > n.ideal[i])) n.nadir[i] = n.ideal[i] + 1;
  }
  return n;
}

std::vector<double> hypervolume_curve(const RunTrace& trace, const Normalization& n, std::size_t budget) {
  std::vector<double> curve;
  curve.reserve(budget);
  ParetoArchive front;
  const std::vector<double> reference(n.ideal.size(), kNormalizedReference);
  double hv = 0;
  for (std::size_t e = 0; e < budget; ++e) {
    if (e < trace.evaluations.size() && !trace.evaluations[e].empty() &&
        front.insert(e, n.apply(trace.evaluations[e])))
      hv = hypervolume(front.points(), reference);  // only a new front member changes it
    curve.push_back(hv);
  }
  return curve;
}

std::optional<std::size_t> evaluations_to_reach(const std::vector<double>& curve, double target) {
  for (std::size_t i = 0; i < curve.size(); ++i)
    if (curve[i] >= target) return i + 1;
  return std::nullopt;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / double(v.size());
}

double std_of(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size() - 1));
}

CurveStats curve_stats(const std::vector<std::vector<double>>& curves) {
  CurveStats s;
  if (curves.empty()) return s;
  const std::size_t n = curves.front().size();
  for (std::size_t e = 0; e < n; ++e) {
    std::vector<double> at;
    for (const auto& c : curves) at.push_back(c[e]);
    s.mean.push_back(mean_of(at));
    s.std.push_back(std_of(at));
    s.min.push_back(*std::min_element(at.begin(), at.end()));
    s.max.push_back(*std::max_element(at.begin(), at.end()));
  }
  return s;
}

}  // namespace imc::nas::benchmark
