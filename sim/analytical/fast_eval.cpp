#include "sim/analytical/fast_eval.h"

#include <algorithm>
#include <stdexcept>

#include "sim/analytical/fast_walker.h"

namespace imc::sim::fast {

Report evaluate(const arch::ArchSpec& spec, const arch::cost::CostTable& costs, const workloads::Graph& graph,
                const mapping::Mapping& mapping, std::size_t& ops, bool layers) {
  return Walker(spec, costs, graph, mapping, layers).run(ops);
}

Report Walker::run(std::size_t& ops_out) {
  const int n = g_.size();
  batch_ = m_.options.batch;
  tiles_ = s_.tiles();
  ppt_ = s_.tile.pes;
  pe_units_ = tiles_ * ppt_;
  ib_ = m_.options.input_bits > 0 ? m_.options.input_bits : s_.precision.input_bits;
  acc_ = s_.precision.accumulator_bits;
  global_buf_ = s_.global.buffer.capacity_bytes > 0;
  offset_scheme_ = s_.crossbar.signed_scheme == arch::SignedScheme::Offset;
  unit_free_.assign(std::size_t(pe_units_ + (kUnitKinds - 2) * tiles_ + 1), 0);
  rx_.resize(std::size_t(tiles_));
  ry_.resize(std::size_t(tiles_));
  for (int t = 0; t < tiles_; ++t) {
    const int router = t / s_.noc.tiles_per_router;
    rx_[std::size_t(t)] = router % s_.noc.mesh_x;
    ry_[std::size_t(t)] = router / s_.noc.mesh_x;
  }

  r_.model = "analytical";
  r_.workload = g_.name();
  r_.batch = batch_;
  stats_.assign(std::size_t(n), LayerStats{});
  has_consumer_.assign(std::size_t(n), 0);
  for (int i = 0; i < n; ++i)
    for (int in : g_.node(i).inputs) has_consumer_[std::size_t(in)] = 1;
  r_.macs = g_.total_macs() * batch_;

  chunks_.assign(std::size_t(n), 1);
  vectors_.assign(std::size_t(n), 1);
  alias_.assign(std::size_t(n), -1);
  home_.assign(std::size_t(n), 0);
  elem_bits_.assign(std::size_t(n), 0);
  digital_ops_.assign(std::size_t(n), 0);
  digital_.assign(std::size_t(n), DigitalKind{});
  copy_begin_.assign(std::size_t(n), 0);
  chunk_off_.assign(std::size_t(n) + 1, 0);
  std::size_t tiles_needed = 0;  // an upper bound of the copies' tiles (TileAgg is large: no regrowth)
  for (const auto& l : m_.layers)
    if (l.on_crossbars) tiles_needed += std::size_t(std::max(l.passes, l.duplication)) * l.tiles.size();
  pool_.reserve(tiles_needed);
  for (int i = 0; i < n; ++i) {
    prepare_node(i);
    chunk_off_[std::size_t(i) + 1] = chunk_off_[std::size_t(i)] + std::size_t(chunks_[std::size_t(i)]);
  }
  in_begin_.assign(std::size_t(n) + 1, 0);
  for (int i = 0; i < n; ++i) {
    const workloads::Node& nd = g_.node(i);
    const bool halo = mapping::reads_halo(nd);
    if (alias_[std::size_t(i)] < 0)
      for (int in : nd.inputs) {
        const int p = resolve(in);
        inputs_.push_back({in, p, halo ? 1 : 0,
                           m_.layers[std::size_t(p)].reload_group != m_.layers[std::size_t(i)].reload_group});
      }
    in_begin_[std::size_t(i) + 1] = inputs_.size();
  }
  total_chunks_ = chunk_off_.back();
  final_.assign(std::size_t(batch_) * total_chunks_, -1);
  out_tile_.assign(total_chunks_, 0);
  out_tile_set_.assign(std::size_t(n), 0);

  mapping::emit_in_order(g_, m_, *this);

  r_.utilization = utilization();
  i64 latency = 0;  // the last op's end
  for (int i = 0; i < n; ++i) {
    const LayerStats& st = stats_[std::size_t(i)];
    latency = std::max(latency, st.end);
    r_.actions += st.actions;
  }
  r_.latency_cycles = latency;
  if (layers_) {
    r_.layers.resize(std::size_t(n));
    for (int i = 0; i < n; ++i) {
      const workloads::Node& nd = g_.node(i);
      const LayerStats& st = stats_[std::size_t(i)];
      LayerReport& l = r_.layers[std::size_t(i)];
      l.name = nd.name;
      l.op = workloads::to_string(nd.op);
      l.macs = g_.macs(i) * batch_;
      l.actions = st.actions;
      l.start_cycle = st.start < 0 ? 0 : st.start;
      l.end_cycle = st.end;
      for (int k = 0; k < kUnitKinds; ++k)
        if (st.busy[std::size_t(k)] > 0)
          l.busy_cycles.emplace(mapping::to_string(static_cast<UnitKind>(k)), st.busy[std::size_t(k)]);
    }
  }
  finalize(r_, s_, c_);
  ops_out = ops_;
  return std::move(r_);
}

void Walker::prepare_node(int i) {
  const workloads::Node& nd = g_.node(i);
  elem_bits_[std::size_t(i)] = g_.elements(i) * ib_;
  if (mapping::is_folded(g_, i)) {
    alias_[std::size_t(i)] = resolve(nd.inputs[0]);
    return;
  }
  vectors_[std::size_t(i)] = mapping::vectors_of(nd.out);
  chunks_[std::size_t(i)] = int(std::min<i64>(m_.options.chunks_per_layer, vectors_[std::size_t(i)]));
  const mapping::LayerPlacement& l = m_.layers[std::size_t(i)];
  if (l.on_crossbars) {
    const int n_work = l.passes > 1 ? l.passes : l.duplication;
    copy_begin_[std::size_t(i)] = copies_.size();
    for (int c = 0; c < n_work; ++c) {
      CopyAgg cp = l.passes > 1 ? builder_.build(l, 0, c, pool_) : builder_.build(l, c, 0, pool_);
      for (std::size_t ti = cp.begin; ti < cp.end; ++ti) {
        TileAgg& tw = pool_[ti];
        t_.mvm(tw, l.tiling.input_slices);
        tw.unit_bus = unit_tile(UnitKind::TileBus, tw.tile);
        tw.unit_pe = unit_pe(tw.tile, tw.pe);
        tw.unit_acc = unit_tile(UnitKind::TileAccumulator, tw.tile);
        tw.unit_nic = unit_tile(UnitKind::TileNic, tw.tile);
        tw.hops_home = hops(tw.tile, pool_[cp.begin].tile);
        cp.in_rows_sum += tw.in_rows_sum;
        cp.dac_drives += tw.dac_drives;
        cp.xbar_reads += tw.xbar_reads;
        cp.cells += tw.cells;
        cp.col_reads += tw.col_reads;
        cp.merges_sum += tw.merges_sum;
        cp.pe_outputs += tw.pe_outputs;
      }
      copies_.push_back(cp);
    }
    const CopyAgg& home_copy = copies_[copy_begin_[std::size_t(i)]];
    if (home_copy.begin == home_copy.end) throw std::out_of_range("fast path: a crossbar layer without PEs");
    home_[std::size_t(i)] = pool_[home_copy.begin].tile;
  } else {
    if (nd.op == OpKind::Input)
      home_[std::size_t(i)] = -1;
    else
      home_[std::size_t(i)] = home_[std::size_t(resolve(nd.inputs[0]))];
    digital_ops_[std::size_t(i)] = nd.op == OpKind::Input ? 0 : g_.digital_ops(i);
    // lower_digital_chunk()'s choice of unit.
    DigitalKind& d = digital_[std::size_t(i)];
    using mapping::DigitalUnit;
    d = {UnitKind::TileVector, Action::VectorOp, digital_units(DigitalUnit::Vector, s_)};
    if (nd.op == OpKind::Activation && s_.tile.activation_units > 0)
      d = {UnitKind::TileActivation, Action::Activation, digital_units(DigitalUnit::Activation, s_)};
    else if ((nd.op == OpKind::MaxPool || nd.op == OpKind::AvgPool || nd.op == OpKind::GlobalAvgPool) &&
             s_.tile.pool_units > 0)
      d = {UnitKind::TilePool, Action::Pool, digital_units(DigitalUnit::Pool, s_)};
    else if (s_.tile.vector_lanes == 0)
      d = {UnitKind::TileAccumulator, Action::TileAccumulate, digital_units(DigitalUnit::ShiftAdd, s_)};
  }
  for (int in : nd.inputs)
    if (home_[std::size_t(resolve(in))] < 0)
      home_[std::size_t(resolve(in))] = home_[std::size_t(i)] < 0 ? 0 : home_[std::size_t(i)];
  if (home_[std::size_t(i)] < 0 && nd.op != OpKind::Input)
    home_[std::size_t(i)] = home_[std::size_t(resolve(nd.inputs[0]))];
}

void Walker::begin_node(int i, int b) {
  for (int k = 0; k < chunks_[std::size_t(i)]; ++k) final_end(b, i, k) = -1;
  if (!out_tile_set_[std::size_t(i)]) {
    out_tile_set_[std::size_t(i)] = 1;
    for (int k = 0; k < chunks_[std::size_t(i)]; ++k) out_tile(i, k) = std::max(0, home_[std::size_t(i)]);
  }
}

double Walker::utilization() {
  std::vector<i64> group_cells(std::size_t(m_.reload_groups), 0);
  for (int i = 0; i < g_.size(); ++i) {
    const mapping::LayerPlacement& l = m_.layers[std::size_t(i)];
    if (!l.on_crossbars) continue;
    i64 resident = l.tiling.cells_used * l.duplication;
    if (l.passes > 1) resident = builder_.cells(l, 0, l.crossbars_per_pass - 1);  // the first, fullest pass
    group_cells[std::size_t(l.reload_group)] += resident;
  }
  const i64 used = *std::max_element(group_cells.begin(), group_cells.end());
  const i64 available = s_.crossbars() * s_.crossbar.rows * s_.crossbar.cols;
  return available ? double(used) / double(available) : 0;
}

}  // namespace imc::sim::fast
