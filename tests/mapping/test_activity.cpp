// Data-dependent activity (workloads/activity.h): activity 1.0 reproduces the worst-case counts
// exactly; a lower activity scales row drives and cell reads (and ramp-ADC conversions) of that
// layer only, identically in both sinks; bad activity files are InputErrors naming file and key.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "arch/cost.h"
#include "arch/load.h"
#include "common/config.h"
#include "sim/analytical/estimate.h"
#include "sim/analytical/report_diff.h"
#include "workloads/activity.h"
#include "workloads/zoo.h"

using namespace imc;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/imcsim_test_activity_" + name + ".json";
  std::ofstream(path) << text;
  return path;
}

std::string input_error(workloads::Graph& g, const std::string& path) {
  try {
    workloads::apply_activity_file(g, path);
  } catch (const common::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("slice activity from bit densities") {
  CHECK(workloads::mean_slice_activity({}, 8, 1) == 1.0);
  CHECK(workloads::mean_slice_activity({0.5}, 8, 1) == doctest::Approx(0.5));
  // 1-bit DAC: the mean of the bit densities.
  CHECK(workloads::mean_slice_activity({0.4, 0.3, 0.2, 0.1}, 4, 1) == doctest::Approx(0.25));
  // 2-bit DAC: P(slice != 0) = 1 - (1 - d0)(1 - d1) per slice, then the mean of the two slices.
  const double s0 = 1 - 0.6 * 0.7, s1 = 1 - 0.8 * 0.9;
  CHECK(workloads::mean_slice_activity({0.4, 0.3, 0.2, 0.1}, 4, 2) == doctest::Approx((s0 + s1) / 2));
  CHECK(workloads::mean_slice_activity({1, 1, 1, 1}, 4, 2) == 1.0);
  CHECK(workloads::scale_count(1234567, 1.0) == 1234567);
  CHECK(workloads::scale_count(10, 0.25) == 3);  // 2.5 rounds away from zero
  CHECK(workloads::scale_count(10, 0.0) == 0);
}

TEST_CASE("activity 1.0 on every layer = the worst-case counts, exactly") {
  for (const char* chip : {"rram_default", "sram_default"}) {
    const arch::ArchSpec spec = arch::load_arch(std::string("configs/arch/") + chip + ".toml");
    const arch::cost::CostTable costs = arch::cost::build(spec);
    for (const char* net : {"vgg8", "resnet18"}) {
      CAPTURE(chip);
      CAPTURE(net);
      const workloads::Graph worst = workloads::zoo_network(net);
      workloads::Graph ones = worst;
      for (int i = 0; i < ones.size(); ++i)
        if (ones.is_weight_stationary(i))
          ones.set_input_bit_density(i, std::vector<double>(std::size_t(spec.precision.input_bits), 1.0));
      const sim::Estimate a = sim::estimate(spec, costs, worst, {});
      const sim::Estimate b = sim::estimate(spec, costs, ones, {});
      CHECK(sim::report_difference(a.report, b.report) == "");
      CHECK(a.report.energy_pj == b.report.energy_pj);
    }
  }
}

TEST_CASE("a sparse layer: its drives and cell reads scale, both sinks agree") {
  arch::ArchSpec spec = arch::load_arch("configs/arch/rram_default.toml");
  const workloads::Graph worst = workloads::zoo_network("vgg8");
  int layer = -1;
  for (int i = 0; i < worst.size() && layer < 0; ++i)
    if (worst.is_weight_stationary(i) && i > 1) layer = i;
  REQUIRE(layer > 0);
  workloads::Graph sparse = worst;
  sparse.set_input_bit_density(layer, {0.3});
  for (auto type : {arch::AdcType::Sar, arch::AdcType::Ramp}) {
    spec.adc.type = type;
    const arch::cost::CostTable costs = arch::cost::build(spec);
    const sim::Estimate a = sim::estimate(spec, costs, worst, {});
    const sim::Estimate b = sim::estimate(spec, costs, sparse, {});
    CHECK(sim::report_difference(b.report, sim::estimate_program(spec, costs, sparse, {}).report) == "");
    const auto& wa = a.report.layers[std::size_t(layer)].actions;
    const auto& wb = b.report.layers[std::size_t(layer)].actions;
    using arch::Action;
    // Per chunk: llround(count x 0.3), so within one per chunk of the scaled total.
    const double chunks = 64;
    CHECK(double(wb[Action::DacDrive]) ==
          doctest::Approx(0.3 * double(wa[Action::DacDrive])).epsilon(chunks / double(wa[Action::DacDrive])));
    CHECK(double(wb[Action::XbarCellRead]) == doctest::Approx(0.3 * double(wa[Action::XbarCellRead]))
                                                  .epsilon(chunks / double(wa[Action::XbarCellRead])));
    CHECK(wb[Action::XbarRead] == wa[Action::XbarRead]);
    if (type == arch::AdcType::Sar)
      CHECK(wb[Action::AdcConversion] == wa[Action::AdcConversion]);
    else
      CHECK(double(wb[Action::AdcConversion]) < 0.31 * double(wa[Action::AdcConversion]));
    CHECK(b.report.energy_pj < a.report.energy_pj);
    // Other layers are untouched.
    CHECK(b.report.layers[std::size_t(layer) + 1].actions[Action::DacDrive] ==
          a.report.layers[std::size_t(layer) + 1].actions[Action::DacDrive]);
  }
}

TEST_CASE("activity files: layers by name, values in [0, 1]") {
  workloads::Graph g = workloads::zoo_network("vgg8");
  int conv = -1;
  for (int i = 0; i < g.size() && conv < 0; ++i)
    if (g.is_weight_stationary(i)) conv = i;
  const std::string name = g.node(conv).name;
  workloads::apply_activity_file(g, write_temp("ok", "{\"" + name + "\": [0.5, 0.25, 0, 1]}"));
  CHECK(g.node(conv).input_bit_density == std::vector<double>{0.5, 0.25, 0, 1});
  const std::string unknown = write_temp("unknown", "{\"no_such_layer\": 0.5}");
  std::string e = input_error(g, unknown);
  CHECK(e.find(unknown) != std::string::npos);
  CHECK(e.find("no_such_layer") != std::string::npos);
  const std::string range = write_temp("range", "{\"" + name + "\": [0.5, 1.5]}");
  e = input_error(g, range);
  CHECK(e.find(range) != std::string::npos);
  CHECK(e.find(name) != std::string::npos);
  CHECK(e.find("[0, 1]") != std::string::npos);
  CHECK(input_error(g, write_temp("neg", "{\"" + name + "\": -0.1}")).find("out of range") !=
        std::string::npos);
  CHECK(input_error(g, write_temp("bad", "[1, 2]")) != "");
}
