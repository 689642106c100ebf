// The XGBoost wrapper: it learns (beats the mean on held-out data), is deterministic for a seed,
// and a saved model predicts what the trained one does.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "nas/predictor/boosted_trees.h"

using namespace imc::nas::predictor;
namespace fs = std::filesystem;

namespace {

// y = a smooth function of 3 features plus a step, sampled with noise.
void make_data(std::size_t n, std::uint64_t seed, FeatureMatrix& x, std::vector<double>& y) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> noise(0, 0.05);
  for (std::size_t i = 0; i < n; ++i) {
    const double a = u(rng), b = u(rng), c = u(rng);
    x.add_row({a, b, c});
    y.push_back(3 * a * a + std::sin(4 * b) + (c > 0.5 ? 1.0 : 0.0) + noise(rng));
  }
}

double rmse(const std::vector<double>& p, const std::vector<double>& y) {
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) s += (p[i] - y[i]) * (p[i] - y[i]);
  return std::sqrt(s / double(y.size()));
}

}  // namespace

TEST_CASE("boosted trees beat the mean predictor on held-out data") {
  FeatureMatrix train, test;
  std::vector<double> ytrain, ytest;
  make_data(300, 1, train, ytrain);
  make_data(100, 2, test, ytest);
  BoostedTrees m;
  m.fit(train, ytrain, TreeSettings{100, 4, 0.1, 1.0, 5});
  double mean = 0;
  for (double v : ytrain) mean += v / double(ytrain.size());
  const double model = rmse(m.predict(test), ytest);
  const double baseline = rmse(std::vector<double>(ytest.size(), mean), ytest);
  CHECK(model < 0.5 * baseline);
}

TEST_CASE("boosted trees are deterministic and survive save/load") {
  FeatureMatrix x;
  std::vector<double> y;
  make_data(200, 3, x, y);
  const TreeSettings s{50, 3, 0.2, 0.8, 11};  // subsampling: the seed matters
  BoostedTrees a, b;
  a.fit(x, y, s);
  b.fit(x, y, s);
  const std::vector<double> pa = a.predict(x), pb = b.predict(x);
  CHECK(pa == pb);

  const fs::path file = fs::temp_directory_path() / "imcsim_test_trees.json";
  a.save(file.string());
  BoostedTrees c;
  c.load(file.string(), 3);
  CHECK(c.predict(x) == pa);
  fs::remove(file);
}

TEST_CASE("boosted trees reject mismatched input") {
  FeatureMatrix x;
  x.add_row({1, 2});
  CHECK_THROWS_AS(x.add_row({1, 2, 3}), std::invalid_argument);
  BoostedTrees m;
  CHECK_THROWS_AS(m.fit(x, {1.0, 2.0}, TreeSettings{}), std::invalid_argument);
  CHECK_THROWS_AS(m.load("/nonexistent/model.json", 2), std::runtime_error);
}
