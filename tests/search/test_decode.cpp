// Genome decoding and the search config: genes become chip parameters and networks; bad genes,
// objectives and keys are errors naming the file and key; undecodable genomes are DecodeErrors.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "arch/load.h"
#include "common/config.h"
#include "nas/decode.h"
#include "nas/search/config.h"
#include "nas/search/evaluator.h"

using namespace imc;
using namespace imc::nas;
using namespace imc::nas::search;
namespace fs = std::filesystem;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("imcsim_search_" + name);
  std::ofstream(p) << text;
  return p.string();
}

const std::string kArch = fs::absolute("configs/arch/rram_default.toml").string();

Genome genome_of(const SearchSpace& space, const std::map<std::string, GeneValue>& values) {
  return space.encode(values);
}

}  // namespace

TEST_CASE("the shipped search configs load") {
  for (const char* f : {"configs/nas/fmnist_demo.toml", "configs/nas/fmnist_joint.toml",
                        "configs/nas/fmnist_compare.toml", "tests/search/data/hw_only.toml"}) {
    CAPTURE(f);
    const SearchConfig c = load_search_config(f);
    CHECK(c.space.size() > 5);
    CHECK(fs::exists(c.base_arch_file));
    CHECK(c.objective_columns().size() == c.objectives.size());
  }
  const SearchConfig demo = load_search_config("configs/nas/fmnist_demo.toml");
  CHECK(demo.wants_accuracy());
  CHECK(demo.objective_columns().front() == "hw_error_pct");
}

TEST_CASE("hardware and network genes decode into the chip and the network") {
  const SearchConfig c = load_search_config("tests/search/data/hw_only.toml");
  const SearchEvaluator ev(c);
  const Genome g = genome_of(c.space, {{"network.stages", GeneValue::integer(3)},
                                       {"network.base_channels", GeneValue::integer(16)},
                                       {"network.weight_bits", GeneValue::integer(4)},
                                       {"hardware.crossbar.rows", GeneValue::integer(256)},
                                       {"hardware.crossbar.cols", GeneValue::integer(64)},
                                       {"hardware.device.bits_per_cell", GeneValue::integer(4)},
                                       {"hardware.tile.pes", GeneValue::integer(2)},
                                       {"hardware.noc.routers", GeneValue::integer(9)}});
  const Design d = ev.decode(g);
  CHECK(d.spec.crossbar.rows == 256);
  CHECK(d.spec.crossbar.cols == 64);
  CHECK(d.spec.device.bits_per_cell == 4);
  CHECK(d.spec.tile.pes == 2);
  CHECK(d.spec.noc.mesh_x * d.spec.noc.mesh_y == 9);
  CHECK(d.spec.precision.weight_bits == 4);
  CHECK(d.params.stages == 3);
  CHECK(d.params.base_channels == 16);
  CHECK(d.graph.total_macs() > 0);
  // The cache key names the decoded design: equal designs, equal keys; different designs differ.
  CHECK(ev.key(g) == ev.key(g));
  Genome g2 = g;
  g2[c.space.index_of("hardware.crossbar.rows")] = 0;
  CHECK(ev.key(g2) != ev.key(g));
  // The evaluator gives every hardware objective for a feasible design.
  const Evaluation e = ev.evaluate_hardware(g);
  if (e.feasible()) {
    REQUIRE(e.objectives.size() == 3);
    CHECK(e.objectives[0] > 0);
    CHECK(e.objectives[2] == doctest::Approx(e.extra["area_mm2"].get<double>()));
  } else {
    CHECK(!e.reason.empty());
  }
}

TEST_CASE("a genome decoding to an inconsistent chip is a DecodeError, and infeasible with its reason") {
  // No condition ties bits per cell to weight bits here, so the chip check must catch it.
  const std::string path = write_temp("nocond.toml", "base_arch = \"" + kArch +
                                                         "\"\n"
                                                         "objectives = [\"energy\", \"area\"]\n"
                                                         "[network]\nweight_bits = [2, 8]\n"
                                                         "[hardware]\ndevice.bits_per_cell = [1, 4]\n");
  const SearchConfig c = load_search_config(path);
  const SearchEvaluator ev(c);
  const Genome bad = genome_of(c.space, {{"network.weight_bits", GeneValue::integer(2)},
                                         {"hardware.device.bits_per_cell", GeneValue::integer(4)}});
  CHECK_THROWS_AS(ev.decode(bad), DecodeError);
  const Evaluation e = ev.evaluate_hardware(bad);
  CHECK_FALSE(e.feasible());
  CHECK(e.reason.find("bits_per_cell") != std::string::npos);
  const Genome good = genome_of(c.space, {{"network.weight_bits", GeneValue::integer(8)},
                                          {"hardware.device.bits_per_cell", GeneValue::integer(4)}});
  CHECK(ev.evaluate_hardware(good).feasible());
}

