// The random baseline without evaluating designs that cannot be its best. Uniform samples of the SRAM
// space include chips of tiny arrays on which a large network runs in hundreds of reload groups (seconds
// of analytical walk per network: 110 of the 151 s of a reduced sram9 run, bench_cosearch). The baseline
// only reports its best design, so a design whose aggregate is provably above the best found so far needs
// no more networks evaluated:
//   ela       = max E x max L x A        >= max over evaluated E x max over evaluated L x A
//   ela_mean  = mean E x mean L x A      >= (sum over evaluated E / N) x (sum over evaluated L / N) x A
//   edap_mean = mean (E x L x A)         >= sum over evaluated (E x L x A) / N
// (every E, L and A is positive). ela_all and edap_product multiply every network's figures: no bound
// without all of them, so those baselines evaluate every design fully.
// Order, fixed by the genomes alone (so a run does not depend on the workers): designs by decreasing
// crossbar size and count (cheap to walk, and the strong chips), networks by increasing weight count
// (cheap first); a first batch is evaluated fully for an incumbent, then batches network by network,
// a design dropped as soon as its bound exceeds the incumbent. Designs that do not decode, exceed the area
// or a capacity, or whose mapping a network refuses get exactly the full evaluation's verdict.
// A dropped design is returned feasible with its bound as objective (fidelity "lower_bound", extra.pruned):
// above the incumbent, so never the baseline's best; the best design and its figures are those of the full
// evaluation (tests/cosearch/test_random_pruning.cpp).
#pragma once

#include <cstddef>
#include <vector>

#include "nas/cosearch/evaluator.h"

namespace imc::nas::cosearch {

struct PruningStats {
  std::size_t designs = 0;        // designs given
  std::size_t pruned = 0;         // dropped before every network was evaluated
  std::size_t pairs_skipped = 0;  // (design, network) pairs never evaluated because of it
};

// Evaluates `genomes` of `space` with `full` (its problem's networks, aggregate and shared cache) as
// full.evaluate would, except that designs bounded above the best are not evaluated fully (see above).
// Multi-objective problems and ela_all / edap_product go to full.evaluate unchanged.
std::vector<Evaluation> evaluate_pruned(Evaluator& full, const SearchSpace& space,
                                        const std::vector<Genome>& genomes, PruningStats* stats = nullptr);

}  // namespace imc::nas::cosearch
