// The chip boundary: a chip without off-chip memory (offchip.kind = "none") exchanges its inputs
// and outputs with the host through the tech file's host interface — timed and charged there — and
// cannot reload weights; unknown technologies and kinds are errors, never a silent default.
#include <doctest/doctest.h>

#include <string>

#include "../mapping/small_arch.h"
#include "arch/cost.h"
#include "arch/load.h"
#include "common/config.h"
#include "mapping/mapping.h"
#include "sim/analytical/analytical_model.h"
#include "sim/timing.h"

using namespace imc;
using arch::Action;
using mapping::OpType;

namespace {

// test::small_arch() with the [offchip] section given (or absent: kind "none").
arch::ArchSpec chip_with_offchip(const std::string& offchip_section) {
  std::string t = test::small_arch_toml(1, 1, 1, 1);
  t = t.substr(0, t.find("[offchip]")) + offchip_section;
  return arch::load_arch_string(t, "small.toml", "configs/arch");
}

workloads::Graph one_conv() {
  workloads::Graph g("one_conv");
  const int x = g.input({4, 8, 8});
  g.conv(x, 16, 3);  // one crossbar
  return g;
}

workloads::Graph two_layers() {  // two crossbars: two reload groups on a one-crossbar chip
  workloads::Graph g("too_big");
  const int x = g.input({128});
  const int h = g.linear(x, 16, false, "fc1");
  g.linear(h, 16, false, "fc2");
  return g;
}

const arch::cost::InventoryRow* row(const arch::cost::CostTable& c, const std::string& component) {
  for (const auto& r : c.inventory)
    if (r.component == component) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("offchip none: inputs and outputs are timed and charged through the host interface") {
  const arch::ArchSpec s = chip_with_offchip("");
  REQUIRE(s.offchip.kind == arch::OffchipKind::None);
  const arch::OffchipTech& host = s.tech.host_interface;
  REQUIRE(host.bandwidth_gbps > 0);
  CHECK(&s.tech.boundary_link(arch::OffchipKind::None) == &host);

  // Cost: every boundary bit at the host interface's energy; its PHY in the inventory.
  const auto c = arch::cost::build(s);
  CHECK(c.energy_pj[std::size_t(Action::OffchipBit)] == doctest::Approx(host.energy_pj_per_bit));
  const auto* hi = row(c, "host_interface");
  REQUIRE(hi != nullptr);
  CHECK(hi->count == 1);
  CHECK(hi->area_mm2 == doctest::Approx(host.area_mm2_per_link));
  CHECK(hi->leakage_w == doctest::Approx(host.static_power_mw_per_link * 1e-3));

  // Timing: the host interface's bandwidth and latency (one interface).
  const sim::DramChannel ch = sim::dram_channel(s);
  CHECK(ch.bandwidth_gbps == host.bandwidth_gbps);
  CHECK(ch.latency_ns == host.latency_ns);

  // The network's input crosses the boundary: its transfer takes the host interface's time and
  // energy, not LPDDR4's.
  const workloads::Graph g = one_conv();
  const auto p = mapping::lower(s, g, mapping::map(s, g, {}));
  const arch::ArchSpec dram_chip = chip_with_offchip("[offchip]\nkind = \"lpddr4\"\nlinks = 1\n");
  const auto dram_costs = arch::cost::build(dram_chip);
  std::int64_t boundary_bits = 0;
  for (const auto& op : p.ops) {
    if (op.type != OpType::DramRead && op.type != OpType::DramWrite) continue;
    boundary_bits += op.actions[Action::OffchipBit];
    const std::int64_t expected =
        sim::ns_to_cycles(host.latency_ns + double(op.bits) / 8.0 / host.bandwidth_gbps, c.clock_ghz);
    CHECK(sim::service_cycles(op, s, c) == expected);
    CHECK(sim::service_cycles(op, s, c) != sim::service_cycles(op, dram_chip, dram_costs));
  }
  CHECK(boundary_bits >= 4 * 8 * 8 * 8);  // at least the 8-bit input image
  const sim::Report r = sim::AnalyticalModel().evaluate(s, c, p);
  CHECK(r.actions[Action::OffchipBit] == boundary_bits);
}

TEST_CASE("a weight reload on a chip without off-chip memory is an InputError naming offchip.kind") {
  const arch::ArchSpec s = chip_with_offchip("");
  mapping::MappingOptions o;
  o.overflow = mapping::Overflow::Reload;
  CHECK_THROWS_WITH_AS(mapping::map(s, two_layers(), o), doctest::Contains("key 'offchip.kind'"),
                       common::InputError);
  CHECK_THROWS_WITH_AS(mapping::map(s, two_layers(), o), doctest::Contains("small.toml"), common::InputError);
  // One layer larger than the chip runs in passes, reloading weights each pass: the same error.
  workloads::Graph big("big_layer");
  big.linear(big.input({256}), 16, false, "fc");  // 256 rows: two crossbars
  CHECK_THROWS_WITH_AS(mapping::map(s, big, o), doctest::Contains("key 'offchip.kind'"), common::InputError);
  // The same networks map with off-chip memory.
  const arch::ArchSpec dram_chip = chip_with_offchip("[offchip]\nkind = \"lpddr4\"\nlinks = 1\n");
  CHECK(mapping::map(dram_chip, two_layers(), o).reload_groups == 2);
  CHECK(mapping::map(dram_chip, big, o).layers.at(1).passes == 2);
}

TEST_CASE("unknown buffer technologies and off-chip kinds are errors, never a default") {
  // Each is read once, at load, into an enum: an unknown spelling names the key and the allowed ones.
  std::string t = test::small_arch_toml(1, 1, 1, 1);
  const std::string sram = "technology = \"sram\"";
  t.replace(t.find(sram), sram.size(), "technology = \"flash\"");
  CHECK_THROWS_WITH_AS(arch::load_arch_string(t, "small.toml", "configs/arch"),
                       doctest::Contains("tile.buffer.technology"), common::InputError);
  CHECK_THROWS_WITH_AS(arch::load_arch_string(t, "small.toml", "configs/arch"),
                       doctest::Contains("expected one of \"sram\", \"edram\", \"regfile\""),
                       common::InputError);
  CHECK_THROWS_WITH_AS(chip_with_offchip("[offchip]\nkind = \"gddr6\"\n"), doctest::Contains("offchip.kind"),
                       common::InputError);
  CHECK_THROWS_WITH_AS(chip_with_offchip("[offchip]\nkind = \"gddr6\"\n"),
                       doctest::Contains("\"none\", \"hypertransport\", \"lpddr4\", \"ddr4\", \"hbm2\""),
                       common::InputError);
  // No off-chip memory has no off-chip figures (only the host interface).
  const arch::ArchSpec s = chip_with_offchip("");
  CHECK_THROWS_WITH_AS(s.tech.offchip(arch::OffchipKind::None), doctest::Contains("key 'offchip.kind'"),
                       common::InputError);
  CHECK(&s.tech.buffer(arch::BufferTechnology::Edram) == &s.tech.edram);
  CHECK(&s.tech.offchip(arch::OffchipKind::Hbm2) == &s.tech.hbm2);
}

TEST_CASE("offchip none takes no link overrides: the host interface's figures are in the tech file") {
  CHECK_THROWS_WITH_AS(chip_with_offchip("[offchip]\nbandwidth_gbps = 10\n"),
                       doctest::Contains("offchip.bandwidth_gbps"), common::InputError);
  CHECK_THROWS_WITH_AS(chip_with_offchip("[offchip]\nlatency_ns = 10\n"),
                       doctest::Contains("offchip.latency_ns"), common::InputError);
}