TEST_CASE("a network whose resolution runs out is infeasible, not a crash") {
  const std::string path = write_temp("deep.toml", "base_arch = \"" + kArch +
                                                       "\"\n"
                                                       "objectives = [\"energy\"]\n"
                                                       "[network]\nstages = [2, 9]\n");
  const SearchConfig c = load_search_config(path);
  const SearchEvaluator ev(c);
  const Evaluation e = ev.evaluate_hardware(genome_of(c.space, {{"network.stages", GeneValue::integer(9)}}));
  CHECK_FALSE(e.feasible());
  CHECK(e.reason.find("invalid design") != std::string::npos);
}

TEST_CASE("bad search configs are errors naming the file and key") {
  auto error_of = [](const std::string& name, const std::string& text) {
    const std::string path = write_temp(name, text);
    try {
      load_search_config(path);
    } catch (const common::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string head = "base_arch = \"" + kArch + "\"\n";
  std::string m = error_of("b1.toml", head + "objectives = [\"speed\"]\n[network]\nstages = [2, 3]\n");
  CHECK(m.find("b1.toml:2") != std::string::npos);
  CHECK(m.find("unknown objective 'speed'") != std::string::npos);
  CHECK(m.find("accuracy") != std::string::npos);  // lists what is allowed

  m = error_of("b2.toml", head + "objectives = [\"energy\"]\n[hardware]\ncrossbar.rowz = [64, 128]\n");
  CHECK(m.find("unknown hardware key 'crossbar.rowz'") != std::string::npos);
  CHECK(m.find("b2.toml") != std::string::npos);

  // (depth is a ViT gene since the ViT family, docs/vit.md; width is no gene of either family)
  m = error_of("b3.toml", head + "objectives = [\"energy\"]\n[network]\nwidth = [2, 3]\n");
  CHECK(m.find("unknown network gene 'width'") != std::string::npos);

  m = error_of(
      "b4.toml",
      head + "objectives = [\"energy\", \"area\"]\nreference_point = [1.0]\n[network]\nstages = [2, 3]\n");
  CHECK(m.find("reference_point") != std::string::npos);

  m = error_of("b5.toml", "objectives = [\"energy\"]\n[network]\nstages = [2, 3]\n");
  CHECK(m.find("base_arch") != std::string::npos);

  m = error_of("b6.toml",
               head + "objectives = [\"energy\"]\n[search]\ngenerations = 0\n[network]\nstages = [2, 3]\n");
  CHECK(m.find("search.generations") != std::string::npos);

  m = error_of("b7.toml",
               head + "objectives = [\"energy\"]\n[serch]\ngenerations = 3\n[network]\nstages = [2, 3]\n");
  CHECK(m.find("serch") != std::string::npos);
}

TEST_CASE("[accuracy] settings are checked at load against the training's own ranges") {
  const std::string path =
      write_temp("bs.toml", "base_arch = \"" + kArch +
                                "\"\nobjectives = [\"accuracy\", \"energy\"]\n[accuracy]\nepochs = 1\n"
                                "batch_size = 65536\n[network]\nstages = [2, 3]\n");
  std::string m = "no error";
  try {
    load_search_config(path);
  } catch (const common::InputError& e) {
    m = e.what();
  }
  // The file, the line of the key, the key and the range the training accepts.
  CHECK(m.find("imcsim_search_bs.toml:5:") != std::string::npos);
  CHECK(m.find("accuracy.batch_size") != std::string::npos);
  CHECK(m.find("allowed [1, 60000] images") != std::string::npos);

  // The demo inherits weights from its supernet; unset training keys keep the training's defaults;
  // the enums come from the names.
  const SearchConfig demo = load_search_config("configs/nas/fmnist_demo.toml");
  CHECK(demo.accuracy.method == accuracy::AccuracyMethod::kSupernet);
  CHECK(demo.accuracy.adc_range == accuracy::AdcRange::kCalibrated);
  CHECK(demo.accuracy.train.optimizer == accuracy::TrainOptimizer::kAdam);
  CHECK(demo.accuracy.train.batch_size == accuracy::TrainOptions{}.batch_size);
  CHECK(demo.objectives.front() == Objective::kAccuracy);
  // What a search accepts, training accepts: the loaded settings pass the training checks.
  CHECK_NOTHROW(accuracy::check_options(demo.accuracy));
  // And the training's own check reads the same declaration.
  accuracy::TrainOptions t;
  t.batch_size = 60001;
  CHECK_THROWS_WITH_AS(accuracy::check_train_options(t),
                       doctest::Contains("batch_size = 60001 is out of range: allowed [1, 60000] images"),
                       common::InputError);
}

TEST_CASE("fits_on_chip is a deprecated spelling of weight_fetch (inverted), with a warning") {
  std::vector<std::string> warnings;
  common::set_warning_sink([&](const std::string& w) { warnings.push_back(w); });
  auto load = [&](const std::string& name, const std::string& constraints) {
    return load_search_config(write_temp(name, "base_arch = \"" + kArch +
                                                   "\"\nobjectives = [\"energy\"]\n[constraints]\n" +
                                                   constraints + "\n[network]\nstages = [2, 3]\n"));
  };
  CHECK_FALSE(load("a1.toml", "fits_on_chip = true").constraints.weight_fetch);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("imcsim_search_a1.toml:4:") != std::string::npos);
  CHECK(warnings[0].find("deprecated") != std::string::npos);
  CHECK(warnings[0].find("constraints.weight_fetch") != std::string::npos);
  CHECK(load("a2.toml", "fits_on_chip = false").constraints.weight_fetch);
  CHECK(load("a3.toml", "weight_fetch = true").constraints.weight_fetch);
  CHECK(warnings.size() == 2);  // the new spelling warns about nothing
  CHECK_THROWS_WITH_AS(load("a4.toml", "fits_on_chip = true\nweight_fetch = false"),
                       doctest::Contains("both"), common::InputError);
  common::set_warning_sink(nullptr);
}

TEST_CASE("a design's figures are defined once: EDAP, TOPS/W and power from the report") {
  sim::Report r;
  r.energy_pj = 2e6;   // 2 uJ
  r.latency_ns = 4e3;  // 4 us
  r.area_mm2 = 10;
  r.macs = 1000000;
  const sim::DesignMetrics m = sim::metrics_of(r);
  CHECK(m.edap_j_s_mm2 == doctest::Approx(2e-6 * 4e-6 * 10));
  CHECK(m.tops_per_w == doctest::Approx(2e6 / 2e-6 * 1e-12));
  CHECK(m.tops == doctest::Approx(2e6 / 4e-6 * 1e-12));
  CHECK(m.tops_per_mm2 == doctest::Approx(m.tops / 10));
  CHECK(m.power_w == doctest::Approx(2e-6 / 4e-6));
  CHECK(objective_value(Objective::kEdap, m) == m.edap_j_s_mm2);
  CHECK(objective_value(Objective::kTopsPerW, m) == -m.tops_per_w);
  CHECK(objective_value(Objective::kEnergy, m) == doctest::Approx(2.0));
  CHECK(objective_value(Objective::kLatency, m) == doctest::Approx(4.0));
  CHECK(objective_value(Objective::kAccuracy, m, 0.9) == doctest::Approx(10.0));
}

TEST_CASE("the functional chip key: what sim/functional reads, and nothing else") {
  // Candidates with equal keys share one hardware-aware scoring (supernet_accuracy.cpp).
  const arch::ArchSpec base = arch::load_arch(kArch);
  arch::ArchSpec other = base;
  other.tile.pes = base.tile.pes * 2;
  other.noc.mesh_x = base.noc.mesh_x + 1;
  other.chip.voltage_v = 0.8;
  other.chip.clock_ghz = base.chip.clock_ghz / 2;
  other.adc.cols_per_adc = base.adc.cols_per_adc * 2;
  CHECK(functional_chip_key(other) == functional_chip_key(base));
  auto differs = [&](auto edit) {
    arch::ArchSpec s = base;
    edit(s);
    return functional_chip_key(s) != functional_chip_key(base);
  };
  CHECK(differs([](arch::ArchSpec& s) { s.adc.bits += 1; }));
  CHECK(differs([](arch::ArchSpec& s) { s.dac.bits += 1; }));
  CHECK(differs([](arch::ArchSpec& s) { s.device.bits_per_cell = 4; }));
  CHECK(differs([](arch::ArchSpec& s) { s.device.variation_sigma += 0.01; }));
  CHECK(differs(
      [](arch::ArchSpec& s) { s.device.stuck_aware_programming = !s.device.stuck_aware_programming; }));
  CHECK(differs([](arch::ArchSpec& s) { s.crossbar.rows /= 2; }));
  CHECK(differs([](arch::ArchSpec& s) { s.crossbar.rows_parallel = 16; }));
  CHECK(differs([](arch::ArchSpec& s) { s.precision.input_bits = 4; }));
}
