// Each SystemC module in a small harness (source, sink, scoreboard), each scenario in its own
// child process. Expected times are worked out here from the timing functions and the rules the
// modules document.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "arch/cost.h"
#include "harness.h"
#include "sim/systemc/buffer.h"
#include "sim/systemc/chip.h"
#include "sim/systemc/mesh.h"
#include "sim/systemc/systemc_model.h"
#include "sim/timing.h"

using namespace imc;
using namespace imc::sim::systemc;
using mapping::OpType;
using mapping::UnitKind;
using nlohmann::json;

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// Runs `p` on the Chip in a child and returns per-op (start, done, release, stalls) and counters.
json run_ops(const arch::ArchSpec& spec, const mapping::Program& p) {
  return test::in_child([&] {
    const auto costs = arch::cost::build(spec);
    Stats stats(p.ops.size());
    SimSpec ss(spec, costs);
    OpTracker tracker(p, stats);
    Chip chip("chip", ss, stats, tracker);
    chip.run();
    json j;
    for (const auto& r : stats.ops) {
      json s = json::object();
      for (int k = 0; k < kStallCount; ++k)
        if (r.stall[std::size_t(k)]) s[to_string(Stall(k))] = r.stall[std::size_t(k)];
      j["ops"].push_back({{"start", r.start}, {"done", r.done}, {"release", r.release}, {"stall", s}});
    }
    j["forced"] = stats.forced_admissions;
    j["overcommits"] =
        chip.tile(0).tile_buffer().stats().overcommits + chip.tile(0).output_buffer().stats().overcommits;
    j["adc_busy_cycles"] = chip.tile(0).pe(0).stats().adc_busy_cycles;
    return j;
  });
}

// Scoreboard: the dependency rule of mapping/program.h with idle-unit service times.
struct Expected {
  std::vector<std::int64_t> start, done;
};
Expected expected(const arch::ArchSpec& s, const mapping::Program& p) {
  const auto c = arch::cost::build(s);
  Expected e;
  std::map<std::tuple<int, int, int>, std::int64_t> free;
  for (const auto& op : p.ops) {
    const auto key = std::make_tuple(int(op.unit), op.unit == UnitKind::Dram ? 0 : op.tile,
                                     op.unit == UnitKind::Pe ? op.pe : 0);
    std::int64_t t = free[key];
    for (int d : op.deps) t = std::max(t, e.done[std::size_t(d)]);
    e.start.push_back(t);
    e.done.push_back(t + sim::service_cycles(op, s, c));
    free[key] = t + sim::occupancy_cycles(op, s, c);
  }
  return e;
}

// Buffers are double-buffered: one consumer's data takes at most half of one. To make a buffer
// full in a scenario, half of it is held by data whose reader waits (through a gate that reads
// nothing) for the scenario's ops `until`.
int hold_half(mapping::Program& p, UnitKind unit, arch::Action write, std::int64_t bits) {
  mapping::Op w = test::op_of(OpType::Digital, unit, 0);
  w.count = 0;
  w.actions[write] = bits;
  return test::add(p, w);
}
void release_half(mapping::Program& p, int writer, UnitKind unit, arch::Action read, std::int64_t bits,
                  std::vector<int> until) {
  mapping::Op gate = test::op_of(OpType::Digital, unit, 0);
  gate.count = 0;
  gate.deps = std::move(until);
  const int g = test::add(p, gate);
  mapping::Op r = test::op_of(OpType::Digital, unit, 0);
  r.count = 0;
  r.actions[read] = bits;
  r.deps = {writer, g};
  test::add(p, r);
}

}  // namespace

