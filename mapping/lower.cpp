// lower(): a mapping -> the Program of ops both performance models execute (see program.h). The
// ops are lowering.h's; this file is the sink that appends them to a Program (an op is referred
// to by its id, its dependencies become Op::deps), and the per-layer summary.
#include <algorithm>
#include <stdexcept>

#include "mapping/lowering.h"

namespace imc::mapping {

namespace {

class ProgramSink {
 public:
  using Ref = int;
  struct Deps {
    std::vector<int> ids;
    void add(int id) { ids.push_back(id); }
    void add(const Deps& d) { ids.insert(ids.end(), d.ids.begin(), d.ids.end()); }
    void clear() { ids.clear(); }
  };
  static Ref none() { return -1; }

  explicit ProgramSink(Program& p) : p_(p) {}

  Ref emit(const OpDesc& d, const Deps& deps) {
    Op op;
    op.type = d.type;
    op.layer = d.layer;
    op.batch = d.batch;
    op.tile = d.tile;
    op.pe = d.pe;
    op.pe_count = d.pe_count;
    op.unit = d.unit;
    op.digital_unit = d.digital_unit;
    op.vectors = d.vectors;
    op.slices = d.slices;
    op.reads_per_slice = d.reads_per_slice;
    op.cols_per_adc_used = d.cols_per_adc_used;
    op.merges_per_vector = d.merges_per_vector;
    op.count = d.count;
    op.rows = d.rows;
    op.bits = d.bits;
    op.dst_tile = d.dst_tile;
    op.hops = d.hops;
    op.crossbar_macs = d.crossbar_macs;
    op.digital_macs = d.digital_macs;
    for (int a = 0; a < d.n_actions; ++a)
      op.actions[d.actions[std::size_t(a)].action] += d.actions[std::size_t(a)].n;
    for (int id : deps.ids)
      if (id < 0 || id >= int(p_.ops.size())) throw std::logic_error("lower: dependency on a later op");
    op.deps = deps.ids;
    std::sort(op.deps.begin(), op.deps.end());
    op.deps.erase(std::unique(op.deps.begin(), op.deps.end()), op.deps.end());
    p_.ops.push_back(std::move(op));
    return int(p_.ops.size()) - 1;
  }

 private:
  Program& p_;
};

void fill_layer_info(const arch::ArchSpec& s, const workloads::Graph& g, const Mapping& m,
                     Lowering<ProgramSink>& lowering, Program& p) {
  p.layers.resize(std::size_t(g.size()));
  for (int i = 0; i < g.size(); ++i) {
    LayerInfo& li = p.layers[std::size_t(i)];
    const LayerPlacement& l = m.layers[std::size_t(i)];
    li.name = g.node(i).name;
    li.node = i;
    li.op = workloads::to_string(g.node(i).op);
    li.on_crossbars = l.on_crossbars;
    li.macs = g.macs(i);
    li.duplication = l.duplication;
    li.reload_group = l.reload_group;
    li.inputs = g.node(i).inputs;
    if (l.on_crossbars) {
      li.crossbars = l.tiling.crossbars * l.duplication;
      li.pes = std::int64_t(l.pes.size());
      li.cells_used = l.tiling.cells_used * l.duplication;
      li.tiles = l.tiles;
      const std::int64_t resident = lowering.resident_cells(i);
      const std::int64_t cells = li.pes * s.pe.crossbars * s.crossbar.rows * s.crossbar.cols;
      li.utilization = cells ? double(resident) / double(cells) : 0;
    } else {
      li.tiles = {lowering.home_tile(i)};
    }
  }
  p.cells_used = lowering.fullest_group_cells();
}

}  // namespace

Program lower(const arch::ArchSpec& spec, const workloads::Graph& graph, const Mapping& mapping) {
  Program p;
  p.workload = graph.name();
  p.batch = mapping.options.batch;
  p.tiles = spec.tiles();
  p.pes_per_tile = spec.tile.pes;
  p.mesh_x = spec.noc.mesh_x;
  p.mesh_y = spec.noc.mesh_y;
  p.tiles_per_router = spec.noc.tiles_per_router;
  p.schedule = to_string(mapping.options.schedule);
  p.reload_groups = mapping.reload_groups;
  p.workload_macs = graph.total_macs();
  p.cells_available = spec.crossbars() * spec.crossbar.rows * spec.crossbar.cols;
  ProgramSink sink(p);
  Lowering<ProgramSink> lowering(spec, graph, mapping, sink);
  lowering.run();
  fill_layer_info(spec, graph, mapping, lowering, p);
  return p;
}

}  // namespace imc::mapping
