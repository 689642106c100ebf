// A finite buffer (PE input buffer, tile buffer, tile output buffer, global buffer): capacity in
// bits and the space its producers hold (the accounting is described in op_tracker.h and
// docs/systemc.md). Data streams: a producer fills its space while it runs, and the space drains
// linearly while the data's consumer reads it (a "ramp" over the consumer's occupancy). So a
// producer may start once the space it needs will be there by the time it has written everything,
// given the draining already under way. Passive: no process of its own, so an idle buffer costs no
// events; a producer that does not fit learns when draining data will make room, or is woken when
// space is returned.
//
// Regions: a buffer written by several layers keeps one region per writing layer (region_of), as
// a controller that allocates each layer's FIFO would: half the buffer is split evenly among them
// as guarantees, the other half is shared (borrowed first come, first served). A region within its
// guarantee never waits for the others, so a fast producer cannot take the space its own consumer
// needs for that consumer's output (resnet18's stem conv and relu filling tile 0 while the slower
// max-pool behind them had no room to write: a cycle of waits that only the deadlock breaker
// ended, by admitting past capacity). Without registered regions the whole buffer is region 0.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
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

  // The region of the data `layer` writes here (registered on first use, before the run).
  int region_of(int layer);
  int regions() const { return std::max<int>(1, int(region_index_.size())); }
  // Each region's guarantee: half the buffer split evenly among the regions; the other half is
  // shared (the whole buffer with one region).
  std::int64_t region_capacity_bits() const {
    return regions() == 1 ? capacity_ : capacity_ / (2 * regions());
  }

  std::int64_t used_bits(std::int64_t t) const;              // all regions
  std::int64_t used_bits(std::int64_t t, int region) const;  // held + what draining data still occupies at t
  // Would `bits` more in `region` fit at cycle t (with the draining known now)? Each region is
  // guaranteed region_capacity_bits(); a region may borrow space beyond it that no other region's
  // guarantee needs: what is in use or guaranteed, sum over regions of max(used, guarantee), stays
  // within the capacity.
  bool fits_at(std::int64_t bits, std::int64_t t, int region = 0) const;
  // Earliest cycle >= now from which a producer filling `bits` over `fill` cycles fits by the time
  // it is done (kNever: draining alone will not make room).
  std::int64_t earliest_start(std::int64_t bits, std::int64_t fill, std::int64_t now, int region = 0) const;

  // Holds `bits` from now (the caller checked earliest_start); `forced`: past capacity to break an
  // op-level deadlock (counted).
  void take(std::int64_t bits, std::int64_t now, bool forced, int region = 0);
  void give(std::int64_t bits, int region = 0);  // returned at once
  // Returned linearly over [from, to).
  void drain(std::int64_t bits, std::int64_t from, std::int64_t to, int region = 0);
  void wait_for_space(SpaceWaiter* w);

  const BufferStats& stats() const { return bstats_; }

 private:
  struct Ramp {
    std::int64_t from, to, bits;
    std::int64_t left(std::int64_t t) const;  // bits still occupied at t
  };
  struct Region {
    std::int64_t held = 0;
    std::vector<Ramp> ramps;
  };
  void wake();
  void prune(Region& r, std::int64_t now);
  std::int64_t capacity_ = 0;
  std::map<int, int> region_index_;  // writing layer -> region
  std::vector<Region> regions_{1};
  std::vector<SpaceWaiter*> waiters_;
  BufferStats bstats_;
};

}  // namespace imc::sim::systemc