TEST_CASE("buffer: held space, linear drain, earliest start of a filling producer") {
  const json j = test::in_child([] {
    Buffer b("buf", arch::BufferSpec{125, 8, arch::BufferTechnology::Sram});  // 1000 bits
    json r;
    b.take(600, 0, false);
    r["never"] = b.earliest_start(500, 0, 0) >= kNever;
    b.drain(600, 10, 70);  // the consumer reads it over cycles 10..70
    r["used10"] = b.used_bits(10);
    r["used40"] = b.used_bits(40);
    r["used70"] = b.used_bits(70);
    r["start_fill0"] = b.earliest_start(500, 0, 10);
    r["start_fill5"] = b.earliest_start(500, 5, 10);
    r["start_fill15"] = b.earliest_start(500, 15, 10);
    r["too_big"] = b.earliest_start(1001, 0, 10) >= kNever;
    b.take(500, 20, false);
    r["used20"] = b.used_bits(20);
    b.give(500);
    r["used_end"] = b.used_bits(70);
    r["peak"] = b.stats().peak_bits;
    Buffer none("none", arch::BufferSpec{0, 8, arch::BufferTechnology::Sram});
    r["absent_fits"] = none.fits_at(1 << 30, 0);
    return r;
  });
  CHECK(j["never"] == true);
  CHECK(j["used10"] == 600);
  CHECK(j["used40"] == 300);  // ceil(600 * 30 / 60)
  CHECK(j["used70"] == 0);
  // 500 fit once at most 500 are used: ceil(600 * (70 - t) / 60) <= 500 from t = 20.
  CHECK(j["start_fill0"] == 20);
  CHECK(j["start_fill5"] == 15);   // done filling at 20
  CHECK(j["start_fill15"] == 10);  // not before now
  CHECK(j["too_big"] == true);
  CHECK(j["used20"] == 1000);
  CHECK(j["used_end"] == 0);
  CHECK(j["absent_fits"] == true);
}

TEST_CASE("buffer regions: each writing layer is guaranteed its share; the rest is shared") {
  const json j = test::in_child([] {
    Buffer b("buf", arch::BufferSpec{125, 8, arch::BufferTechnology::Sram});  // 1000 bits
    json r;
    r["one_region"] = b.region_capacity_bits();
    const int conv = b.region_of(3), pool = b.region_of(4);
    r["same_again"] = b.region_of(3) == conv;
    r["guarantee"] = b.region_capacity_bits();          // 1000 / (2 x 2): 500 bits stay shared
    r["conv_700"] = b.earliest_start(700, 0, 0, conv);  // 250 of its own, 450 borrowed
    b.take(700, 0, false, conv);
    r["conv_more"] = b.earliest_start(51, 0, 0, conv) >= kNever;  // the pool's 250 stay free
    r["pool_300"] = b.earliest_start(300, 0, 0, pool);
    r["pool_301"] = b.earliest_start(301, 0, 0, pool) >= kNever;
    b.take(400, 0, true, conv);  // past capacity (deadlock breaking)
    r["pool_in_guarantee"] = b.earliest_start(250, 0, 0, pool);
    r["pool_beyond"] = b.earliest_start(251, 0, 0, pool) >= kNever;
    b.give(400, conv);
    b.drain(700, 10, 80, conv);  // the pool reads the conv's data over 10..80
    r["conv_used45"] = b.used_bits(45, conv);
    r["conv_400"] = b.earliest_start(400, 0, 10, conv);
    r["peak"] = b.stats().peak_bits;
    r["overcommits"] = b.stats().overcommits;
    return r;
  });
  CHECK(j["one_region"] == 1000);
  CHECK(j["same_again"] == true);
  CHECK(j["guarantee"] == 250);
  CHECK(j["conv_700"] == 0);
  CHECK(j["conv_more"] == true);
  CHECK(j["pool_300"] == 0);
  CHECK(j["pool_301"] == true);
  // Within its guarantee a region never waits, even when the other was pushed past the capacity.
  CHECK(j["pool_in_guarantee"] == 0);
  CHECK(j["pool_beyond"] == true);
  CHECK(j["conv_used45"] == 350);  // 700 x 35 / 70
  CHECK(j["conv_400"] == 45);      // max(250, used + 400) + 250 <= 1000 once used <= 350
  CHECK(j["peak"] == 1100);
  CHECK(j["overcommits"] == 1);
}

