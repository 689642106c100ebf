// The relaxation of the differentiable search on fmnist_darts.toml: the shipped fmnist_demo supernet
// (same space and training settings) and the lookup table of one chip of the space (built in a temporary
// folder with the analytical model). Expectation = LUT cost for a one-hot distribution; the hardware term
// pulls toward cheap networks when lambda is large, the cross-entropy toward the accurate ones when it is
// 0; one seed, one result.
#include <algorithm>
#include <filesystem>

#include "nas/accuracy/dataset.h"
#include "nas/accuracy/train.h"
#include "nas/differentiable/cost_table.h"
#include "nas/differentiable/relaxation.h"
#include "nas/differentiable/supernet_inner.h"
#include "nas/predictor/hardware_estimator.h"
#include "nas/search/config.h"
#include "nas/search/evaluator.h"
#include "nas/supernet/options.h"
#include "tests/accuracy/torch_doctest.h"  // first: see there

using namespace imc;
using namespace imc::nas;
using namespace imc::nas::differentiable;
namespace fs = std::filesystem;

namespace {

const char* kConfig = "configs/nas/fmnist_darts.toml";

struct Fixture {
  search::SearchConfig cfg;
  DifferentiableOptions options;
  ArchSpace arch;
  std::unique_ptr<search::SearchEvaluator> evaluator;
  Genome outer;  // a chip every network of the space fits (the largest crossbars, most PEs)
  CostTable table;
  SupernetInnerSetup setup;
  accuracy::Dataset data;

