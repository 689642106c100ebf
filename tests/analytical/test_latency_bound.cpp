// The latency bound that both performance models must respect (sim/analytical/latency_bound.h):
// tight on hand cases (one shared unit, one dependency chain) and below the analytical model on a
// whole network.
#include <doctest/doctest.h>

#include "arch/cost.h"
#include "arch/load.h"
#include "mapping/mapping.h"
#include "sim/analytical/analytical_model.h"
#include "sim/analytical/latency_bound.h"
#include "sim/timing.h"
#include "workloads/zoo.h"

using namespace imc;

namespace {

mapping::Program hand_program(const arch::ArchSpec& s) {
  mapping::Program p;
  p.workload = "hand";
  p.tiles = s.tiles();
  p.pes_per_tile = s.tile.pes;
  p.mesh_x = s.noc.mesh_x;
  p.mesh_y = s.noc.mesh_y;
  p.tiles_per_router = s.noc.tiles_per_router;
  mapping::LayerInfo l;
  l.name = "hand";
  l.op = "hand";
  p.layers.push_back(l);
  return p;
}

int load(mapping::Program& p, int tile, std::int64_t bits, std::vector<int> deps = {}) {
  mapping::Op op;
  op.type = mapping::OpType::TileLoad;
  op.unit = mapping::UnitKind::TileBus;
  op.tile = tile;
  op.layer = 0;
  op.bits = bits;
  op.deps = std::move(deps);
  p.ops.push_back(op);
  return int(p.ops.size()) - 1;
}

}  // namespace

TEST_CASE("latency bound: the busiest unit and the longest chain, tight on hand cases") {
  const arch::ArchSpec s = arch::load_arch("configs/arch/rram_default.toml");
  const arch::cost::CostTable c = arch::cost::build(s);
  const std::int64_t t = sim::tile_load_cycles(4096, s);
  REQUIRE(t > 0);
  {  // three independent loads on one tile's bus: they queue
    mapping::Program p = hand_program(s);
    for (int i = 0; i < 3; ++i) load(p, 0, 4096);
    const sim::LatencyBound b = sim::latency_bound(s, c, p);
    CHECK(b.dependency_cycles == t);
    CHECK(b.unit_cycles == 3 * t);
    CHECK(b.unit == sim::unit_index(p.ops[0], p));
    CHECK(sim::AnalyticalModel().evaluate(s, c, p).latency_cycles == b.cycles());
  }
  {  // a chain over two tiles' buses, and one more load on the second bus that can start at once
    mapping::Program p = hand_program(s);
    const int a = load(p, 0, 4096);
    load(p, 1, 4096, {a});
    load(p, 1, 4096);
    const sim::LatencyBound b = sim::latency_bound(s, c, p);
    CHECK(b.dependency_cycles == 2 * t);
    // the second bus: both of its loads from cycle 0 (2t), or the chained one alone from t (2t)
    CHECK(b.unit_cycles == 2 * t);
    CHECK(sim::AnalyticalModel().evaluate(s, c, p).latency_cycles == 2 * t);
  }
}

TEST_CASE("latency bound: below the analytical model on whole networks") {
  const arch::ArchSpec s = arch::load_arch("configs/arch/rram_default.toml");
  const arch::cost::CostTable c = arch::cost::build(s);
  for (const char* net : {"vgg8", "resnet20", "mobilebert"}) {
    CAPTURE(net);
    const workloads::Graph g = workloads::zoo_network(net);
    const mapping::Program p = mapping::lower(s, g, mapping::map(s, g, mapping::MappingOptions{}));
    const sim::LatencyBound b = sim::latency_bound(s, c, p);
    CHECK(b.dependency_cycles > 0);
    CHECK(b.unit_cycles > 0);
    CHECK(sim::AnalyticalModel().evaluate(s, c, p).latency_cycles >= b.cycles());
  }
}