TEST_CASE("units: PEs, bus, accumulator, digital units and DRAM follow the dependency and unit rules") {
  const arch::ArchSpec s = test::test_arch({});
  mapping::Program p = test::empty_program(s, {"l0"});
  auto dram = [&](OpType t, std::int64_t bits, std::vector<int> deps) {
    mapping::Op op = test::op_of(t, UnitKind::Dram, 0);
    op.bits = bits;
    op.deps = std::move(deps);
    return test::add(p, op);
  };
  const int r0 = dram(OpType::DramRead, 4096, {});
  dram(OpType::DramRead, 4096, {});  // queued behind r0 on the channel for r0's transfer only
  mapping::Op load = test::op_of(OpType::TileLoad, UnitKind::TileBus, 0);
  load.bits = 2048;
  load.deps = {r0};
  const int l = test::add(p, load);
  const int m0 = test::add(p, test::mvm(0, 0, 4, {l}));
  const int m1 = test::add(p, test::mvm(0, 0, 2, {l}));  // waits for PE 0 (adc_busy)
  const int m2 = test::add(p, test::mvm(0, 1, 3, {l}));  // in parallel on PE 1
  mapping::Op acc = test::op_of(OpType::Accumulate, UnitKind::TileAccumulator, 0);
  acc.count = 100;
  acc.deps = {m0, m1, m2};
  const int a = test::add(p, acc);
  std::vector<int> dig;
  for (auto [u, du] : {std::pair{UnitKind::TileActivation, mapping::DigitalUnit::Activation},
                       std::pair{UnitKind::TilePool, mapping::DigitalUnit::Pool},
                       std::pair{UnitKind::TileVector, mapping::DigitalUnit::Vector}}) {
    mapping::Op d = test::op_of(OpType::Digital, u, 0);
    d.digital_unit = du;
    d.count = 1000;
    d.deps = {a};
    dig.push_back(test::add(p, d));
  }
  dram(OpType::DramWrite, 1024, dig);

  const Expected e = expected(s, p);
  const json j = run_ops(s, p);
  for (std::size_t i = 0; i < p.ops.size(); ++i) {
    CAPTURE(i);
    CHECK(j["ops"][i]["start"] == e.start[i]);
    CHECK(j["ops"][i]["done"] == e.done[i]);
  }
  const auto c = arch::cost::build(s);
  // The second MVM on PE 0 waited for the first; the second DRAM read for the first's transfer.
  CHECK(j["ops"][std::size_t(m1)]["stall"]["adc_busy"] == sim::mvm_cycles(p.ops[std::size_t(m0)], s, c));
  CHECK(j["ops"][1]["stall"]["dram"] == sim::occupancy_cycles(p.ops[0], s, c));
  CHECK(j["ops"][1]["start"] == sim::occupancy_cycles(p.ops[0], s, c));
  CHECK(j["ops"][1]["done"] > j["ops"][0]["done"]);
  // The PE's ADC bank converted 8 columns per step for 6 vectors x 8 slices.
  CHECK(j["adc_busy_cycles"] == 6 * 8 * c.adc_cycles(8));
  CHECK(j["forced"] == 0);
}

TEST_CASE("buffer full: a producer starts once the draining data leaves room by the time it is done") {
  test::TestChip tc;
  tc.tile_buf_bytes = 125;  // 1000 bits, double-buffered: one consumer's data takes at most 500
  const arch::ArchSpec s = test::test_arch(tc);
  const auto c = arch::cost::build(s);
  mapping::Program p = test::empty_program(s, {"l0"});
  const int h = hold_half(p, UnitKind::TileActivation, arch::Action::TileBufWrite, 500);
  mapping::Op r0 = test::op_of(OpType::DramRead, UnitKind::Dram, 0);
  r0.bits = 400;
  r0.actions[arch::Action::TileBufWrite] = 400;
  const int first = test::add(p, r0);
  mapping::Op use = test::op_of(OpType::Digital, UnitKind::TileVector, 0);
  use.count = 3200;  // 3200 / 16 lanes = 200 cycles reading the 400 bits
  use.actions[arch::Action::TileBufRead] = 400;
  use.deps = {first};
  const int u = test::add(p, use);
  const int second = test::add(p, r0);  // a second 400-bit read into the same buffer
  release_half(p, h, UnitKind::TileActivation, arch::Action::TileBufRead, 500, {second});
  const json j = run_ops(s, p);

  const std::int64_t d0 = sim::service_cycles(p.ops[std::size_t(first)], s, c);
  const std::int64_t o0 = sim::occupancy_cycles(p.ops[std::size_t(first)], s, c);
  const std::int64_t fill = sim::occupancy_cycles(p.ops[std::size_t(second)], s, c);
  const std::int64_t d = sim::service_cycles(p.ops[std::size_t(u)], s, c);
  REQUIRE(d == 200);
  CHECK(j["ops"][std::size_t(u)]["start"] == d0);
  // Space used at t: 500 held, plus 400 until the consumer starts at d0, then
  // ceil(400 * (d0 + 200 - t) / 200).
  auto used = [&](std::int64_t t) {
    if (t < d0) return std::int64_t(900);
    if (t >= d0 + d) return std::int64_t(500);
    return 500 + ceil_div(400 * (d0 + d - t), d);
  };
  std::int64_t t = o0;
  while (used(t + fill) + 400 > 1000) ++t;
  CHECK(j["ops"][std::size_t(second)]["start"] == t);
  CHECK(j["ops"][std::size_t(second)]["stall"]["buffer_full"] == t - o0);
  CHECK(j["ops"][std::size_t(second)]["stall"]["dram"] == o0);
  CHECK(t > o0);
}

