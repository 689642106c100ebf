// The ops of one chunk of the fast walk (see fast_walker.h): mirrors mapping/lower.cpp's transfer,
// gather_inputs, lower_crossbar_chunk, lower_digital_chunk and weight writes, op for op.
#include <algorithm>

#include "sim/analytical/fast_walker.h"

namespace imc::sim::fast {

void Walker::add_dram_staging(int layer, i64 bits, bool to_chip) {
  arch::ActionCounts& a = stats_[std::size_t(layer)].actions;
  a[Action::OffchipBit] += bits;
  if (global_buf_) {
    a[Action::GlobalBufWrite] += bits;
    a[Action::GlobalBufRead] += bits;
  }
  a[to_chip ? Action::TileBufWrite : Action::TileBufRead] += bits;
}

i64 Walker::transfer(int layer, int src, int dst, i64 bits, i64 deps_end, bool via_dram) {
  if (bits <= 0 || (src == dst && !via_dram)) return deps_end;
  if (via_dram) {
    add_dram_staging(layer, bits, false);
    const i64 service = t_.dram_service(bits), occupancy = t_.dram_occupancy(bits);
    const i64 w = exec(layer, unit_dram(), UnitKind::Dram, deps_end, service, occupancy);
    add_dram_staging(layer, bits, true);
    return exec(layer, unit_dram(), UnitKind::Dram, w, service, occupancy);
  }
  const int h = hops(src, dst);
  arch::ActionCounts& a = stats_[std::size_t(layer)].actions;
  a[Action::TileBufRead] += bits;
  a[Action::NocFlitHop] += send_flits(bits) * h;
  const i64 sent = exec(layer, unit_tile(UnitKind::TileNic, src), UnitKind::TileNic, deps_end,
                        t_.send_service(bits, h), t_.send_occupancy(bits));
  a[Action::TileBufWrite] += bits;
  const i64 rv = t_.recv(bits);
  return exec(layer, unit_tile(UnitKind::TileNic, dst), UnitKind::TileNic, sent, rv, rv);
}

void Walker::producer_side(int node, int b, int j) {
  ins_.clear();
  src_.clear();
  const int kc = chunks_[std::size_t(node)];
  for (std::size_t x = in_begin_[std::size_t(node)]; x < in_begin_[std::size_t(node) + 1]; ++x) {
    const InputInfo& ii = inputs_[x];
    const int p = ii.p;
    const int kp = chunks_[std::size_t(p)];
    int lo = j, hi = std::min(j + ii.halo, kp - 1);  // needed_chunk()
    if (kp != kc) {
      lo = int(div_floor(i64(j) * kp, kc));
      hi = std::min(int(div_ceil(i64(j + 1) * kp, kc)) - 1 + ii.halo, kp - 1);
    }
    InputShare is;
    is.bits = share(elem_bits_[std::size_t(ii.in)], j, kc);
    is.via_dram = ii.via_dram;
    is.src_begin = src_.size();
    for (int k = lo; k <= hi; ++k) {
      const int src = out_tile(p, k);
      const i64 e = final_end(b, p, k);
      std::size_t y = is.src_begin;
      while (y < src_.size() && src_[y].first != src) ++y;
      if (y == src_.size())
        src_.emplace_back(src, e);
      else
        src_[y].second = std::max(src_[y].second, e);
    }
    is.src_end = src_.size();
    if (is.src_end - is.src_begin > 1)
      std::sort(src_.begin() + std::ptrdiff_t(is.src_begin), src_.begin() + std::ptrdiff_t(is.src_end));
    ins_.push_back(is);
  }
}

i64 Walker::gather_at(int node, int tile, i64 frac_num, i64 frac_den) {
  i64 ready = barrier_;
  for (const InputShare& is : ins_) {
    const i64 bits =
        frac_num == frac_den ? is.bits : div_floor(is.bits * frac_num, std::max<i64>(1, frac_den));
    const i64 m = i64(is.src_end - is.src_begin);
    for (i64 idx = 0; idx < m; ++idx) {
      const auto [src, deps_end] = src_[is.src_begin + std::size_t(idx)];
      const i64 r = transfer(node, src, tile, m == 1 ? bits : share(bits, idx, m), deps_end, is.via_dram);
      ready = std::max({ready, r, deps_end});
    }
  }
  return ready;
}

void Walker::emit_output_write(int i, int b, int k) {
  const i64 bits = share(elem_bits_[std::size_t(i)], k, chunks_[std::size_t(i)]);
  add_dram_staging(i, bits, false);
  exec(i, unit_dram(), UnitKind::Dram, final_end(b, i, k), t_.dram_service(bits), t_.dram_occupancy(bits));
}

void Walker::lower_input_chunk(int i, int b, int k) {
  const i64 bits = share(elem_bits_[std::size_t(i)], k, chunks_[std::size_t(i)]);
  add_dram_staging(i, bits, true);
  final_end(b, i, k) =
      exec(i, unit_dram(), UnitKind::Dram, barrier_, t_.dram_service(bits), t_.dram_occupancy(bits));
}

const TileAgg& Walker::tile_services(TileAgg& tw, i64 n, int v) {
  if (tw.cached_n[v] == n) return tw;
  tw.cached_n[v] = n;
  tw.load_cycles[v] = t_.tile_load(n * tw.in_rows_sum * ib_);
  tw.acc_cycles[v] = t_.accumulate(n * (tw.pe_outputs - tw.tile_outputs), n * tw.pe_outputs * acc_);
  const i64 bits = n * tw.tile_outputs * acc_;  // partial sums to the home tile
  tw.send_bits[v] = bits;
  tw.send_service[v] = t_.send_service(bits, tw.hops_home);
  tw.send_occupancy[v] = t_.send_occupancy(bits);
  tw.send_flit_hops[v] = send_flits(bits) * tw.hops_home;
  tw.recv_cycles[v] = t_.recv(bits);
  return tw;
}

void Walker::lower_crossbar_chunk(int i, int b, int k, const CopyAgg& w, i64 after) {
  const mapping::LayerPlacement& l = m_.layers[std::size_t(i)];
  const mapping::CrossbarTiling& t = l.tiling;
  const i64 V = vectors_[std::size_t(i)], K = chunks_[std::size_t(i)];
  const i64 n = share(V, k, K);
  const int v = n == div_floor(V, K) ? 0 : 1;
  const i64 total_rows = t.rows * t.groups;
  const int home = pool_[w.begin].tile;
  const i64 slices = t.input_slices;
  arch::ActionCounts& a = stats_[std::size_t(i)].actions;
  producer_side(i, b, k);
  LayerStats& st = stats_[std::size_t(i)];
  // The common case: one input, held by one tile, on chip; its transfer to each tile is cached.
  const bool one_source = ins_.size() == 1 && src_.size() == 1 && !ins_[0].via_dram;
  const int src = one_source ? src_[0].first : -1;
  const i64 src_end = one_source ? src_[0].second : 0, share_bits = one_source ? ins_[0].bits : 0;
  const int src_nic = one_source ? unit_tile(UnitKind::TileNic, src) : 0;
  i64 in_bits = 0, in_flit_hops = 0;  // actions of those transfers
  tile_done_.resize(w.end - w.begin);
  for (std::size_t ti = w.begin; ti < w.end; ++ti) {
    TileAgg& tw = pool_[ti];
    tile_services(tw, n, v);
    i64 ready;
    if (one_source) {
      ready = std::max(barrier_, src_end);
      if (src != tw.tile) {
        const int slot = int(share_bits & 1);  // a layer's chunk shares differ by at most one
        if (tw.in_key[slot] != share_bits || tw.in_src[slot] != src) {
          tw.in_key[slot] = share_bits;
          tw.in_src[slot] = src;
          const i64 bits = tw.tile_in_rows == total_rows
                               ? share_bits
                               : div_floor(share_bits * tw.tile_in_rows, std::max<i64>(1, total_rows));
          const int h = hops(src, tw.tile);
          tw.in_bits[slot] = bits;
          tw.in_flit_hops[slot] = bits > 0 ? send_flits(bits) * h : 0;
          tw.in_send_service[slot] = t_.send_service(bits, h);
          tw.in_send_occupancy[slot] = t_.send_occupancy(bits);
          tw.in_recv[slot] = t_.recv(bits);
        }
        if (tw.in_bits[slot] > 0) {
          in_bits += tw.in_bits[slot];
          in_flit_hops += tw.in_flit_hops[slot];
          const i64 sent = exec(st, src_nic, UnitKind::TileNic, src_end, tw.in_send_service[slot],
                                tw.in_send_occupancy[slot]);
          ready = std::max(
              ready, exec(st, tw.unit_nic, UnitKind::TileNic, sent, tw.in_recv[slot], tw.in_recv[slot]));
        }
      }
    } else {
      ready = gather_at(i, tw.tile, tw.tile_in_rows, total_rows);
    }
    const i64 loaded = exec(st, tw.unit_bus, UnitKind::TileBus, ready, tw.load_cycles[v], tw.load_cycles[v]);
    const i64 mvm_cycles = n == 0 ? 0 : tw.mvm_base + n * tw.mvm_per_vector;
    const i64 computed = exec(st, tw.unit_pe, UnitKind::Pe, loaded, mvm_cycles, mvm_cycles);
    tile_done_[ti - w.begin] =
        exec(st, tw.unit_acc, UnitKind::TileAccumulator, computed, tw.acc_cycles[v], tw.acc_cycles[v]);
  }
  // Actions of the TileLoad, Mvm and Accumulate ops over all tiles (linear in n).
  const i64 in_rows = w.in_rows_sum, dac = w.dac_drives, xbar_reads = w.xbar_reads, cells = w.cells,
            col_reads = w.col_reads, merges = w.merges_sum, pe_outputs = w.pe_outputs,
            tile_outputs = w.tile_outputs_sum;
  a[Action::TileBufRead] += in_bits;
  a[Action::NocFlitHop] += in_flit_hops;
  a[Action::TileBufWrite] += in_bits;
  const i64 load_bits = n * in_rows * ib_;
  a[Action::TileBufRead] += load_bits;
  a[Action::BusBit] += load_bits;
  a[Action::PeInBufWrite] += load_bits;
  a[Action::PeInBufRead] += load_bits;
  a[Action::DacDrive] += n * slices * dac;
  a[Action::XbarRead] += n * slices * xbar_reads;
  a[Action::XbarCellRead] += n * slices * cells;
  if (s_.pe.sample_hold) a[Action::SampleHold] += n * slices * col_reads;
  a[Action::AdcConversion] += n * slices * col_reads;
  a[Action::PeShiftAdd] += n * slices * col_reads + n * merges;
  a[Action::PeOutBufWrite] += n * pe_outputs * acc_;
  a[Action::PeOutBufRead] += n * pe_outputs * acc_;
  a[Action::BusBit] += n * pe_outputs * acc_;
  a[Action::TileAccumulate] += n * (pe_outputs - tile_outputs);
  a[Action::TileOutBufWrite] += n * tile_outputs * acc_;
  // Partial sums of the other tiles go to the home tile, which finishes the outputs.
  i64 ready = std::max(tile_done_[0], after);
  const int home_nic = pool_[w.begin].unit_nic;
  i64 sent_bits = 0, sent_flit_hops = 0;
  for (std::size_t ti = w.begin + 1; ti < w.end; ++ti) {
    const TileAgg& tw = pool_[ti];
    sent_bits += tw.send_bits[v];
    sent_flit_hops += tw.send_flit_hops[v];
    const i64 sent = exec(st, tw.unit_nic, UnitKind::TileNic, tile_done_[ti - w.begin], tw.send_service[v],
                          tw.send_occupancy[v]);
    ready =
        std::max(ready, exec(st, home_nic, UnitKind::TileNic, sent, tw.recv_cycles[v], tw.recv_cycles[v]));
  }
  a[Action::TileOutBufRead] += sent_bits;
  a[Action::NocFlitHop] += sent_flit_hops;
  a[Action::TileOutBufWrite] += sent_bits;
  const i64 outputs = n * w.total_outputs;
  const i64 fin_count = n * (w.tile_outputs_sum - w.total_outputs) + (offset_scheme_ ? outputs : 0);
  a[Action::TileAccumulate] += fin_count;
  a[Action::TileOutBufRead] += n * w.tile_outputs_sum * acc_;
  a[Action::TileBufWrite] += outputs * ib_;
  const i64 fin_cycles = t_.accumulate(fin_count, 0);
  final_end(b, i, k) = exec(st, unit_tile(UnitKind::TileAccumulator, home), UnitKind::TileAccumulator, ready,
                            fin_cycles, fin_cycles);
  out_tile(i, k) = home;
}

void Walker::lower_digital_chunk(int i, int b, int k) {
  const workloads::Node& nd = g_.node(i);
  const int K = chunks_[std::size_t(i)];
  const int tile = home_[std::size_t(i)];
  // Usually every producer chunk it reads is on its own tile (nothing moves): then it waits
  // for them only; otherwise the full gather.
  i64 ready = barrier_;
  const int kc = K;
  for (std::size_t x = in_begin_[std::size_t(i)]; x < in_begin_[std::size_t(i) + 1] && ready >= 0; ++x) {
    const InputInfo& ii = inputs_[x];
    const int kp = chunks_[std::size_t(ii.p)];
    int lo = k, hi = std::min(k + ii.halo, kp - 1);
    if (kp != kc) {
      lo = int(div_floor(i64(k) * kp, kc));
      hi = std::min(int(div_ceil(i64(k + 1) * kp, kc)) - 1 + ii.halo, kp - 1);
    }
    if (ii.via_dram) ready = -1;
    for (int c = lo; c <= hi && ready >= 0; ++c)
      ready = out_tile(ii.p, c) == tile ? std::max(ready, final_end(b, ii.p, c)) : -1;
  }
  if (ready < 0) {
    producer_side(i, b, k);
    ready = gather_at(i, tile, 1, 1);
  }
  const i64 count = share(digital_ops_[std::size_t(i)], k, K);
  const DigitalKind& d = digital_[std::size_t(i)];
  LayerStats& st = stats_[std::size_t(i)];
  st.actions[d.act] += count;
  i64 in_bits = 0;
  for (int in : nd.inputs) in_bits += share(elem_bits_[std::size_t(in)], k, K);
  st.actions[Action::TileBufRead] += in_bits;
  st.actions[Action::TileBufWrite] += share(elem_bits_[std::size_t(i)], k, K);
  const i64 cycles = digital_cycles(count, d.units);
  final_end(b, i, k) = exec(st, unit_tile(d.unit, tile), d.unit, ready, cycles, cycles);
  out_tile(i, k) = tile;
}

void Walker::emit_weight_writes(int i, int pass) {
  const mapping::LayerPlacement& l = m_.layers[std::size_t(i)];
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
    std::sort(wtiles_.begin(), wtiles_.end(), [](const WTile& x, const WTile& y) {
      return x.tile != y.tile ? x.tile < y.tile : x.copy < y.copy;
    });
  }
  arch::ActionCounts& a = stats_[std::size_t(i)].actions;
  for (const WTile& wt : wtiles_) {
    const TileAgg& tw = pool_[wt.agg];
    if (tw.cells == 0) continue;
    const i64 bits = tw.cells * s_.device.bits_per_cell;
    a[Action::OffchipBit] += bits;
    if (global_buf_) {
      a[Action::GlobalBufWrite] += bits;
      a[Action::GlobalBufRead] += bits;
    }
    a[Action::BusBit] += bits;
    const i64 read =
        exec(i, unit_dram(), UnitKind::Dram, barrier_, t_.dram_service(bits), t_.dram_occupancy(bits));
    a[Action::CellWrite] += tw.cells;
    const i64 cycles = t_.weight_write(tw.rows_max);
    exec(i, tw.unit_pe, UnitKind::Pe, read, cycles, cycles);
  }
}

}  // namespace imc::sim::fast
