// Lowering<Sink>'s setup and ops (see lowering.h): per-node setup, data movement (NoC and DRAM
// transfers, gathering a chunk's inputs, network inputs and outputs), the ops of a crossbar or
// digital chunk, and weight writes. Included by lowering.h only.
#pragma once

#include "workloads/activity.h"

namespace imc::mapping {

template <class Sink>
void Lowering<Sink>::run() {
  const int n = g_.size();
  ib_ = m_.options.input_bits > 0 ? m_.options.input_bits : s_.precision.input_bits;
  acc_ = s_.precision.accumulator_bits;
  global_buf_ = s_.global.buffer.capacity_bytes > 0;
  offset_scheme_ = s_.crossbar.signed_scheme == arch::SignedScheme::Offset;
  const int tiles = s_.tiles();
  rx_.resize(std::size_t(tiles));
  ry_.resize(std::size_t(tiles));
  for (int t = 0; t < tiles; ++t) {  // tiles are numbered router-major (Program::router_of)
    const int router = t / s_.noc.tiles_per_router;
    rx_[std::size_t(t)] = router % s_.noc.mesh_x;
    ry_[std::size_t(t)] = router / s_.noc.mesh_x;
  }
  has_consumer_.assign(std::size_t(n), 0);
  for (int i = 0; i < n; ++i)
    for (int in : g_.node(i).inputs) has_consumer_[std::size_t(in)] = 1;

  chunks_.assign(std::size_t(n), 1);
  vectors_.assign(std::size_t(n), 1);
  alias_.assign(std::size_t(n), -1);
  home_.assign(std::size_t(n), 0);
  elem_bits_.assign(std::size_t(n), 0);
  digital_ops_.assign(std::size_t(n), 0);
  macs_.assign(std::size_t(n), 0);
  digital_.assign(std::size_t(n), DigitalKind{});
  copy_begin_.assign(std::size_t(n), 0);
  chunk_off_.assign(std::size_t(n) + 1, 0);
  std::size_t tiles_needed = 0;  // an upper bound of the copies' tiles (no regrowth)
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
    const int halo = reads_halo(nd) ? 1 : 0;
    if (!aliased(i))
      for (int in : nd.inputs) {
        const int p = resolve(in);
        inputs_.push_back(
            {in, p, halo, m_.layers[std::size_t(p)].reload_group != m_.layers[std::size_t(i)].reload_group});
      }
    in_begin_[std::size_t(i) + 1] = inputs_.size();
  }
  total_chunks_ = chunk_off_.back();
  input_routes_.assign(pool_.size(), {});
  node_memo_base_ = int(pool_.size()) * 2 * OpDesc::kMemoRoles;
  final_.assign(std::size_t(m_.options.batch) * total_chunks_, Sink::none());
  out_tile_.assign(total_chunks_, 0);
  out_tile_set_.assign(std::size_t(n), 0);

  emit_in_order(g_, m_, *this);
}