TEST_CASE("arbitration: an op waiting for buffer space does not hold up the ready ops behind it") {
  test::TestChip tc;
  tc.tile_buf_bytes = 125;  // 1000 bits, double-buffered: one consumer's data takes at most 500
  const arch::ArchSpec s = test::test_arch(tc);
  const auto c = arch::cost::build(s);
  mapping::Program p = test::empty_program(s, {"l0", "l1"});
  auto vec = [&](std::int64_t write_bits, int layer) {
    mapping::Op o = test::op_of(OpType::Digital, UnitKind::TileVector, 0, layer);
    o.count = 160;  // 10 cycles
    if (write_bits > 0) o.actions[arch::Action::TileBufWrite] = write_bits;
    return test::add(p, o);
  };
  const int x = vec(400, 0);
  mapping::Op reader = test::op_of(OpType::Accumulate, UnitKind::TileAccumulator, 0);
  reader.count = 100;
  reader.actions[arch::Action::TileBufRead] = 400;
  reader.deps = {x};
  const int r = test::add(p, reader);
  const int h = hold_half(p, UnitKind::TileActivation, arch::Action::TileBufWrite, 500);
  const int blocked = vec(400, 0);  // needs x's data to drain first
  const int other = vec(0, 1);      // the next layer's op, behind it in program order
  release_half(p, h, UnitKind::TileActivation, arch::Action::TileBufRead, 500, {blocked, other});
  const json j = run_ops(s, p);

  const std::int64_t o = sim::occupancy_cycles(p.ops[std::size_t(x)], s, c);
  const std::int64_t d = sim::service_cycles(p.ops[std::size_t(r)], s, c);
  REQUIRE(o == 10);
  CHECK(j["ops"][std::size_t(r)]["start"] == o);
  // The unit serves the other op as soon as it is free (work-conserving), not after the blocked one.
  CHECK(j["ops"][std::size_t(other)]["start"] == o);
  CHECK(j["ops"][std::size_t(other)]["stall"].value("buffer_full", 0) == 0);
  // The blocked op starts once the draining data leaves room by the time it has written (and the
  // unit is free again).
  auto used = [&](std::int64_t t) { return 500 + (t >= o + d ? 0 : ceil_div(400 * (o + d - t), d)); };
  std::int64_t t = 2 * o;  // the unit is free again after the other op
  while (used(t + o) + 400 > 1000) ++t;
  REQUIRE(t > 2 * o);
  CHECK(j["ops"][std::size_t(blocked)]["start"] == t);
  CHECK(j["ops"][std::size_t(blocked)]["stall"]["buffer_full"] == t - o);
  CHECK(j["forced"] == 0);
}

TEST_CASE("global buffer: DRAM transfers stage through it and overlap only if both fit") {
  test::TestChip tc;
  tc.global_bytes = 150;  // 1200 bits: one 800-bit transfer at a time
  const arch::ArchSpec s = test::test_arch(tc);
  const auto c = arch::cost::build(s);
  mapping::Program p = test::empty_program(s, {"l0"});
  mapping::Op r = test::op_of(OpType::DramRead, UnitKind::Dram, 0);
  r.bits = 800;
  r.actions[arch::Action::GlobalBufWrite] = 800;
  r.actions[arch::Action::GlobalBufRead] = 800;
  test::add(p, r);
  test::add(p, r);
  const json j = run_ops(s, p);
  // Without the staging limit the second would start after the first's transfer; here it waits
  // for the first to complete and leave the global buffer.
  const std::int64_t o = sim::occupancy_cycles(p.ops[0], s, c), d = sim::service_cycles(p.ops[0], s, c);
  REQUIRE(d > o);
  CHECK(j["ops"][1]["start"] == d);
  CHECK(j["ops"][1]["stall"]["buffer_full"] == d - o);
  CHECK(j["ops"][1]["stall"]["dram"] == o);
}

