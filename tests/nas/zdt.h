// ZDT1 / ZDT2 test problems on a discretized genome, for the search tests.
#pragma once

#include <cstddef>
#include <vector>

#include "nas/loop.h"

namespace imc::nas::test {

// A space of `n` genes "network.x1".."network.xn", each an integer range 0..steps (x = index / steps).
SearchSpace zdt_space(std::size_t n, int steps);
// ZDT1 (front f2 = 1 - sqrt(f1)) or ZDT2 (front f2 = 1 - f1^2) of the decoded genome.
std::vector<double> zdt(int which, const Genome& g, int steps);
// Exact hypervolume of the true front w.r.t. (1.1, 1.1): 1.21 - 1/3 (ZDT1), 1.21 - 2/3 (ZDT2).
double zdt_true_hv(int which);
BatchEvaluator zdt_evaluator(int which, int steps, std::size_t* calls = nullptr);

}  // namespace imc::nas::test
