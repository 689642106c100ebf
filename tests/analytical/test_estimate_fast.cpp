// The lowering's two sinks held equal (mapping/lowering.h): sim::estimate (the analytical walk,
// ops timed as they are emitted) against the Program path (map -> lower -> AnalyticalModel, the
// Program sink): the same Report — action counts per layer and in total, energies,
// start/end/latency cycles per layer and in total, busy cycles — and the same op count, over the
// zoo, three chips, the three schedules, crossbar / PE / tile overrides, duplication, the
// tile-aligned mapper, layers larger than the chip (passes) and batch 1 and 4. The walk's only
// own logic is its timing memo (OpDesc::memo) and the per-op step; a wrong memo key or unit shows
// here. A subset runs here (seconds); `bench_estimate verify` runs the full cross product.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "arch/cost.h"
#include "arch/load.h"
#include "arch/overrides.h"
#include "common/config.h"
#include "sim/analytical/estimate.h"
#include "sim/analytical/report_diff.h"
#include "workloads/zoo.h"

namespace {

using namespace imc;

// Every field of the two estimates; "" when equal, else the first difference.
std::string difference(const sim::Estimate& f, const sim::Estimate& p) {
  if (f.ops != p.ops) return fmt::format("ops {} vs {}", f.ops, p.ops);
  if (f.reload_groups != p.reload_groups)
    return fmt::format("reload_groups {} vs {}", f.reload_groups, p.reload_groups);
  return sim::report_difference(f.report, p.report);
}

struct Case {
  std::string arch;  // configs/arch/<arch>.toml
  std::vector<arch::Override> overrides;
  mapping::MappingOptions options;
};

std::string describe(const Case& c) {
  std::string s = c.arch;
  for (const auto& o : c.overrides)
    s += fmt::format(" {}={}", o.key,
                     std::holds_alternative<double>(o.value) ? fmt::format("{}", std::get<double>(o.value))
                                                             : std::get<std::string>(o.value));
  return s + fmt::format(" schedule={} batch={} dup={} mapper={} chunks={}",
                         mapping::to_string(c.options.schedule), c.options.batch, c.options.duplication,
                         c.options.mapper, c.options.chunks_per_layer);
}

// Runs both paths on every network; both must refuse the same networks (overflow = "error").
void check_case(const Case& c, const std::vector<std::string>& networks) {
  arch::ArchSpec spec = arch::load_arch("configs/arch/" + c.arch + ".toml");
  arch::apply_overrides(spec, c.overrides, "configs/arch");
  const arch::cost::CostTable costs = arch::cost::build(spec);
  for (const auto& name : networks) {
    const workloads::Graph g = workloads::zoo_network(name);
    INFO(name, " on ", describe(c));
    bool ref_threw = false;
    sim::Estimate ref;
    try {
      ref = sim::estimate_program(spec, costs, g, c.options);
    } catch (const common::InputError&) {
      ref_threw = true;
    }
    if (ref_threw) {
      CHECK_THROWS_AS(sim::estimate(spec, costs, g, c.options), common::InputError);
      continue;
    }
    const sim::Estimate fast = sim::estimate(spec, costs, g, c.options);
    CHECK(difference(fast, ref) == "");
    // Totals only: the same report without its layers.
    sim::Estimate ref_totals = ref;
    ref_totals.report.layers.clear();
    const sim::Estimate totals = sim::estimate(spec, costs, g, c.options, sim::EstimateDetail::Totals);
    CHECK(difference(totals, ref_totals) == "");
  }
}

mapping::MappingOptions options(mapping::Schedule schedule, int batch) {
  mapping::MappingOptions o;
  o.schedule = schedule;
  o.batch = batch;
  return o;
}

const std::vector<std::string> kArchs = {"rram_default", "sram_default", "isaac"};
const std::vector<mapping::Schedule> kSchedules = {mapping::Schedule::Pipeline, mapping::Schedule::Layer,
                                                   mapping::Schedule::Wavefront};
const std::vector<std::string> kSmall = {"resnet20", "vgg8", "alexnet", "mobilenetv3_large", "resnet18"};

}  // namespace

TEST_CASE("walk = Program path: the zoo on three chips, three schedules, batch 1") {
  for (const auto& a : kArchs)
    for (const auto& sch : kSchedules) check_case({a, {}, options(sch, 1)}, workloads::zoo_names());
}

