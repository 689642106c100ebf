#include "mapping/copy_aggregates.h"

#include <algorithm>

#include "mapping/int_math.h"

namespace imc::mapping {

namespace {
// Grows a mark buffer to n entries; new entries are 0, below every stamp handed out.
void fit(std::vector<std::uint32_t>& v, std::size_t n) {
  if (v.size() < n) v.resize(n, 0);
}
}  // namespace

// Any layout: crossbars are enumerated group set -> column block -> row block (mapping/geometry.h
// block_of), walked here with carries instead of divisions, distinct rows and outputs marked.
CopyAgg CopyBuilder::build_marked(const LayerPlacement& l, int copy, int pass, std::vector<TileAgg>& pool) {
  const CrossbarTiling& t = l.tiling;
  const std::int64_t offset = std::int64_t(pass) * l.crossbars_per_pass;
  const std::int64_t RB = t.row_blocks, CB = t.col_blocks;
  const std::size_t n_rows = std::size_t(t.group_sets * RB), n_outs = std::size_t(t.group_sets * CB);
  fit(pe_row_, n_rows), fit(tile_row_, n_rows);
  fit(pe_out_, n_outs), fit(tile_out_, n_outs), fit(any_out_, n_outs);
  const std::int64_t xr = s_.crossbar.rows, wpc = s_.crossbar.cols / t.cols_per_weight;
  const std::int64_t active = s_.crossbar.active_rows();
  const std::int64_t cpa_limit = s_.adc.cols_per_adc;
  const int reads_full = int((xr + active - 1) / active);
  const bool packed = t.groups_per_crossbar > 1;

  CopyAgg w;
  w.begin = pool.size();
  const std::uint32_t copy_stamp = ++stamp_;
  std::uint32_t tile_stamp = 0;
  for (const auto& slot : l.pes) {
    if (slot.copy != copy) continue;
    const std::int64_t first = offset + slot.first_crossbar;
    const std::int64_t last = std::min(first + slot.crossbars, t.crossbars);
    if (first >= last) continue;  // the last pass may use fewer PEs
    if (pool.size() == w.begin || pool.back().tile != slot.tile) {
      pool.push_back(TileAgg{});
      pool.back().tile = slot.tile;
      pool.back().pe = slot.pe;
      tile_stamp = ++stamp_;
    }
    TileAgg& tw = pool.back();
    const std::uint32_t pe_stamp = ++stamp_;
    std::int64_t in_rows = 0, outputs = 0, partials = 0, cells = 0, dac = 0, pcols_sum = 0, xbars = 0,
                 macs = 0;
    int reads = 1, cpa = 1, rows_max = 0;
    std::int64_t rb = first % RB, cb = (first / RB) % CB, gs = first / (CB * RB);
    for (std::int64_t x = first; x < last; ++x) {
      std::int64_t rows, lcols;
      if (packed) {  // small groups packed block-diagonally
        const std::int64_t g =
            std::min<std::int64_t>(t.groups_per_crossbar, t.groups - gs * t.groups_per_crossbar);
        rows = g * t.rows;
        lcols = g * t.cols;
        macs += g * t.rows * t.cols;
      } else {
        rows = std::min(xr, t.rows - rb * xr);
        lcols = std::min(wpc, t.cols - cb * wpc);
        macs += rows * lcols;
      }
      const std::int64_t pcols = lcols * t.cols_per_weight;
      const std::size_t r = std::size_t(gs * RB + rb), o = std::size_t(gs * CB + cb);
      if (pe_row_[r] != pe_stamp) pe_row_[r] = pe_stamp, in_rows += rows;
      if (pe_out_[o] != pe_stamp) pe_out_[o] = pe_stamp, outputs += lcols;
      if (tile_row_[r] != tile_stamp) tile_row_[r] = tile_stamp, tw.tile_in_rows += rows;
      if (tile_out_[o] != tile_stamp) tile_out_[o] = tile_stamp, tw.tile_outputs += lcols;
      if (any_out_[o] != copy_stamp) any_out_[o] = copy_stamp, w.total_outputs += lcols;
      partials += lcols;
      cells += rows * pcols;
      dac += rows;
      pcols_sum += pcols;
      ++xbars;
      reads = std::max(reads, rows == xr ? reads_full : int((rows + active - 1) / active));
      cpa = std::max(cpa, int(std::min(cpa_limit, pcols)));
      rows_max = std::max(rows_max, int(rows));
      if (++rb == RB) {
        rb = 0;
        if (++cb == CB) cb = 0, ++gs;
      }
    }
    tw.in_rows_sum += in_rows;
    tw.pe_outputs += outputs;
    tw.macs += macs;
    ++tw.pes;
    tw.dac_drives += dac;
    tw.cells += cells;
    tw.xbar_reads += std::int64_t(reads) * xbars;
    tw.col_reads +=
        std::int64_t(reads) * arch::conversions_per_read(s_.crossbar, pcols_sum, t.cols_per_weight);
    tw.merges_sum += partials - outputs;
    tw.merges_max = std::max(tw.merges_max, partials - outputs);
    tw.reads_max = std::max(tw.reads_max, reads);
    tw.cpa_max = std::max(tw.cpa_max, int(arch::conversions_per_read(s_.crossbar, cpa, t.cols_per_weight)));
    tw.rows_max = std::max(tw.rows_max, rows_max);
  }
  w.end = pool.size();
  for (std::size_t i = w.begin; i < w.end; ++i) w.tile_outputs_sum += pool[i].tile_outputs;
  return w;
}

}  // namespace imc::mapping