// Chunks, home tile, crossbar copies (copy_aggregates.h) and digital unit of node i.
template <class Sink>
void Lowering<Sink>::prepare_node(int i) {
  using workloads::OpKind;
  const workloads::Node& nd = g_.node(i);
  elem_bits_[std::size_t(i)] = g_.elements(i) * ib_;
  if (is_folded(g_, i)) {
    alias_[std::size_t(i)] = resolve(nd.inputs[0]);
    return;
  }
  vectors_[std::size_t(i)] = vectors_of(nd.out);
  const LayerPlacement& l = m_.layers[std::size_t(i)];
  chunks_[std::size_t(i)] = int(std::clamp<std::int64_t>(l.chunks, 1, vectors_[std::size_t(i)]));
  if (l.on_crossbars) {
    // One CopyAgg per copy, or per pass for a layer larger than the chip.
    const int n_work = l.passes > 1 ? l.passes : l.duplication;
    copy_begin_[std::size_t(i)] = copies_.size();
    for (int c = 0; c < n_work; ++c)
      copies_.push_back(l.passes > 1 ? builder_.build(l, 0, c, pool_) : builder_.build(l, c, 0, pool_));
    const CopyAgg& home_copy = copies_[copy_begin_[std::size_t(i)]];
    if (home_copy.begin == home_copy.end) throw std::logic_error("lower: a crossbar layer without PEs");
    home_[std::size_t(i)] = pool_[home_copy.begin].tile;
  } else {
    if (nd.op == OpKind::Input)
      home_[std::size_t(i)] = -1;  // decided by its first consumer (the image goes where it is used)
    else
      home_[std::size_t(i)] = home_[std::size_t(resolve(nd.inputs[0]))];
    if (nd.op != OpKind::Input) {
      digital_ops_[std::size_t(i)] = g_.digital_ops(i);
      macs_[std::size_t(i)] = g_.macs(i);
    }
    DigitalKind& d = digital_[std::size_t(i)];
    if (nd.op == OpKind::Activation && s_.tile.activation_units > 0)
      d = {UnitKind::TileActivation, DigitalUnit::Activation, arch::Action::Activation};
    else if ((nd.op == OpKind::MaxPool || nd.op == OpKind::AvgPool || nd.op == OpKind::GlobalAvgPool) &&
             s_.tile.pool_units > 0)
      d = {UnitKind::TilePool, DigitalUnit::Pool, arch::Action::Pool};
    else if (s_.tile.vector_lanes == 0)  // no vector unit: element-wise work falls to the adders
      d = {UnitKind::TileAccumulator, DigitalUnit::ShiftAdd, arch::Action::TileAccumulate};
  }
  for (int in : nd.inputs)
    if (home_[std::size_t(resolve(in))] < 0)
      home_[std::size_t(resolve(in))] = home_[std::size_t(i)] < 0 ? 0 : home_[std::size_t(i)];
  if (home_[std::size_t(i)] < 0 && nd.op != OpKind::Input)
    home_[std::size_t(i)] = home_[std::size_t(resolve(nd.inputs[0]))];
}

template <class Sink>
void Lowering<Sink>::transfer(int layer, int b, int src, int dst, std::int64_t bits, const Deps& deps,
                              bool via_dram, Deps& ready) {
  if (bits > 0 && via_dram) {
    OpDesc w(OpType::DramWrite, layer, b, src, UnitKind::Dram);
    w.bits = bits;
    add_dram_staging(w, bits, false);
    Deps wd{};
    wd.add(sink_.emit(w, deps));
    OpDesc r(OpType::DramRead, layer, b, dst, UnitKind::Dram);
    r.bits = bits;
    add_dram_staging(r, bits, true);
    ready.add(sink_.emit(r, wd));
  } else if (bits > 0 && src != dst) {
    const int h = hops(src, dst);
    noc_transfer(layer, b, src, dst, bits, h, send_flits(bits) * h, deps, -1, 0, 0, ready);
    return;
  }
  ready.add(deps);
}

template <class Sink>
void Lowering<Sink>::noc_transfer(int layer, int b, int src, int dst, std::int64_t bits, int h,
                                  std::int64_t flit_hops, const Deps& deps, int agg, int variant,
                                  std::int64_t key, Deps& ready) {
  using arch::Action;
  if (bits > 0) {
    OpDesc send(OpType::Send, layer, b, src, UnitKind::TileNic);
    send.bits = bits;
    send.dst_tile = dst;
    send.hops = h;
    send.act(Action::TileBufRead, bits);
    send.act(Action::NocFlitHop, flit_hops);
    if (agg >= 0) send.memo = OpDesc::memo_slot(agg, OpDesc::kInputSend, variant), send.memo_key = key;
    Deps sd{};
    sd.add(sink_.emit(send, deps));
    OpDesc recv(OpType::Recv, layer, b, dst, UnitKind::TileNic);
    recv.bits = bits;
    recv.act(Action::TileBufWrite, bits);
    if (agg >= 0) recv.memo = OpDesc::memo_slot(agg, OpDesc::kInputRecv, variant), recv.memo_key = key;
    ready.add(sink_.emit(recv, sd));
  }
  ready.add(deps);
}

