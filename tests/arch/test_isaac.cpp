// Calibration: configs/arch/isaac.toml reproduces the published ISAAC-CE figures
// (shared/reference/isaac.md) within 5%.
#include <doctest/doctest.h>

#include "arch/cost.h"
#include "arch/load.h"

using namespace imc::arch;

namespace {
void within_5pct(double ours, double published) {
  CAPTURE(ours);
  CAPTURE(published);
  CHECK(std::abs(ours - published) <= 0.05 * published);
}
}  // namespace

TEST_CASE("ISAAC-CE: IMA, tile and chip power and area, peak efficiency") {
  const ArchSpec s = load_arch("configs/arch/isaac.toml");
  const cost::CostTable c = cost::build(s);
  CHECK(s.tiles() == 168);
  CHECK(s.crossbars() == 16128);
  SUBCASE("IMA (pe)") {
    within_5pct(c.pe.peak_power_w * 1e3, 24.09);
    within_5pct(c.pe.area_mm2, 0.0131);
  }
  SUBCASE("tile") {
    within_5pct(c.tile.peak_power_w * 1e3, 330);
    within_5pct(c.tile.area_mm2, 0.372);
  }
  SUBCASE("chip with HyperTransport") {
    within_5pct(c.chip.peak_power_w, 65.8);
    within_5pct(c.chip.area_mm2, 85.4);
  }
  SUBCASE("peak throughput and efficiency at 16 bit") {
    within_5pct(c.peak_tops, 41.3);
    within_5pct(1e3 * c.peak_tops / c.chip.peak_power_w, 627.5);  // GOPS/W
    within_5pct(1e3 * c.peak_tops / c.chip.area_mm2, 478.95);     // GOPS/s/mm2
  }
  SUBCASE("component groups") {
    auto find = [&](const char* level, const char* comp) {
      for (const auto& r : c.inventory)
        if (r.level == level && r.component == comp) return r;
      FAIL("missing " << level << "/" << comp);
      return cost::InventoryRow{};
    };
    within_5pct(find("pe", "adc").peak_power_w * 1e3, 16);
    within_5pct(find("pe", "dac").peak_power_w * 1e3, 4);
    within_5pct(find("tile", "buffer").peak_power_w * 1e3, 20.7);
    within_5pct(find("tile", "router_share").area_mm2, 0.151 / 4);
    within_5pct(find("chip", "offchip_hypertransport").peak_power_w, 10.4);
  }
}
