// The search loop: generations of ask -> evaluate -> tell, with an evaluation cache, condition
// checks, checkpoints, resume and reports.
//
// Per ask/tell round: each proposed genome is keyed by the caller's key function (the decoded
// candidate); a key seen before is answered from the cache; a genome violating a space condition
// is infeasible without being evaluated; the rest go to the batch evaluator in one call (running
// them in parallel, e.g. with evaluate_in_workers(), is the evaluator's business).
//
// After every generation, with a run directory: checkpoint.json (optimizer state with its RNG,
// every candidate — which is also the cache —, history, counters, reference point) is replaced
// atomically, and the reports are rewritten (nas/report.h). resume(dir) restores that state; since
// everything else is deterministic, kill + resume ends with the same result as an uninterrupted
// run with the same seed.
#pragma once

#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "nas/optimizer.h"
#include "nas/pareto.h"
#include "nas/records.h"
#include "nas/space.h"

namespace imc::nas {

using BatchEvaluator = std::function<std::vector<Evaluation>(const std::vector<Genome>&)>;
using KeyFunction = std::function<std::string(const Genome&)>;

struct LoopOptions {
  std::vector<std::string> objective_names;  // one per objective (all minimized); required
  std::size_t generations = 10;              // generations to complete, counting the initial population
  // Hypervolume reference point; empty = derived once from the first generation with feasible
  // candidates: worst value + 10% of the value span in each objective.
  std::vector<double> reference_point;
  std::string run_dir;                  // checkpoints and reports; empty = write nothing
  std::string config_path;              // copied into the run directory as config.toml when set
  std::ostream* progress = &std::cerr;  // one line per generation; nullptr = quiet
  // A cheap estimate of a genome's violation (0 = feasible) for optimizer.sampling = "monte_carlo",
  // consulted after the space's conditions; empty = the conditions alone.
  std::function<double(const Genome&)> feasibility_estimate;
  // The evaluator at a training budget below the full one (a fraction in (0, 1)), for optimizers that
  // schedule budgets (Optimizer::budget(), e.g. hyperband). Such candidates are keyed with their
  // budget (never answered from, nor answering, a full-budget evaluation), carry
  // extra["training_budget"], and stay out of the front and the reference point.
  std::function<std::vector<Evaluation>(const std::vector<Genome>&, double budget)> evaluate_at_budget;
};

// The training budget (fraction of the full one) a candidate was evaluated at: 1 unless the loop
// recorded a lower one in extra["training_budget"].
double training_budget(const Evaluation& e);

class SearchLoop {
 public:
  // `key` names a genome for the cache (default: SearchSpace::key, gene names and values).
  SearchLoop(SearchSpace space, OptimizerConfig config, BatchEvaluator evaluate, LoopOptions options,
             KeyFunction key = {});
  ~SearchLoop();
  SearchLoop(const SearchLoop&) = delete;  // the default key function refers to this object
  SearchLoop& operator=(const SearchLoop&) = delete;

  // Genomes for the first population (before run(); not after resume()).
  void hot_start(const std::vector<Genome>& genomes);
  // Restores the state saved in dir/checkpoint.json. The loop must be built with the same space,
  // optimizer settings and objectives (checked). Output continues into options.run_dir, or into
  // `dir` when that is empty. `options.generations` may be larger than the saved run's.
  void resume(const std::string& dir);
  // Runs until options.generations generations are complete.
  void run();

  std::size_t generation() const;  // completed generations
  const std::vector<Candidate>& candidates() const { return candidates_; }
  std::vector<std::size_t> front() const;  // ids of the feasible Pareto front, sorted by objectives then id
  const std::vector<GenerationStats>& history() const { return history_; }
  const std::vector<double>& reference_point() const { return reference_; }
  const Optimizer& optimizer() const { return *optimizer_; }
  const SearchSpace& space() const { return space_; }
  const LoopOptions& options() const { return options_; }
  // Writes every report into the run directory; `finalists` (candidate ids) are marked.
  void write_reports(const std::vector<std::size_t>& finalists = {}) const;

 private:
  // After resume(): the checkpoint's parts agree (generation, history, counters, candidates,
  // reference point); std::runtime_error naming the mismatch otherwise.
  void check_resumed_state(std::size_t generation) const;
  void start();
  void round(std::size_t generation);
  void end_generation(std::size_t generation, double seconds);
  std::size_t add_candidate(std::size_t generation, const Genome& g, std::string key, std::uint64_t h,
                            Evaluation e);
  void save_checkpoint() const;
  nlohmann::json settings_json() const;

  SearchSpace space_;
  OptimizerConfig config_;
  BatchEvaluator evaluate_;
  LoopOptions options_;
  KeyFunction key_;
  std::unique_ptr<Optimizer> optimizer_;

  std::vector<Candidate> candidates_;
  std::unordered_map<std::uint64_t, std::size_t> cache_;  // hash64(key) -> candidate id
  ParetoArchive front_;
  std::vector<GenerationStats> history_;
  std::vector<double> reference_;
  GenerationStats counters_;  // running totals
  bool started_ = false;
  double seconds_ = 0;  // wall time of the generations run by this object (for the ETA only)
  std::size_t timed_generations_ = 0;
};

// Checks an evaluator's answer: a feasible one needs `objectives` finite values of magnitude at
// most kMaxObjectiveMagnitude; violation must be >= 0. Throws common::InputError naming `key`.
void check_evaluation(const Evaluation& e, std::size_t objectives, const std::string& key);

}  // namespace imc::nas