template <class Sink>
void Lowering<Sink>::producer_side(int node, int b, int j) {
  ins_.clear();
  src_.clear();
  const int kc = chunks(node);
  for (std::size_t x = in_begin_[std::size_t(node)]; x < in_begin_[std::size_t(node) + 1]; ++x) {
    const InputInfo& ii = inputs_[x];
    const int kp = chunks(ii.p);
    const int lo = kp == kc ? j : int(div_floor(std::int64_t(j) * kp, kc));
    const int hi = needed_chunk(ii.halo, j, kc, kp);
    InputShare is;
    is.bits = share(elem_bits_[std::size_t(ii.in)], j, kc);
    is.via_dram = ii.via_dram;
    is.src_begin = src_.size();
    // Source tiles of producer chunks lo..hi (a short list: a sorted small vector, not a map).
    for (int k = lo; k <= hi; ++k) {
      const int tile = out_tile(ii.p, k);
      std::size_t y = is.src_begin;
      while (y < src_.size() && src_[y].tile != tile) ++y;
      if (y == src_.size()) src_.push_back(Source{tile, Deps{}});
      src_[y].deps.add(final_ref(b, ii.p, k));
    }
    is.src_end = src_.size();
    if (is.src_end - is.src_begin > 1)
      std::sort(src_.begin() + std::ptrdiff_t(is.src_begin), src_.begin() + std::ptrdiff_t(is.src_end),
                [](const Source& u, const Source& v) { return u.tile < v.tile; });
    ins_.push_back(is);
  }
}

template <class Sink>
void Lowering<Sink>::gather_at(int node, int b, int tile, std::int64_t frac_num, std::int64_t frac_den,
                               int agg, Deps& ready) {
  for (const InputShare& is : ins_) {
    const std::int64_t m = std::int64_t(is.src_end - is.src_begin);
    if (agg >= 0 && m == 1 && !is.via_dram) {
      // The common case: one source tile on chip. Its transfer to this tile (the fraction, hops and
      // flits) is the same for every chunk of the same share: memoized per tile.
      const Source& src = src_[is.src_begin];
      if (src.tile == tile) {
        ready.add(src.deps);
        continue;
      }
      InputRoute& route = input_routes_[std::size_t(agg)][std::size_t(is.bits & 1)];  // shares differ by one
      if (route.share_bits != is.bits || route.src != src.tile) {
        route.share_bits = is.bits;
        route.src = src.tile;
        route.bits = frac_num == frac_den
                         ? is.bits
                         : div_floor(is.bits * frac_num, std::max<std::int64_t>(1, frac_den));
        route.hops = hops(src.tile, tile);
        route.flit_hops = route.bits > 0 ? send_flits(route.bits) * route.hops : 0;
      }
      noc_transfer(node, b, src.tile, tile, route.bits, route.hops, route.flit_hops, src.deps, agg,
                   int(is.bits & 1), is.bits * 65536 + src.tile, ready);
      continue;
    }
    const std::int64_t bits =
        frac_num == frac_den ? is.bits : div_floor(is.bits * frac_num, std::max<std::int64_t>(1, frac_den));
    for (std::int64_t idx = 0; idx < m; ++idx) {
      const Source& src = src_[is.src_begin + std::size_t(idx)];
      transfer(node, b, src.tile, tile, m == 1 ? bits : share(bits, idx, m), src.deps, is.via_dram, ready);
    }
  }
  ready.add(barrier_);
}

