// Hand-worked cases, written out: one conv layer on one crossbar; one layer spanning two tiles;
// a network that needs DRAM reloads.
#include <doctest/doctest.h>

#include "arch/cost.h"
#include "common/config.h"
#include "mapping/mapping.h"
#include "sim/analytical/analytical_model.h"
#include "sim/timing.h"
#include "small_arch.h"

using namespace imc;
using arch::Action;
using mapping::OpType;

namespace {
mapping::MappingOptions one_chunk() {
  mapping::MappingOptions o;
  o.chunks_per_layer = 1;
  o.duplication = 1;  // the hand-worked figures are of one copy (spare PEs would hold copies)
  return o;
}
int count_ops(const mapping::Program& p, OpType t) {
  int n = 0;
  for (const auto& op : p.ops) n += op.type == t;
  return n;
}
}  // namespace

TEST_CASE("one conv layer on one crossbar") {
  const arch::ArchSpec s = test::small_arch();
  workloads::Graph g("one_conv");
  const int x = g.input({4, 8, 8});
  g.conv(x, 16, 3);  // 4*3*3 = 36 rows, 16 outputs x 8 columns = 128 columns: exactly one crossbar
  const auto m = mapping::map(s, g, one_chunk());
  const auto p = mapping::lower(s, g, m);
  REQUIRE(count_ops(p, OpType::Mvm) == 1);
  const mapping::Op* mvm = nullptr;
  for (const auto& op : p.ops)
    if (op.type == OpType::Mvm) mvm = &op;
  // 64 output pixels, 8 input bits through a 1-bit DAC: 512 read steps.
  CHECK(mvm->vectors == 64);
  CHECK(mvm->slices == 8);
  CHECK(mvm->actions[Action::XbarRead] == 512);
  CHECK(mvm->actions[Action::DacDrive] == 512 * 36);
  CHECK(mvm->actions[Action::XbarCellRead] == 512LL * 36 * 128);
  CHECK(mvm->actions[Action::AdcConversion] == 512 * 128);
  CHECK(mvm->crossbar_macs == 64 * 36 * 16);
  CHECK(mvm->crossbar_macs == g.total_macs());
  // Step = max(read 10, ADC: 8 columns x 1 ns = 8) = 10 cycles (one crossbar: nothing to merge);
  // with sample-and-hold the first read is exposed: 10 + 512 x 10.
  const auto c = arch::cost::build(s);
  CHECK(sim::mvm_cycles(*mvm, s, c) == 10 + 512 * 10);
  const sim::Report r = sim::AnalyticalModel().evaluate(s, c, p);
  CHECK(r.actions[Action::XbarRead] == 512);
  CHECK(r.latency_cycles > 5130);
  CHECK(p.utilization() == doctest::Approx(36.0 * 128 / (128 * 128)));
}

TEST_CASE("one layer spanning two tiles adds partial sums over the network") {
  const arch::ArchSpec s = test::small_arch(2, 1, 1, 1);  // two tiles, one PE, one crossbar each
  workloads::Graph g("two_tiles");
  const int x = g.input({256});
  g.linear(x, 16, false);  // 256 rows: two row blocks -> two crossbars -> two tiles
  const auto m = mapping::map(s, g, one_chunk());
  REQUIRE(m.layers[1].pes.size() == 2);
  CHECK(m.layers[1].tiles == std::vector<int>{0, 1});
  const auto p = mapping::lower(s, g, m);
  const mapping::Op* partial_send = nullptr;
  for (const auto& op : p.ops)
    if (op.type == OpType::Send && op.layer == 1 && op.tile == 1) partial_send = &op;
  REQUIRE(partial_send != nullptr);
  CHECK(partial_send->dst_tile == 0);
  CHECK(partial_send->bits == 16 * 24);  // 16 partial sums of 24 bits
  CHECK(partial_send->hops == 2);        // two adjacent routers
  // 12 payload flits of 32 bits + 1 head flit, through 2 routers.
  CHECK(partial_send->actions[Action::NocFlitHop] == 13 * 2);
  // The home tile adds the 16 partial sums from the other tile.
  std::int64_t adds = 0;
  for (const auto& op : p.ops)
    if (op.type == OpType::Accumulate && op.tile == 0) adds += op.count;
  CHECK(adds == 16);
  // Inputs: each tile receives only its 128 input rows (8 bits each).
  std::int64_t loaded = 0;
  for (const auto& op : p.ops)
    if (op.type == OpType::TileLoad) {
      CHECK(op.bits == 128 * 8);
      loaded += op.bits;
    }
  CHECK(loaded == 256 * 8);
}

