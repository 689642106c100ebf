// The search's evaluator at a reduced training budget, for optimizers that schedule budgets
// (hyperband, nas/optimizer_hyperband.cpp): a budget b in (0, 1) trains on round(b x N) images per
// epoch (N = [accuracy] train_subset, or all 60,000 when 0; at least one batch), the same epochs, so
// that train_subset x epochs scales by b. Each budget gets its own SearchConfig and SearchEvaluator
// (the trained-weights cache keys on train_subset, so budgets never share trained weights).
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "nas/search/config.h"
#include "nas/search/evaluator.h"

namespace imc::nas::search {

// The config with [accuracy] train_subset scaled to `budget` (a fraction in (0, 1]).
SearchConfig config_at_training_budget(const SearchConfig& config, double budget);

class BudgetedEvaluators {
 public:
  explicit BudgetedEvaluators(const SearchConfig& config) : config_(config) {}
  std::vector<Evaluation> operator()(const std::vector<Genome>& genomes, double budget);

 private:
  struct AtBudget {
    SearchConfig config;
    std::unique_ptr<SearchEvaluator> evaluator;  // refers to `config`
  };
  const SearchConfig& config_;
  std::map<double, std::unique_ptr<AtBudget>> at_;
};

}  // namespace imc::nas::search