// A network output chunk goes back to DRAM.
template <class Sink>
void Lowering<Sink>::output_write(int i, int b, int k) {
  OpDesc w(OpType::DramWrite, i, b, out_tile(i, k), UnitKind::Dram);
  w.bits = share(elem_bits_[std::size_t(i)], k, chunks(i));
  add_dram_staging(w, w.bits, false);
  w.memo = node_memo(i, kOutputWrite, w.bits), w.memo_key = w.bits;
  Deps deps{};
  deps.add(final_ref(b, i, k));
  sink_.emit(w, deps);
}

// A network input chunk comes from DRAM.
template <class Sink>
void Lowering<Sink>::input_chunk(int i, int b, int k) {
  OpDesc r(OpType::DramRead, i, b, std::max(0, home_[std::size_t(i)]), UnitKind::Dram);
  r.bits = share(elem_bits_[std::size_t(i)], k, chunks(i));
  add_dram_staging(r, r.bits, true);
  r.memo = node_memo(i, kInputRead, r.bits), r.memo_key = r.bits;
  set_final(b, i, k, sink_.emit(r, barrier_));
}

template <class Sink>
void Lowering<Sink>::lower_crossbar_chunk(int i, int b, int k, const CopyAgg& w, const Ref* after) {
  using arch::Action;
  const CrossbarTiling& t = m_.layers[std::size_t(i)].tiling;
  const std::int64_t n = share(vectors_[std::size_t(i)], k, chunks(i));
  const std::int64_t total_rows = t.rows * t.groups;
  const int home = pool_[w.begin].tile;
  const int slices = t.input_slices;
  producer_side(i, b, k);
  tile_done_.clear();
  for (std::size_t ti = w.begin; ti < w.end; ++ti) {
    const TileAgg& tw = pool_[ti];
    const int agg = int(ti), v = int(n & 1);  // a layer's chunks have two sizes
    Deps ready{};
    gather_at(i, b, tw.tile, tw.tile_in_rows, total_rows, agg, ready);
    // TileLoad: each PE receives the input rows its crossbars read.
    OpDesc load(OpType::TileLoad, i, b, tw.tile, UnitKind::TileBus);
    load.memo = OpDesc::memo_slot(agg, OpDesc::kLoad, v), load.memo_key = n;
    load.bits = n * tw.in_rows_sum * ib_;
    load.act(Action::TileBufRead, load.bits);
    load.act(Action::BusBit, load.bits);
    load.act(Action::PeInBufWrite, load.bits);
    Deps after_load{};
    after_load.add(sink_.emit(load, ready));
    // The layer's PEs on this tile run in lockstep on the same vectors: one op covers them all
    // (its time is the slowest PE's; they are the layer's alone, so nothing else contends).
    OpDesc mvm(OpType::Mvm, i, b, tw.tile, UnitKind::Pe);
    mvm.memo = OpDesc::memo_slot(agg, OpDesc::kMvm, v), mvm.memo_key = n;
    mvm.pe = tw.pe;
    mvm.pe_count = tw.pes;
    mvm.vectors = n;
    mvm.slices = slices;
    mvm.reads_per_slice = tw.reads_max;
    mvm.cols_per_adc_used = tw.cpa_max;
    mvm.merges_per_vector = tw.merges_max;
    mvm.crossbar_macs = n * tw.macs;
    mvm.act(Action::PeInBufRead, n * tw.in_rows_sum * ib_);
    // Data-dependent activity (workloads/activity.h): a row is driven, and its cells read, only in
    // the slices where its input is non-zero; a ramp ADC's energy follows its output code.
    const double activity = workloads::mean_slice_activity(g_.node(i).input_bit_density, ib_, s_.dac.bits);
    mvm.act(Action::DacDrive, workloads::scale_count(n * slices * tw.dac_drives, activity));
    mvm.act(Action::XbarRead, n * slices * tw.xbar_reads);
    mvm.act(Action::XbarCellRead, workloads::scale_count(n * slices * tw.cells, activity));
    mvm.act(Action::SampleHold, s_.pe.sample_hold ? n * slices * tw.col_reads : 0);
    mvm.act(Action::AdcConversion, s_.adc.type == arch::AdcType::Ramp
                                       ? workloads::scale_count(n * slices * tw.col_reads, activity)
                                       : n * slices * tw.col_reads);
    // Every conversion is shifted into its partial sum; row blocks in the PE are then added.
    mvm.act(Action::PeShiftAdd, n * slices * tw.col_reads + n * tw.merges_sum);
    mvm.act(Action::PeOutBufWrite, n * tw.pe_outputs * acc_);
    Deps after_mvm{};
    after_mvm.add(sink_.emit(mvm, after_load));
    OpDesc acc(OpType::Accumulate, i, b, tw.tile, UnitKind::TileAccumulator);
    acc.memo = OpDesc::memo_slot(agg, OpDesc::kAccumulate, v), acc.memo_key = n;
    acc.count = n * (tw.pe_outputs - tw.tile_outputs);
    acc.bits = n * tw.pe_outputs * acc_;
    acc.act(Action::PeOutBufRead, acc.bits);
    acc.act(Action::BusBit, acc.bits);
    acc.act(Action::TileAccumulate, acc.count);
    acc.act(Action::TileOutBufWrite, n * tw.tile_outputs * acc_);
    tile_done_.push_back(sink_.emit(acc, after_mvm));
  }
  // Partial sums of the other tiles go to the home tile, which finishes the outputs.
  Deps deps{};
  deps.add(tile_done_[0]);
  if (after) deps.add(*after);
  for (std::size_t ti = w.begin + 1; ti < w.end; ++ti) {
    const TileAgg& tw = pool_[ti];
    const std::int64_t bits = n * tw.tile_outputs * acc_;
    OpDesc send(OpType::Send, i, b, tw.tile, UnitKind::TileNic);
    send.memo = OpDesc::memo_slot(int(ti), OpDesc::kPartialSend, int(n & 1)), send.memo_key = n;
    send.bits = bits;
    send.dst_tile = home;
    send.hops = hops(tw.tile, home);
    send.act(Action::TileOutBufRead, bits);
    send.act(Action::NocFlitHop, send_flits(bits) * send.hops);
    Deps sd{};
    sd.add(tile_done_[ti - w.begin]);
    Deps rd{};
    rd.add(sink_.emit(send, sd));
    OpDesc recv(OpType::Recv, i, b, home, UnitKind::TileNic);
    recv.memo = OpDesc::memo_slot(int(ti), OpDesc::kPartialRecv, int(n & 1)), recv.memo_key = n;
    recv.bits = bits;
    recv.act(Action::TileOutBufWrite, bits);
    deps.add(sink_.emit(recv, rd));
  }
  const std::int64_t outputs = n * w.total_outputs;
  OpDesc fin(OpType::Accumulate, i, b, home, UnitKind::TileAccumulator);
  fin.count = n * (w.tile_outputs_sum - w.total_outputs) + (offset_scheme_ ? outputs : 0);
  fin.act(Action::TileAccumulate, fin.count);
  fin.act(Action::TileOutBufRead, n * w.tile_outputs_sum * acc_);
  fin.act(Action::TileBufWrite, outputs * ib_);
  fin.memo = OpDesc::memo_slot(int(w.begin), OpDesc::kFinalAccumulate, int(n & 1)), fin.memo_key = n;
  set_final(b, i, k, sink_.emit(fin, deps));
  out_tile(i, k) = home;
}

