// A finite buffer (PE input buffer, tile buffer, tile output buffer, global buffer): capacity in
// bits and the space its producers hold (the accounting is described in op_tracker.h and
// docs/systemc.md). Data streams: a producer fills its space while it runs, and the space drains
// linearly while the data's consumer reads it (a "ramp" over the consumer's occupancy). So a
// producer may start once the space it needs will be there by the time it has written everything,
// given the draining already under way. Passive: no process of its own, so an idle buffer costs no
// events; a producer that does not fit learns when draining data will make room, or is woken when
// space is returned.
#pragma once

#include <cstdint>
#include <systemc>
#include <vector>

#include "arch/spec.h"
#include "sim/systemc/stats.h"

namespace imc::sim::systemc {

// Something that waits for space (a unit whose next op needs a reservation).
class SpaceWaiter {
 public:
  virtual ~SpaceWaiter() = default;
  virtual void space_freed() = 0;
};

class Buffer : public sc_core::sc_module {
 public:
  // Its counters are its own (stats()); it needs nothing of the run-wide Stats.
  Buffer(const sc_core::sc_module_name& name, const arch::BufferSpec& spec);

  // A buffer of capacity 0 is absent at this level: it holds nothing and never stalls anyone.
  bool modeled() const { return capacity_ > 0; }
  std::int64_t capacity_bits() const { return capacity_; }
  std::int64_t used_bits(std::int64_t t) const;  // held + what draining data still occupies at t
  // Would `bits` fit at cycle t (with the draining known now)?
  bool fits_at(std::int64_t bits, std::int64_t t) const {
    return !modeled() || used_bits(t) + bits <= capacity_;
  }
  // Earliest cycle >= now from which a producer filling `bits` over `fill` cycles fits by the time
  // it is done (kNever: draining alone will not make room).
  std::int64_t earliest_start(std::int64_t bits, std::int64_t fill, std::int64_t now) const;

  // Holds `bits` from now (the caller checked earliest_start); `forced`: past capacity to break an
  // op-level deadlock (counted).
  void take(std::int64_t bits, std::int64_t now, bool forced);
  void give(std::int64_t bits);                                       // returned at once
  void drain(std::int64_t bits, std::int64_t from, std::int64_t to);  // returned linearly over [from, to)
  void wait_for_space(SpaceWaiter* w);

  const BufferStats& stats() const { return bstats_; }

 private:
  struct Ramp {
    std::int64_t from, to, bits;
    std::int64_t left(std::int64_t t) const;  // bits still occupied at t
  };
  void wake();
  void prune(std::int64_t now);
  std::int64_t capacity_ = 0;
  std::int64_t held_ = 0;
  std::vector<Ramp> ramps_;
  std::vector<SpaceWaiter*> waiters_;
  BufferStats bstats_;
};

}  // namespace imc::sim::systemc
