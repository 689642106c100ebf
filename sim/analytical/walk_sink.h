// The sink of the analytical walk (walk.h): mapping::Lowering hands it each op as it is emitted; it
// computes the op's start and end as AnalyticalModel::evaluate does on a Program (start: when its
// unit serves it once its dependencies have ended, unit_timeline.h; end = start + service; the unit
// is busy for the occupancy; sim/timing.h), and keeps per layer the first start, last end, busy cycles
// per unit kind and actions. A reference to an op is its end cycle; dependencies are their max.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "arch/actions.h"
#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/lowering.h"
#include "sim/analytical/unit_timeline.h"
#include "sim/report.h"
#include "sim/timing.h"

namespace imc::sim {

class WalkSink {
 public:
  using Ref = std::int64_t;  // the op's end cycle
  struct Deps {
    std::int64_t end = 0;  // the latest end
    void add(Ref r) { end = std::max(end, r); }
    void add(const Deps& d) { end = std::max(end, d.end); }
    void clear() { end = 0; }
  };
  static Ref none() { return -1; }

  static constexpr int kUnitKinds = static_cast<int>(mapping::UnitKind::Dram) + 1;
  struct LayerStats {
    std::int64_t start = -1, end = 0;
    std::array<std::int64_t, kUnitKinds> busy{};
    arch::ActionCounts actions;
  };

  WalkSink(const arch::ArchSpec& s, const arch::cost::CostTable& c, int layers, int batch)
      : s_(s),
        c_(c),
        dram_(dram_channel(s)),
        tiles_(s.tiles()),
        ppt_(s.tile.pes),
        pe_units_(tiles_ * ppt_),
        units_(std::size_t(pe_units_ + (kUnitKinds - 2) * tiles_ + mapping::kDramStreams)),
        stats_(std::size_t(layers)),
        inferences_(batch, int(units_.size())) {}

  [[gnu::always_inline]] Ref emit(const mapping::OpDesc& op, const Deps& deps) {
    const OpCycles t = op.memo >= 0 ? memoized(op) : times(op);
    const int u = unit(op);
    const std::int64_t start =
        units_[std::size_t(u)].place(deps.end, t.occupancy, op.unit == mapping::UnitKind::Pe);
    const std::int64_t end = start + t.service;
    inferences_.add(op.batch, u, start, end, t.occupancy);
    LayerStats& st = stats_[std::size_t(op.layer)];
    if (st.start < 0 || start < st.start) st.start = start;
    st.end = std::max(st.end, end);
    st.busy[std::size_t(op.unit)] += t.occupancy;
    for (int a = 0; a < op.n_actions; ++a)
      st.actions[op.actions[std::size_t(a)].action] += op.actions[std::size_t(a)].n;
    ++ops_;
    return end;
  }

  const std::vector<LayerStats>& stats() const { return stats_; }
  std::size_t ops() const { return ops_; }
  const InferenceTimes& inferences() const { return inferences_; }

 private:
  // An op's times from its memo slot (mapping::OpDesc::memo), recomputed when its key differs
  // from the last op's of the slot. The memo outlives the sink (one per thread, entries of older
  // walks told apart by a generation): a search evaluates designs by the thousand, and a fresh
  // memo per design costs its page faults and growth. It is a direct-mapped cache of at most
  // kMaxMemoEntries entries, each tagged with its slot: the lowering numbers slots by copy tile,
  // and a large network on a chip of tiny arrays (hundreds of passes over every tile) has tens of
  // millions of them, which a table indexed by slot held in gigabytes (4.4 GB in a co-search
  // worker). A slot sharing an entry with another only recomputes its times.
  static constexpr std::size_t kMaxMemoEntries = std::size_t(1) << 16;  // 2 MB
  struct Memo {
    std::uint64_t generation = 0;
    std::int64_t key = 0;
    int slot = -1;
    OpCycles t;
  };
  static std::vector<Memo>& thread_memo() {
    thread_local std::vector<Memo> memo;
    return memo;
  }
  static std::uint64_t next_generation() {
    thread_local std::uint64_t generation = 0;
    return ++generation;
  }
  OpCycles memoized(const mapping::OpDesc& op) {
    if (std::size_t(op.memo) >= memo_.size() && memo_.size() < kMaxMemoEntries)
      memo_.resize(std::min(kMaxMemoEntries, std::bit_ceil(std::size_t(op.memo) + 1)));
    Memo& m = memo_[std::size_t(op.memo) & (memo_.size() - 1)];
    if (m.generation != generation_ || m.key != op.memo_key || m.slot != op.memo)
      m = {generation_, op.memo_key, op.memo, times(op)};
    return m.t;
  }

  // The op's work quantities, copied: the timing functions get the copy, so the OpDesc itself never
  // leaves the inlined emit() and the compiler drops the stores of the fields the walk ignores.
  struct Work {
    mapping::OpType type;
    mapping::DigitalUnit digital_unit;
    std::int64_t vectors;
    int slices, reads_per_slice, cols_per_adc_used;
    std::int64_t merges_per_vector, count;
    int rows;
    std::int64_t bits;
    int hops;
  };
  OpCycles times(const mapping::OpDesc& op) const {
    const Work w{op.type,
                 op.digital_unit,
                 op.vectors,
                 op.slices,
                 op.reads_per_slice,
                 op.cols_per_adc_used,
                 op.merges_per_vector,
                 op.count,
                 op.rows,
                 op.bits,
                 op.hops};
    return op_cycles_of(w, s_, c_, [this] { return dram_; });
  }

  // AnalyticalModel's unit_index(): PEs, then each tile unit kind over the tiles, then DRAM's
  // read and write streams.
  int unit(const mapping::OpDesc& op) const {
    using mapping::UnitKind;
    if (op.unit == UnitKind::Pe) return op.tile * ppt_ + op.pe;
    if (op.unit == UnitKind::Dram)
      return int(units_.size()) - mapping::kDramStreams + mapping::dram_stream(op.type);
    return pe_units_ + (static_cast<int>(op.unit) - static_cast<int>(UnitKind::TileBus)) * tiles_ + op.tile;
  }

  const arch::ArchSpec& s_;
  const arch::cost::CostTable& c_;
  const DramChannel dram_;
  const int tiles_, ppt_, pe_units_;
  std::vector<UnitTimeline> units_;
  std::vector<LayerStats> stats_;
  InferenceTimes inferences_;
  std::vector<Memo>& memo_ = thread_memo();  // by OpDesc::memo
  const std::uint64_t generation_ = next_generation();
  std::size_t ops_ = 0;
};

}  // namespace imc::sim
