// The crossbars of one copy of a layer, enumerated group set -> column block -> row block, so the
// row blocks whose partial sums add up sit next to each other (same PE or tile when they fit).
#pragma once

#include <algorithm>
#include <cstdint>

#include "arch/spec.h"
#include "mapping/mapping.h"

namespace imc::mapping {

struct XbarBlock {
  std::int64_t group_set = 0, row_block = 0, col_block = 0;
  std::int64_t rows = 0;          // rows holding weights (driven on every read)
  std::int64_t logical_cols = 0;  // outputs it contributes to
  std::int64_t phys_cols = 0;     // columns used
  std::int64_t macs_per_vector = 0;
};

inline XbarBlock block_of(const CrossbarTiling& t, const arch::ArchSpec& s, std::int64_t index) {
  XbarBlock b;
  b.row_block = index % t.row_blocks;
  b.col_block = (index / t.row_blocks) % t.col_blocks;
  b.group_set = index / (t.col_blocks * t.row_blocks);
  const std::int64_t xr = s.crossbar.rows, wpc = s.crossbar.cols / t.cols_per_weight;
  if (t.groups_per_crossbar > 1) {  // small groups packed block-diagonally
    const std::int64_t g =
        std::min<std::int64_t>(t.groups_per_crossbar, t.groups - b.group_set * t.groups_per_crossbar);
    b.rows = g * t.rows;
    b.logical_cols = g * t.cols;
    b.phys_cols = b.logical_cols * t.cols_per_weight;
    b.macs_per_vector = g * t.rows * t.cols;
    return b;
  }
  b.rows = std::min(xr, t.rows - b.row_block * xr);
  b.logical_cols = std::min(wpc, t.cols - b.col_block * wpc);
  b.phys_cols = b.logical_cols * t.cols_per_weight;
  b.macs_per_vector = b.rows * b.logical_cols;
  return b;
}

}  // namespace imc::mapping
