// The lowering, written once: a mapping -> ops, each handed to a sink as it is emitted.
//
// Every node's output is cut into chunks of its vectors (output pixels or tokens). For each
// inference and chunk, a crossbar layer: receives its input share from the tiles holding the
// producer chunks it needs (Send/Recv, or DRAM across reload groups), loads it over each tile's bus
// into the PEs (TileLoad), runs the crossbars (Mvm, one op for the copy's PEs on the tile),
// adds partial sums of row blocks within each tile (Accumulate) and across tiles at the copy's home
// tile (Send/Recv + Accumulate), and leaves the requantized outputs in the home tile's buffer.
// Digital nodes run on one tile's units. Copies (duplication) take chunks round-robin. The order
// of emission is emission.h's, the per-tile crossbar figures copy_aggregates.h's.
//
// A Sink decides what an emitted op becomes:
//   using Ref = ...;                          what refers to an emitted op
//   static Ref none();                        no op (a chunk not emitted yet)
//   struct Deps { void add(Ref); void add(const Deps&); void clear(); };
//   Ref emit(const OpDesc& op, const Deps& deps);
// mapping::lower() (lower.cpp) appends to a Program (Ref: op id, Deps: its list); the analytical
// walk (sim/analytical/walk_sink.h) times each op on the spot (Ref: its end cycle, Deps: the max;
// it caches service times by OpDesc::memo). The sink is a template parameter so that the walk's
// per-op step is inlined. tests/analytical holds the two sinks' reports equal.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "arch/actions.h"
#include "arch/spec.h"
#include "mapping/copy_aggregates.h"
#include "mapping/emission.h"
#include "mapping/int_math.h"
#include "mapping/mapping.h"
#include "mapping/program.h"
#include "workloads/graph.h"

namespace imc::mapping {

// One op as the lowering emits it: mapping::Op's fields but the dependencies (the sink's Deps)
// and the actions, a short list of (action, count) instead of a full ActionCounts (an op does at
// most a dozen kinds of action; the walk adds only those).
struct OpDesc {
  OpType type = OpType::Mvm;
  int layer = -1, batch = 0, tile = 0, pe = -1, pe_count = 1;
  UnitKind unit = UnitKind::Pe;
  DigitalUnit digital_unit = DigitalUnit::Vector;
  std::int64_t vectors = 0;
  int slices = 1, reads_per_slice = 1, cols_per_adc_used = 1;
  std::int64_t merges_per_vector = 0, count = 0;
  int rows = 0;
  std::int64_t bits = 0;
  int dst_tile = -1, hops = 0;
  std::int64_t crossbar_macs = 0, digital_macs = 0;
  // A memo slot and key for a sink that times ops: ops emitted with the same slot and key are the
  // same op but for their place in time (same type, unit kind and work quantities), so a sink may
  // cache their service and occupancy. The lowering sets them where ops repeat: the slot by where
  // the op is (a copy tile's op: memo_slot() below; a node's chunk op: Lowering::node_memo())
  // and which of two sizes it has (a layer's chunks have two), the key by what its work is a
  // function of there (the chunk's vectors, an input transfer's share and source tile, a
  // count or bits). -1: none.
  enum MemoRole {
    kLoad,
    kMvm,
    kAccumulate,
    kPartialSend,
    kPartialRecv,
    kInputSend,
    kInputRecv,
    kFinalAccumulate,
    kMemoRoles
  };
  static int memo_slot(int agg, MemoRole role, int variant) {
    return (agg * 2 + variant) * kMemoRoles + role;
  }
  int memo = -1;
  std::int64_t memo_key = 0;

  struct Acted {
    arch::Action action;
    std::int64_t n;
  };
  static constexpr int kMaxActions = 8;  // an Mvm's
  int n_actions = 0;
  std::array<Acted, kMaxActions> actions;  // [0, n_actions) are set (not zeroed: the hot path)
  void act(arch::Action a, std::int64_t n) { actions[std::size_t(n_actions++)] = {a, n}; }

  OpDesc(OpType t, int layer_, int b, int tile_, UnitKind u)
      : type(t), layer(layer_), batch(b), tile(tile_), unit(u) {}
};

template <class Sink>
class Lowering {
 public:
  using Ref = typename Sink::Ref;
  using Deps = typename Sink::Deps;

  Lowering(const arch::ArchSpec& s, const workloads::Graph& g, const Mapping& m, Sink& sink)
      : s_(s), g_(g), m_(m), sink_(sink), builder_(s) {}

