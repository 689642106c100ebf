#include "nas/predictor/estimator_options.h"

namespace imc::nas::predictor {

const std::vector<std::pair<const char*, TrainingSource>>& training_source_names() {
  static const std::vector<std::pair<const char*, TrainingSource>> names = {
      {"analytical", TrainingSource::kAnalytical}, {"systemc", TrainingSource::kSystemC}};
  return names;
}

void describe(common::Fields& f, EstimatorOptions& o) {
  f.integer(
      "lut_grid_points", o.lut_grid_points,
      {3, 2, 64, "values",
       "evaluator 'lut': values tabulated per ordinal gene that sets the chip (evenly spaced over its "
       "domain, ends included; a gene with fewer values is tabulated at all of them); categorical genes "
       "are tabulated at every value"});
  f.integer(
      "train_designs", o.train_designs,
      {200, 8, 1000000, "designs", "evaluator 'learned': random designs of the space evaluated to train on"});
  f.choice("train_source", o.train_source, TrainingSource::kAnalytical, training_source_names(),
           "evaluator 'learned': the model its training figures come from ('systemc': one forked SystemC run "
           "per training design)");
  f.integer("trees", o.trees,
            {300, 1, 100000, "trees", "evaluator 'learned': boosting rounds per objective"});
  f.integer("max_depth", o.max_depth, {6, 1, 32, "levels", "evaluator 'learned': depth of each tree"});
  f.integer("seed", o.seed,
            {1, 0, 2147483647, "", "evaluator 'learned': draws the training designs and seeds the trees"});
  f.integer(
      "prescreen_warmup", o.prescreen_warmup,
      {0, 0, 1000000, "candidates",
       "accuracy pre-screen: candidates with a hardware-aware accuracy before the predictor is trusted; "
       "0 = no pre-screen"});
  f.real("prescreen_keep", o.prescreen_keep,
         {0.5, 0.01, 1.0, "fraction",
          "accuracy pre-screen: fraction of a batch's new proposals (those predicted most accurate) that are "
          "trained; the rest are recorded as screened out"});
}

}  // namespace imc::nas::predictor
