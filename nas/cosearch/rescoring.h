// SystemC re-scoring of the joint search's best designs: under each objective the top-k designs by
// the analytical model are run on SystemC, and the two rankings compared (Kendall tau; does the best
// design change?). The designs of all objectives are pooled, so a design in several top-k lists runs once.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "nas/cosearch/aggregate.h"
#include "nas/cosearch/cosearch.h"

namespace imc::nas::cosearch {

// The objectives re-scored: the study's three, and the run's own aggregate when it is not one of them.
std::vector<Aggregate> rescored_aggregates(Aggregate run_aggregate);

// The pooled designs: the top `k` of `ranked_by` (feasible designs with figures) under every
// aggregate in `hows`, in first-seen order, without repeats (by candidate id).
std::vector<Design> pooled_top_k(const std::vector<Design>& candidates, const std::vector<Aggregate>& hows,
                                 std::size_t k);

// Per objective, from finalists whose networks carry SystemC reports (fidelity.h).
std::vector<Rescoring> rescore(const std::vector<Finalist>& finalists, const std::vector<Aggregate>& hows,
                               std::size_t k);

}  // namespace imc::nas::cosearch