template <class Sink>
void Lowering<Sink>::digital_chunk(int i, int b, int k) {
  const workloads::Node& nd = g_.node(i);
  const int K = chunks(i);
  const int tile = home_[std::size_t(i)];
  // Usually every producer chunk it reads is on its own tile and nothing moves: then it waits for
  // them only (what gather_at() would make of it), without sorting sources.
  Deps ready{};
  bool local = true;
  for (std::size_t x = in_begin_[std::size_t(i)]; x < in_begin_[std::size_t(i) + 1] && local; ++x) {
    const InputInfo& ii = inputs_[x];
    const int kp = chunks(ii.p);
    const int lo = kp == K ? k : int(div_floor(std::int64_t(k) * kp, K));
    const int hi = needed_chunk(ii.halo, k, K, kp);
    local = !ii.via_dram;
    for (int c = lo; c <= hi && local; ++c) {
      local = out_tile(ii.p, c) == tile;
      ready.add(final_ref(b, ii.p, c));
    }
  }
  if (local) {
    ready.add(barrier_);
  } else {
    ready = Deps{};
    producer_side(i, b, k);
    gather_at(i, b, tile, 1, 1, -1, ready);
  }
  const DigitalKind& d = digital_[std::size_t(i)];
  OpDesc op(OpType::Digital, i, b, tile, d.unit);
  op.count = share(digital_ops_[std::size_t(i)], k, K);
  op.digital_macs = share(macs_[std::size_t(i)], k, K);
  op.digital_unit = d.digital_unit;
  op.memo = node_memo(i, kDigitalOp, op.count), op.memo_key = op.count;
  op.act(d.act, op.count);
  std::int64_t in_bits = 0;
  for (int in : nd.inputs) in_bits += share(elem_bits_[std::size_t(in)], k, K);
  op.act(arch::Action::TileBufRead, in_bits);
  op.act(arch::Action::TileBufWrite, share(elem_bits_[std::size_t(i)], k, K));
  set_final(b, i, k, sink_.emit(op, ready));
  out_tile(i, k) = tile;
}

