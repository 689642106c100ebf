// lower(): a mapping -> the Program of ops both performance models execute (see program.h).
//
// Every node's output is cut into chunks of its vectors (output pixels or tokens). For each
// inference and chunk, a crossbar layer: receives its input share from the tiles holding the
// producer chunks it needs (Send/Recv, or DRAM across reload groups), loads it over each tile's bus
// into the PEs (TileLoad), runs the crossbars (Mvm per PE), adds partial sums of row blocks within
// each tile (Accumulate) and across tiles at the copy's home tile (Send/Recv + Accumulate), and
// leaves the requantized outputs in the home tile's buffer. Digital nodes run on one tile's units.
// Copies (duplication) take chunks round-robin.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include "common/config.h"
#include "mapping/geometry.h"
#include "mapping/mapping.h"

namespace imc::mapping {
namespace {

using arch::Action;
using workloads::OpKind;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
// The k-th of K near-equal integer parts of `total` (the parts sum to total exactly).
std::int64_t share(std::int64_t total, std::int64_t k, std::int64_t K) { return total * (k + 1) / K - total * k / K; }

std::int64_t vectors_of(const std::vector<std::int64_t>& shape) {
  if (shape.size() <= 1) return 1;
  if (shape.size() == 3) return shape[1] * shape[2];  // [C, H, W]: one vector per pixel
  std::int64_t v = 1;                                  // [.., tokens, features]
  for (std::size_t i = 0; i + 1 < shape.size(); ++i) v *= shape[i];
  return v;
}

// Per-PE and per-tile structure of one copy of a crossbar layer.
struct PeWork {
  int tile = 0, pe = 0;
  std::int64_t in_rows = 0;       // distinct input rows its crossbars read
  std::int64_t partials = 0;      // partial sums produced per vector (sum of logical columns)
  std::int64_t outputs = 0;       // distinct outputs per vector after PE-level adds
  std::int64_t macs = 0;          // per vector
  std::int64_t cells_read = 0;    // per read step over its crossbars (rows x phys cols)
  std::int64_t dac_drives = 0;    // per slice
  std::int64_t phys_cols = 0;     // per slice
  std::int64_t xbars = 0;
  int reads_per_slice = 1;
  int cols_per_adc_used = 1;
};
struct TileWork {
  int tile = 0;
  std::vector<int> pes;          // indices into CopyWork::pes
  std::int64_t in_rows = 0;      // distinct rows of its crossbars (for its share of the input)
  std::int64_t pe_outputs = 0;   // sum over its PEs of distinct outputs
  std::int64_t outputs = 0;      // distinct outputs of the tile
};
struct CopyWork {
  std::vector<PeWork> pes;
  std::vector<TileWork> tiles;  // tiles[0] is home
  std::int64_t total_outputs = 0;
  std::int64_t tile_outputs_sum = 0;
};

class Lowerer {
 public:
  Lowerer(const arch::ArchSpec& s, const workloads::Graph& g, const Mapping& m) : s_(s), g_(g), m_(m) {}

  Program run() {
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

    for (int grp = 0; grp < m_.reload_groups; ++grp) {
      if (m_.reload_groups > 1) emit_weight_reload(grp);
      std::vector<int> nodes;
      bool has_passes = false;
      for (int i = 0; i < n; ++i)
        if (m_.layers[i].reload_group == grp && alias_[i] < 0) {
          nodes.push_back(i);
          has_passes |= m_.layers[i].passes > 1;
        }
      if (nodes.empty()) continue;
      for (int b = 0; b < p_.batch; ++b) {
        if (p_.schedule == "wavefront" && !has_passes)
          lower_group_pipelined(nodes, b);
        else
          for (int i : nodes) lower_node(i, b);
      }
    }
    fill_layer_info();
    return std::move(p_);
  }

 private:
  bool is_free(int i) const {
    const workloads::Node& nd = g_.node(i);
    if (nd.op == OpKind::Reshape) return true;
    if (nd.op == OpKind::BatchNorm && !nd.inputs.empty()) {
      const OpKind prev = g_.node(nd.inputs[0]).op;
      return prev == OpKind::Conv2d || prev == OpKind::Linear;  // folded into the weights
    }
    return false;
  }
  int resolve(int i) const { return alias_[i] >= 0 ? alias_[i] : i; }