TEST_CASE("no deadlock: a Recv waiting for space only a later Send on its own NIC frees") {
  test::TestChip tc;
  tc.mesh_x = 2;
  tc.tile_out_bytes = 125;  // 1000 bits
  const arch::ArchSpec s = test::test_arch(tc);
  mapping::Program p = test::empty_program(s, {"l0"});
  const int h = hold_half(p, UnitKind::TileActivation, arch::Action::TileOutBufWrite, 500);
  // Tile 0's accumulator fills the rest of its output buffer with data its NIC will send later.
  mapping::Op acc = test::op_of(OpType::Accumulate, UnitKind::TileAccumulator, 0);
  acc.count = 10;
  acc.actions[arch::Action::TileOutBufWrite] = 1000;
  const int a = test::add(p, acc);
  // Before that Send, tile 0's NIC receives partial sums into the same (full) buffer.
  mapping::Op s1 = test::op_of(OpType::Send, UnitKind::TileNic, 1);
  s1.bits = 320;
  s1.dst_tile = 0;
  s1.hops = 2;
  const int sid = test::add(p, s1);
  mapping::Op r = test::op_of(OpType::Recv, UnitKind::TileNic, 0);
  r.bits = 320;
  r.actions[arch::Action::TileOutBufWrite] = 320;
  r.deps = {sid, a};
  const int r_id = test::add(p, r);
  mapping::Op s2 = test::op_of(OpType::Send, UnitKind::TileNic, 0);
  s2.bits = 1000;
  s2.dst_tile = 1;
  s2.hops = 2;
  s2.actions[arch::Action::TileOutBufRead] = 1000;
  s2.deps = {a};
  const int last = test::add(p, s2);
  release_half(p, h, UnitKind::TileActivation, arch::Action::TileOutBufRead, 500, {last});
  const json j = run_ops(s, p);
  // The NIC serves the Send as soon as its data is there (work-conserving: before the Recv, whose
  // data comes later), the Send drains the buffer and the Recv follows once the NIC is free again:
  // nothing waits forever and nothing is admitted past capacity.
  CHECK(j["forced"] == 0);
  CHECK(j["overcommits"] == 0);
  for (const auto& op : j["ops"]) CHECK(op["done"] >= 0);
  CHECK(j["ops"][std::size_t(r_id)]["start"] > j["ops"][std::size_t(last)]["start"]);
  CHECK(j["ops"][std::size_t(r_id)]["start"] == j["ops"][std::size_t(last)]["release"]);
  CHECK(j["ops"][std::size_t(r_id)]["stall"].value("buffer_full", 0) == 0);
}

TEST_CASE("deadlock breaking: a cycle across two units is broken at the standstill, oldest op first") {
  test::TestChip tc;
  tc.tile_buf_bytes = 125;
  tc.tile_out_bytes = 125;
  const arch::ArchSpec s = test::test_arch(tc);
  mapping::Program p = test::empty_program(s, {"l0"});
  using A = arch::Action;
  auto op = [&](UnitKind u, std::vector<int> deps, std::vector<A> acts) {
    mapping::Op o = test::op_of(u == UnitKind::TileVector ? OpType::Digital : OpType::Accumulate, u, 0);
    o.count = u == UnitKind::TileVector ? 160 : 10;  // 10 cycles either way
    o.deps = std::move(deps);
    for (A a : acts) o.actions[a] = 1000;
    return test::add(p, o);
  };
  const UnitKind V = UnitKind::TileVector, C = UnitKind::TileAccumulator;
  const int hv = hold_half(p, UnitKind::TileActivation, A::TileBufWrite, 500);
  const int hc = hold_half(p, UnitKind::TilePool, A::TileOutBufWrite, 500);
  // Each reader also needs the other unit's blocked producer, so oldest-ready arbitration cannot
  // untie the cycle by letting a reader go past it.
  const int x = op(V, {}, {A::TileBufWrite});          // fills the tile buffer
  const int y = op(C, {}, {A::TileOutBufWrite});       // fills the output buffer
  const int p1 = op(C, {}, {A::TileOutBufWrite});      // waits for y's reader (which waits for p2)
  const int p2 = op(V, {}, {A::TileBufWrite});         // waits for x's reader (which waits for p1)
  const int rx = op(C, {x, p1}, {A::TileBufRead});     // x's reader
  const int ry = op(V, {y, p2}, {A::TileOutBufRead});  // y's reader
  release_half(p, hv, UnitKind::TileActivation, A::TileBufRead, 500, {rx, ry});
  release_half(p, hc, UnitKind::TilePool, A::TileOutBufRead, 500, {rx, ry});
  const json j = run_ops(s, p);
  CHECK(j["forced"] == 1);
  for (const auto& record : j["ops"]) CHECK(record["done"] >= 0);
  // Everything stopped at cycle 10 with p1 and p2 blocked; p1, the older, was admitted then (10..20).
  // x's reader followed it (20..30) and drains x's data, so p2, filling over 10 cycles, started at 20.
  CHECK(j["ops"][std::size_t(p1)]["start"] == 10);
  CHECK(j["ops"][std::size_t(p2)]["start"] == 20);
  CHECK(j["ops"][std::size_t(p2)]["stall"]["buffer_full"] == 10);
}