// Weights of layer i (pass `pass`) from DRAM over each tile's bus into its PEs' cells, per
// (tile, copy) in that order; one WeightWrite programs the copy's PEs on a tile (the same unit as
// its Mvm ops).
template <class Sink>
void Lowering<Sink>::weight_writes(int i, int pass) {
  using arch::Action;
  const LayerPlacement& l = m_.layers[std::size_t(i)];
  const std::size_t c0 = copy_begin_[std::size_t(i)];
  wtiles_.clear();
  if (l.passes > 1) {
    const CopyAgg& cp = copies_[c0 + std::size_t(pass)];
    for (std::size_t ti = cp.begin; ti < cp.end; ++ti) wtiles_.push_back({pool_[ti].tile, 0, ti});
  } else {
    for (int c = 0; c < l.duplication; ++c) {
      const CopyAgg& cp = copies_[c0 + std::size_t(c)];
      for (std::size_t ti = cp.begin; ti < cp.end; ++ti) wtiles_.push_back({pool_[ti].tile, c, ti});
    }
  }
  std::sort(wtiles_.begin(), wtiles_.end(), [](const WeightTile& x, const WeightTile& y) {
    return x.tile != y.tile ? x.tile < y.tile : x.copy < y.copy;
  });
  for (const WeightTile& wt : wtiles_) {
    const TileAgg& tw = pool_[wt.agg];
    if (tw.cells == 0) continue;
    OpDesc r(OpType::DramRead, i, 0, wt.tile, UnitKind::Dram);
    r.bits = tw.cells * s_.device.bits_per_cell;
    r.act(Action::OffchipBit, r.bits);
    if (global_buf_) {
      r.act(Action::GlobalBufWrite, r.bits);
      r.act(Action::GlobalBufRead, r.bits);
    }
    r.act(Action::BusBit, r.bits);
    Deps read{};
    read.add(sink_.emit(r, barrier_));
    OpDesc wr(OpType::WeightWrite, i, 0, wt.tile, UnitKind::Pe);
    wr.pe = tw.pe;
    wr.pe_count = tw.pes;
    wr.count = tw.cells;
    wr.rows = tw.rows_max;
    wr.act(Action::CellWrite, wr.count);
    sink_.emit(wr, read);
  }
}

}  // namespace imc::mapping
