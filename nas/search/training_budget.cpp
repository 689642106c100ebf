#include "nas/search/training_budget.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace imc::nas::search {

namespace {
constexpr std::int64_t kTrainImages = 60000;  // Fashion-MNIST's training set (train_subset = 0)
}

SearchConfig config_at_training_budget(const SearchConfig& config, double budget) {
  if (!(budget > 0 && budget <= 1))
    throw std::invalid_argument("config_at_training_budget: the budget must be in (0, 1]");
  SearchConfig c = config;
  auto& t = c.accuracy.train;
  const std::int64_t images = t.train_subset > 0 ? t.train_subset : kTrainImages;
  t.train_subset = std::max<std::int64_t>(t.batch_size, std::llround(budget * static_cast<double>(images)));
  t.train_subset = std::min(t.train_subset, images);
  return c;
}

std::vector<Evaluation> BudgetedEvaluators::operator()(const std::vector<Genome>& genomes, double budget) {
  auto& slot = at_[budget];
  if (!slot) {
    slot = std::make_unique<AtBudget>();
    slot->config = config_at_training_budget(config_, budget);
    slot->evaluator = std::make_unique<SearchEvaluator>(slot->config);
  }
  return (*slot->evaluator)(genomes);
}

}  // namespace imc::nas::search
