// Evaluating a batch of genomes in forked worker processes.
//
// For evaluators that must run in a process of their own — a SystemC model elaborates once per
// process, so every candidate needs a fresh one — or that are not thread-safe. Each child is
// forked from the caller (inheriting everything already loaded: configs, workloads, trained
// weights), evaluates `per_process` genomes, writes one JSON line per result into a pipe and
// leaves with _exit (no atexit handlers, no static destructors of the parent's objects).
// Results come back in the order of `genomes`, whatever order the children finish in.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "nas/genome.h"
#include "nas/optimizer.h"

namespace imc::nas {

struct WorkerOptions {
  std::size_t workers = 0;      // processes at a time; 0 = number of cores
  std::size_t per_process = 1;  // genomes evaluated by one child before it exits
  // A child that throws, crashes or is killed: false = the batch throws (common::InputError if
  // the child threw one, std::runtime_error otherwise); true = that genome becomes infeasible
  // (violation +inf, reason naming the failure) and the search goes on.
  bool failures_are_infeasible = false;
};

using EvaluateOne = std::function<Evaluation(const Genome&)>;

std::vector<Evaluation> evaluate_in_workers(const std::vector<Genome>& genomes, const EvaluateOne& evaluate,
                                            const WorkerOptions& options = {});

}  // namespace imc::nas
