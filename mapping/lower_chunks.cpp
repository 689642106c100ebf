// lower()'s compute ops of one chunk (see lowerer.h): a crossbar layer's TileLoad, Mvm and
// Accumulate per tile and the merge at its home tile, or a digital node's op on its tile's units.
#include <algorithm>

#include "mapping/lowerer.h"

namespace imc::mapping::detail {

using arch::Action;
using workloads::OpKind;

void Lowerer::lower_crossbar_chunk(int i, int b, int k, const CopyWork& w, int after) {
  const LayerPlacement& l = m_.layers[i];
  const CrossbarTiling& t = l.tiling;
  const std::int64_t n = share(vectors_[i], k, chunks_[i]);
  const std::int64_t total_rows = t.rows * t.groups;
  const int home = w.tiles[0].tile;
  std::vector<int> tile_done;  // per tile: its Accumulate op
  for (const TileWork& tw : w.tiles) {
    std::vector<int> ready = gather_inputs(i, b, k, tw.tile, tw.in_rows, total_rows);
    // TileLoad: each PE receives the input rows its crossbars read.
    Op load = make(OpType::TileLoad, i, b, tw.tile, UnitKind::TileBus);
    for (int pi : tw.pes) load.bits += n * w.pes[std::size_t(pi)].in_rows * ib_;
    load.actions[Action::TileBufRead] += load.bits;
    load.actions[Action::BusBit] += load.bits;
    load.actions[Action::PeInBufWrite] += load.bits;
    load.deps = ready;
    const int load_id = emit(std::move(load));
    // The layer's PEs on this tile run in lockstep on the same vectors: one op covers them all
    // (its time is the slowest PE's; they are the layer's alone, so nothing else contends).
    Op mvm = make(OpType::Mvm, i, b, tw.tile, UnitKind::Pe);
    mvm.pe = w.pes[std::size_t(tw.pes.front())].pe;
    mvm.pe_count = int(tw.pes.size());
    mvm.vectors = n;
    mvm.slices = t.input_slices;
    auto& a = mvm.actions;
    for (int pi : tw.pes) {
      const PeWork& pw = w.pes[std::size_t(pi)];
      mvm.reads_per_slice = std::max(mvm.reads_per_slice, pw.reads_per_slice);
      mvm.cols_per_adc_used = std::max(mvm.cols_per_adc_used, pw.cols_per_adc_used);
      mvm.merges_per_vector = std::max(mvm.merges_per_vector, pw.partials - pw.outputs);
      mvm.crossbar_macs += n * pw.macs;
      const std::int64_t steps = n * t.input_slices * pw.reads_per_slice;
      a[Action::PeInBufRead] += n * pw.in_rows * ib_;
      a[Action::DacDrive] += n * t.input_slices * pw.dac_drives;
      a[Action::XbarRead] += steps * pw.xbars;
      a[Action::XbarCellRead] += n * t.input_slices * pw.cells_read;
      a[Action::SampleHold] += steps * pw.phys_cols * (s_.pe.sample_hold ? 1 : 0);
      a[Action::AdcConversion] += steps * pw.phys_cols;
      // Every conversion is shifted into its partial sum; row blocks in the PE are then added.
      a[Action::PeShiftAdd] += steps * pw.phys_cols + n * (pw.partials - pw.outputs);
      a[Action::PeOutBufWrite] += n * pw.outputs * acc_;
    }
    mvm.deps = {load_id};
    const std::vector<int> mvms = {emit(std::move(mvm))};
    Op acc = make(OpType::Accumulate, i, b, tw.tile, UnitKind::TileAccumulator);
    acc.count = n * (tw.pe_outputs - tw.outputs);
    acc.bits = n * tw.pe_outputs * acc_;
    acc.actions[Action::PeOutBufRead] += acc.bits;
    acc.actions[Action::BusBit] += acc.bits;
    acc.actions[Action::TileAccumulate] += acc.count;
    acc.actions[Action::TileOutBufWrite] += n * tw.outputs * acc_;
    acc.deps = mvms;
    tile_done.push_back(emit(std::move(acc)));
  }
  // Partial sums of the other tiles go to the home tile, which finishes the outputs.
  std::vector<int> deps = {tile_done[0]};
  if (after >= 0) deps.push_back(after);
  for (std::size_t ti = 1; ti < w.tiles.size(); ++ti) {
    const std::int64_t bits = n * w.tiles[ti].outputs * acc_;
    Op send = make(OpType::Send, i, b, w.tiles[ti].tile, UnitKind::TileNic);
    send.bits = bits;
    send.dst_tile = home;
    send.hops = hops(w.tiles[ti].tile, home);
    send.actions[Action::TileOutBufRead] += bits;
    send.actions[Action::NocFlitHop] += send_flits(bits) * send.hops;
    send.deps = {tile_done[ti]};
    const int sid = emit(std::move(send));
    Op recv = make(OpType::Recv, i, b, home, UnitKind::TileNic);
    recv.bits = bits;
    recv.actions[Action::TileOutBufWrite] += bits;
    recv.deps = {sid};
    deps.push_back(emit(std::move(recv)));
  }
  const std::int64_t outputs = n * w.total_outputs;
  Op fin = make(OpType::Accumulate, i, b, home, UnitKind::TileAccumulator);
  const bool offset = s_.crossbar.signed_scheme == arch::SignedScheme::Offset;
  fin.count = n * (w.tile_outputs_sum - w.total_outputs) + (offset ? outputs : 0);
  fin.actions[Action::TileAccumulate] += fin.count;
  fin.actions[Action::TileOutBufRead] += n * w.tile_outputs_sum * acc_;
  fin.actions[Action::TileBufWrite] += outputs * ib_;
  fin.deps = deps;
  final_[b][i][std::size_t(k)] = emit(std::move(fin));
  out_tile_[i][std::size_t(k)] = home;
}

void Lowerer::lower_digital_chunk(int i, int b, int k) {
  const workloads::Node& nd = g_.node(i);
  const int K = chunks_[i];
  const int tile = home_[i];
  std::vector<int> ready = gather_inputs(i, b, k, tile, 1, 1);
  Op op = make(OpType::Digital, i, b, tile, UnitKind::TileVector);
  op.count = share(g_.digital_ops(i), k, K);
  op.digital_macs = share(g_.macs(i), k, K);
  op.digital_unit = DigitalUnit::Vector;
  Action act = Action::VectorOp;
  if (nd.op == OpKind::Activation && s_.tile.activation_units > 0) {
    op.digital_unit = DigitalUnit::Activation;
    op.unit = UnitKind::TileActivation;
    act = Action::Activation;
  } else if ((nd.op == OpKind::MaxPool || nd.op == OpKind::AvgPool || nd.op == OpKind::GlobalAvgPool) &&
             s_.tile.pool_units > 0) {
    op.digital_unit = DigitalUnit::Pool;
    op.unit = UnitKind::TilePool;
    act = Action::Pool;
  } else if (s_.tile.vector_lanes == 0) {
    // No vector unit: element-wise work falls to the tile's accumulators (adders).
    op.digital_unit = DigitalUnit::ShiftAdd;
    op.unit = UnitKind::TileAccumulator;
    act = Action::TileAccumulate;
  }
  op.actions[act] += op.count;
  std::int64_t in_bits = 0;
  for (int in : nd.inputs) in_bits += share(g_.elements(in) * ib_, k, K);
  op.actions[Action::TileBufRead] += in_bits;
  op.actions[Action::TileBufWrite] += share(g_.elements(i) * ib_, k, K);
  op.deps = ready;
  final_[b][i][std::size_t(k)] = emit(std::move(op));
  out_tile_[i][std::size_t(k)] = tile;
}

}  // namespace imc::mapping::detail
