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

std::int64_t Buffer::used_bits(std::int64_t t) const {
  std::int64_t u = held_;
  for (const Ramp& r : ramps_) u += r.left(t);
  return u;
}

std::int64_t Buffer::earliest_start(std::int64_t bits, std::int64_t fill, std::int64_t now) const {
  fill = std::max<std::int64_t>(0, fill);
  if (fits_at(bits, now + fill)) return now;
  std::int64_t hi = now + fill;
  for (const Ramp& r : ramps_) hi = std::max(hi, r.to);
  if (!fits_at(bits, hi)) return kNever;
  std::int64_t lo = now + fill;  // used_bits is non-increasing in time: the first cycle that fits
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (fits_at(bits, mid))
      hi = mid;
    else
      lo = mid;
  }
  return hi - fill;
}

void Buffer::prune(std::int64_t now) {
  ramps_.erase(std::remove_if(ramps_.begin(), ramps_.end(), [now](const Ramp& r) { return r.to <= now; }),
               ramps_.end());
}

void Buffer::take(std::int64_t bits, std::int64_t now, bool forced) {
  if (!modeled() || bits <= 0) return;
  prune(now);
  if (forced && earliest_start(bits, 0, now) >= kNever) bstats_.overcommits++;
  held_ += bits;
  bstats_.reservations++;
  bstats_.peak_bits = std::max(bstats_.peak_bits, held_);
}

void Buffer::give(std::int64_t bits) {
  if (!modeled() || bits <= 0) return;
  held_ -= bits;
  if (held_ < 0) throw std::logic_error(std::string(name()) + ": more space returned than taken");
  wake();
}

void Buffer::drain(std::int64_t bits, std::int64_t from, std::int64_t to) {
  if (!modeled() || bits <= 0) return;
  if (to <= from) return give(bits);
  held_ -= bits;
  if (held_ < 0) throw std::logic_error(std::string(name()) + ": more space drained than taken");
  ramps_.push_back(Ramp{from, to, bits});
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
