// What every SystemC module of the model is built from: the immutable hardware spec, its cost
// table (service times come from sim/timing.h, the functions the analytical model uses), and the
// mapping of integer cycles of the digital clock onto SystemC time. Modules read no globals.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <systemc>
#include <vector>

#include "arch/cost.h"
#include "arch/spec.h"

namespace imc::sim::systemc {

inline constexpr std::int64_t kNever = INT64_MAX / 4;

struct SimSpec {
  SimSpec(const arch::ArchSpec& arch, const arch::cost::CostTable& costs);

  const arch::ArchSpec& arch;
  const arch::cost::CostTable& costs;
  // One cycle of the digital clock as SystemC time (1/clock, rounded to the 1 ps resolution; all
  // model times are whole cycles, so the rounding never changes a cycle count).
  sc_core::sc_time cycle;

  std::int64_t now() const;                           // current time in cycles
  sc_core::sc_time delay(std::int64_t cycles) const;  // a SystemC delay of `cycles` (>= 0)
};

// A module's agenda: items due at given cycles, popped in (cycle, insertion) order so that equal
// times keep their order (determinism). A module arms one sc_event for the earliest item; idle
// modules have no pending notification and cost nothing.
template <class T>
class Calendar {
 public:
  void push(std::int64_t at, T item) { q_.push(Entry{at, seq_++, std::move(item)}); }
  bool empty() const { return q_.empty(); }
  std::int64_t next_time() const { return q_.empty() ? kNever : q_.top().at; }
  bool due(std::int64_t now) const { return !q_.empty() && q_.top().at <= now; }
  T pop() {
    T item = q_.top().item;
    q_.pop();
    return item;
  }
  std::size_t size() const { return q_.size(); }

 private:
  struct Entry {
    std::int64_t at;
    std::uint64_t seq;
    T item;
    bool operator>(const Entry& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> q_;
  std::uint64_t seq_ = 0;
};

// Notifies `ev` for the earliest of `at` (cycles) and any notification already pending on it:
// sc_event keeps the earlier of two notifications, which is what every module here wants.
void arm(sc_core::sc_event& ev, const SimSpec& spec, std::int64_t at);

}  // namespace imc::sim::systemc
