// lower(): a mapping -> the Program of ops both performance models execute (see program.h and
// lowerer.h). This file is the driver: per-node setup, the walk in emission order (emission.h), and
// the per-layer summary.
#include <algorithm>

#include "mapping/geometry.h"
#include "mapping/lowerer.h"

namespace imc::mapping::detail {

using workloads::OpKind;

Program Lowerer::run() {
  const int n = g_.size();
  p_.workload = g_.name();
  p_.batch = m_.options.batch;
  p_.tiles = s_.tiles();
  p_.pes_per_tile = s_.tile.pes;
  p_.mesh_x = s_.noc.mesh_x;
  p_.mesh_y = s_.noc.mesh_y;
  p_.tiles_per_router = s_.noc.tiles_per_router;
  p_.schedule = m_.options.schedule;
  p_.reload_groups = m_.reload_groups;
  p_.workload_macs = g_.total_macs();
  p_.cells_available = s_.crossbars() * s_.crossbar.rows * s_.crossbar.cols;
  ib_ = m_.options.input_bits > 0 ? m_.options.input_bits : s_.precision.input_bits;
  acc_ = s_.precision.accumulator_bits;
  consumers_ = g_.consumers();

  chunks_.assign(n, 1);
  vectors_.assign(n, 1);
  alias_.assign(n, -1);
  home_.assign(n, 0);
  copies_.resize(n);
  for (int i = 0; i < n; ++i) prepare_node(i);
  final_.assign(std::size_t(p_.batch), std::vector<std::vector<int>>(n));
  out_tile_.assign(n, {});

  emit_in_order(g_, m_, *this);
  fill_layer_info();
  return std::move(p_);
}

void Lowerer::prepare_node(int i) {
  const workloads::Node& nd = g_.node(i);
  if (is_folded(g_, i)) {
    alias_[i] = resolve(nd.inputs[0]);
    return;
  }
  vectors_[i] = vectors_of(nd.out);
  chunks_[i] = int(std::min<std::int64_t>(m_.options.chunks_per_layer, vectors_[i]));
  const LayerPlacement& l = m_.layers[i];
  if (l.on_crossbars) {
    // One CopyWork per copy, or per pass for a layer larger than the chip.
    const int n_work = l.passes > 1 ? l.passes : l.duplication;
    copies_[i].resize(std::size_t(n_work));
    for (int c = 0; c < n_work; ++c)
      copies_[i][std::size_t(c)] = l.passes > 1 ? build_copy(l, 0, c) : build_copy(l, c, 0);
    home_[i] = copies_[i][0].tiles[0].tile;
  } else if (nd.op == OpKind::Input) {
    home_[i] = -1;  // decided by its first consumer (the image goes where it is used)
  } else {
    home_[i] = home_[resolve(nd.inputs[0])];
  }
  for (int in : nd.inputs)
    if (home_[resolve(in)] < 0) home_[resolve(in)] = home_[i] < 0 ? 0 : home_[i];
  if (home_[i] < 0 && nd.op != OpKind::Input) home_[i] = home_[resolve(nd.inputs[0])];
}

void Lowerer::begin_node(int i, int b) {
  final_[b][i].assign(std::size_t(chunks_[i]), -1);
  if (out_tile_[i].empty()) out_tile_[i].assign(std::size_t(chunks_[i]), std::max(0, home_[i]));
}

void Lowerer::fill_layer_info() {
  p_.layers.resize(std::size_t(g_.size()));
  std::vector<std::int64_t> group_cells(std::size_t(m_.reload_groups), 0);
  for (int i = 0; i < g_.size(); ++i) {
    LayerInfo& li = p_.layers[std::size_t(i)];
    const LayerPlacement& l = m_.layers[i];
    li.name = g_.node(i).name;
    li.node = i;
    li.op = workloads::to_string(g_.node(i).op);
    li.on_crossbars = l.on_crossbars;
    li.macs = g_.macs(i);
    li.duplication = l.duplication;
    li.reload_group = l.reload_group;
    if (l.on_crossbars) {
      li.crossbars = l.tiling.crossbars * l.duplication;
      li.pes = std::int64_t(l.pes.size());
      li.cells_used = l.tiling.cells_used * l.duplication;
      li.tiles = l.tiles;
      // Cells holding weights at one time: a layer larger than the chip holds one pass (the
      // first, fullest) at a time.
      std::int64_t resident = li.cells_used;
      if (l.passes > 1) {
        resident = 0;
        for (std::int64_t x = 0; x < l.crossbars_per_pass; ++x) {
          const XbarBlock blk = block_of(l.tiling, s_, x);
          resident += blk.rows * blk.phys_cols;
        }
      }
      const std::int64_t cells = li.pes * s_.pe.crossbars * s_.crossbar.rows * s_.crossbar.cols;
      li.utilization = cells ? double(resident) / double(cells) : 0;
      group_cells[std::size_t(l.reload_group)] += resident;
    } else {
      li.tiles = {home_[resolve(i)] < 0 ? 0 : home_[resolve(i)]};
    }
  }
  // With reload groups, utilization is that of the fullest group (one group is resident at a time).
  p_.cells_used = *std::max_element(group_cells.begin(), group_cells.end());
}

}  // namespace imc::mapping::detail

namespace imc::mapping {

Program lower(const arch::ArchSpec& spec, const workloads::Graph& graph, const Mapping& mapping) {
  return detail::Lowerer(spec, graph, mapping).run();
}

}  // namespace imc::mapping