namespace imc::mapping {

using i64 = std::int64_t;

// The crossbar geometry of one tiling (mapping/geometry.h block_of in closed form). Crossbar x
// sits in column c = x / RB (c = group_set * CB + col_block) at row block x % RB. Every row block
// holds xr rows but the last (last_rows); every column block wpc outputs but the last (lc_last).
struct Geometry {
  Geometry(const CrossbarTiling& tiling, const arch::ArchSpec& s)
      : packed(tiling.groups_per_crossbar > 1),
        RB(tiling.row_blocks),
        CB(tiling.col_blocks),
        R(tiling.rows),
        xr(s.crossbar.rows),
        wpc(s.crossbar.cols / tiling.cols_per_weight),
        cpw(tiling.cols_per_weight),
        gpc(tiling.groups_per_crossbar),
        group_sets(tiling.group_sets),
        t(tiling) {
    last_rows = R - (RB - 1) * xr;
    lc_last = tiling.cols - (CB - 1) * wpc;
    g_last = tiling.groups - (group_sets - 1) * gpc;
    const i64 active = s.crossbar.active_rows();
    reads_full = int(div_ceil(xr, active));
    reads_last = int(div_ceil(last_rows, active));
    cpa_limit = s.adc.cols_per_adc;
  }
  bool packed;
  i64 RB, CB, R, xr, wpc, cpw, gpc, group_sets;
  const CrossbarTiling& t;
  i64 last_rows = 0, lc_last = 0, g_last = 0, cpa_limit = 1;
  int reads_full = 1, reads_last = 1;

  // Rows of row blocks x..y of one column.
  i64 rowsum(i64 x, i64 y) const { return (y - x + 1) * xr - (y == RB - 1 ? xr - last_rows : 0); }
  // Groups packed in crossbars (group sets) a..e.
  i64 groups_in(i64 a, i64 e) const { return (e - a + 1) * gpc - (e == group_sets - 1 ? gpc - g_last : 0); }

