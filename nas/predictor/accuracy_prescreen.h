// The learned accuracy predictor of issue 16 item 4: gradient-boosted trees (boosted_trees.h) on the
// genome (network genes, bits, hardware genes: genome_features) trained on the candidates whose
// hardware-aware accuracy has been measured so far, used to pre-screen a batch's proposals: once
// `prescreen_warmup` accuracies are known, only the `prescreen_keep` fraction predicted most accurate
// go on to training and hardware-aware inference.
//
// It never screens out a genome it has seen measured (the loop answers those from its cache before
// they reach the evaluator; this holds even if one arrives). Each batch's measured accuracies are
// held out from the model that screened it: their Kendall tau and Spearman rho against its predictions
// are one row of the run directory's accuracy_predictor.csv, before the model is retrained with them.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nas/genome.h"
#include "nas/predictor/boosted_trees.h"
#include "nas/predictor/estimator_options.h"
#include "nas/space.h"

namespace imc::nas::predictor {

struct PrescreenRow {
  std::size_t batch = 0;
  std::size_t trained_on = 0;  // measured accuracies the screening model had
  std::size_t proposed = 0;    // candidates offered to the screen
  std::size_t screened_out = 0;
  std::size_t measured = 0;           // accuracies measured in this batch (the held-out set)
  std::optional<double> kendall_tau;  // predictions vs measurements of this batch (model before it)
  std::optional<double> spearman;
};

class AccuracyPrescreen {
 public:
  AccuracyPrescreen(const SearchSpace& space, const EstimatorOptions& options, std::string csv_path = "");

  bool active() const { return options_.prescreen_warmup > 0; }
  // Which of `proposals` go on (true) — every one before the warm-up, every one seen measured, and
  // the ceil(keep x rest) predicted most accurate (ties: the earlier proposal). Starts a batch.
  std::vector<bool> select(const std::vector<Genome>& proposals);
  // The predicted accuracy of a genome (a fraction); nullopt before the model is trained.
  std::optional<double> predict(const Genome& genome) const;
  // The batch's measured accuracies (fractions): scores the model that screened the batch, writes the
  // CSV row, then retrains on everything measured so far.
  void observe(const std::vector<Genome>& genomes, const std::vector<double>& accuracies);

  const std::vector<PrescreenRow>& rows() const { return rows_; }
  std::size_t measured() const { return y_.size(); }

 private:
  const SearchSpace& space_;
  EstimatorOptions options_;
  std::string csv_path_;
  FeatureMatrix x_;
  std::vector<double> y_;
  std::set<Genome> seen_;
  BoostedTrees model_;
  bool trained_ = false;
  PrescreenRow current_;
  std::vector<PrescreenRow> rows_;
};

// Spearman's rank correlation (average ranks for ties); nullopt for fewer than 2 items or a constant side.
std::optional<double> spearman_rho(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace imc::nas::predictor