TEST_CASE("report_difference names what differs") {
  const arch::ArchSpec spec = arch::load_arch("configs/arch/rram_default.toml");
  const arch::cost::CostTable costs = arch::cost::build(spec);
  const sim::Estimate a = sim::estimate(spec, costs, workloads::zoo_network("resnet20"), {});
  CHECK(sim::report_difference(a.report, a.report) == "");
  sim::Report b = a.report;
  b.layers[3].actions[arch::Action::AdcConversion] += 1;
  CHECK(sim::report_difference(b, a.report).find("adc") != std::string::npos);
  b = a.report;
  b.layers[2].end_cycle += 1;
  CHECK(sim::report_difference(b, a.report).find("cycles") != std::string::npos);
  b = a.report;
  b.latency_cycles += 1;
  CHECK(sim::report_difference(b, a.report).find("latency") != std::string::npos);
  b = a.report;
  b.energy_pj *= 1 + 1e-6;
  CHECK(sim::report_difference(b, a.report).find("energy") != std::string::npos);
}

TEST_CASE("walk = Program path: batch 4") {
  for (const auto& a : kArchs)
    for (const auto& sch : kSchedules) check_case({a, {}, options(sch, 4)}, kSmall);
}

TEST_CASE("walk = Program path: crossbar sizes, PEs, tiles (layers larger than the chip)") {
  using arch::Override;
  const std::vector<std::vector<Override>> shapes = {
      {{"crossbar.rows", 32.0}, {"crossbar.cols", 32.0}},
      {{"crossbar.rows", 64.0}, {"crossbar.cols", 128.0}, {"tile.pes", 4.0}},
      {{"crossbar.rows", 512.0}, {"crossbar.cols", 512.0}},
      {{"crossbar.rows", 512.0}, {"crossbar.cols", 256.0}, {"noc.routers", 4.0}},
      {{"noc.routers", 2.0}, {"tile.pes", 2.0}},  // a tiny chip: most layers run in passes
  };
  // The small networks everywhere, plus one of the larger ones in turn (bench_estimate verify
  // runs every network on every combination; gpt2_medium alone takes seconds on small crossbars).
  std::vector<std::string> zoo;
  for (const auto& name : workloads::zoo_names())
    if (name != "gpt2_medium") zoo.push_back(name);
  std::size_t rotation = 0;
  for (const auto& a : kArchs)
    for (const auto& shape : shapes)
      for (int batch : {1, 4}) {
        std::vector<std::string> networks = kSmall;
        if (batch == 1) networks.push_back(zoo[rotation % zoo.size()]);
        check_case({a, shape, options(kSchedules[rotation % 3], batch)}, networks);
        ++rotation;
      }
}

TEST_CASE("walk = Program path: duplication, tile-aligned mapper, chunking, precision, overflow") {
  std::vector<Case> cases;
  for (const auto& sch : kSchedules) {
    Case dup{"rram_default", {}, options(sch, 1)};
    dup.options.duplication = 4;
    cases.push_back(dup);
    Case single{"rram_default", {}, options(sch, 2)};  // no copies (the default is "auto")
    single.options.duplication = 1;
    cases.push_back(single);
    Case aligned{"sram_default", {}, options(sch, 2)};
    aligned.options.mapper = "tile_aligned";
    aligned.options.duplication = 2;
    cases.push_back(aligned);
    Case chunks{"isaac", {{"crossbar.rows", 64.0}, {"crossbar.cols", 64.0}}, options(sch, 1)};
    chunks.options.chunks_per_layer = 5;
    chunks.options.input_bits = 6;
    chunks.options.weight_bits = 4;
    cases.push_back(chunks);
    Case strict{"rram_default", {{"noc.routers", 4.0}}, options(sch, 1)};
    strict.options.overflow = mapping::Overflow::Error;
    cases.push_back(strict);
  }
  for (const auto& c : cases) check_case(c, workloads::zoo_names());
}

TEST_CASE("walk = Program path: more memo slots than the walk's memo holds (tiny arrays)") {
  // 16x16 arrays on a 2-tile chip of 2 PEs: every layer runs in passes over every tile, and the
  // copy tiles' memo slots (OpDesc::memo) far outnumber WalkSink's 2^16 cache entries, so slots
  // share entries and the tags must tell them apart.
  using arch::Override;
  const std::vector<Override> tiny = {
      {"crossbar.rows", 16.0}, {"crossbar.cols", 16.0}, {"noc.routers", 2.0}, {"tile.pes", 2.0}};
  for (const auto& sch : kSchedules)
    check_case({"sram_default", tiny, options(sch, 1)}, {"resnet18", "alexnet"});
}