  // Emits every op of the mapping into the sink, in emission.h's order.
  void run();

  // After run(): the tile a node runs on (a digital node) or is homed at (a crossbar layer).
  int home_tile(int i) const { return std::max(0, home_[std::size_t(resolve(i))]); }
  // Cells holding weights at one time (copy_aggregates.h).
  std::int64_t resident_cells(int i) { return builder_.resident_cells(m_.layers[std::size_t(i)]); }
  // Cells holding weights in the fullest reload group (one group is resident at a time): the
  // chip's used cells, for its utilization.
  std::int64_t fullest_group_cells() {
    std::vector<std::int64_t> group_cells(std::size_t(m_.reload_groups), 0);
    for (int i = 0; i < g_.size(); ++i)
      if (m_.layers[std::size_t(i)].on_crossbars)
        group_cells[std::size_t(m_.layers[std::size_t(i)].reload_group)] += resident_cells(i);
    return *std::max_element(group_cells.begin(), group_cells.end());
  }

  // ---- The emitter interface of emit_in_order() (mapping/emission.h) ----
  int chunks(int i) const { return chunks_[std::size_t(i)]; }
  int resolve(int i) const { return alias_[std::size_t(i)] >= 0 ? alias_[std::size_t(i)] : i; }
  bool aliased(int i) const { return alias_[std::size_t(i)] >= 0; }
  bool has_consumer(int i) const { return has_consumer_[std::size_t(i)] != 0; }
  void weight_writes(int i, int pass);
  void begin_node(int i, int b) {
    for (int k = 0; k < chunks(i); ++k) set_final(b, i, k, Sink::none());
    if (!out_tile_set_[std::size_t(i)]) {
      out_tile_set_[std::size_t(i)] = 1;
      for (int k = 0; k < chunks(i); ++k) out_tile(i, k) = std::max(0, home_[std::size_t(i)]);
    }
  }
  void input_chunk(int i, int b, int k);
  void crossbar_chunk(int i, int b, int k) {
    const std::size_t c =
        copy_begin_[std::size_t(i)] + std::size_t(k % m_.layers[std::size_t(i)].duplication);
    lower_crossbar_chunk(i, b, k, copies_[c], nullptr);
  }
  // A layer larger than the chip: a chunk's pass waits for its previous pass.
  void pass_chunk(int i, int b, int k, int pass) {
    const Ref previous = final_ref(b, i, k);
    lower_crossbar_chunk(i, b, k, copies_[copy_begin_[std::size_t(i)] + std::size_t(pass)],
                         pass > 0 ? &previous : nullptr);
  }
  void digital_chunk(int i, int b, int k);
  void output_write(int i, int b, int k);
  void layer_barrier(int i, int b) {
    barrier_.clear();
    for (int k = 0; k < chunks(i); ++k) barrier_.add(final_ref(b, i, k));
  }

 private:
  void prepare_node(int i);

  // The memo slot (OpDesc::memo) of node i's chunk op of the given kind, after the tiles' slots.
  enum NodeMemoRole { kDigitalOp, kInputRead, kOutputWrite, kNodeMemoRoles };
  int node_memo(int i, NodeMemoRole role, std::int64_t key) const {
    return node_memo_base_ + (i * 2 + int(key & 1)) * kNodeMemoRoles + role;
  }

  Ref final_ref(int b, int i, int k) const {
    return final_[std::size_t(b) * total_chunks_ + chunk_off_[std::size_t(i)] + std::size_t(k)];
  }
  void set_final(int b, int i, int k, Ref r) {
    final_[std::size_t(b) * total_chunks_ + chunk_off_[std::size_t(i)] + std::size_t(k)] = r;
  }
  int& out_tile(int i, int k) { return out_tile_[chunk_off_[std::size_t(i)] + std::size_t(k)]; }
  int hops(int a, int b) const {
    return std::abs(rx_[std::size_t(a)] - rx_[std::size_t(b)]) +
           std::abs(ry_[std::size_t(a)] - ry_[std::size_t(b)]) + 1;
  }
  std::int64_t send_flits(std::int64_t bits) const {
    const std::int64_t payload = div_ceil(bits, s_.noc.flit_bits);
    return payload + div_ceil(payload, s_.noc.packet_payload_flits);
  }
  void add_dram_staging(OpDesc& op, std::int64_t bits, bool to_chip) const {
    op.act(arch::Action::OffchipBit, bits);
    if (global_buf_) {
      op.act(arch::Action::GlobalBufWrite, bits);
      op.act(arch::Action::GlobalBufRead, bits);
    }
    op.act(to_chip ? arch::Action::TileBufWrite : arch::Action::TileBufRead, bits);
  }

