#include "sim/systemc/buffer.h"

#include <algorithm>
#include <stdexcept>

#include "sim/systemc/sim_spec.h"

namespace imc::sim::systemc {

Buffer::Buffer(const sc_core::sc_module_name& name, const arch::BufferSpec& spec)
    : sc_core::sc_module(name), capacity_(spec.capacity_bytes * 8) {
  bstats_.capacity_bits = capacity_;
}

std::int64_t Buffer::Ramp::left(std::int64_t t) const {
  if (t <= from) return bits;
  if (t >= to) return 0;
  // Rounded up: space is free only once the consumer has read it.
  const __int128 num = __int128(bits) * (to - t);
  return std::int64_t((num + (to - from) - 1) / (to - from));
}

int Buffer::region_of(int layer) {
  const auto [it, added] = region_index_.emplace(layer, int(region_index_.size()));
  if (added && int(region_index_.size()) > int(regions_.size())) regions_.emplace_back();
  return it->second;
}

std::int64_t Buffer::used_bits(std::int64_t t) const {
  std::int64_t u = 0;
  for (int r = 0; r < int(regions_.size()); ++r) u += used_bits(t, r);
  return u;
}

std::int64_t Buffer::used_bits(std::int64_t t, int region) const {
  const Region& g = regions_[std::size_t(region)];
  std::int64_t u = g.held;
  for (const Ramp& r : g.ramps) u += r.left(t);
  return u;
}

bool Buffer::fits_at(std::int64_t bits, std::int64_t t, int region) const {
  if (!modeled()) return true;
  const std::int64_t guarantee = region_capacity_bits();
  // Within its guarantee a region never waits for the others (even if deadlock breaking pushed them
  // past the capacity).
  if (used_bits(t, region) + bits <= guarantee) return true;
  std::int64_t committed = 0;
  for (int r = 0; r < int(regions_.size()); ++r)
    committed += std::max(guarantee, used_bits(t, r) + (r == region ? bits : 0));
  return committed <= capacity_;
}

std::int64_t Buffer::earliest_start(std::int64_t bits, std::int64_t fill, std::int64_t now,
                                    int region) const {
  fill = std::max<std::int64_t>(0, fill);
  if (fits_at(bits, now + fill, region)) return now;
  std::int64_t hi = now + fill;
  for (const Ramp& r : regions_[std::size_t(region)].ramps) hi = std::max(hi, r.to);
  if (!fits_at(bits, hi, region)) return kNever;
  std::int64_t lo = now + fill;  // used_bits is non-increasing in time: the first cycle that fits
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (fits_at(bits, mid, region))
      hi = mid;
    else
      lo = mid;
  }
  return hi - fill;
}

void Buffer::prune(Region& g, std::int64_t now) {
  g.ramps.erase(std::remove_if(g.ramps.begin(), g.ramps.end(), [now](const Ramp& r) { return r.to <= now; }),
                g.ramps.end());
}

void Buffer::take(std::int64_t bits, std::int64_t now, bool forced, int region) {
  if (!modeled() || bits <= 0) return;
  Region& g = regions_[std::size_t(region)];
  prune(g, now);
  if (forced && earliest_start(bits, 0, now, region) >= kNever) bstats_.overcommits++;
  g.held += bits;
  bstats_.reservations++;
  std::int64_t held = 0;
  for (const Region& x : regions_) held += x.held;
  bstats_.peak_bits = std::max(bstats_.peak_bits, held);
}

void Buffer::give(std::int64_t bits, int region) {
  if (!modeled() || bits <= 0) return;
  Region& g = regions_[std::size_t(region)];
  g.held -= bits;
  if (g.held < 0) throw std::logic_error(std::string(name()) + ": more space returned than taken");
  wake();
}

void Buffer::drain(std::int64_t bits, std::int64_t from, std::int64_t to, int region) {
  if (!modeled() || bits <= 0) return;
  if (to <= from) return give(bits, region);
  Region& g = regions_[std::size_t(region)];
  g.held -= bits;
  if (g.held < 0) throw std::logic_error(std::string(name()) + ": more space drained than taken");
  g.ramps.push_back(Ramp{from, to, bits});
  wake();
}

void Buffer::wake() {
  // Waiters re-try (and learn when draining data makes room) in the order they started waiting:
  // their processes run in notification order.
  std::vector<SpaceWaiter*> w;
  w.swap(waiters_);
  for (SpaceWaiter* x : w) x->space_freed();
}

void Buffer::wait_for_space(SpaceWaiter* w) {
  bstats_.blocked++;
  if (std::find(waiters_.begin(), waiters_.end(), w) == waiters_.end()) waiters_.push_back(w);
}

}  // namespace imc::sim::systemc
