// Gradient-boosted regression trees through XGBoost's C API (Debian's libxgboost-dev): features ->
// one value. Why XGBoost: a packaged, maintained and fast implementation, so no training code of ours;
// its C API keeps the C++ ABI of the library out of our headers. It links libgomp, which the lean
// commands must not map: only libimcsim_nas.so (the search plugin) and the tests link this.
//
// Deterministic: one thread (nthread = 1), a fixed seed, exact tree method; the same data and
// settings give the same trees and the same predictions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace imc::nas::predictor {

struct TreeSettings {
  int trees = 200;    // boosting rounds
  int max_depth = 6;  // per tree
  double learning_rate = 0.1;
  double subsample = 1.0;  // rows drawn per tree (1 = all, no randomness)
  std::uint64_t seed = 1;
};

// A row-major feature matrix: rows = samples, cols = features.
struct FeatureMatrix {
  std::size_t cols = 0;
  std::vector<float> values;  // rows * cols
  std::size_t rows() const { return cols == 0 ? 0 : values.size() / cols; }
  void add_row(const std::vector<double>& row);  // throws std::invalid_argument on a wrong width
};

class BoostedTrees {
 public:
  BoostedTrees();
  ~BoostedTrees();
  BoostedTrees(const BoostedTrees&) = delete;
  BoostedTrees& operator=(const BoostedTrees&) = delete;
  BoostedTrees(BoostedTrees&& o) noexcept;
  BoostedTrees& operator=(BoostedTrees&& o) noexcept;

  // Trains a fresh model on (x, y); throws std::runtime_error with XGBoost's message on failure and
  // std::invalid_argument when x and y disagree or x is empty.
  void fit(const FeatureMatrix& x, const std::vector<double>& y, const TreeSettings& settings);
  std::vector<double> predict(const FeatureMatrix& x) const;
  double predict_one(const std::vector<double>& row) const;
  bool trained() const { return booster_ != nullptr; }
  std::size_t features() const { return features_; }

  // XGBoost's own JSON model format (the file name must end in .json).
  void save(const std::string& path) const;
  // Throws std::runtime_error naming the file when it cannot be read as a model.
  void load(const std::string& path, std::size_t features);

 private:
  void* booster_ = nullptr;  // BoosterHandle
  std::size_t features_ = 0;
};

}  // namespace imc::nas::predictor