  // Moves `bits` from tile `src` to tile `dst` for `layer`, after `deps`; adds to `ready` what
  // makes the data available at dst (the producers themselves when nothing moves).
  void transfer(int layer, int b, int src, int dst, std::int64_t bits, const Deps& deps, bool via_dram,
                Deps& ready);

  // A Send/Recv pair of `bits` over `h` hops (`flit_hops` flits x hops).
  // With agg >= 0, `variant` and `key` are its memo slot's variant and its memo key (OpDesc::memo).
  void noc_transfer(int layer, int b, int src, int dst, std::int64_t bits, int h, std::int64_t flit_hops,
                    const Deps& deps, int agg, int variant, std::int64_t key, Deps& ready);

  // Gathering consumer chunk j's inputs, in two halves. The producer side (which tiles hold the
  // producer chunks it reads, and their ops) does not depend on the consumer tile: worked out once
  // per chunk. Then per consumer tile, the transfers of `frac_num / frac_den` of each share.
  void producer_side(int node, int b, int j);
  // `agg`: the consumer tile's aggregate index (the transfers' memo slots), or -1.
  void gather_at(int node, int b, int tile, std::int64_t frac_num, std::int64_t frac_den, int agg,
                 Deps& ready);

  // `after`: the chunk's previous pass, or null.
  void lower_crossbar_chunk(int i, int b, int k, const CopyAgg& w, const Ref* after);

  struct InputInfo {
    int in, p;      // the input, and the node it resolves to (past reshapes and folded norms)
    int halo;       // 1 when the consumer also reads the next producer chunk
    bool via_dram;  // producer in another reload group
  };
  struct InputShare {
    std::int64_t bits = 0;  // chunk j's share of the input (before the tile's fraction)
    bool via_dram = false;
    std::size_t src_begin = 0, src_end = 0;  // into src_, by increasing tile
  };
  struct Source {
    int tile;
    Deps deps;  // the producer chunks' ops on that tile
  };
  struct DigitalKind {
    UnitKind unit = UnitKind::TileVector;
    DigitalUnit digital_unit = DigitalUnit::Vector;
    arch::Action act = arch::Action::VectorOp;
  };
  struct WeightTile {
    int tile, copy;
    std::size_t agg;  // into pool_
  };

  const arch::ArchSpec& s_;
  const workloads::Graph& g_;
  const Mapping& m_;
  Sink& sink_;
  CopyBuilder builder_;
  int ib_ = 8, acc_ = 24;
  bool global_buf_ = false, offset_scheme_ = false;
  std::vector<int> rx_, ry_;
  std::vector<char> has_consumer_, out_tile_set_;
  std::vector<int> chunks_, alias_, home_;
  std::vector<std::int64_t> vectors_, elem_bits_, digital_ops_, macs_;
  std::vector<DigitalKind> digital_;
  std::vector<TileAgg> pool_;    // the tiles of every copy
  std::vector<CopyAgg> copies_;  // copies (or passes) of node i: copy_begin_[i], ...
  std::vector<std::size_t> copy_begin_;
  std::vector<std::size_t> chunk_off_;  // node i's chunks are [chunk_off_[i], chunk_off_[i + 1])
  std::size_t total_chunks_ = 0;
  int node_memo_base_ = 0;
  std::vector<Ref> final_;         // [batch][chunk]: the chunk's last op
  std::vector<int> out_tile_;      // [chunk]: tile holding it
  Deps barrier_{};                 // layer schedule: the previous layer's final ops
  std::vector<InputInfo> inputs_;  // of node i: [in_begin_[i], in_begin_[i + 1])
  std::vector<std::size_t> in_begin_;
  std::vector<InputShare> ins_;  // scratch: producer_side()
  std::vector<Source> src_;
  std::vector<Ref> tile_done_;      // scratch: a crossbar chunk's per-tile Accumulate
  std::vector<WeightTile> wtiles_;  // scratch: weight_writes()
  // Per copy tile (pool_ index), by share parity: its input transfer for a share of `share_bits`
  // from tile `src`.
  struct InputRoute {
    std::int64_t share_bits = -1;
    int src = -1;
    std::int64_t bits = 0;
    int hops = 0;
    std::int64_t flit_hops = 0;
  };
  std::vector<std::array<InputRoute, 2>> input_routes_;
};

}  // namespace imc::mapping

#include "mapping/lowering_ops.h"