TEST_CASE("a network larger than the chip: an error with the numbers, or DRAM reloads counted") {
  const arch::ArchSpec s = test::small_arch();  // one crossbar in all
  workloads::Graph g("too_big");
  const int x = g.input({128});
  const int h = g.linear(x, 16, false, "fc1");
  g.linear(h, 16, false, "fc2");  // 16 inputs x 16 outputs
  mapping::MappingOptions o = one_chunk();
  o.overflow = mapping::Overflow::Error;
  CHECK_THROWS_WITH_AS(mapping::map(s, g, o), doctest::Contains("needs 2 crossbars"), common::InputError);
  CHECK_THROWS_WITH_AS(mapping::map(s, g, o), doctest::Contains("has 1 crossbars"), common::InputError);
  o.overflow = mapping::Overflow::Reload;
  const auto m = mapping::map(s, g, o);
  CHECK(m.reload_groups == 2);
  const auto p = mapping::lower(s, g, m);
  // Each group writes its layer's cells: fc1 128 x 128 used cells, fc2 16 x 128.
  std::int64_t writes = 0, weight_bits = 0;
  for (const auto& op : p.ops) {
    if (op.type == OpType::WeightWrite) writes += op.count;
    if (op.type == OpType::DramRead && op.actions[Action::BusBit] > 0) weight_bits += op.bits;
  }
  CHECK(writes == 128 * 128 + 16 * 128);
  CHECK(weight_bits == writes * 2);  // 2 bits per cell
  // fc1's output crosses the group boundary through DRAM.
  CHECK(count_ops(p, OpType::DramWrite) >= 2);
  const sim::Report r = sim::AnalyticalModel().evaluate(s, p);
  CHECK(r.energy_breakdown_pj.at("cell_programming") > 0);
  CHECK(r.actions[Action::CellWrite] == writes);
}

// Input broadcast: a PE's input lines reach all its crossbars, so the tile buffer and the bus move
// a chunk's inputs once per PE and row block, not once per crossbar; every crossbar still drives
// its own rows.
TEST_CASE("inputs are read once per PE and row block, broadcast to the PE's crossbars") {
  auto load_of = [](const mapping::Program& p) {
    arch::ActionCounts a;
    std::int64_t bits = 0;
    for (const auto& op : p.ops)
      if (op.type == OpType::TileLoad) a += op.actions, bits += op.bits;
    return std::pair{a, bits};
  };
  auto mvm_of = [](const mapping::Program& p) {
    arch::ActionCounts a;
    for (const auto& op : p.ops)
      if (op.type == OpType::Mvm) a += op.actions;
    return a;
  };
  workloads::Graph wide("wide");
  wide.linear(wide.input({128}), 32, false);  // 128 rows, 32 x 8 = 256 columns: two column blocks
  workloads::Graph tall("tall");
  tall.linear(tall.input({256}), 16, false);  // 256 rows, 128 columns: two row blocks
  struct Case {
    const char* name;
    int pes, xbars;
    const workloads::Graph& g;
    std::int64_t input_bits;  // one vector's bits into PE input buffers
  };
  // One PE with both crossbars of one row block: 128 rows x 8 bits, once. Two PEs with one crossbar
  // each: each PE loads its own 128 rows. One PE with two row blocks: 256 distinct rows, once each.
  for (const Case& k :
       {Case{"wide, one PE", 1, 2, wide, 128 * 8}, Case{"wide, two PEs", 2, 1, wide, 2 * 128 * 8},
        Case{"tall, one PE", 1, 2, tall, 256 * 8}}) {
    CAPTURE(k.name);
    const arch::ArchSpec s = test::small_arch(1, 1, k.pes, k.xbars);
    const auto p = mapping::lower(s, k.g, mapping::map(s, k.g, one_chunk()));
    const auto [load, bits] = load_of(p);
    CHECK(bits == k.input_bits);
    CHECK(load[Action::TileBufRead] == k.input_bits);
    CHECK(load[Action::BusBit] == k.input_bits);
    CHECK(load[Action::PeInBufWrite] == k.input_bits);
    const arch::ActionCounts mvm = mvm_of(p);
    CHECK(mvm[Action::PeInBufRead] == k.input_bits);
    // Row drives are per crossbar: 2 crossbars x 128 rows x 8 one-bit slices.
    CHECK(mvm[Action::DacDrive] == 2 * 128 * 8);
  }
}
