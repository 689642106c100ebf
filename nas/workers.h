// Evaluating a batch of jobs in forked worker processes (common/children.h).
//
// For evaluators that must run in a process of their own — a SystemC model elaborates once per
// process, so every candidate needs a fresh one — or that are not thread-safe. A job is whatever
// the caller evaluates (a genome, a (design, network) pair, a group of candidates sharing trained
// weights); each becomes one Evaluation, in the order of the jobs. Under mpirun the jobs are shared
// out among the ranks (nas/distributed.h); the result is the same.
#pragma once

#include <cstddef>
#include <vector>

#include "common/children.h"
#include "nas/distributed.h"
#include "nas/optimizer.h"

namespace imc::nas {

struct WorkerOptions {
  std::size_t workers = 0;      // processes at a time; 0 = number of cores
  std::size_t per_process = 1;  // jobs evaluated by one child before it exits
  // A job whose child throws, crashes or is killed: false = the batch throws (common::InputError if
  // the child threw one, common::ChildError otherwise); true = that job's Evaluation is infeasible
  // (violation +inf, reason naming the failure) and the search goes on. Bad input always throws.
  bool failures_are_infeasible = false;
};

// The outcomes of the children as Evaluations, failures handled as `options` says.
std::vector<Evaluation> evaluations_of(std::vector<common::ChildOutcome<Evaluation>>&& outcomes,
                                       const WorkerOptions& options);

// evaluate(job) -> Evaluation for every job, in worker processes.
template <class Job, class Evaluate>
std::vector<Evaluation> evaluate_in_workers(const std::vector<Job>& jobs, const Evaluate& evaluate,
                                            const WorkerOptions& options = {}) {
  const common::ChildOptions children{options.workers, options.per_process};
  if (!distributed())
    return evaluations_of(common::run_in_children(
                              jobs, [&](const Job& job) -> Evaluation { return evaluate(job); }, children),
                          options);
  // Under MPI (nas/distributed.h): this rank's share in its own workers, then every rank's outcomes.
  const std::vector<std::size_t> share = rank_share(jobs.size());
  auto mine = common::run_in_children(
      share, [&](std::size_t i) -> Evaluation { return evaluate(jobs[i]); }, children);
  return evaluations_of(gather_outcomes(jobs.size(), share, std::move(mine)), options);
}

}  // namespace imc::nas