  void prepare_node(int i) {
    const workloads::Node& nd = g_.node(i);
    if (is_free(i)) {
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

  CopyWork build_copy(const LayerPlacement& l, int copy, int pass) const {
    const std::int64_t offset = std::int64_t(pass) * l.crossbars_per_pass;
    CopyWork w;
    const CrossbarTiling& t = l.tiling;
    // Distinct input rows (group set, row block) and outputs (group set, column block) seen by
    // each PE, each tile and the whole copy, marked with stamps instead of sets (hot path).
    const std::size_t n_rows = std::size_t(t.group_sets * t.row_blocks), n_outs = std::size_t(t.group_sets * t.col_blocks);
    std::vector<int> pe_row(n_rows, -1), pe_out(n_outs, -1), tile_row(n_rows, -1), tile_out(n_outs, -1);
    std::vector<char> any_out(n_outs, 0);
    int pe_stamp = 0;
    for (const auto& slot : l.pes) {
      if (slot.copy != copy) continue;
      const std::int64_t last = std::min(offset + slot.first_crossbar + slot.crossbars, t.crossbars);
      if (offset + slot.first_crossbar >= last) continue;  // the last pass may use fewer PEs
      if (w.tiles.empty() || w.tiles.back().tile != slot.tile) w.tiles.push_back(TileWork{slot.tile, {}, 0, 0, 0});
      TileWork& tw = w.tiles.back();
      const int tile_stamp = int(w.tiles.size()) - 1;
      PeWork pw;
      pw.tile = slot.tile;
      pw.pe = slot.pe;
      ++pe_stamp;
      for (std::int64_t x = offset + slot.first_crossbar; x < last; ++x) {
        const XbarBlock b = block_of(t, s_, x);
        const std::size_t r = std::size_t(b.group_set * t.row_blocks + b.row_block);
        const std::size_t o = std::size_t(b.group_set * t.col_blocks + b.col_block);
        if (pe_row[r] != pe_stamp) pe_row[r] = pe_stamp, pw.in_rows += b.rows;
        if (pe_out[o] != pe_stamp) pe_out[o] = pe_stamp, pw.outputs += b.logical_cols;
        if (tile_row[r] != tile_stamp) tile_row[r] = tile_stamp, tw.in_rows += b.rows;
        if (tile_out[o] != tile_stamp) tile_out[o] = tile_stamp, tw.outputs += b.logical_cols;
        if (!any_out[o]) any_out[o] = 1, w.total_outputs += b.logical_cols;
        pw.partials += b.logical_cols;
        pw.macs += b.macs_per_vector;
        pw.cells_read += b.rows * b.phys_cols;
        pw.dac_drives += b.rows;
        pw.phys_cols += b.phys_cols;
        pw.xbars++;
        pw.reads_per_slice = std::max<int>(pw.reads_per_slice, int(ceil_div(b.rows, s_.crossbar.active_rows())));
        pw.cols_per_adc_used = std::max<int>(
            pw.cols_per_adc_used, int(std::min<std::int64_t>(s_.adc.cols_per_adc, b.phys_cols)));
      }
      tw.pes.push_back(int(w.pes.size()));
      tw.pe_outputs += pw.outputs;
      w.pes.push_back(pw);
    }
    for (const auto& tw : w.tiles) w.tile_outputs_sum += tw.outputs;
    return w;
  }

  int hops(int a, int b) const {
    return std::abs(p_.router_x(a) - p_.router_x(b)) + std::abs(p_.router_y(a) - p_.router_y(b)) + 1;
  }

  int emit(Op op) {
    for (int d : op.deps)
      if (d < 0 || d >= int(p_.ops.size())) throw std::logic_error("lower: dependency on a later op");
    std::sort(op.deps.begin(), op.deps.end());
    op.deps.erase(std::unique(op.deps.begin(), op.deps.end()), op.deps.end());
    p_.ops.push_back(std::move(op));
    return int(p_.ops.size()) - 1;
  }

  Op make(OpType type, int layer, int b, int tile, UnitKind unit) const {
    Op op;
    op.type = type;
    op.layer = layer;
    op.batch = b;
    op.tile = tile;
    op.unit = unit;
    return op;
  }

  void add_dram_staging(Op& op, std::int64_t bits, bool to_chip) const {
    op.actions[Action::OffchipBit] += bits;
    if (s_.global.buffer.capacity_bytes > 0) {
      op.actions[Action::GlobalBufWrite] += bits;
      op.actions[Action::GlobalBufRead] += bits;
    }
    op.actions[to_chip ? Action::TileBufWrite : Action::TileBufRead] += bits;
  }

  // Moves `bits` from tile `src` to tile `dst` for `layer`; returns the op whose completion makes
  // the data available at dst (or the given producer op when src == dst).
  int transfer(int layer, int b, int src, int dst, std::int64_t bits, std::vector<int> deps, bool via_dram) {
    if (bits <= 0 || (src == dst && !via_dram)) return deps.empty() ? -1 : *std::max_element(deps.begin(), deps.end());
    if (via_dram) {
      Op w = make(OpType::DramWrite, layer, b, src, UnitKind::Dram);
      w.bits = bits;
      add_dram_staging(w, bits, false);
      w.deps = std::move(deps);
      const int wid = emit(std::move(w));
      Op r = make(OpType::DramRead, layer, b, dst, UnitKind::Dram);
      r.bits = bits;
      add_dram_staging(r, bits, true);
      r.deps = {wid};
      return emit(std::move(r));
    }
    Op send = make(OpType::Send, layer, b, src, UnitKind::TileNic);
    send.bits = bits;
    send.dst_tile = dst;
    send.hops = hops(src, dst);
    send.actions[Action::TileBufRead] += bits;
    send.actions[Action::NocFlitHop] += send_flits(bits) * send.hops;
    send.deps = std::move(deps);
    const int sid = emit(std::move(send));
    Op recv = make(OpType::Recv, layer, b, dst, UnitKind::TileNic);
    recv.bits = bits;
    recv.actions[Action::TileBufWrite] += bits;
    recv.deps = {sid};
    return emit(std::move(recv));
  }

  std::int64_t send_flits(std::int64_t bits) const {
    const std::int64_t payload = ceil_div(bits, s_.noc.flit_bits);
    return payload + ceil_div(payload, s_.noc.packet_payload_flits);
  }

  // Ops that make consumer chunk j's share of every input available at `tile`; `fraction` (num/den)
  // of the share is needed there (the rows its crossbars hold).
  std::vector<int> gather_inputs(int node, int b, int j, int tile, std::int64_t frac_num, std::int64_t frac_den) {
    std::vector<int> ready;
    const workloads::Node& nd = g_.node(node);
    const int kc = chunks_[node];
    for (int in : nd.inputs) {
      const int p = resolve(in);
      const int kp = chunks_[p];
      const int lo = int(std::int64_t(j) * kp / kc);
      const int hi = needed_chunk(node, j, p);
      const std::int64_t bits = share(g_.elements(in) * ib_, j, kc) * frac_num / std::max<std::int64_t>(1, frac_den);
      const bool via_dram = m_.layers[p].reload_group != m_.layers[node].reload_group;
      // Source tiles of producer chunks lo..hi, each sending an equal part.
      std::map<int, std::vector<int>> by_tile;
      for (int k = lo; k <= hi; ++k) by_tile[out_tile_[p][std::size_t(k)]].push_back(final_[b][p][std::size_t(k)]);
      std::int64_t part = 0, idx = 0;
      for (auto& [src, deps] : by_tile) {
        const std::int64_t bits_here = share(bits, idx++, std::int64_t(by_tile.size()));
        part += bits_here;
        const int r = transfer(node, b, src, tile, bits_here, deps, via_dram);
        if (r >= 0) ready.push_back(r);
        for (int d : deps) ready.push_back(d);
      }
    }
    for (int d : barrier_) ready.push_back(d);
    return ready;
  }

  void begin_node(int i, int b) {
    final_[b][i].assign(std::size_t(chunks_[i]), -1);
    if (out_tile_[i].empty()) out_tile_[i].assign(std::size_t(chunks_[i]), std::max(0, home_[i]));
  }

  // One chunk of a node (not a multi-pass layer), and its write-back when it is a network output.
  void emit_chunk(int i, int b, int k) {
    const workloads::Node& nd = g_.node(i);
    if (nd.op == OpKind::Input) {
      lower_input_chunk(i, b, k);
      return;
    }
    if (m_.layers[i].on_crossbars)
      lower_crossbar_chunk(i, b, k, copies_[i][std::size_t(k % m_.layers[i].duplication)], -1);
    else
      lower_digital_chunk(i, b, k);
    if (consumers_[i].empty()) emit_output_write(i, b, k);
  }

  // A network output chunk goes back to DRAM.
  void emit_output_write(int i, int b, int k) {
    Op w = make(OpType::DramWrite, i, b, out_tile_[i][std::size_t(k)], UnitKind::Dram);
    w.bits = share(g_.elements(i) * ib_, k, chunks_[i]);
    add_dram_staging(w, w.bits, false);
    w.deps = {final_[b][i][std::size_t(k)]};
    emit(std::move(w));
  }

  // Pipeline and layer schedules (and layers larger than the chip): all chunks of a node, then the
  // next node; the layer schedule also makes each node wait for the previous one to finish.
  void lower_node(int i, int b) {
    if (alias_[i] >= 0) return;
    begin_node(i, b);
    if (m_.layers[i].on_crossbars && m_.layers[i].passes > 1) {
      // Per pass, program that part of the weights, then run every chunk through it; a chunk is
      // done when its last pass is.
      for (int pass = 0; pass < m_.layers[i].passes; ++pass) {
        emit_weight_writes(i, pass);
        for (int k = 0; k < chunks_[i]; ++k)
          lower_crossbar_chunk(i, b, k, copies_[i][std::size_t(pass)], final_[b][i][std::size_t(k)]);
      }
      if (consumers_[i].empty())
        for (int k = 0; k < chunks_[i]; ++k) emit_output_write(i, b, k);
    } else {
      for (int k = 0; k < chunks_[i]; ++k) emit_chunk(i, b, k);
    }
    if (p_.schedule == "layer") barrier_ = final_[b][i];
  }

  // Wavefront schedule: like pipeline, but chunks are emitted round-robin over the nodes, each
  // emitting its next chunk as soon as the producer chunks it needs exist, so the in-order unit
  // streams of a tile interleave the layers it hosts (a layer's later chunks do not queue ahead of
  // the next layer's first ones; see docs/systemc.md for when each order is faster).
  void lower_group_pipelined(const std::vector<int>& nodes, int b) {
    std::vector<int> next(std::size_t(g_.size()), 0);
    for (int i : nodes) begin_node(i, b);
    auto emitted = [&](int p) {  // chunks of producer p that exist for batch b
      if (m_.layers[p].reload_group != m_.layers[nodes.front()].reload_group) return chunks_[p];
      return next[std::size_t(p)];
    };
    bool progress = true;
    while (progress) {
      progress = false;
      for (int i : nodes) {
        const int k = next[std::size_t(i)];
        if (k >= chunks_[i]) continue;
        bool ready = true;
        for (int in : g_.node(i).inputs) {
          const int p = resolve(in);
          if (emitted(p) <= needed_chunk(i, k, p)) ready = false;
        }
        if (!ready) continue;
        emit_chunk(i, b, k);
        next[std::size_t(i)]++;
        progress = true;
      }
    }
    for (int i : nodes)
      if (next[std::size_t(i)] != chunks_[i]) throw std::logic_error("lower: pipelined emission stalled");
  }

  // The last chunk of producer p that chunk j of node i reads (see gather_inputs).
  int needed_chunk(int i, int j, int p) const {
    const workloads::Node& nd = g_.node(i);
    const bool halo = (nd.op == OpKind::Conv2d || nd.op == OpKind::MaxPool || nd.op == OpKind::AvgPool) &&
                      (nd.kernel_h > 1 || nd.kernel_w > 1);
    const int kc = chunks_[i], kp = chunks_[p];
    const int hi = int(ceil_div(std::int64_t(j + 1) * kp, kc)) - 1 + (halo ? 1 : 0);
    return std::min(hi, kp - 1);
  }

  void lower_input_chunk(int i, int b, int k) {
    Op r = make(OpType::DramRead, i, b, std::max(0, home_[i]), UnitKind::Dram);
    r.bits = share(g_.elements(i) * ib_, k, chunks_[i]);
    add_dram_staging(r, r.bits, true);
    r.deps = barrier_;
    final_[b][i][std::size_t(k)] = emit(std::move(r));
  }

  // `after`: an op the chunk's result must also wait for (the previous pass), or -1.
  void lower_crossbar_chunk(int i, int b, int k, const CopyWork& w, int after) {
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
    const bool offset = s_.crossbar.signed_scheme == "offset";
    fin.count = n * (w.tile_outputs_sum - w.total_outputs) + (offset ? outputs : 0);
    fin.actions[Action::TileAccumulate] += fin.count;
    fin.actions[Action::TileOutBufRead] += n * w.tile_outputs_sum * acc_;
    fin.actions[Action::TileBufWrite] += outputs * ib_;
    fin.deps = deps;
    final_[b][i][std::size_t(k)] = emit(std::move(fin));
    out_tile_[i][std::size_t(k)] = home;
  }

  void lower_digital_chunk(int i, int b, int k) {
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

  void emit_weight_reload(int grp) {
    for (int i = 0; i < g_.size(); ++i) {
      const LayerPlacement& l = m_.layers[i];
      if (l.on_crossbars && l.reload_group == grp && l.passes == 1) emit_weight_writes(i, 0);
    }
  }

  // Weights of layer i (pass `pass`) from DRAM over each tile's bus into its PEs' cells.
  void emit_weight_writes(int i, int pass) {
    const LayerPlacement& l = m_.layers[i];
    const std::int64_t offset = std::int64_t(pass) * l.crossbars_per_pass;
    // Per (tile, copy): the PEs one Mvm op covers.
    std::map<std::pair<int, int>, std::vector<const LayerPlacement::PeSlot*>> by_tile;
    for (const auto& slot : l.pes) by_tile[{slot.tile, slot.copy}].push_back(&slot);
    for (auto& [key, slots] : by_tile) {
      const int tile = key.first;
      std::int64_t cells = 0;
      std::vector<std::tuple<int, std::int64_t, int>> per_pe;  // pe, cells, rows
      for (const auto* slot : slots) {
        std::int64_t c = 0;
        int rows = 0;
        const std::int64_t last = std::min(offset + slot->first_crossbar + slot->crossbars, l.tiling.crossbars);
        for (std::int64_t x = offset + slot->first_crossbar; x < last; ++x) {
          const XbarBlock blk = block_of(l.tiling, s_, x);
          c += blk.rows * blk.phys_cols;
          rows = std::max<int>(rows, int(blk.rows));
        }
        if (c == 0) continue;
        cells += c;
        per_pe.emplace_back(slot->pe, c, rows);
      }
      if (cells == 0) continue;
      Op r = make(OpType::DramRead, i, 0, tile, UnitKind::Dram);
      r.bits = cells * s_.device.bits_per_cell;
      r.actions[Action::OffchipBit] += r.bits;
      if (s_.global.buffer.capacity_bytes > 0) {
        r.actions[Action::GlobalBufWrite] += r.bits;
        r.actions[Action::GlobalBufRead] += r.bits;
      }
      r.actions[Action::BusBit] += r.bits;
      r.deps = barrier_;
      const int rid = emit(std::move(r));
      // One op programs the layer's PEs on this tile (the same unit as its Mvm ops).
      Op wr = make(OpType::WeightWrite, i, 0, tile, UnitKind::Pe);
      wr.pe = std::get<0>(per_pe.front());
      wr.pe_count = int(per_pe.size());
      for (const auto& [pe, c, rows] : per_pe) {
        wr.count += c;
        wr.rows = std::max(wr.rows, rows);
      }
      wr.actions[Action::CellWrite] += wr.count;
      wr.deps = {rid};
      emit(std::move(wr));
    }
  }

  void fill_layer_info() {
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

  const arch::ArchSpec& s_;
  const workloads::Graph& g_;
  const Mapping& m_;
  Program p_;
  int ib_ = 8, acc_ = 24;
  std::vector<std::vector<int>> consumers_;
  std::vector<int> chunks_, alias_, home_;
  std::vector<std::int64_t> vectors_;
  std::vector<std::vector<CopyWork>> copies_;
  std::vector<std::vector<std::vector<int>>> final_;  // [batch][node][chunk] -> op
  std::vector<std::vector<int>> out_tile_;            // [node][chunk] -> tile holding it
  std::vector<int> barrier_;                          // layer schedule: the previous layer's final ops
};

}  // namespace

Program lower(const arch::ArchSpec& spec, const workloads::Graph& graph, const Mapping& mapping) {
  return Lowerer(spec, graph, mapping).run();
}

}  // namespace imc::mapping
