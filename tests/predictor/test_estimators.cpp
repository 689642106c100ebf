// The lookup-table and learned hardware estimators (nas/predictor) through the search's evaluator:
// the table is the analytical model on its grid points, interpolates between neighbours, is keyed by
// the space; the learned model beats a mean predictor on held-out designs; both are deterministic; bad
// estimator settings are rejected at load.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "arch/cost.h"
#include "common/config.h"
#include "nas/decode.h"
#include "nas/predictor/layer_lut.h"
#include "nas/predictor/learned_estimator.h"
#include "nas/search/config.h"
#include "nas/search/evaluator.h"
#include "sim/analytical/estimate.h"

using namespace imc;
using namespace imc::nas;
using namespace imc::nas::search;
namespace fs = std::filesystem;

namespace {

const char* kSpace = "tests/predictor/data/small_space.toml";

fs::path temp_dir(const char* name) {
  const fs::path d = fs::temp_directory_path() / (std::string("imcsim_test_predictor_") + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

SearchConfig config_in(const fs::path& dir) {
  SearchConfig c = load_search_config(kSpace);
  c.lut_file = (dir / "lut.json").string();
  c.learned_file = (dir / "learned.json").string();
  c.cache_dir = (dir / "accuracy").string();
  return c;
}

Genome genome_of(const SearchConfig& c, const Decoded& values) {
  Decoded all = values;
  for (const Gene& g : c.space.genes())
    if (!all.count(g.name)) all[g.name] = g.values.front();
  return c.space.encode(all);
}

GeneValue num(long long v) {
  return GeneValue::integer(v);
}

}  // namespace

TEST_CASE("lut: a layer's entry on a grid point is the analytical model's figure") {
  const fs::path dir = temp_dir("grid");
  const SearchConfig c = config_in(dir);
  const SearchEvaluator ev(c);
  auto& lut = dynamic_cast<predictor::LayerLut&>(ev.estimator(EvaluatorKind::kLut));
  // Grid of 2 points per ordinal gene: rows {64, 256}, cols {64, 128}, bits {1, 4}, pes {2, 8}.
  const Genome g = genome_of(c, {{"hardware.crossbar.rows", num(256)},
                                 {"hardware.crossbar.cols", num(128)},
                                 {"hardware.tile.pes", num(8)},
                                 {"network.weight_bits", num(8)},
                                 {"hardware.device.bits_per_cell", num(4)}});
  const Design d = ev.decode(g);
  const sim::Estimate ref = sim::estimate(d.spec, arch::cost::build(d.spec), d.graph, ev.mapping_options(),
                                          sim::EstimateDetail::Layers);
  int checked = 0;
  double energy_pj = 0, latency_ns = 0;
  for (const sim::LayerReport& l : ref.report.layers) {
    const int i = d.graph.find(l.name);
    REQUIRE(i >= 0);
    const auto e = lut.layer_at_grid_point(g, d.graph, i);
    CAPTURE(l.name);
    REQUIRE(e.has_value());
    CHECK(e->energy_pj == doctest::Approx(l.energy_pj).epsilon(1e-12));
    energy_pj += e->energy_pj;
    latency_ns += e->latency_ns;
    ++checked;
  }
  CHECK(checked >= 5);
  // The design's figures: the layers summed plus the chip's leakage over that time, the chip's area.
  std::string why;
  const auto f = lut.estimate(g, d.spec, d.graph, why);
  REQUIRE(f.has_value());
  // The network the table was built from: the layers' latency increments add up to its latency,
  // and its energy is the analytical model's.
  const double leakage_mw = ref.report.leakage_energy_pj / ref.report.latency_ns;
  CHECK(f->latency_ns <= latency_ns + 1e-9);  // parallel branches overlap
  CHECK(f->latency_ns == doctest::Approx(ref.report.latency_ns).epsilon(1e-9));
  CHECK(f->energy_pj == doctest::Approx(energy_pj + leakage_mw * f->latency_ns).epsilon(1e-12));
  CHECK(f->energy_pj == doctest::Approx(ref.report.energy_pj).epsilon(1e-9));
  CHECK(f->area_mm2 == doctest::Approx(ref.report.area_mm2).epsilon(1e-12));
  fs::remove_all(dir);
}

TEST_CASE("lut: an off-grid value interpolates between its neighbouring grid points") {
  const fs::path dir = temp_dir("interp");
  const SearchConfig c = config_in(dir);
  const SearchEvaluator ev(c);
  auto& lut = dynamic_cast<predictor::LayerLut&>(ev.estimator(EvaluatorKind::kLut));
  auto at_rows = [&](long long rows) {
    return genome_of(c, {{"hardware.crossbar.rows", num(rows)}, {"network.weight_bits", num(8)}});
  };
  const Genome lo = at_rows(64), mid = at_rows(128), hi = at_rows(256);  // 128 is off the grid {64, 256}
  const Design d = ev.decode(mid);
  int checked = 0;
  for (int i = 0; i < d.graph.size(); ++i) {
    const auto a = lut.layer_at_grid_point(lo, d.graph, i), b = lut.layer_at_grid_point(hi, d.graph, i);
    const auto m = lut.layer_interpolated(mid, d.graph, i);
    REQUIRE((a && b && m));
    const double t = (128.0 - 64.0) / (256.0 - 64.0);
    CHECK(m->energy_pj == doctest::Approx((1 - t) * a->energy_pj + t * b->energy_pj));
    CHECK(m->latency_ns == doctest::Approx((1 - t) * a->latency_ns + t * b->latency_ns));
    CHECK(m->energy_pj >= std::min(a->energy_pj, b->energy_pj) - 1e-9);
    CHECK(m->energy_pj <= std::max(a->energy_pj, b->energy_pj) + 1e-9);
    CHECK(m->latency_ns >= std::min(a->latency_ns, b->latency_ns) - 1e-9);
    CHECK(m->latency_ns <= std::max(a->latency_ns, b->latency_ns) + 1e-9);
    ++checked;
  }
  CHECK(checked >= 3);
  fs::remove_all(dir);
}

TEST_CASE("lut: the table is saved, reused, and rejected for another space") {
  const fs::path dir = temp_dir("reuse");
  SearchConfig c = config_in(dir);
  const Genome g = genome_of(c, {{"network.weight_bits", num(4)}});
  double energy = 0;
  std::size_t entries = 0;
  {
    const SearchEvaluator ev(c);
    const std::vector<Evaluation> e = ev.evaluate_hardware_with({g}, EvaluatorKind::kLut);
    REQUIRE(e[0].feasible());
    CHECK(e[0].fidelity == "lut");
    energy = e[0].extra.at("energy_uj").get<double>();
    entries = dynamic_cast<predictor::LayerLut&>(ev.estimator(EvaluatorKind::kLut)).entries();
  }
  REQUIRE(fs::exists(c.lut_file));
  {
    const SearchEvaluator ev(c);  // loads the table: same entries, same figures, nothing recomputed
    auto& lut = dynamic_cast<predictor::LayerLut&>(ev.estimator(EvaluatorKind::kLut));
    CHECK(lut.entries() == entries);
    CHECK(ev.evaluate_hardware_with({g}, EvaluatorKind::kLut)[0].extra.at("energy_uj").get<double>() ==
          energy);
  }
  // Another space (one more value of a hardware gene) pointed at the same file.
  SearchConfig other = c;
  Gene extra = other.space.genes()[other.space.index_of("hardware.tile.pes")];
  SearchSpace s2;
  for (const Gene& gene : c.space.genes()) {
    Gene copy = gene;
    if (gene.name == "hardware.tile.pes") copy.values.push_back(GeneValue::integer(16));
    s2.add_gene(copy);
  }
  other.space = s2;
  const SearchEvaluator ev2(other);
  try {
    ev2.estimator(EvaluatorKind::kLut);
    FAIL("a table built for another space was accepted");
  } catch (const common::InputError& e) {
    const std::string msg = e.what();
    CHECK(msg.find(c.lut_file) != std::string::npos);
    CHECK(msg.find("key 'space'") != std::string::npos);
    CHECK(msg.find("allowed here") != std::string::npos);
  }
  fs::remove_all(dir);
}

TEST_CASE("learned: beats a mean predictor on held-out designs, deterministic, reused from its file") {
  const fs::path dir = temp_dir("learned");
  const SearchConfig c = config_in(dir);
  const SearchEvaluator ev(c);
  auto& learned = dynamic_cast<predictor::LearnedEstimator&>(ev.estimator(EvaluatorKind::kLearned));
  CHECK(learned.training_designs() >= 40);
  CHECK(!learned.loaded_from_file());

  // Held-out designs: another seed's draws, minus any the model was trained on.
  const predictor::EstimatorContext ctx = ev.estimator_context(EvaluatorKind::kLearned);
  const std::vector<Genome> train = predictor::training_genomes(ctx);
  std::vector<Genome> held;
  for (const Genome& g : predictor::sample_valid_genomes(ctx, 60, 999))
    if (std::find(train.begin(), train.end(), g) == train.end()) held.push_back(g);
  REQUIRE(held.size() >= 10);
  const std::vector<Evaluation> truth = ev.evaluate_hardware_with(held, EvaluatorKind::kAnalytical);
  const std::vector<Evaluation> pred = ev.evaluate_hardware_with(held, EvaluatorKind::kLearned);
  // Mean of the training targets (log energy, log latency), the baseline.
  const std::vector<Evaluation> train_truth = ev.evaluate_hardware_with(train, EvaluatorKind::kAnalytical);
  for (const char* col : {"energy_uj", "latency_us", "area_mm2"}) {
    double mean = 0;
    int n = 0;
    for (const auto& e : train_truth)
      if (e.extra.contains(col)) mean += std::log(e.extra.at(col).get<double>()), ++n;
    mean /= n;
    double err_model = 0, err_mean = 0;
    int m = 0;
    for (std::size_t i = 0; i < held.size(); ++i) {
      if (!truth[i].extra.contains(col) || !pred[i].extra.contains(col)) continue;
      const double y = std::log(truth[i].extra.at(col).get<double>());
      const double p = std::log(pred[i].extra.at(col).get<double>());
      err_model += (p - y) * (p - y);
      err_mean += (mean - y) * (mean - y);
      ++m;
    }
    CAPTURE(col);
    REQUIRE(m >= 10);
    CHECK(err_model < 0.5 * err_mean);
  }
  // The same settings trained again give the same predictions; a second evaluator loads the file.
  const fs::path dir2 = temp_dir("learned2");
  SearchConfig c2 = config_in(dir2);
  const SearchEvaluator again(c2);
  const SearchEvaluator reload(c);
  auto& reloaded = dynamic_cast<predictor::LearnedEstimator&>(reload.estimator(EvaluatorKind::kLearned));
  CHECK(reloaded.loaded_from_file());
  const auto p2 = again.evaluate_hardware_with(held, EvaluatorKind::kLearned);
  const auto p3 = reload.evaluate_hardware_with(held, EvaluatorKind::kLearned);
  for (std::size_t i = 0; i < held.size(); ++i) {
    CHECK(p2[i].extra.value("energy_uj", -1.0) == pred[i].extra.value("energy_uj", -1.0));
    CHECK(p3[i].extra.value("latency_us", -1.0) == pred[i].extra.value("latency_us", -1.0));
  }
  fs::remove_all(dir);
  fs::remove_all(dir2);
}

TEST_CASE("bad estimator settings are rejected at load naming file, key and what is allowed") {
  const fs::path dir = temp_dir("bad");
  auto message = [](const std::string& path) {
    try {
      load_search_config(path);
    } catch (const common::InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  // A second [search] table is a TOML error; replace the evaluator instead.
  {
    std::ifstream in(kSpace);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("evaluator = \"lut\""), 17, "evaluator = \"lookup\"");
    const fs::path p = fs::path(kSpace).parent_path() / "bad_tmp.toml";
    std::ofstream(p) << text;
    const std::string m = message(p.string());
    CHECK(m.find("bad_tmp.toml") != std::string::npos);
    CHECK(m.find("evaluator") != std::string::npos);
    CHECK(m.find("learned") != std::string::npos);
  }
  {
    std::ifstream in(kSpace);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("lut_grid_points = 2"), 19, "lut_grid_points = 1");
    const fs::path p = fs::path(kSpace).parent_path() / "bad_tmp.toml";
    std::ofstream(p) << text;
    const std::string m = message(p.string());
    CHECK(m.find("lut_grid_points") != std::string::npos);
  }
  {
    std::ifstream in(kSpace);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("seed = 3"), 8, "seed = 3\ntrain_source = \"spice\"");
    const fs::path p = fs::path(kSpace).parent_path() / "bad_tmp.toml";
    std::ofstream(p) << text;
    const std::string m = message(p.string());
    CHECK(m.find("train_source") != std::string::npos);
    CHECK(m.find("systemc") != std::string::npos);
  }
  fs::remove(fs::path(kSpace).parent_path() / "bad_tmp.toml");
  fs::remove_all(dir);
}
