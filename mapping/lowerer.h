// Internal to mapping/: the state and steps of lower() (mapping.h), shared by its source files.
//
// Every node's output is cut into chunks of its vectors (output pixels or tokens). For each
// inference and chunk, a crossbar layer: receives its input share from the tiles holding the
// producer chunks it needs (Send/Recv, or DRAM across reload groups), loads it over each tile's bus
// into the PEs (TileLoad), runs the crossbars (Mvm per PE), adds partial sums of row blocks within
// each tile (Accumulate) and across tiles at the copy's home tile (Send/Recv + Accumulate), and
// leaves the requantized outputs in the home tile's buffer. Digital nodes run on one tile's units.
// Copies (duplication) take chunks round-robin.
//
//   emission.h          the order of emission per schedule (shared with the fast analytical path)
//   lower.cpp           setup, the emitter interface's driver call, layer info
//   lower_copy.cpp      a copy's per-PE and per-tile crossbar structure, and its weight writes
//   lower_transfer.cpp  data movement: NoC and DRAM transfers, input gathering, input/output chunks
//   lower_chunks.cpp    the ops of one crossbar or digital chunk
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <utility>
#include <vector>

#include "arch/spec.h"
#include "mapping/emission.h"
#include "mapping/mapping.h"
#include "workloads/graph.h"

namespace imc::mapping::detail {

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}
// The k-th of K near-equal integer parts of `total` (the parts sum to total exactly).
inline std::int64_t share(std::int64_t total, std::int64_t k, std::int64_t K) {
  return total * (k + 1) / K - total * k / K;
}

// Per-PE and per-tile structure of one copy of a crossbar layer.
struct PeWork {
  int tile = 0, pe = 0;
  std::int64_t in_rows = 0;     // distinct input rows its crossbars read
  std::int64_t partials = 0;    // partial sums produced per vector (sum of logical columns)
  std::int64_t outputs = 0;     // distinct outputs per vector after PE-level adds
  std::int64_t macs = 0;        // per vector
  std::int64_t cells_read = 0;  // per read step over its crossbars (rows x phys cols)
  std::int64_t dac_drives = 0;  // per slice
  std::int64_t phys_cols = 0;   // per slice
  std::int64_t xbars = 0;
  int reads_per_slice = 1;
  int cols_per_adc_used = 1;
};
struct TileWork {
  int tile = 0;
  std::vector<int> pes;         // indices into CopyWork::pes
  std::int64_t in_rows = 0;     // distinct rows of its crossbars (for its share of the input)
  std::int64_t pe_outputs = 0;  // sum over its PEs of distinct outputs
  std::int64_t outputs = 0;     // distinct outputs of the tile
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

  Program run();

  // The emitter interface of emit_in_order() (mapping/emission.h).
  int chunks(int i) const { return chunks_[i]; }
  int resolve(int i) const { return alias_[i] >= 0 ? alias_[i] : i; }
  bool aliased(int i) const { return alias_[i] >= 0; }
  bool has_consumer(int i) const { return !consumers_[i].empty(); }
  void weight_writes(int i, int pass) { emit_weight_writes(i, pass); }
  void begin_node(int i, int b);
  void input_chunk(int i, int b, int k) { lower_input_chunk(i, b, k); }
  void crossbar_chunk(int i, int b, int k) {
    lower_crossbar_chunk(i, b, k, copies_[i][std::size_t(k % m_.layers[i].duplication)], -1);
  }
  void pass_chunk(int i, int b, int k, int pass) {
    lower_crossbar_chunk(i, b, k, copies_[i][std::size_t(pass)], final_[b][i][std::size_t(k)]);
  }
  void digital_chunk(int i, int b, int k) { lower_digital_chunk(i, b, k); }
  void output_write(int i, int b, int k) { emit_output_write(i, b, k); }
  void layer_barrier(int i, int b) { barrier_ = final_[b][i]; }

 private:
  // ---- lower.cpp: setup and summary (the order of emission is mapping/emission.h) ----
  void prepare_node(int i);
  void fill_layer_info();

  // ---- lower_copy.cpp: crossbar structure and weights ----
  CopyWork build_copy(const LayerPlacement& l, int copy, int pass) const;
  // Weights of layer i (pass `pass`) from DRAM over each tile's bus into its PEs' cells.
  void emit_weight_writes(int i, int pass);

  // ---- lower_transfer.cpp: ops and data movement ----
  int hops(int a, int b) const {
    return std::abs(p_.router_x(a) - p_.router_x(b)) + std::abs(p_.router_y(a) - p_.router_y(b)) + 1;
  }
  int emit(Op op);
  Op make(OpType type, int layer, int b, int tile, UnitKind unit) const {
    Op op;
    op.type = type;
    op.layer = layer;
    op.batch = b;
    op.tile = tile;
    op.unit = unit;
    return op;
  }
  void add_dram_staging(Op& op, std::int64_t bits, bool to_chip) const;
  // Moves `bits` from tile `src` to tile `dst` for `layer`; returns the op whose completion makes
  // the data available at dst (or the given producer op when src == dst).
  int transfer(int layer, int b, int src, int dst, std::int64_t bits, std::vector<int> deps, bool via_dram);
  std::int64_t send_flits(std::int64_t bits) const {
    const std::int64_t payload = ceil_div(bits, s_.noc.flit_bits);
    return payload + ceil_div(payload, s_.noc.packet_payload_flits);
  }
  // Ops that make consumer chunk j's share of every input available at `tile`; `fraction` (num/den)
  // of the share is needed there (the rows its crossbars hold).
  std::vector<int> gather_inputs(int node, int b, int j, int tile, std::int64_t frac_num,
                                 std::int64_t frac_den);
  // A network output chunk goes back to DRAM.
  void emit_output_write(int i, int b, int k);
  void lower_input_chunk(int i, int b, int k);

  // ---- lower_chunks.cpp: the compute ops of one chunk ----
  // `after`: an op the chunk's result must also wait for (the previous pass), or -1.
  void lower_crossbar_chunk(int i, int b, int k, const CopyWork& w, int after);
  void lower_digital_chunk(int i, int b, int k);

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

}  // namespace imc::mapping::detail