  Fixture() {
    const fs::path dir = fs::temp_directory_path() / "imcsim_test_differentiable";
    fs::remove_all(dir);
    fs::create_directories(dir);
    cfg = search::load_search_config(kConfig);
    cfg.lut_file = (dir / "lut.json").string();
    cfg.cache_dir = (dir / "accuracy").string();
    options = read_differentiable_options(kConfig);
    arch = ArchSpace::of(cfg.space, kConfig, 4096);
    evaluator = std::make_unique<search::SearchEvaluator>(cfg);
    for (std::size_t k = 0; k < arch.outer_genes.size(); ++k) {
      const Gene& g = cfg.space.genes()[arch.outer_genes[k]];
      // Largest crossbars and tiles; the smallest ADC/DAC and bits per cell (every condition holds).
      const bool big = g.name == "hardware.crossbar.rows" || g.name == "hardware.crossbar.cols" ||
                       g.name == "hardware.tile.pes" || g.name == "hardware.noc.routers";
      outer.push_back(big ? int(g.values.size()) - 1 : 0);
    }
    table = lut_cost_table(*evaluator, arch, outer, options);
    const predictor::EstimatorContext ctx = evaluator->estimator_context(search::EvaluatorKind::kLut);
    setup.space = &cfg.space;
    setup.arch = arch;
    setup.fixed =
        supernet::Subnet{ctx.network_defaults, ctx.base.precision.weight_bits, ctx.base.precision.input_bits};
    setup.supernet_space = supernet::SupernetSpace::from_search_space(cfg.space, setup.fixed);
    setup.supernet_options = cfg.accuracy.supernet.train.supernet;
    setup.supernet_file = (fs::path(cfg.accuracy.supernet.shipped_dir) /
                           supernet::supernet_file_name(
                               supernet::supernet_key(setup.supernet_space, cfg.accuracy.supernet.train)))
                              .string();
    setup.options = options;
    data = accuracy::load_fashion_mnist();
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// Logits putting all the mass on `choice` (exp(-1e4) is 0 in double precision).
std::vector<torch::Tensor> one_hot(const ArchSpace& arch, const std::vector<int>& choice) {
  std::vector<torch::Tensor> a;
  for (std::size_t g = 0; g < arch.choices.size(); ++g) {
    torch::Tensor t = torch::full({std::int64_t(arch.choices[g])}, -1e4, torch::kFloat64);
    t[choice[g]] = 0.0;
    a.push_back(t);
  }
  return a;
}

std::size_t gene(const Fixture& f, const char* name) {
  const std::size_t i = f.cfg.space.index_of(name);
  return std::size_t(std::find(f.arch.network_genes.begin(), f.arch.network_genes.end(), i) -
                     f.arch.network_genes.begin());
}

double probability(const nlohmann::json& r, std::size_t g, std::size_t j) {
  return r.at("probabilities").at(g).at(j).get<double>();
}

}  // namespace

TEST_CASE("relaxation: a one-hot distribution's expected cost is the LUT cost of its network") {
  Fixture& f = fixture();
  REQUIRE(f.table.feasible_count() >= 32);
  std::string why;
  auto& lut = f.evaluator->estimator(search::EvaluatorKind::kLut);
  double mean_e = 0, mean_l = 0, mean_a = 0;
  for (std::size_t s = 0; s < f.arch.subnet_count(); ++s)
    if (f.table.feasible[s])
      mean_e += f.table.energy_uj[s], mean_l += f.table.latency_us[s], mean_a += f.table.area_mm2[s];
  const double n = double(f.table.feasible_count());
  mean_e /= n, mean_l /= n, mean_a /= n;
  int checked = 0;
  for (std::size_t s = 0; s < f.arch.subnet_count(); ++s) {
    if (!f.table.feasible[s]) continue;
    const std::vector<int> choice = f.arch.choice_of(s);
    const std::vector<torch::Tensor> alpha = one_hot(f.arch, choice);
    CHECK(most_probable(alpha, f.arch) == choice);
    // The table's figures are the LUT's for that genome.
    const Genome g = f.arch.genome(f.outer, choice);
    const search::Design d = f.evaluator->decode(g);
    const auto fig = lut.estimate(g, d.spec, d.graph, why);
    REQUIRE(fig.has_value());
    CHECK(f.table.energy_uj[s] == doctest::Approx(fig->energy_pj * 1e-6).epsilon(1e-12));
    CHECK(f.table.latency_us[s] == doctest::Approx(fig->latency_ns * 1e-3).epsilon(1e-12));
    CHECK(f.table.area_mm2[s] == doctest::Approx(fig->area_mm2).epsilon(1e-12));
    const double lut_cost =
        fig->energy_pj * 1e-6 / mean_e + fig->latency_ns * 1e-3 / mean_l + fig->area_mm2 / mean_a;
    CHECK(expected_cost(alpha, f.table.cost).item<double>() == doctest::Approx(lut_cost).epsilon(1e-9));
    ++checked;
  }
  CHECK(checked == int(f.table.feasible_count()));
  // Uniform logits: the plain mean of the table.
  std::vector<torch::Tensor> uniform;
  for (std::size_t c : f.arch.choices) uniform.push_back(torch::zeros({std::int64_t(c)}, torch::kFloat64));
  double mean = 0;
  for (double c : f.table.cost) mean += c;
  CHECK(expected_cost(uniform, f.table.cost).item<double>() ==
        doctest::Approx(mean / double(f.table.cost.size())).epsilon(1e-12));
}

TEST_CASE("relaxation: a large lambda moves the distribution to cheap networks, lambda 0 to accurate ones") {
  Fixture& f = fixture();
  std::vector<double> sorted;
  for (std::size_t s = 0; s < f.arch.subnet_count(); ++s)
    if (f.table.feasible[s]) sorted.push_back(f.table.cost[s]);
  std::sort(sorted.begin(), sorted.end());
  double uniform_cost = 0;
  for (double c : f.table.cost) uniform_cost += c / double(f.table.cost.size());

  SupernetInnerSetup cheap = f.setup;
  cheap.options.lambda = 100;
  cheap.options.inner_steps = 12;
  cheap.options.train_images = 256;
  const nlohmann::json c = supernet_inner_search(cheap, f.data.train, f.table, 3);
  const std::size_t chosen = f.arch.index_of(c.at("choice").get<std::vector<int>>());
  CAPTURE(c.dump());
  // Adam moves each logit by about arch_learning_rate per step: 12 steps of 0.1 take p(cheap) to ~0.88.
  CHECK(c.at("expected_cost").get<double>() < 0.7 * uniform_cost);
  CHECK(f.table.cost[chosen] <= sorted[sorted.size() / 4]);  // among the cheapest quarter
  // Smaller is cheaper on every chip: the fewer channels and stages are preferred.
  CHECK(probability(c, gene(f, "network.base_channels"), 0) > 0.6);
  CHECK(probability(c, gene(f, "network.stages"), 0) > 0.6);

  SupernetInnerSetup accurate = f.setup;
  accurate.options.lambda = 0;
  accurate.options.inner_steps = 12;
  accurate.options.train_images = 256;
  const nlohmann::json a = supernet_inner_search(accurate, f.data.train, f.table, 3);
  CAPTURE(a.dump());
  // The shipped supernet: residual 91.5 % vs plain 80.0 %, 3 stages vs 2, 16 channels vs 8
  // (docs/supernet.md).
  CHECK(probability(a, gene(f, "network.residual"), 1) > 0.6);
  CHECK(probability(a, gene(f, "network.stages"), 1) > 0.6);
  CHECK(probability(a, gene(f, "network.base_channels"), 1) > 0.6);
  CHECK(a.at("expected_cost").get<double>() > c.at("expected_cost").get<double>());
}

TEST_CASE("relaxation: one seed gives one result, another seed another") {
  Fixture& f = fixture();
  SupernetInnerSetup s = f.setup;
  s.options.inner_steps = 4;
  s.options.train_images = 128;
  s.options.lambda = 0.5;
  const nlohmann::json a = supernet_inner_search(s, f.data.train, f.table, 5);
  const nlohmann::json b = supernet_inner_search(s, f.data.train, f.table, 5);
  const nlohmann::json c = supernet_inner_search(s, f.data.train, f.table, 6);
  CHECK(a.at("logits") == b.at("logits"));
  CHECK(a.at("loss") == b.at("loss"));
  CHECK(a.at("logits") != c.at("logits"));
  // With DARTS' alternation the weights move too; still one result per seed.
  s.options.weight_steps = 1;
  const nlohmann::json w1 = supernet_inner_search(s, f.data.train, f.table, 5);
  const nlohmann::json w2 = supernet_inner_search(s, f.data.train, f.table, 5);
  CHECK(w1.at("logits") == w2.at("logits"));
  CHECK(w1.at("logits") != a.at("logits"));
}