// ---- mesh ---------------------------------------------------------------------------------------

namespace {

struct Sink : MessageClient {
  std::map<int, std::int64_t> inj, del;
  void injected(int tag, std::int64_t c) override { inj[tag] = c; }
  void delivered(int tag, std::int64_t c) override { del[tag] = c; }
};

class Source : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Source);
  Source(const sc_core::sc_module_name& n, const SimSpec& s, Mesh& m, MessageClient& c)
      : sc_core::sc_module(n), spec_(s), mesh_(m), client_(c) {
    SC_METHOD(step);
    sensitive << ev_;
    dont_initialize();
  }
  void at(std::int64_t cycle, int src, int dst, std::int64_t bits, int tag) {
    agenda_.push(cycle, Msg{src, dst, bits, tag});
    arm(ev_, spec_, agenda_.next_time());
  }

 private:
  struct Msg {
    int src, dst;
    std::int64_t bits;
    int tag;
  };
  void step() {
    const std::int64_t now = spec_.now();
    while (agenda_.due(now)) {
      const Msg m = agenda_.pop();
      mesh_.send(m.src, m.dst, m.bits, &client_, m.tag);
    }
    arm(ev_, spec_, agenda_.next_time());
  }
  const SimSpec& spec_;
  Mesh& mesh_;
  MessageClient& client_;
  sc_core::sc_event ev_;
  Calendar<Msg> agenda_;
};

struct Send {
  std::int64_t at;
  int src, dst;
  std::int64_t bits;
};

json run_mesh(const arch::ArchSpec& spec, const std::vector<Send>& sends) {
  return test::in_child([&] {
    const auto costs = arch::cost::build(spec);
    Stats stats;
    SimSpec ss(spec, costs);
    Mesh mesh("mesh", ss, stats, spec.noc.mesh_x, spec.noc.mesh_y, spec.noc.tiles_per_router);
    Sink sink;
    Source src("source", ss, mesh, sink);
    for (std::size_t i = 0; i < sends.size(); ++i)
      src.at(sends[i].at, sends[i].src, sends[i].dst, sends[i].bits, int(i));
    sc_core::sc_start();
    json j;
    for (std::size_t i = 0; i < sends.size(); ++i) {
      j["inj"].push_back(sink.inj.count(int(i)) ? sink.inj[int(i)] : -1);
      j["del"].push_back(sink.del.count(int(i)) ? sink.del[int(i)] : -1);
      j["hops"].push_back(mesh.hops(sends[i].src, sends[i].dst));
    }
    j["flits"] = stats.noc.flits;
    j["flit_hops"] = stats.noc.flit_hops;
    j["packets"] = stats.noc.packets;
    j["wait"] = stats.noc.head_wait_slots;
    return j;
  });
}

}  // namespace

