// One benchmark run: an optimizer driven by ask/tell on a space until it has spent its budget of
// distinct evaluations. Unlike the search loop (nas/loop.h), which counts generations, this counts
// evaluations, so every algorithm gets exactly the same budget whatever its population or rounds.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "nas/optimizer.h"
#include "nas/space.h"

namespace imc::nas::benchmark {

using BatchEvaluator = std::function<std::vector<Evaluation>(const std::vector<Genome>&)>;
using KeyFunction = std::function<std::string(const Genome&)>;

// What a run's budget counts. kEvaluations: distinct candidates evaluated (what costs time in a real
// search: repeats come from the cache, condition violations are never evaluated). kProposals: every
// genome asked for (the NAS-Bench "queries"), so an optimizer that re-proposes what it has seen
// spends its budget on it instead of stalling.
enum class BudgetUnit { kEvaluations, kProposals };

struct RunTrace {
  std::string algorithm;
  std::int64_t seed = 0;
  // One entry per unit of budget spent, in order (a distinct evaluation, or a proposal): the
  // candidate's objectives when feasible, empty otherwise.
  std::vector<std::vector<double>> evaluations;
  std::size_t distinct_evaluations = 0;  // candidates sent to the evaluator
  std::size_t proposals = 0;             // genomes asked for
  std::size_t rejected = 0;              // proposals violating a space condition (not evaluated, not counted)
  std::size_t cache_hits = 0;            // proposals seen before in this run (not counted)
  bool stalled = false;                  // stopped by the proposal cap short of the budget
  double seconds = 0;                    // wall time of the run (asks, evaluations, tells)
};

struct RunLimits {
  std::size_t budget_evaluations = 0;  // in `unit`s
  std::size_t max_proposals = 0;
  BudgetUnit unit = BudgetUnit::kEvaluations;
};

// Runs `config` (its name and seed chosen) on `space` with `objectives` minimized columns. Each
// round: ask; proposals violating a condition are infeasible without evaluation, repeats are
// answered from the run's cache, the rest are evaluated in one batch, but never more than the budget
// left (the run ends inside that round, without a tell); tell.
RunTrace run_one(const SearchSpace& space, const OptimizerConfig& config, std::size_t objectives,
                 const BatchEvaluator& evaluate, const KeyFunction& key, const RunLimits& limits);

}  // namespace imc::nas::benchmark
