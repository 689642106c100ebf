// Hypervolume against evaluations, on one normalization shared by every algorithm and seed.
//
// Normalization: each objective f becomes (f - ideal) / (nadir - ideal), where ideal and nadir are
// the best and worst feasible values of the table (tabular mode) or of every run of the benchmark
// together (direct mode); the reference point is 1.1 in every normalized objective (the nadir plus
// 10% of the span, the search loop's rule). So hypervolumes are comparable across algorithms and
// seeds of one benchmark, and bounded by 1.1^m.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "nas/benchmark/run_one.h"

namespace imc::nas::benchmark {

inline constexpr double kNormalizedReference = 1.1;

struct Normalization {
  std::vector<double> ideal, nadir;
  std::vector<double> apply(const std::vector<double>& point) const;
};

// Ideal and nadir of these points (feasible objective vectors; empty ones are skipped). An
// objective with no spread gets nadir = ideal + 1 so that it normalizes to 0.
Normalization normalization_of(const std::vector<std::vector<double>>& points, std::size_t objectives);

// Hypervolume of the feasible points evaluated so far after each evaluation, 1..budget; a run that
// stopped short of the budget keeps its last value.
std::vector<double> hypervolume_curve(const RunTrace& trace, const Normalization& n, std::size_t budget);

// The number of evaluations (1-based) after which `curve` first reaches `target`; nullopt if never.
std::optional<std::size_t> evaluations_to_reach(const std::vector<double>& curve, double target);

struct CurveStats {
  std::vector<double> mean, std, min, max;  // per evaluation, over seeds (std: sample, n - 1)
};
CurveStats curve_stats(const std::vector<std::vector<double>>& curves);

double mean_of(const std::vector<double>& v);
double std_of(const std::vector<double>& v);  // sample standard deviation; 0 for fewer than 2 values

}  // namespace imc::nas::benchmark
