// How the search's objectives become what the optimizer minimizes (the problem formulations of
// the HW-NAS taxonomy):
//   pareto           every objective separately; the optimizer keeps a Pareto front (default)
//   weighted_sum     one value, sum_i w_i f_i (f_i in its column's unit: choose weights accordingly)
//   weighted_product one value, prod_i f_i^w_i (unit-free ranking: scaling an f_i scales the product);
//                    every objective must be positive, so `tops_per_w` (negated) is not allowed
//   constrained      one objective, `primary`, minimized subject to the [constraints] limits; the
//                    other listed objectives are reported, not optimized
//   two_stage        stage 1 searches the network genes on the base chip (stage1_objectives, default
//                    all), stage 2 the hardware genes for stage 1's best network; each stage is a
//                    Pareto search, stage1_share of search.generations goes to stage 1
//                    (nas/search/two_stage.h)
// The [formulation] section: kind, weights (one per objective, finite and > 0), primary. A scalar
// formulation needs an optimizer that takes one objective (sga, sa, random, parego, reinforce).
#pragma once

#include <string>
#include <vector>

#include "common/config.h"
#include "nas/search/config.h"

namespace imc::nas::search {

const std::vector<std::pair<const char*, FormulationKind>>& formulation_names();

// Reads [formulation] (absent: pareto) into c.formulation, checked against c.objectives and
// c.optimizer; InputError naming the file, key and what is allowed.
void read_formulation(const common::ConfigNode& root, SearchConfig& c);

// The minimized columns the optimizer sees, and their values from the per-objective values `raw`
// (in c.objectives' order).
std::vector<std::string> formulated_columns(const SearchConfig& c);
std::vector<double> formulate(const SearchConfig& c, const std::vector<double>& raw);

}  // namespace imc::nas::search
