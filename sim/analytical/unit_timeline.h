// When a unit of the analytical model serves an op. A PE holds one layer's crossbars and runs its
// ops in program order (mapping/program.h). A shared unit (a tile's bus, accumulator, digital
// units, network interface; a DRAM stream) serves several layers and inferences, and an arbiter in
// hardware grants it to whichever request is ready: here an op takes the earliest idle gap, at or
// after its ready time, long enough for its occupancy, and ops placed before keep their places.
// So no op starts later than it would in program order (the gap search only adds earlier choices),
// and a shared unit no longer makes the next layer or inference wait behind ops that are not
// ready (head-of-line blocking, which the hardware does not have).
//
// The busy intervals are kept in blocks of at most 2 x kBlock, each knowing the longest idle gap
// before any of its intervals: the gap search skips a block whose longest gap is too short, and an
// insertion moves at most one block. A single sorted vector made both linear in the intervals, and
// a shared unit of a large network on a chip of tiny arrays (hundreds of reload groups: 10^5
// fragmented intervals) spent 89% of a co-search there (bench_cosearch sram9, perf). The placements
// are those of the single vector, interval for interval (tests/cosearch/test_unit_timeline.cpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace imc::sim {

class UnitTimeline {
 public:
  // The op's start; marks [start, start + occupancy) busy.
  // `in_order`: a PE's unit (the same for every op of the unit): after the previous op, as placed.
  std::int64_t place(std::int64_t ready, std::int64_t occupancy, bool in_order) {
    if (in_order) {
      const std::int64_t start = std::max(ready, free_);
      free_ = start + occupancy;
      return start;
    }
    if (blocks_.empty() || ready >= blocks_.back().busy.back().second) return append(ready, occupancy);
    // The first busy interval ending after `ready` (exists: the last one ends after it). Ops mostly
    // become ready near the end of the timeline: the last block is tried before a search.
    std::size_t b = blocks_.size() - 1;
    if (b > 0 && blocks_[b - 1].busy.back().second > ready)
      b = std::size_t(std::partition_point(blocks_.begin(), blocks_.end() - 1,
                                           [&](const Block& x) { return x.busy.back().second <= ready; }) -
                      blocks_.begin());
    const auto& first = blocks_[b].busy;
    std::size_t k = first_ending_after(first, ready);
    std::int64_t gap_start = ready;
    if (gap_start + occupancy > first[k].first) {
      // Not before it: the first later interval whose idle gap before it fits the occupancy (the gap
      // starts at the previous interval's end, which is after `ready`).
      if (!next_fitting_gap(b, k, occupancy)) return append(blocks_.back().busy.back().second, occupancy);
      gap_start = previous_end(b, k);
    }
    if (occupancy == 0) return gap_start;
    insert_before(b, k, gap_start, gap_start + occupancy);
    return gap_start;
  }

 private:
  using Interval = std::pair<std::int64_t, std::int64_t>;  // [start, end), sorted, disjoint
  static constexpr std::size_t kBlock = 128;
  static constexpr std::int64_t kNoGap = std::numeric_limits<std::int64_t>::min();
  struct Block {
    std::vector<Interval> busy;
  };

