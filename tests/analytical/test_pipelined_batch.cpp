// Pipelined inferences overlap: a batch takes the fill of one inference plus (B - 1) intervals, the
// interval is the slowest stage's time, and both performance paths (walk and Program) report the
// same per-inference figures. Duplication "auto" spends spare PEs on the slowest layers.
#include <doctest/doctest.h>

#include <algorithm>

#include "arch/cost.h"
#include "arch/load.h"
#include "common/config.h"
#include "mapping/mapping.h"
#include "sim/analytical/estimate.h"
#include "workloads/zoo.h"

using namespace imc;

namespace {
const std::string kArchDir = "configs/arch/";

sim::Report run(const arch::ArchSpec& s, const arch::cost::CostTable& c, const workloads::Graph& g, int batch,
                int duplication, mapping::Schedule schedule = mapping::Schedule::Pipeline, int chunks = 0) {
  mapping::MappingOptions o;
  o.batch = batch;
  o.duplication = duplication;
  o.chunks_per_layer = chunks;
  o.schedule = schedule;
  return sim::estimate(s, c, g, o).report;
}
}  // namespace

TEST_CASE("VGG-8 on rram_default: batch 8 overlaps (< 3x batch 1); the interval is the slowest stage's") {
  const arch::ArchSpec s = arch::load_arch(kArchDir + "rram_default.toml");
  const arch::cost::CostTable c = arch::cost::build(s);
  const workloads::Graph g = workloads::zoo_network("vgg8");
  // At 8 chunks per layer (the fixed default before "auto"). With "auto" granularity (32 chunks for
  // VGG-8's 32x32 layers) one inference's fill is 31 % shorter (120,586 vs 176,026 cycles) while the
  // interval grows 6 % above the slowest stage (34,737 vs 32,768 at batch 8): finer chunks leave the
  // list schedule's bottleneck PE idle between chunks (docs/systemc.md, "Granularity"), so the ratio
  // and the 5 % interval check are held at 8 chunks, where the interval is the slowest stage's.
  constexpr int kChunks = 8;
  for (int dup : {1, 0}) {  // no copies, and "auto"
    CAPTURE(dup);
    const sim::Report one = run(s, c, g, 1, dup, mapping::Schedule::Pipeline, kChunks);
    const sim::Report eight = run(s, c, g, 8, dup, mapping::Schedule::Pipeline, kChunks);
    // With the default duplication ("auto") the slowest stage is short enough that 8 inferences take
    // less than 3 single ones; without copies conv2 alone is half an inference (4.4x), so only the
    // overlap itself is checked there: far below 8x.
    if (dup == 0)
      CHECK(eight.latency_cycles < 3 * one.latency_cycles);
    else
      CHECK(eight.latency_cycles < 5 * one.latency_cycles);
    // The interval is measured over the batch; the slowest stage (busiest unit per inference) bounds
    // it from below, and an overlapping pipeline reaches it within 5%.
    CHECK(eight.interval_cycles >= eight.bottleneck_cycles);
    CHECK(double(eight.interval_cycles) <= 1.05 * double(eight.bottleneck_cycles));
    // Batch latency = fill + (B - 1) x interval, the fill being one inference's latency.
    CHECK(double(eight.latency_cycles) ==
          doctest::Approx(double(one.latency_cycles + 7 * eight.interval_cycles)).epsilon(0.05));
    // One inference alone: its latency is the batch's; its interval is the bottleneck bound.
    CHECK(one.inference_latency_cycles == one.latency_cycles);
    CHECK(one.interval_cycles == one.bottleneck_cycles);
    CHECK(one.interval_cycles <= one.latency_cycles);
    const sim::DesignMetrics m = sim::metrics_of(eight);
    CHECK(m.throughput_inf_per_s == doctest::Approx(1e9 / m.interval_ns));
    CHECK(m.interval_ns == doctest::Approx(double(eight.interval_cycles) / s.chip.clock_ghz));
  }
}

TEST_CASE("the layer schedule does not overlap inferences: its interval is a whole inference") {
  const arch::ArchSpec s = arch::load_arch(kArchDir + "rram_default.toml");
  const arch::cost::CostTable c = arch::cost::build(s);
  const workloads::Graph g = workloads::zoo_network("vgg8");
  const sim::Report one = run(s, c, g, 1, 1, mapping::Schedule::Layer);
  const sim::Report four = run(s, c, g, 4, 1, mapping::Schedule::Layer);
  CHECK(double(four.interval_cycles) == doctest::Approx(double(one.latency_cycles)).epsilon(0.02));
}