  // Distinct input rows read by crossbars a..e (inclusive).
  i64 distinct_rows(i64 a, i64 e) const {
    if (packed) return groups_in(a, e) * t.rows;
    const i64 ca = div_floor(a, RB), ra = a - ca * RB, ce = div_floor(e, RB), re = e - ce * RB;
    if (ca == ce) return rowsum(ra, re);
    const i64 ga = div_floor(ca, CB), ge = div_floor(ce, CB);
    if (ga == ge) {  // two or more columns of one group set
      if (ce - ca >= 2 || re + 1 >= ra) return R;
      return rowsum(0, re) + rowsum(ra, RB - 1);
    }
    i64 rows = (ge - ga - 1) * R;
    rows += ca < ga * CB + CB - 1 ? R : rowsum(ra, RB - 1);
    rows += ce > ge * CB ? R : rowsum(0, re);
    return rows;
  }
  // Distinct outputs of crossbars a..e: every column they touch, once.
  i64 distinct_outputs(i64 a, i64 e) const {
    if (packed) return groups_in(a, e) * t.cols;
    const i64 ca = div_floor(a, RB), ce = div_floor(e, RB);
    const i64 last_cols = div_floor(ce + 1, CB) - div_floor(ca, CB);
    return (ce - ca + 1) * wpc - last_cols * (wpc - lc_last);
  }
};

std::int64_t CopyBuilder::cells(const LayerPlacement& l, std::int64_t first, std::int64_t last) {
  if (first > last) return 0;
  const Geometry geo(l.tiling, s_);
  TileAgg t;
  if (memo_layer_ != &l) {  // add_pe's memo holds one layer's PEs
    memo_layer_ = &l;
    pe_memo_.clear();
    tile_memo_.clear();
  }
  add_pe(geo, first, last, t);
  return t.cells;
}

std::int64_t CopyBuilder::resident_cells(const LayerPlacement& l) {
  if (l.passes > 1) return cells(l, 0, l.crossbars_per_pass - 1);
  return l.tiling.cells_used * l.duplication;
}

CopyAgg CopyBuilder::build(const LayerPlacement& l, int copy, int pass, std::vector<TileAgg>& pool) {
  // The closed forms need each PE's range to start where the previous PE's ended.
  const i64 offset = i64(pass) * l.crossbars_per_pass;
  i64 next = -1;
  for (const auto& slot : l.pes) {
    if (slot.copy != copy) continue;
    const i64 first = offset + slot.first_crossbar;
    if (first >= std::min(first + slot.crossbars, l.tiling.crossbars)) continue;
    if (next >= 0 && first != next) return build_marked(l, copy, pass, pool);
    next = first + slot.crossbars;
  }
  return build_ranges(l, copy, pass, pool);
}

// The figures of one PE holding crossbars first..last (inclusive), added to its tile's.
void CopyBuilder::add_pe(const Geometry& geo, std::int64_t first, std::int64_t last, TileAgg& tw) {
  const CrossbarTiling& t = geo.t;
  i64 outputs = 0, partials = 0, cells = 0, dac = 0, pcols_sum = 0, macs = 0;
  int reads = 1, cpa = 1, rows_max = 0;
  if (geo.packed) {
    // One group set per crossbar, every one distinct.
    const i64 g = geo.groups_in(first, last);
    const bool has_last = last == geo.group_sets - 1;
    const i64 full = (last - first + 1) - (has_last ? 1 : 0);  // crossbars holding gpc groups
    outputs = partials = g * t.cols;
    dac = g * t.rows;
    macs = g * t.rows * t.cols;
    cells = full * (geo.gpc * t.rows) * (geo.gpc * t.cols * geo.cpw) +
            (has_last ? (geo.g_last * t.rows) * (geo.g_last * t.cols * geo.cpw) : 0);
    pcols_sum = g * t.cols * geo.cpw;
    const i64 g_max = full > 0 ? geo.gpc : geo.g_last;
    const i64 rows = g_max * t.rows;
    reads = std::max(reads, int(div_ceil(rows, s_.crossbar.active_rows())));
    cpa = std::max(cpa, int(std::min(geo.cpa_limit, g_max * t.cols * geo.cpw)));
    rows_max = int(rows);
    tw.in_rows_sum += dac;
  } else if (geo.RB == 1) {
    // One crossbar per column, each holding all R rows.
    const i64 ncols = last - first + 1;
    const i64 lc_sum = geo.distinct_outputs(first, last);
    const i64 last_cols = div_floor(last + 1, geo.CB) - div_floor(first, geo.CB);
    const i64 pc_max = (ncols > last_cols ? geo.wpc : geo.lc_last) * geo.cpw;
    outputs = partials = lc_sum;
    cells = geo.R * lc_sum * geo.cpw;
    macs = geo.R * lc_sum;
    dac = geo.R * ncols;
    pcols_sum = lc_sum * geo.cpw;
    reads = std::max(reads, geo.reads_last);
    rows_max = int(geo.R);
    cpa = std::max(cpa, int(std::min(geo.cpa_limit, pc_max)));
    tw.in_rows_sum += geo.distinct_rows(first, last);
  } else {
    const i64 ca = div_floor(first, geo.RB);
    i64 ce = div_floor(last, geo.RB);
    const i64 ra = first - ca * geo.RB, re = last - ce * geo.RB;
    i64 cb = ca - div_floor(ca, geo.CB) * geo.CB;
    // A PE's figures depend only on its first row block, its crossbar count and how far its
    // first column is from the last column block (capped at the columns it spans): PEs of the
    // usual size are memoized on (first row block, that distance).
    const i64 span = ce - ca + 1, to_last = std::min(geo.CB - 1 - cb, span);
    const bool memoize = last - first + 1 == s_.pe.crossbars;
    const std::uint64_t key = std::uint64_t(ra) << 32 | std::uint64_t(to_last);
    if (memoize) {
      const auto it = pe_memo_.find(key);
      if (it != pe_memo_.end()) {
        const PeMemo& m = it->second;
        outputs = m.outputs, partials = m.partials, cells = m.cells, dac = m.dac, macs = m.macs;
        pcols_sum = m.pcols_sum, reads = m.reads, cpa = m.cpa, rows_max = m.rows_max;
        tw.in_rows_sum += m.in_rows;
        ce = ca - 1;  // skip the walk below
      }
    }
    for (i64 c = ca; c <= ce; ++c) {
      const i64 r0 = c == ca ? ra : 0, r1 = c == ce ? re : geo.RB - 1;
      const i64 cnt = r1 - r0 + 1, rsum = geo.rowsum(r0, r1);
      const i64 lc = cb == geo.CB - 1 ? geo.lc_last : geo.wpc, pc = lc * geo.cpw;
      partials += cnt * lc;
      outputs += lc;
      cells += rsum * pc;
      dac += rsum;
      macs += rsum * lc;
      pcols_sum += cnt * pc;
      const bool full_rows = r0 < geo.RB - 1;
      reads = std::max(reads, full_rows ? geo.reads_full : geo.reads_last);
      rows_max = std::max(rows_max, int(full_rows ? geo.xr : geo.last_rows));
      cpa = std::max(cpa, int(std::min(geo.cpa_limit, pc)));
      if (++cb == geo.CB) cb = 0;
    }
    if (ce >= ca) {
      const i64 in_rows = geo.distinct_rows(first, last);
      tw.in_rows_sum += in_rows;
      if (memoize)
        pe_memo_[key] = PeMemo{in_rows, outputs, partials, cells, dac, pcols_sum, macs, reads, cpa, rows_max};
    }
  }
  const i64 xbars = last - first + 1;
  tw.pe_outputs += outputs;
  tw.macs += macs;
  ++tw.pes;
  tw.dac_drives += dac;
  tw.cells += cells;
  tw.xbar_reads += i64(reads) * xbars;
  tw.col_reads += i64(reads) * arch::conversions_per_read(s_.crossbar, pcols_sum, t.cols_per_weight);
  tw.merges_sum += partials - outputs;
  tw.merges_max = std::max(tw.merges_max, partials - outputs);
  tw.reads_max = std::max(tw.reads_max, reads);
  tw.cpa_max = std::max(tw.cpa_max, int(arch::conversions_per_read(s_.crossbar, cpa, t.cols_per_weight)));
  tw.rows_max = std::max(tw.rows_max, rows_max);
}

CopyAgg CopyBuilder::build_ranges(const LayerPlacement& l, int copy, int pass, std::vector<TileAgg>& pool) {
  const CrossbarTiling& t = l.tiling;
  if (memo_layer_ != &l) {  // the memos hold one layer's PEs and tiles
    memo_layer_ = &l;
    pe_memo_.clear();
    tile_memo_.clear();
  }
  const Geometry geo(t, s_);
  const i64 offset = i64(pass) * l.crossbars_per_pass;
  const i64 X = s_.pe.crossbars;
  CopyAgg w;
  w.begin = pool.size();
  i64 copy_first = -1, copy_last = -1;
  const auto& pes = l.pes;
  std::size_t x = 0;
  while (x < pes.size()) {
    if (pes[x].copy != copy) {
      ++x;
      continue;
    }
    const i64 first = offset + pes[x].first_crossbar;
    if (first > std::min(first + pes[x].crossbars, t.crossbars) - 1) {  // the last pass may use fewer PEs
      ++x;
      continue;
    }
    // The run of this copy's PEs on one tile (consecutive ranges, checked by build()).
    const int tile = pes[x].tile;
    std::size_t y = x;
    i64 tile_last = first;
    bool full = true;  // every PE holds X crossbars
    for (; y < pes.size() && pes[y].copy == copy && pes[y].tile == tile; ++y) {
      const i64 f = offset + pes[y].first_crossbar, la = std::min(f + pes[y].crossbars, t.crossbars) - 1;
      if (f > la) break;
      full &= la - f + 1 == X;
      tile_last = la;
    }
    if (copy_first < 0) copy_first = first;
    copy_last = tile_last;
    pool.push_back(TileAgg{});
    TileAgg& tw = pool.back();
    tw.tile = tile;
    tw.pe = pes[x].pe;
    // A tile of full PEs is, like a PE, a function of its first row block and its distance to
    // the last column block (and its PE count): memoized.
    const bool memoize = full && !geo.packed;
    std::uint64_t key = 0;
    if (memoize) {
      const i64 ca = div_floor(first, geo.RB), ce = div_floor(tile_last, geo.RB);
      const i64 ra = first - ca * geo.RB, span = ce - ca + 1;
      const i64 to_last = std::min(geo.CB - 1 - (ca - div_floor(ca, geo.CB) * geo.CB), span);
      key = std::uint64_t(ra) << 40 | std::uint64_t(to_last) << 16 | std::uint64_t(y - x);
      const auto it = tile_memo_.find(key);
      if (it != tile_memo_.end()) {
        tw = it->second;
        tw.tile = tile;
        tw.pe = pes[x].pe;
        x = y;
        continue;
      }
    }
    for (std::size_t z = x; z < y; ++z) {
      const i64 f = offset + pes[z].first_crossbar;
      add_pe(geo, f, std::min(f + pes[z].crossbars, t.crossbars) - 1, tw);
    }
    tw.tile_in_rows = geo.distinct_rows(first, tile_last);
    tw.tile_outputs = geo.distinct_outputs(first, tile_last);
    if (memoize) tile_memo_.emplace(key, tw);
    x = y;
  }
  w.end = pool.size();
  if (copy_first >= 0) w.total_outputs = geo.distinct_outputs(copy_first, copy_last);
  for (std::size_t i = w.begin; i < w.end; ++i) w.tile_outputs_sum += pool[i].tile_outputs;
  return w;
}

}  // namespace imc::mapping
