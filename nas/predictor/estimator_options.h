// The [estimator] section of a search config: how the lookup-table and learned hardware estimators
// (evaluator = "lut" | "learned", docs/estimators.md) and the learned accuracy pre-screen are built.
// No XGBoost here: the CLI reads and documents these keys without loading the search plugin.
#pragma once

#include <cstdint>

#include "common/config.h"

namespace imc::nas::predictor {

// What the learned hardware estimator is trained on.
enum class TrainingSource { kAnalytical, kSystemC };

struct EstimatorOptions {
  std::int64_t lut_grid_points = 3;  // tabulated values per ordinal hardware gene (all if fewer)
  std::int64_t train_designs = 200;  // learned: random designs evaluated to train on
  TrainingSource train_source = TrainingSource::kAnalytical;
  std::int64_t trees = 300;    // learned: boosting rounds per objective
  std::int64_t max_depth = 6;  // learned: per tree
  std::int64_t seed = 1;       // learned: training designs drawn and trees built with it
  // Accuracy pre-screen (issue 16 item 4): after `prescreen_warmup` candidates with accuracy, only
  // the `prescreen_keep` fraction of new proposals predicted most accurate are trained; 0 = off.
  std::int64_t prescreen_warmup = 0;
  double prescreen_keep = 0.5;
};

const std::vector<std::pair<const char*, TrainingSource>>& training_source_names();
void describe(common::Fields& f, EstimatorOptions& o);

}  // namespace imc::nas::predictor
