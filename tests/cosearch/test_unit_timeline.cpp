// The analytical model's shared-unit timeline (sim/analytical/unit_timeline.h), kept in blocks for the
// co-search's speed, places every op where the single sorted vector it replaced placed it. Here because the
// co-search's profile (bench_cosearch sram9) is what changed it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "sim/analytical/unit_timeline.h"

namespace {

// The previous implementation, verbatim in behaviour: one sorted vector of disjoint busy intervals.
class ReferenceTimeline {
 public:
  std::int64_t place(std::int64_t ready, std::int64_t occupancy) {
    if (busy_.empty() || ready >= busy_.back().second) return append(ready, occupancy);
    auto it = std::upper_bound(busy_.begin(), busy_.end(), ready,
                               [](std::int64_t r, const Interval& b) { return r < b.second; });
    std::int64_t gap_start = ready;
    for (; it != busy_.end(); ++it) {
      if (gap_start + occupancy <= it->first) break;
      gap_start = std::max(gap_start, it->second);
    }
    if (it == busy_.end()) return append(gap_start, occupancy);
    if (occupancy == 0) return gap_start;
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
  using Interval = std::pair<std::int64_t, std::int64_t>;
  std::int64_t append(std::int64_t start, std::int64_t occupancy) {
    if (occupancy == 0) return start;
    if (!busy_.empty() && busy_.back().second == start)
      busy_.back().second = start + occupancy;
    else
      busy_.push_back({start, start + occupancy});
    return start;
  }
  std::vector<Interval> busy_;
};

}  // namespace

TEST_CASE("the blocked unit timeline places every op where the single sorted vector did") {
  // Several regimes: ready times spread far behind the end (fragmented gaps, many inserts), close to
  // it (mostly appends and merges), occupancies of zero and of the size of the gaps.
  struct Regime {
    std::int64_t ready_span, max_occupancy;
    int zero_percent;
  };
  for (const Regime r :
       {Regime{100000, 50, 5}, Regime{2000, 10, 20}, Regime{50, 30, 0}, Regime{1000000, 3, 10}}) {
    for (unsigned seed = 1; seed <= 3; ++seed) {
      std::mt19937_64 rng(seed * 7919 + unsigned(r.ready_span));
      imc::sim::UnitTimeline blocked;
      ReferenceTimeline reference;
      std::int64_t clock = 0;
      int mismatches = 0;
      for (int i = 0; i < 20000; ++i) {
        clock += std::int64_t(rng() % 4);
        const std::int64_t ready =
            std::max<std::int64_t>(0, clock - std::int64_t(rng() % std::uint64_t(r.ready_span)));
        const std::int64_t occupancy =
            int(rng() % 100) < r.zero_percent ? 0 : 1 + std::int64_t(rng() % std::uint64_t(r.max_occupancy));
        const std::int64_t a = blocked.place(ready, occupancy, false);
        const std::int64_t b = reference.place(ready, occupancy);
        mismatches += a != b;
        if (a != b) {
          INFO("op " << i << " ready " << ready << " occupancy " << occupancy);
          CHECK(a == b);
          break;
        }
        CHECK(a >= ready);
      }
      CHECK(mismatches == 0);
    }
  }
  // In-order units: after the previous op, as before.
  imc::sim::UnitTimeline pe;
  CHECK(pe.place(5, 3, true) == 5);
  CHECK(pe.place(0, 2, true) == 8);
  CHECK(pe.place(20, 1, true) == 20);
}
