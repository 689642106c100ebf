// Power gating (chip.power_gating, sim/power_gating.h): off = the whole chip leaks for the whole
// run (today's figure); on = only the tiles and routers a reload group uses leak during its span,
// the same in both sinks; a hand case checks the bookkeeping.
#include <doctest/doctest.h>

#include "arch/cost.h"
#include "arch/load.h"
#include "sim/analytical/estimate.h"
#include "sim/analytical/report_diff.h"
#include "sim/power_gating.h"
#include "workloads/zoo.h"

using namespace imc;

TEST_CASE("leakage parts add up to the chip's") {
  for (const char* chip : {"rram_default", "sram_default", "isaac"}) {
    const arch::ArchSpec s = arch::load_arch(std::string("configs/arch/") + chip + ".toml");
    const arch::cost::CostTable c = arch::cost::build(s);
    CAPTURE(chip);
    CHECK(c.tile_leakage_mw > 0);
    CHECK(c.ungated_leakage_mw >= 0);
    CHECK(s.tiles() * c.tile_leakage_mw + s.noc.routers() * c.router_leakage_mw + c.ungated_leakage_mw ==
          doctest::Approx(c.chip_leakage_mw).epsilon(1e-12));
  }
}

TEST_CASE("hand case: two reload groups on a 2x2 mesh") {
  arch::ArchSpec s = arch::load_arch("configs/arch/rram_default.toml");
  s.noc.mesh_x = 2, s.noc.mesh_y = 2, s.noc.tiles_per_router = 1;
  const arch::cost::CostTable c = arch::cost::build(s);
  const double ns = 1.0 / s.chip.clock_ghz;
  // Group 0: layer 0 on tile 0 over [0, 100). Group 1: layer 1 on tile 3 over [100, 300), reading
  // layer 0's output from tile 0; layer 2 (folded, no ops) feeds nothing.
  std::vector<sim::GatingLayer> layers(3);
  layers[0] = {0, {0}, {}, 0, 100};
  layers[1] = {1, {3}, {0}, 100, 300};
  layers[2] = {1, {2}, {}, 0, 0};
  s.chip.power_gating = false;
  CHECK(sim::leakage_energy_pj(s, c, layers, 300) == doctest::Approx(c.chip_leakage_mw * 300 * ns));
  s.chip.power_gating = true;
  // Tile 0: [0, 300); tile 3: [100, 300). Routers: group 0 the box of router 0 -> {0} for 100
  // cycles; group 1 the box of routers 0 and 3 -> all four for 200 cycles.
  const double expected = c.ungated_leakage_mw * 300 * ns + c.tile_leakage_mw * (300 + 200) * ns +
                          c.router_leakage_mw * (100 + 4 * 200) * ns;
  CHECK(sim::leakage_energy_pj(s, c, layers, 300) == doctest::Approx(expected).epsilon(1e-12));
}

TEST_CASE("gating on: less leakage on a chip larger than the network, both sinks agree") {
  for (const char* chip : {"rram_default", "sram_default"})
    for (const char* net : {"vgg8", "resnet18"}) {
      CAPTURE(chip);
      CAPTURE(net);
      arch::ArchSpec s = arch::load_arch(std::string("configs/arch/") + chip + ".toml");
      const workloads::Graph g = workloads::zoo_network(net);
      const arch::cost::CostTable c = arch::cost::build(s);
      const sim::Estimate off = sim::estimate(s, c, g, {});
      CHECK(off.report.leakage_energy_pj == doctest::Approx(c.chip_leakage_mw * off.report.latency_ns));
      s.chip.power_gating = true;
      const sim::Estimate on = sim::estimate(s, c, g, {});
      CHECK(sim::report_difference(on.report, sim::estimate_program(s, c, g, {}).report) == "");
      const sim::Estimate totals = sim::estimate(s, c, g, {}, sim::EstimateDetail::Totals);
      CHECK(totals.report.leakage_energy_pj == doctest::Approx(on.report.leakage_energy_pj).epsilon(1e-12));
      CHECK(on.report.latency_cycles == off.report.latency_cycles);
      CHECK(on.report.leakage_energy_pj < off.report.leakage_energy_pj);
      CHECK(on.report.leakage_energy_pj >= c.ungated_leakage_mw * on.report.latency_ns);
      CHECK(on.report.energy_breakdown_pj.at("leakage") == on.report.leakage_energy_pj);
      CHECK(on.report.dynamic_energy_pj == off.report.dynamic_energy_pj);
    }
}
