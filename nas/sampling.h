// Initial-population sampling (the taxonomy's "sampling methods"): uniform, or Monte Carlo
// importance sampling toward the region a cheap estimate calls feasible.
//
// monte_carlo: draw oversample x n genomes uniformly, weight each by exp(-beta * v) with v the
// estimated violation (OptimizerSetup::violation_estimate: the space's conditions, plus whatever
// cheap check the caller adds, e.g. decoding the chip), and draw n distinct ones without
// replacement in proportion to the weights (Efraimidis-Spirakis keys u^(1/weight)). Feasible
// draws all weigh 1, so the sample stays spread over the feasible region instead of collapsing on
// a few points. Deterministic for a seed.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nas/optimizer.h"

namespace imc::nas {

std::vector<Genome> monte_carlo_sample(const OptimizerSetup& setup, std::size_t n, std::uint64_t seed);

// Wraps `inner` so that its first population is hot start + Monte Carlo sample (when
// setup.config.sampling is monte_carlo; otherwise returns `inner`). Works for every optimizer,
// since it only uses hot_start(); the state is the inner optimizer's.
std::unique_ptr<Optimizer> with_initial_sampling(const OptimizerSetup& setup,
                                                 std::unique_ptr<Optimizer> inner);

}  // namespace imc::nas
