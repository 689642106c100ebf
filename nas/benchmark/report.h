// The benchmark's reports: hypervolume against evaluations per algorithm (CSV and an SVG with the
// mean line and a mean +- std band), one row per run (CSV).
#pragma once

#include <string>
#include <vector>

#include "nas/benchmark/metrics.h"

namespace imc::nas::benchmark {

struct AlgorithmCurves {
  std::string algorithm;
  CurveStats stats;
};

// evaluations, then <algo>_mean, <algo>_std, <algo>_min, <algo>_max for every algorithm.
std::string hypervolume_csv(const std::vector<AlgorithmCurves>& curves);
// A line chart: x evaluations, y normalized hypervolume; a dashed line at `target` (0 = none).
std::string hypervolume_svg(const std::vector<AlgorithmCurves>& curves, double target,
                            const std::string& title);

}  // namespace imc::nas::benchmark