TEST_CASE("mesh: an idle mesh delivers every message in exactly noc_cycles") {
  struct Variant {
    int B, Bf, payload;
    const char* routing;
    const char* flow;
    int R, L;
  };
  for (const Variant v : {Variant{1, 8, 16, "xy", "wormhole", 2, 1},
                          Variant{2, 2, 16, "yx", "wormhole", 1, 2}, Variant{1, 32, 16, "xy", "vct", 3, 1},
                          Variant{3, 4, 8, "yx", "vct", 2, 0}, Variant{1, 1, 4, "xy", "wormhole", 1, 1}}) {
    CAPTURE(v.B);
    CAPTURE(v.Bf);
    CAPTURE(v.flow);
    test::TestChip tc;
    tc.mesh_x = 4;
    tc.mesh_y = 4;
    tc.link_flits_per_cycle = v.B;
    tc.router_buffer_flits = v.Bf;
    tc.packet_payload_flits = v.payload;
    tc.routing = v.routing;
    tc.flow_control = v.flow;
    tc.router_latency = v.R;
    tc.link_latency = v.L;
    const arch::ArchSpec s = test::test_arch(tc);
    const std::vector<Send> sends = {{0, 0, 15, 1000},
                                     {1000, 5, 5, 64},
                                     {2000, 3, 12, 5000},
                                     {5000, 15, 0, 32},
                                     {6000, 6, 9, 31 * 32 + 1}};
    const json j = run_mesh(s, sends);
    std::int64_t flits = 0, flit_hops = 0;
    for (std::size_t i = 0; i < sends.size(); ++i) {
      CAPTURE(i);
      const int h = j["hops"][i];
      CHECK(j["del"][i] == sends[i].at + sim::noc_cycles(sends[i].bits, h, s));
      CHECK(j["inj"][i] == sends[i].at + ceil_div(sim::noc_flits(sends[i].bits, s), v.B));
      flits += sim::noc_flits(sends[i].bits, s);
      flit_hops += sim::noc_flits(sends[i].bits, s) * h;
    }
    CHECK(j["hops"][0] == 7);
    CHECK(j["hops"][1] == 1);
    CHECK(j["flits"] == flits);
    CHECK(j["flit_hops"] == flit_hops);  // the NocFlitHop action the lowering counts
    CHECK(j["wait"] == 0);
  }
}

TEST_CASE("mesh: two packets contending for one ejection port are serialized") {
  test::TestChip tc;
  tc.mesh_x = 3;
  const arch::ArchSpec s = test::test_arch(tc);
  const std::int64_t bits = 16 * 32;  // one packet of 16 payload flits + head = 17 flits
  const json j = run_mesh(s, {{0, 0, 1, bits}, {0, 2, 1, bits}});
  const std::int64_t idle = sim::noc_cycles(bits, 2, s);  // 2*2 + 1 + 17 = 22
  REQUIRE(idle == 22);
  std::vector<std::int64_t> d = {j["del"][0], j["del"][1]};
  std::sort(d.begin(), d.end());
  CHECK(d[0] == idle);
  CHECK(d[1] == idle + 17);  // behind the other's 17 flits at the ejection port
  CHECK(j["wait"] == 17);
}

TEST_CASE("mesh: wormhole back-pressure holds upstream links, virtual cut-through absorbs the packet") {
  // Routers 0-1-2 in a row, two tiles each, packets of 128 payload flits (129 flits). Y (tile
  // 2 -> 4) holds link 1->2; X (tile 0 -> 4) is blocked at router 1 behind it; later Z (tile
  // 1 -> 3) needs link 0->1. With 2-flit buffers X's flits still occupy link 0->1 (wormhole); a
  // 256-flit buffer takes all of X in (virtual cut-through) and frees the link.
  auto run = [](const char* flow, int Bf) {
    test::TestChip tc;
    tc.mesh_x = 3;
    tc.tiles_per_router = 2;
    tc.router_buffer_flits = Bf;
    tc.packet_payload_flits = 128;
    tc.flow_control = flow;
    const arch::ArchSpec s = test::test_arch(tc);
    return std::pair{run_mesh(s, {{0, 2, 4, 128 * 32}, {5, 0, 4, 128 * 32}, {150, 1, 3, 32}}), s};
  };
  const auto [worm, s] = run("wormhole", 2);
  const auto [vct, s2] = run("vct", 256);
  // Y: ejection at 2+2+1 = 5, tail 129 flits later. X waits for link 1->2 until Y's tail passed
  // it (2 + 129 = 131), requests the ejection port at 131 + 1 + 2 = 134 just as Y's tail leaves
  // it, and delivers its 129 flits.
  for (const json* j : {&worm, &vct}) {
    CHECK((*j)["del"][0] == 5 + 129);
    CHECK((*j)["del"][1] == 134 + 129);
  }
  const std::int64_t z_idle = 150 + sim::noc_cycles(32, 2, s);
  CHECK(vct["del"][2] == z_idle);
  // Wormhole: X's tail leaves link 0->1 once 127 of its flits are past link 1->2: 131 + 127 - 3.
  CHECK(worm["del"][2] == (131 + 129 - 2 - 3) + 1 + 2 + 2);
  CHECK(worm["flit_hops"] == vct["flit_hops"]);
}
