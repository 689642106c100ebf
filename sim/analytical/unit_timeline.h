// When a unit of the analytical model serves an op. A PE holds one layer's crossbars and runs its
// ops in program order (mapping/program.h). A shared unit (a tile's bus, accumulator, digital
// units, network interface; a DRAM stream) serves several layers and inferences, and an arbiter in
// hardware grants it to whichever request is ready: here an op takes the earliest idle gap, at or
// after its ready time, long enough for its occupancy, and ops placed before keep their places.
// So no op starts later than it would in program order (the gap search only adds earlier choices),
// and a shared unit no longer makes the next layer or inference wait behind ops that are not
// ready (head-of-line blocking, which the hardware does not have).
#pragma once

#include <algorithm>
#include <cstdint>
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
    if (busy_.empty() || ready >= busy_.back().second) return append(ready, occupancy);
    // The first busy interval ending after `ready`, then the gaps from there on.
    auto it = std::upper_bound(busy_.begin(), busy_.end(), ready,
                               [](std::int64_t r, const Interval& b) { return r < b.second; });
    std::int64_t gap_start = ready;
    for (; it != busy_.end(); ++it) {
      if (gap_start + occupancy <= it->first) break;
      gap_start = std::max(gap_start, it->second);
    }
    if (it == busy_.end()) return append(gap_start, occupancy);
    if (occupancy == 0) return gap_start;
    // Into the gap before *it, merged with its neighbours when it touches them.
    const std::int64_t end = gap_start + occupancy;
    const bool joins_prev = it != busy_.begin() && std::prev(it)->second == gap_start;
    const bool joins_next = it->first == end;
    if (joins_prev && joins_next) {
      std::prev(it)->second = it->second;
      busy_.erase(it);
    } else if (joins_prev) {
      std::prev(it)->second = end;
    } else if (joins_next) {
      it->first = gap_start;
    } else {
      busy_.insert(it, {gap_start, end});
    }
    return gap_start;
  }

 private:
  using Interval = std::pair<std::int64_t, std::int64_t>;  // [start, end), sorted, disjoint
  std::int64_t append(std::int64_t start, std::int64_t occupancy) {
    if (occupancy == 0) return start;
    if (!busy_.empty() && busy_.back().second == start)
      busy_.back().second = start + occupancy;
    else
      busy_.push_back({start, start + occupancy});
    return start;
  }
  std::vector<Interval> busy_;  // a shared unit's
  std::int64_t free_ = 0;       // an in-order unit's: when its last op releases it
};

}  // namespace imc::sim