TEST_CASE("walk and Program report the same inference latency, interval and bottleneck") {
  const arch::ArchSpec s = arch::load_arch(kArchDir + "rram_default.toml");
  const arch::cost::CostTable c = arch::cost::build(s);
  for (const char* net : {"vgg8", "resnet18"}) {
    CAPTURE(net);
    const workloads::Graph g = workloads::zoo_network(net);
    mapping::MappingOptions o;
    o.batch = 3;
    const sim::Report w = sim::estimate(s, c, g, o).report;
    const sim::Report p = sim::estimate_program(s, c, g, o).report;
    CHECK(w.inference_latency_cycles == p.inference_latency_cycles);
    CHECK(w.interval_cycles == p.interval_cycles);
    CHECK(w.bottleneck_cycles == p.bottleneck_cycles);
  }
}

TEST_CASE("duplication auto: copies go to the slowest layers, never slower than none, capped by N") {
  const arch::ArchSpec s = arch::load_arch(kArchDir + "rram_default.toml");
  const arch::cost::CostTable c = arch::cost::build(s);
  const workloads::Graph g = workloads::zoo_network("resnet18");
  mapping::MappingOptions o;
  CHECK(o.duplication == 0);  // the default is "auto"
  const mapping::Mapping automatic = mapping::map(s, g, o);
  int most = 1;
  std::int64_t pes = 0;
  for (const auto& l : automatic.layers) {
    most = std::max(most, l.duplication);
    pes += std::int64_t(l.pes.size());
    CHECK(l.duplication <= l.chunks);  // copies take chunks: more than the chunks shorten nothing
  }
  CHECK(most > 1);
  CHECK(pes <= automatic.pes_available);
  o.duplication = 2;
  for (const auto& l : mapping::map(s, g, o).layers) CHECK(l.duplication <= 2);
  const sim::Report none = run(s, c, g, 4, 1), aut = run(s, c, g, 4, 0);
  CHECK(aut.interval_cycles < none.interval_cycles);
  CHECK(aut.latency_cycles < none.latency_cycles);
}

TEST_CASE("[mapping] duplication accepts \"auto\" and a cap, in a file and as a flag") {
  using common::ConfigNode;
  auto read = [](const std::string& text) {
    mapping::MappingOptions o;
    common::read_fields(ConfigNode::parse_string(text, "m.toml"),
                        [&](common::Fields& f) { mapping::describe(f, o); });
    return o.duplication;
  };
  CHECK(read("[mapping]\nduplication = \"auto\"\n") == 0);
  CHECK(read("[mapping]\nduplication = 6\n") == 6);
  CHECK(read("") == 0);
  CHECK_THROWS_WITH_AS(read("[mapping]\nduplication = \"many\"\n"), doctest::Contains("\"auto\""),
                       common::InputError);
  mapping::MappingOptions o;
  auto describe = [&](common::Fields& f) { mapping::describe(f, o); };
  common::set_field(describe, "mapping.duplication", "3", "--duplication");
  CHECK(o.duplication == 3);
  common::set_field(describe, "mapping.duplication", "auto", "--duplication");
  CHECK(o.duplication == 0);
  CHECK_THROWS_AS(common::set_field(describe, "mapping.duplication", "lots", "--duplication"),
                  common::InputError);
}

TEST_CASE("a network that reloads weights: its interval is the batch's average, in both paths") {
  // VGG-16 does not fit rram_default: the whole batch passes each reload group in turn, so all its
  // inferences complete in the last group and their spacing is not the rate.
  const arch::ArchSpec s = arch::load_arch(kArchDir + "rram_default.toml");
  const arch::cost::CostTable c = arch::cost::build(s);
  const workloads::Graph g = workloads::zoo_network("vgg16");
  for (int batch : {1, 4}) {
    CAPTURE(batch);
    mapping::MappingOptions o;
    o.batch = batch;
    const sim::Estimate walk = sim::estimate(s, c, g, o);
    REQUIRE(walk.reload_groups > 1);
    const sim::Report& r = walk.report;
    CHECK(r.interval_cycles == (r.latency_cycles + batch - 1) / batch);
    CHECK(r.interval_cycles > r.latency_cycles / (batch + 1));  // not the last group's spacing
    const sim::Estimate program = sim::estimate_program(s, c, g, o);
    CHECK(program.report.interval_cycles == r.interval_cycles);
  }
}
