#include <fmt/format.h>

#include <algorithm>

#include "common/config.h"
#include "mapping/mapping.h"

namespace imc::mapping {

CrossbarTiling tile_matrix(const workloads::WeightMatrix& m, const arch::ArchSpec& spec, int weight_bits,
                           int input_bits) {
  CrossbarTiling t;
  t.rows = m.rows;
  t.cols = m.cols;
  t.groups = m.groups;
  t.weight_bits = weight_bits;
  t.input_bits = input_bits;
  const int cell_bits = spec.device.bits_per_cell;
  t.slices_per_weight = (weight_bits + cell_bits - 1) / cell_bits;
  t.cols_per_weight =
      t.slices_per_weight * (spec.crossbar.signed_scheme == arch::SignedScheme::Differential ? 2 : 1);
  t.input_slices = (input_bits + spec.dac.bits - 1) / spec.dac.bits;
  t.phys_cols = t.cols * t.cols_per_weight;
  const std::int64_t xr = spec.crossbar.rows, xc = spec.crossbar.cols;
  if (t.cols_per_weight > xc)
    throw common::InputError(fmt::format(
        "crossbar.cols = {} cannot hold one {}-bit weight ({} columns with {}-bit cells, {} scheme)", xc,
        weight_bits, t.cols_per_weight, cell_bits, arch::to_string(spec.crossbar.signed_scheme)));
  // Small groups (depthwise, grouped convs) share a crossbar block-diagonally: group k uses rows
  // [k*rows, (k+1)*rows) and its own columns, so their reads happen together.
  if (t.groups > 1 && t.rows <= xr && t.phys_cols <= xc)
    t.groups_per_crossbar = int(std::min<std::int64_t>({xr / t.rows, xc / t.phys_cols, t.groups}));
  const std::int64_t weights_per_xbar_col =
      xc / t.cols_per_weight;  // a weight's columns never straddle crossbars
  t.row_blocks = t.groups_per_crossbar > 1 ? 1 : (t.rows + xr - 1) / xr;
  t.col_blocks = t.groups_per_crossbar > 1 ? 1 : (t.cols + weights_per_xbar_col - 1) / weights_per_xbar_col;
  t.group_sets = (t.groups + t.groups_per_crossbar - 1) / t.groups_per_crossbar;
  t.crossbars = t.row_blocks * t.col_blocks * t.group_sets;
  t.cells_used = t.rows * t.phys_cols * t.groups;
  return t;
}

}  // namespace imc::mapping
