// The walk behind fast::evaluate (fast_eval.h): lower()'s emission order (mapping/emission.h,
// driving this class as its emitter), op by op, with each op's start and end computed on the spot
// as AnalyticalModel::evaluate would (unit free time, dependencies' ends, service and occupancy
// from fast_timing.h). Setup is in fast_eval.cpp, the ops of one chunk (transfers, crossbar and
// digital chunks, weight writes) in fast_chunks.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/emission.h"
#include "mapping/mapping.h"
#include "sim/analytical/fast_copy.h"
#include "sim/analytical/fast_timing.h"
#include "sim/report.h"
#include "workloads/graph.h"

namespace imc::sim::fast {

using arch::Action;
using mapping::UnitKind;
using workloads::OpKind;

inline constexpr int kUnitKinds = static_cast<int>(UnitKind::Dram) + 1;

class Walker {
 public:
  Walker(const arch::ArchSpec& s, const arch::cost::CostTable& c, const workloads::Graph& g,
         const mapping::Mapping& m, bool layers)
      : s_(s), c_(c), g_(g), m_(m), layers_(layers), t_(s, c), builder_(s) {}

  Report run(std::size_t& ops_out);

  // The emitter interface of mapping::emit_in_order() (mapping/emission.h): lower()'s walk.
  int chunks(int i) const { return chunks_[std::size_t(i)]; }
  int resolve(int i) const { return alias_[std::size_t(i)] >= 0 ? alias_[std::size_t(i)] : i; }
  bool aliased(int i) const { return alias_[std::size_t(i)] >= 0; }
  bool has_consumer(int i) const { return has_consumer_[std::size_t(i)] != 0; }
  // Weights of layer i (pass `pass`) from DRAM into its PEs, per (tile, copy) in that order.
  void weight_writes(int i, int pass) { emit_weight_writes(i, pass); }
  void begin_node(int i, int b);
  void input_chunk(int i, int b, int k) { lower_input_chunk(i, b, k); }
  void crossbar_chunk(int i, int b, int k) {
    const std::size_t c =
        copy_begin_[std::size_t(i)] + std::size_t(k % m_.layers[std::size_t(i)].duplication);
    lower_crossbar_chunk(i, b, k, copies_[c], -1);
  }
  // A layer larger than the chip: a chunk's pass waits for its previous pass. (Skipping passes by
  // max-plus periodicity does not pay: consecutive passes hold differently cut crossbar ranges.)
  void pass_chunk(int i, int b, int k, int pass) {
    lower_crossbar_chunk(i, b, k, copies_[copy_begin_[std::size_t(i)] + std::size_t(pass)],
                         final_end(b, i, k));
  }
  void digital_chunk(int i, int b, int k) { lower_digital_chunk(i, b, k); }
  void output_write(int i, int b, int k) { emit_output_write(i, b, k); }
  void layer_barrier(int i, int b) {
    barrier_ = 0;
    for (int k = 0; k < chunks_[std::size_t(i)]; ++k) barrier_ = std::max(barrier_, final_end(b, i, k));
  }

 private:
  // ---- the analytical model's step for one op (AnalyticalModel::evaluate) ----
  int unit_tile(UnitKind k, int tile) const {
    return pe_units_ + (static_cast<int>(k) - static_cast<int>(UnitKind::TileBus)) * tiles_ + tile;
  }
  int unit_pe(int tile, int pe) const { return tile * ppt_ + pe; }
  int unit_dram() const { return int(unit_free_.size()) - 1; }

  // Start = max(unit free, ready); returns the end. The layer's first start, last end and busy
  // cycles per unit kind are what AnalyticalModel::evaluate reports.
  struct LayerStats {
    i64 start = -1, end = 0;
    std::array<i64, kUnitKinds> busy{};
    arch::ActionCounts actions;
  };
  i64 exec(LayerStats& st, int unit, UnitKind kind, i64 ready, i64 service, i64 occupancy) {
    i64& free = unit_free_[std::size_t(unit)];
    const i64 start = std::max(free, ready);
    const i64 end = start + service;
    free = start + occupancy;
    if (st.start < 0 || start < st.start) st.start = start;
    st.end = std::max(st.end, end);
    st.busy[std::size_t(kind)] += occupancy;
    ++ops_;
    return end;
  }
  i64 exec(int layer, int unit, UnitKind kind, i64 ready, i64 service, i64 occupancy) {
    return exec(stats_[std::size_t(layer)], unit, kind, ready, service, occupancy);
  }

  // ---- lower.cpp's walk ----
  i64& final_end(int b, int i, int k) {
    return final_[std::size_t(b) * total_chunks_ + chunk_off_[std::size_t(i)] + std::size_t(k)];
  }
  int& out_tile(int i, int k) { return out_tile_[chunk_off_[std::size_t(i)] + std::size_t(k)]; }