  // std::upper_bound by interval end, without branches on the data (the compares of a binary
  // search over a block mispredict half the time; a conditional move does not). `busy` is not empty.
  static std::size_t first_ending_after(const std::vector<Interval>& busy, std::int64_t ready) {
    const Interval* base = busy.data();
    std::size_t n = busy.size();
    while (n > 1) {
      const std::size_t half = n / 2;
      base = base[half].second <= ready ? base + half : base;
      n -= half;
    }
    return std::size_t(base - busy.data()) + (base->second <= ready ? 1 : 0);
  }
  std::int64_t previous_end(std::size_t b, std::size_t k) const {
    if (k > 0) return blocks_[b].busy[k - 1].second;
    return b > 0 ? blocks_[b - 1].busy.back().second : kNoGap;
  }
  std::int64_t gap_before(std::size_t b, std::size_t k) const {
    const std::int64_t prev = previous_end(b, k);
    return prev == kNoGap ? kNoGap : blocks_[b].busy[k].first - prev;
  }
  void refresh(std::size_t b) {
    if (b >= blocks_.size()) return;
    std::int64_t m = kNoGap;
    for (std::size_t k = 0; k < blocks_[b].busy.size(); ++k) m = std::max(m, gap_before(b, k));
    max_gap_[b] = m;
  }
  // Moves (b, k) to the first interval after it whose gap before it is >= occupancy; false if none.
  bool next_fitting_gap(std::size_t& b, std::size_t& k, std::int64_t occupancy) const {
    for (++k; k < blocks_[b].busy.size(); ++k)
      if (gap_before(b, k) >= occupancy) return true;
    for (++b; b < blocks_.size(); ++b) {
      if (max_gap_[b] < occupancy) continue;
      for (k = 0; k < blocks_[b].busy.size(); ++k)
        if (gap_before(b, k) >= occupancy) return true;
    }
    return false;
  }
  // [start, end) into the gap before interval (b, k), merged with its neighbours when it touches them.
  void insert_before(std::size_t b, std::size_t k, std::int64_t start, std::int64_t end) {
    std::vector<Interval>& busy = blocks_[b].busy;
    // The gap being filled: when it is not the block's longest, the longest stays (the new gaps are
    // parts of it) and only the new gaps need a look, not the whole block (which cost a quarter of
    // the fast estimate at per-layer granularity, perf).
    const std::int64_t filled_gap = gap_before(b, k);
    Interval* prev = k > 0 ? &busy[k - 1] : b > 0 ? &blocks_[b - 1].busy.back() : nullptr;
    const bool joins_prev = prev && prev->second == start;
    const bool joins_next = busy[k].first == end;
    if (joins_prev && joins_next) {
      prev->second = busy[k].second;
      busy.erase(busy.begin() + std::ptrdiff_t(k));
    } else if (joins_prev) {
      prev->second = end;
    } else if (joins_next) {
      busy[k].first = start;
    } else {
      busy.insert(busy.begin() + std::ptrdiff_t(k), {start, end});
    }
    if (busy.empty()) {
      blocks_.erase(blocks_.begin() + std::ptrdiff_t(b));
      max_gap_.erase(max_gap_.begin() + std::ptrdiff_t(b));
      refresh(b);  // the next block's first gap now follows the previous block
      return;
    }
    // Only the gaps before the changed interval and the one after it moved, and both are in block b
    // (the previous interval's start does not move); a split leaves two blocks to summarize.
    if (busy.size() > 2 * kBlock) {
      split(b);
      refresh(b + 1);
      refresh(b);
    } else if (filled_gap != kNoGap && filled_gap >= max_gap_[b]) {
      refresh(b);
    } else {
      for (std::size_t j = k; j < std::min(k + 2, busy.size()); ++j)
        max_gap_[b] = std::max(max_gap_[b], gap_before(b, j));
    }
  }
  void split(std::size_t b) {
    Block tail;
    auto& busy = blocks_[b].busy;
    tail.busy.assign(busy.begin() + std::ptrdiff_t(busy.size() / 2), busy.end());
    busy.resize(busy.size() / 2);
    blocks_.insert(blocks_.begin() + std::ptrdiff_t(b) + 1, std::move(tail));
    max_gap_.insert(max_gap_.begin() + std::ptrdiff_t(b) + 1, kNoGap);
  }
  std::int64_t append(std::int64_t start, std::int64_t occupancy) {
    if (occupancy == 0) return start;
    if (!blocks_.empty() && blocks_.back().busy.back().second == start) {
      blocks_.back().busy.back().second = start + occupancy;  // the gaps before intervals stay
      return start;
    }
    if (blocks_.empty() || blocks_.back().busy.size() >= 2 * kBlock) {
      // Room for a block's most intervals (2 x kBlock and the one inserted before a split): the
      // vector never doubles past it (a split leaves the head its capacity).
      blocks_.emplace_back();
      blocks_.back().busy.reserve(2 * kBlock + 1);
      max_gap_.push_back(kNoGap);
    }
    const std::size_t b = blocks_.size() - 1;
    blocks_[b].busy.push_back({start, start + occupancy});
    max_gap_[b] = std::max(max_gap_[b], gap_before(b, blocks_[b].busy.size() - 1));
    return start;
  }

  std::vector<Block> blocks_;          // a shared unit's busy intervals, in order
  std::vector<std::int64_t> max_gap_;  // per block: the longest idle gap before one of its intervals
                                       // (apart from the blocks: the gap search reads it contiguously)
  std::int64_t free_ = 0;              // an in-order unit's: when its last op releases it
};

}  // namespace imc::sim
