#include "nas/predictor/boosted_trees.h"

#include <fmt/format.h>
#include <xgboost/c_api.h>

#include <limits>
#include <stdexcept>
#include <utility>

namespace imc::nas::predictor {
namespace {

void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(fmt::format("xgboost {}: {}", what, XGBGetLastError()));
}

// A DMatrix freed when it goes out of scope.
class Matrix {
 public:
  explicit Matrix(const FeatureMatrix& x) {
    // NaN marks a missing value; our features are never missing, so any other value would do.
    check(XGDMatrixCreateFromMat(x.values.data(), x.rows(), x.cols, std::numeric_limits<float>::quiet_NaN(),
                                 &h_),
          "DMatrix");
  }
  ~Matrix() { XGDMatrixFree(h_); }
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;
  DMatrixHandle get() const { return h_; }

 private:
  DMatrixHandle h_ = nullptr;
};

}  // namespace

void FeatureMatrix::add_row(const std::vector<double>& row) {
  if (cols == 0) cols = row.size();
  if (row.size() != cols || cols == 0)
    throw std::invalid_argument(
        fmt::format("feature row of {} values, matrix has {} columns", row.size(), cols));
  for (double v : row) values.push_back(static_cast<float>(v));
}

BoostedTrees::BoostedTrees() = default;

BoostedTrees::~BoostedTrees() {
  if (booster_) XGBoosterFree(booster_);
}

BoostedTrees::BoostedTrees(BoostedTrees&& o) noexcept
    : booster_(std::exchange(o.booster_, nullptr)), features_(o.features_) {}

BoostedTrees& BoostedTrees::operator=(BoostedTrees&& o) noexcept {
  if (this != &o) {
    if (booster_) XGBoosterFree(booster_);
    booster_ = std::exchange(o.booster_, nullptr);
    features_ = o.features_;
  }
  return *this;
}

void BoostedTrees::fit(const FeatureMatrix& x, const std::vector<double>& y, const TreeSettings& s) {
  if (x.rows() == 0 || x.rows() != y.size())
    throw std::invalid_argument(fmt::format("fit: {} feature rows, {} targets", x.rows(), y.size()));
  if (booster_) XGBoosterFree(booster_);
  booster_ = nullptr;
  const Matrix train(x);
  std::vector<float> labels(y.begin(), y.end());
  check(XGDMatrixSetFloatInfo(train.get(), "label", labels.data(), labels.size()), "labels");
  DMatrixHandle mats[] = {train.get()};
  BoosterHandle b = nullptr;
  check(XGBoosterCreate(mats, 1, &b), "create");
  booster_ = b;
  const std::pair<const char*, std::string> params[] = {
      {"nthread", "1"},  // determinism, and the other cores belong to the search's workers
      {"seed", std::to_string(s.seed)},
      {"tree_method", "exact"},
      {"objective", "reg:squarederror"},
      {"max_depth", std::to_string(s.max_depth)},
      {"eta", fmt::format("{}", s.learning_rate)},
      {"subsample", fmt::format("{}", s.subsample)},
      {"verbosity", "0"}};
  for (const auto& [k, v] : params) check(XGBoosterSetParam(booster_, k, v.c_str()), k);
  for (int i = 0; i < s.trees; ++i) check(XGBoosterUpdateOneIter(booster_, i, train.get()), "update");
  features_ = x.cols;
}

std::vector<double> BoostedTrees::predict(const FeatureMatrix& x) const {
  if (!booster_) throw std::logic_error("BoostedTrees::predict before fit or load");
  if (x.rows() == 0) return {};
  if (x.cols != features_)
    throw std::invalid_argument(fmt::format("predict: {} features, the model has {}", x.cols, features_));
  const Matrix m(x);
  bst_ulong n = 0;
  const float* out = nullptr;
  check(XGBoosterPredict(booster_, m.get(), 0, 0, 0, &n, &out), "predict");
  return std::vector<double>(out, out + n);
}

double BoostedTrees::predict_one(const std::vector<double>& row) const {
  FeatureMatrix x;
  x.add_row(row);
  return predict(x).at(0);
}

void BoostedTrees::save(const std::string& path) const {
  if (!booster_) throw std::logic_error("BoostedTrees::save before fit or load");
  check(XGBoosterSaveModel(booster_, path.c_str()), ("save " + path).c_str());
}

void BoostedTrees::load(const std::string& path, std::size_t features) {
  BoosterHandle b = nullptr;
  check(XGBoosterCreate(nullptr, 0, &b), "create");
  if (XGBoosterLoadModel(b, path.c_str()) != 0) {
    const std::string why = XGBGetLastError();
    XGBoosterFree(b);
    throw std::runtime_error(fmt::format("{}: not an xgboost model: {}", path, why));
  }
  XGBoosterSetParam(b, "nthread", "1");
  if (booster_) XGBoosterFree(booster_);
  booster_ = b;
  features_ = features;
}

}  // namespace imc::nas::predictor