  // Chunks, home tile, crossbar copies (fast_copy.h) and digital unit of node i.
  void prepare_node(int i);

  int hops(int a, int b) const {
    return std::abs(rx_[std::size_t(a)] - rx_[std::size_t(b)]) +
           std::abs(ry_[std::size_t(a)] - ry_[std::size_t(b)]) + 1;
  }

  void add_dram_staging(int layer, i64 bits, bool to_chip);

  // transfer(): returns when the data is at dst (the producers' end when nothing moves).
  i64 transfer(int layer, int src, int dst, i64 bits, i64 deps_end, bool via_dram);

  i64 send_flits(i64 bits) const { return t_.noc_flits(bits); }

  // gather_inputs() in two halves. The producer side — which chunks and tiles hold consumer
  // chunk j's share of every input, and when they are done — does not depend on the consumer
  // tile, so it is worked out once per chunk; the transfers to each tile are then issued in
  // lower()'s order.
  struct InputInfo {
    int in, p;      // the input, and the node it resolves to (past reshapes and folded norms)
    int halo;       // 1 when the consumer also reads the next producer chunk
    bool via_dram;  // producer in another reload group
  };
  struct InputShare {
    i64 bits = 0;  // chunk j's share of the input (before the tile's fraction)
    bool via_dram = false;
    std::size_t src_begin = 0, src_end = 0;  // into src_: (tile, latest end), by increasing tile
  };
  void producer_side(int node, int b, int j);
  // The consumer side for one tile that needs frac_num / frac_den of each share.
  i64 gather_at(int node, int tile, i64 frac_num, i64 frac_den);

  // A network output chunk goes back to DRAM; a network input chunk comes from it.
  void emit_output_write(int i, int b, int k);
  void lower_input_chunk(int i, int b, int k);

  // The services of a tile's chunk ops for n vectors (two sizes per layer: cached).
  const TileAgg& tile_services(TileAgg& tw, i64 n, int v);

  // `after`: the end of the chunk's previous pass, or -1.
  void lower_crossbar_chunk(int i, int b, int k, const CopyAgg& w, i64 after);
  void lower_digital_chunk(int i, int b, int k);
  void emit_weight_writes(int i, int pass);

  // fill_layer_info()'s utilization: the fullest reload group's resident cells over the chip's.
  double utilization();

  struct DigitalKind {
    UnitKind unit = UnitKind::TileVector;
    Action act = Action::VectorOp;
    i64 units = 1;
  };
  struct WTile {
    int tile, copy;
    std::size_t agg;  // into pool_
  };

  const arch::ArchSpec& s_;
  const arch::cost::CostTable& c_;
  const workloads::Graph& g_;
  const mapping::Mapping& m_;
  const bool layers_;  // fill Report::layers
  Timing t_;
  CopyBuilder builder_;
  Report r_;
  int batch_ = 1, tiles_ = 0, ppt_ = 0, pe_units_ = 0, ib_ = 8, acc_ = 24;
  bool global_buf_ = false, offset_scheme_ = false;
  std::vector<i64> unit_free_;
  std::vector<LayerStats> stats_;
  std::size_t ops_ = 0;
  std::vector<int> rx_, ry_;
  std::vector<char> has_consumer_, out_tile_set_;
  std::vector<int> chunks_, alias_, home_;
  std::vector<i64> vectors_, elem_bits_, digital_ops_;
  std::vector<DigitalKind> digital_;
  std::vector<TileAgg> pool_;    // the tiles of every copy
  std::vector<CopyAgg> copies_;  // copies (or passes) of node i: copy_begin_[i], ...
  std::vector<std::size_t> copy_begin_;
  std::vector<std::size_t> chunk_off_;  // node i's chunks are [chunk_off_[i], chunk_off_[i + 1])
  std::size_t total_chunks_ = 0;
  std::vector<i64> final_;         // [batch][chunk]: end of the chunk's last op (-1: none yet)
  std::vector<int> out_tile_;      // [chunk]: tile holding it
  i64 barrier_ = 0;                // layer schedule: the previous layer's end
  std::vector<InputInfo> inputs_;  // of node i: [in_begin_[i], in_begin_[i + 1])
  std::vector<std::size_t> in_begin_;
  std::vector<InputShare> ins_;  // scratch: producer_side()
  std::vector<std::pair<int, i64>> src_;
  std::vector<i64> tile_done_;  // scratch: a crossbar chunk's per-tile ends
  std::vector<WTile> wtiles_;   // scratch: emit_weight_writes
};

}  // namespace imc::sim::fast
