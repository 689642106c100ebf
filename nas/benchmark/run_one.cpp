#include "nas/benchmark/run_one.h"

#include <chrono>
#include <unordered_map>

#include "nas/loop.h"

namespace imc::nas::benchmark {

RunTrace run_one(const SearchSpace& space, const OptimizerConfig& config, std::size_t objectives,
                 const BatchEvaluator& evaluate, const KeyFunction& key, const RunLimits& limits) {
  const auto t0 = std::chrono::steady_clock::now();
  RunTrace trace;
  trace.algorithm = config.name;
  trace.seed = config.seed;
  OptimizerSetup setup;
  setup.config = config;
  setup.cardinalities = space.cardinalities();
  setup.objectives = objectives;
  if (optimizer_traits(config.name).scalarized && setup.config.weights.empty())
    setup.config.weights.assign(objectives, 1.0 / double(objectives));
  const std::unique_ptr<Optimizer> optimizer = make_optimizer(setup);
  std::unordered_map<std::string, Evaluation> cache;
  const bool per_proposal = limits.unit == BudgetUnit::kProposals;
  const std::size_t budget = limits.budget_evaluations;
  bool done = false;
  while (!done) {
    if (trace.evaluations.size() >= budget) break;
    if (trace.proposals >= limits.max_proposals) {
      trace.stalled = true;
      break;
    }
    const std::vector<Genome> asked = optimizer->ask();
    std::vector<Evaluation> answers(asked.size());
    std::vector<std::size_t> pending;  // indices into `asked` sent to the evaluator
    std::vector<std::size_t> counted;  // indices into `asked` that spend budget, in ask order
    std::vector<std::string> keys(asked.size());
    std::unordered_map<std::string, std::size_t> in_batch;  // a repeat within the round waits for the first
    std::vector<std::pair<std::size_t, std::size_t>> repeats;
    for (std::size_t i = 0; i < asked.size(); ++i) {
      if (per_proposal && trace.evaluations.size() + counted.size() >= budget) {
        done = true;  // the budget is spent inside this round: the rest are never looked at
        break;
      }
      ++trace.proposals;
      const Feasibility f = space.check(asked[i]);
      if (!f.ok()) {
        answers[i] = Evaluation::infeasible(f.violation, f.reason, "conditions");
        ++trace.rejected;
        if (per_proposal) counted.push_back(i);
        continue;
      }
      keys[i] = key(asked[i]);
      if (auto hit = cache.find(keys[i]); hit != cache.end()) {
        answers[i] = hit->second;
        ++trace.cache_hits;
        if (per_proposal) counted.push_back(i);
      } else if (auto first = in_batch.find(keys[i]); first != in_batch.end()) {
        repeats.emplace_back(i, first->second);
        ++trace.cache_hits;
        if (per_proposal) counted.push_back(i);
      } else if (per_proposal || trace.evaluations.size() + counted.size() < budget) {
        in_batch.emplace(keys[i], i);
        pending.push_back(i);
        counted.push_back(i);
      } else {
        done = true;  // the budget is spent inside this round: evaluate what fits, then stop
      }
    }
    std::vector<Genome> batch;
    for (std::size_t i : pending) batch.push_back(asked[i]);
    const std::vector<Evaluation> evals = batch.empty() ? std::vector<Evaluation>{} : evaluate(batch);
    for (std::size_t k = 0; k < pending.size(); ++k) {
      check_evaluation(evals[k], objectives, keys[pending[k]]);
      answers[pending[k]] = evals[k];
      cache.emplace(keys[pending[k]], evals[k]);
    }
    trace.distinct_evaluations += pending.size();
    for (const auto& [i, first] : repeats) answers[i] = answers[first];
    for (std::size_t i : counted)
      trace.evaluations.push_back(answers[i].feasible() ? answers[i].objectives : std::vector<double>{});
    if (done || trace.evaluations.size() >= budget) break;
    optimizer->tell(asked, answers);
  }
  trace.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return trace;
}

}  // namespace imc::nas::benchmark
