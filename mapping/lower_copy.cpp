// lower()'s crossbar structure (see lowerer.h): what each PE and tile of a layer's copy (or pass)
// reads, computes and outputs, and the ops programming its weights.
#include <algorithm>
#include <map>
#include <tuple>

#include "mapping/geometry.h"
#include "mapping/lowerer.h"

namespace imc::mapping::detail {

using arch::Action;

CopyWork Lowerer::build_copy(const LayerPlacement& l, int copy, int pass) const {
  const std::int64_t offset = std::int64_t(pass) * l.crossbars_per_pass;
  CopyWork w;
  const CrossbarTiling& t = l.tiling;
  // Distinct input rows (group set, row block) and outputs (group set, column block) seen by
  // each PE, each tile and the whole copy, marked with stamps instead of sets (hot path).
  const std::size_t n_rows = std::size_t(t.group_sets * t.row_blocks),
                    n_outs = std::size_t(t.group_sets * t.col_blocks);
  std::vector<int> pe_row(n_rows, -1), pe_out(n_outs, -1), tile_row(n_rows, -1), tile_out(n_outs, -1);
  std::vector<char> any_out(n_outs, 0);
  int pe_stamp = 0;
  for (const auto& slot : l.pes) {
    if (slot.copy != copy) continue;
    const std::int64_t last = std::min(offset + slot.first_crossbar + slot.crossbars, t.crossbars);
    if (offset + slot.first_crossbar >= last) continue;  // the last pass may use fewer PEs
    if (w.tiles.empty() || w.tiles.back().tile != slot.tile)
      w.tiles.push_back(TileWork{slot.tile, {}, 0, 0, 0});
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
      pw.reads_per_slice =
          std::max<int>(pw.reads_per_slice, int(ceil_div(b.rows, s_.crossbar.active_rows())));
      pw.cols_per_adc_used =
          std::max<int>(pw.cols_per_adc_used, int(std::min<std::int64_t>(s_.adc.cols_per_adc, b.phys_cols)));
    }
    tw.pes.push_back(int(w.pes.size()));
    tw.pe_outputs += pw.outputs;
    w.pes.push_back(pw);
  }
  for (const auto& tw : w.tiles) w.tile_outputs_sum += tw.outputs;
  return w;
}

void Lowerer::emit_weight_writes(int i, int pass) {
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

}  // namespace imc::mapping::detail
