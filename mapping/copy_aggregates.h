// The crossbar structure of one copy (or one pass) of a crossbar layer, per tile: what the
// lowering (mapping/lowering.h) needs of the PEs the copy occupies on each tile to emit the tile's
// TileLoad, Mvm, Accumulate and WeightWrite ops. Actions are linear in the PEs' figures (sums);
// timing takes the slowest PE (maxima). The one place these figures are computed.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "arch/spec.h"
#include "mapping/mapping.h"

namespace imc::mapping {

struct TileAgg {
  int tile = 0;
  int pe = 0;                     // first PE of the copy on this tile (the Mvm / WeightWrite unit)
  int pes = 0;                    // PEs of the copy on this tile
  std::int64_t in_rows_sum = 0;   // sum over its PEs of the distinct input rows each reads
  std::int64_t tile_in_rows = 0;  // distinct input rows of the tile
  std::int64_t pe_outputs = 0;    // sum over its PEs of their distinct outputs
  std::int64_t tile_outputs = 0;  // distinct outputs of the tile
  std::int64_t macs = 0;          // crossbar MACs per vector
  std::int64_t dac_drives = 0;    // sum of crossbar rows (per slice)
  std::int64_t cells = 0;         // sum of rows x physical columns (cells read per step, cells written)
  std::int64_t xbar_reads = 0;    // sum over PEs of reads_per_slice x crossbars
  std::int64_t col_reads =
      0;  // sum over PEs of reads_per_slice x conversions (physical columns, or weights if combined)
  std::int64_t merges_sum = 0;  // sum over PEs of partial sums - outputs
  std::int64_t merges_max = 0;  // max of the same
  int reads_max = 1;            // max reads per slice over its PEs
  int cpa_max = 1;              // max conversions per ADC per read
  int rows_max = 0;             // max crossbar rows (weight programming time)
};

// One copy: its tiles are pool[begin, end) of the vector build() appended them to, in PE order;
// pool[begin] is the copy's home.
struct CopyAgg {
  std::size_t begin = 0, end = 0;
  std::int64_t total_outputs = 0;     // distinct outputs of the copy
  std::int64_t tile_outputs_sum = 0;  // sum over its tiles of their distinct outputs
};

// Builds the aggregates. The mapper gives each PE a contiguous range of the copy's crossbars and
// the PEs of a copy consecutive ranges; then every figure has a closed form per PE (a short loop
// over the crossbar columns it touches) and per tile (distinct rows and outputs of a range). Any
// other layout is walked crossbar by crossbar with marks (mapping/geometry.h block_of).
struct Geometry;  // copy_aggregates.cpp

class CopyBuilder {
 public:
  explicit CopyBuilder(const arch::ArchSpec& spec) : s_(spec) {}
  CopyAgg build(const LayerPlacement& l, int copy, int pass, std::vector<TileAgg>& pool);
  // Cells holding weights in crossbars first..last (inclusive) of the layer's tiling.
  std::int64_t cells(const LayerPlacement& l, std::int64_t first, std::int64_t last);
  // Cells holding weights at one time: every copy, or a layer larger than the chip one pass (the
  // first, fullest) at a time.
  std::int64_t resident_cells(const LayerPlacement& l);

 private:
  CopyAgg build_ranges(const LayerPlacement& l, int copy, int pass, std::vector<TileAgg>& pool);
  CopyAgg build_marked(const LayerPlacement& l, int copy, int pass, std::vector<TileAgg>& pool);
  void add_pe(const Geometry& geo, std::int64_t first, std::int64_t last, TileAgg& tw);
  const arch::ArchSpec& s_;
  // Figures of a PE holding pe.crossbars crossbars, and of a tile of such PEs, by (first row
  // block, distance to the last column block, PEs), for the layer memo_layer_.
  struct PeMemo {
    std::int64_t in_rows = 0, outputs = 0, partials = 0, cells = 0, dac = 0, pcols_sum = 0, macs = 0;
    int reads = 1, cpa = 1, rows_max = 0;
  };
  std::unordered_map<std::uint64_t, PeMemo> pe_memo_;
  std::unordered_map<std::uint64_t, TileAgg> tile_memo_;
  const LayerPlacement* memo_layer_ = nullptr;
  std::uint32_t stamp_ = 0;
  std::vector<std::uint32_t> pe_row_, pe_out_, tile_row_, tile_out_, any_out_;
};

}  // namespace imc::mapping
