// The accuracy pre-screen (nas/predictor/accuracy_prescreen.h) on a synthetic accuracy: it keeps
// everything before its warm-up, then the predicted-best fraction; it never screens out a genome it has
// seen measured; its held-out rank correlation is written per batch; it is deterministic.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

#include "nas/predictor/accuracy_prescreen.h"

using namespace imc::nas;
using namespace imc::nas::predictor;
namespace fs = std::filesystem;

namespace {

SearchSpace make_space() {
  SearchSpace s;
  auto gene = [&](const char* name, std::vector<long long> values) {
    Gene g;
    g.name = name;
    for (long long v : values) g.values.push_back(GeneValue::integer(v));
    s.add_gene(g);
  };
  gene("network.base_channels", {8, 16, 24, 32, 48, 64});
  gene("network.stages", {1, 2, 3, 4});
  gene("network.weight_bits", {2, 3, 4, 6, 8});
  gene("hardware.adc.bits", {3, 4, 5, 6, 8});
  return s;
}

// Accuracy grows with width, depth and bits, saturating; a fraction.
double accuracy_of(const SearchSpace& s, const Genome& g) {
  const double ch = s.genes()[0].values[std::size_t(g[0])].as_number();
  const double st = s.genes()[1].values[std::size_t(g[1])].as_number();
  const double wb = s.genes()[2].values[std::size_t(g[2])].as_number();
  const double adc = s.genes()[3].values[std::size_t(g[3])].as_number();
  return 0.5 + 0.1 * std::log2(ch / 8.0) / 3.0 + 0.08 * st / 4.0 + 0.2 * (1 - std::exp(-(wb - 1))) +
         0.1 * (1 - std::exp(-(adc - 2) / 2.0));
}

std::vector<Genome> random_genomes(const SearchSpace& s, std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Genome> out;
  for (std::size_t i = 0; i < n; ++i) {
    Genome g;
    for (std::size_t c : s.cardinalities())
      g.push_back(int(std::uniform_int_distribution<std::size_t>(0, c - 1)(rng)));
    out.push_back(g);
  }
  return out;
}

EstimatorOptions options(std::int64_t warmup, double keep) {
  EstimatorOptions o;
  o.prescreen_warmup = warmup;
  o.prescreen_keep = keep;
  o.seed = 4;
  return o;
}

}  // namespace

TEST_CASE("prescreen: everything passes before the warm-up, then the predicted-best fraction") {
  const SearchSpace s = make_space();
  AccuracyPrescreen p(s, options(20, 0.25));
  const auto first = random_genomes(s, 12, 1);
  const auto sel = p.select(first);
  CHECK(std::count(sel.begin(), sel.end(), true) == 12);  // no model yet
  std::vector<double> acc;
  for (const auto& g : first) acc.push_back(accuracy_of(s, g));
  p.observe(first, acc);
  CHECK(p.select(random_genomes(s, 8, 2)) == std::vector<bool>(8, true));  // 12 < warm-up 20
  p.observe({}, {});
  const auto more = random_genomes(s, 20, 3);
  acc.clear();
  for (const auto& g : more) acc.push_back(accuracy_of(s, g));
  p.observe(more, acc);
  const auto batch = random_genomes(s, 40, 4);
  const auto keep = p.select(batch);
  std::size_t open = 0;
  for (const auto& g : batch)
    open += std::find(first.begin(), first.end(), g) == first.end() &&
            std::find(more.begin(), more.end(), g) == more.end();
  const std::size_t kept = std::size_t(std::count(keep.begin(), keep.end(), true));
  CHECK(kept == (40 - open) + std::size_t(std::ceil(0.25 * double(open))));
  // Of the never-measured, what passes is predicted better than what is screened out.
  double worst_kept = 1, best_dropped = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (std::find(first.begin(), first.end(), batch[i]) != first.end() ||
        std::find(more.begin(), more.end(), batch[i]) != more.end())
      continue;
    const double pr = *p.predict(batch[i]);
    if (keep[i])
      worst_kept = std::min(worst_kept, pr);
    else
      best_dropped = std::max(best_dropped, pr);
  }
  CHECK(best_dropped <= worst_kept + 1e-12);
}

TEST_CASE("prescreen: never drops a genome that was already measured") {
  const SearchSpace s = make_space();
  AccuracyPrescreen p(s, options(10, 0.1));
  const auto measured = random_genomes(s, 30, 5);
  std::vector<double> acc;
  for (const auto& g : measured) acc.push_back(accuracy_of(s, g));
  p.select(measured);
  p.observe(measured, acc);
  // Offer the measured ones (the worst first) among many new ones: all the measured pass.
  std::vector<std::size_t> order(measured.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return acc[a] < acc[b]; });
  std::vector<Genome> batch;
  for (std::size_t i : order) batch.push_back(measured[i]);
  for (const auto& g : random_genomes(s, 50, 6)) batch.push_back(g);
  const auto keep = p.select(batch);
  for (std::size_t i = 0; i < measured.size(); ++i) CHECK(keep[i]);
}

TEST_CASE("prescreen: held-out rank correlation per batch in the CSV, deterministic") {
  const SearchSpace s = make_space();
  const fs::path csv = fs::temp_directory_path() / "imcsim_test_prescreen.csv";
  fs::remove(csv);
  AccuracyPrescreen a(s, options(10, 0.5), csv.string()), b(s, options(10, 0.5));
  for (std::uint64_t batch = 0; batch < 4; ++batch) {
    const auto gs = random_genomes(s, 30, 100 + batch);
    const auto ka = a.select(gs), kb = b.select(gs);
    CHECK(ka == kb);
    std::vector<Genome> kept;
    std::vector<double> acc;
    for (std::size_t i = 0; i < gs.size(); ++i)
      if (ka[i]) kept.push_back(gs[i]), acc.push_back(accuracy_of(s, gs[i]));
    a.observe(kept, acc);
    b.observe(kept, acc);
  }
  REQUIRE(a.rows().size() == 4);
  CHECK(!a.rows()[0].kendall_tau.has_value());  // no model before the first batch
  for (std::size_t r = 1; r < 4; ++r) {
    REQUIRE(a.rows()[r].kendall_tau.has_value());
    CHECK(*a.rows()[r].kendall_tau > 0.5);  // the synthetic accuracy is learnable
    CHECK(*a.rows()[r].spearman > 0.6);
    CHECK(*a.rows()[r].kendall_tau == *b.rows()[r].kendall_tau);
  }
  std::ifstream in(csv);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) ++lines;
  CHECK(lines == 5);  // header + one row per batch
  fs::remove(csv);
}

TEST_CASE("spearman rho") {
  CHECK(*spearman_rho({1, 2, 3, 4}, {10, 20, 30, 40}) == doctest::Approx(1.0));
  CHECK(*spearman_rho({1, 2, 3, 4}, {4, 3, 2, 1}) == doctest::Approx(-1.0));
  CHECK(!spearman_rho({1, 1, 1}, {1, 2, 3}).has_value());
}
