// The co-search's baselines, run on the same problem with the same optimizer settings:
//   single    — the search on the single largest network alone (most crossbar weights, or the one
//               named), its best design then evaluated on every network;
//   stagewise — a sequential search, one stage of genes at a time (device -> circuit ->
//               architecture -> system by default), the other genes held at the values chosen so
//               far (at first the middle of each gene's domain);
//   random    — uniform sampling of as many designs as the joint search evaluated (one generation).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nas/cosearch/cosearch.h"
#include "nas/cosearch/evaluator.h"

namespace imc::nas::cosearch {

// Shared by the baselines: the config, the scalar problem's evaluator on every network and what to do
// with run directories and progress.
struct BaselineContext {
  const Config& config;
  Evaluator& scalar;  // every network, scalar objective
  const RunOptions& options;
  OptimizerConfig
      optimizer;  // a scalar optimizer (the config's, or sga when the config's is multi-objective)
  std::size_t joint_generations = 0;
  std::size_t joint_evaluated = 0;  // designs the joint search evaluated: the random baseline's sample size
};

// A search loop's best design: the lowest first objective among feasible candidates (ties: lowest
// id); nullptr when none is feasible.
const Candidate* best_candidate(const std::vector<Candidate>& candidates);

// The design `genome` (of `space`) evaluated on every network by `scalar`, as a Design.
Design make_design(Evaluator& scalar, const SearchSpace& space, const Genome& genome, std::size_t id);

// Index of the network with the most crossbar weights (first on ties).
std::size_t largest_network(const std::vector<workloads::Graph>& graphs);

// The workload-specific search for network `index` alone (same space, optimizer and generations as the
// joint search), in run subdirectory `sub`; its best design then evaluated on every network.
BaselineResult run_specific(const BaselineContext& ctx, std::size_t index, const std::string& name,
                            const std::string& sub);
// The single baseline's network: baselines.single_network, or the largest (InputError when unknown).
std::size_t single_network_index(const BaselineContext& ctx);
BaselineResult run_single(const BaselineContext& ctx);  // run_specific of that network, "baselines/single"
BaselineResult run_stagewise(const BaselineContext& ctx);
BaselineResult run_random(const BaselineContext& ctx);

// The space of one stage: genes not in `free` are fixed at `current`'s values; conditions are kept.
SearchSpace restrict_space(const SearchSpace& full, const Genome& current,
                           const std::vector<std::string>& free);

}  // namespace imc::nas::cosearch
