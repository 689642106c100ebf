#include "sim/systemc/unit.h"

#include <algorithm>

#include "sim/timing.h"

namespace imc::sim::systemc {

Unit::Unit(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, OpTracker& tracker,
           mapping::UnitKind kind)
    : sc_core::sc_module(name),
      spec_(spec),
      stats_(stats),
      tracker_(tracker),
      kind_(kind),
      in_order_(kind == mapping::UnitKind::Pe) {
  SC_METHOD(step);
  sensitive << wake_;
  dont_initialize();
}

void Unit::append(int id) {
  const mapping::Op& op = tracker_.op(id);
  ++unstarted_[{op.layer, op.batch}];
  stream_.push_back(id);
  started_.push_back(0);
  blocked_from_.push_back(-1);
  space_due_.push_back(kNever);
  tracker_.bind(id, this);
  if (tracker_.ready(id)) op_ready(id);
}

void Unit::op_ready(int id) {
  if (in_order_) {
    // Startable only if every unstarted op before it has its data (the scan stops at the first
    // that has not): the head itself, or a later op while the head is ready but waiting.
    const int h = stream_[next_ < stream_.size() ? next_ : 0];
    if (next_ < stream_.size() && (h == id || tracker_.ready(h))) kick();
    return;
  }
  // Streams are appended in program order, so op ids ascend along the stream.
  const auto it = std::lower_bound(stream_.begin(), stream_.end(), id);
  ready_.insert(std::size_t(it - stream_.begin()));
  kick();
}

void Unit::complete_at(int id, std::int64_t cycle) {
  done_.push(cycle, id);
  arm(wake_, spec_, cycle);
}

void Unit::release_at(std::int64_t cycle) {
  if (async_op_ >= 0) {
    OpRecord& rec = stats_.ops[std::size_t(async_op_)];
    rec.release = std::max(cycle, rec.start);
    ustats_.busy_cycles += rec.release - rec.start;
    // Held past its idle occupancy by the network: the ops queued behind it wait for that.
    const std::int64_t idle = occupancy_cycles(tracker_.op(async_op_), spec_.arch, spec_.costs);
    add_blame(rec.start + idle, rec.release, Stall::NetworkContention);
    async_op_ = -1;
  }
  free_at_ = cycle;
  release_noticed_ = spec_.now();
  arm(wake_, spec_, cycle);
}

void Unit::force_head() {
  if (blocked_pos_ == kNone) return;
  force_ = true;
  forced_pos_ = blocked_pos_;
  kick();
}

void Unit::step() {
  stats_.events++;
  const std::int64_t now = spec_.now();
  while (done_.due(now)) finish(done_.pop(), now);
  std::int64_t retry = kNever;  // the earliest cycle draining makes room for a waiting op
  if (free_at_ <= now) {
    // Oldest ready first. An op may go past one waiting for space only if it writes none of that
    // op's buffers: a buffer grants its space in the unit's order, so small requests cannot
    // starve a large one.
    std::vector<BufferRegion> waited_for;
    blocked_pos_ = kNone;
    // Tries to start the op at `pos` (its data is there); false while it waits for space.
    const auto try_start = [&](std::size_t pos) {
      const int id = stream_[pos];
      if (!in_order_ && !oldest_inference(tracker_.op(id))) return false;
      if (force_ && pos == forced_pos_) {
        tracker_.force_reserve(id, now);
        force_ = false;
      } else if (tracker_.needs_space(id) && tracker_.writes_any(id, waited_for)) {
        if (blocked_from_[pos] < 0) blocked_from_[pos] = now;
        space_due_[pos] = kNever;  // behind an older op: due when that one has started
        tracker_.add_buffers(id, waited_for);
        return false;
      } else if (tracker_.needs_space(id)) {
        const std::int64_t when =
            tracker_.try_reserve(id, now, occupancy_cycles(tracker_.op(id), spec_.arch, spec_.costs));
        if (when > now) {
          if (blocked_from_[pos] < 0) blocked_from_[pos] = now;
          space_due_[pos] = when;
          retry = std::min(retry, when);
          if (blocked_pos_ == kNone) blocked_pos_ = pos;
          tracker_.add_buffers(id, waited_for);
          return false;
        }
      }
      started_[pos] = 1;
      start(pos, now);
      return true;
    };
    if (in_order_) {
      // A PE: program order among the ops waiting for data (the analytical model's rule).
      for (std::size_t pos = next_; pos < stream_.size() && free_at_ <= now; ++pos) {
        if (started_[pos]) continue;
        if (!tracker_.ready(stream_[pos])) break;
        try_start(pos);
      }
    } else {
      // A shared unit: any op whose data is there, the oldest first (work-conserving).
      for (auto it = ready_.begin(); it != ready_.end() && free_at_ <= now;)
        it = try_start(*it) ? ready_.erase(it) : std::next(it);
    }
    while (next_ < stream_.size() && started_[next_]) ++next_;
    if (force_ && (forced_pos_ >= stream_.size() || started_[forced_pos_])) force_ = false;
  }
  std::int64_t next = done_.next_time();
  const bool waiting = in_order_ ? next_ < stream_.size() && tracker_.ready(stream_[next_]) : !ready_.empty();
  if (waiting) {
    if (free_at_ > now)
      next = std::min(next, free_at_);
    else
      next = std::min(next, retry);
  }
  arm(wake_, spec_, next);
}

bool Unit::oldest_inference(const mapping::Op& op) const {
  for (int b = 0; b < op.batch; ++b) {
    const auto it = unstarted_.find({op.layer, b});
    if (it != unstarted_.end() && it->second > 0) return false;
  }
  return true;
}

void Unit::start(std::size_t pos, std::int64_t now) {
  const int id = stream_[pos];
  const mapping::Op& op = tracker_.op(id);
  --unstarted_[{op.layer, op.batch}];
  OpRecord& rec = stats_.ops[std::size_t(id)];
  rec.ready = tracker_.ready_cycle(id);
  rec.start = now;
  rec.unit_prev = last_started_;
  last_started_ = id;
  // Its own wait for buffer space: from when it was first found waiting (its data there, the unit
  // free) until draining made room (the due time of its last try; with none known, the last time
  // a buffer freed space for this unit, not `now`, which may include time the unit was busy with
  // the ops that went past it).
  std::int64_t space_wait = 0;
  if (blocked_from_[pos] >= 0) {
    const std::int64_t end = space_due_[pos] < kNever ? std::min(now, space_due_[pos]) : space_freed_at_;
    space_wait = std::max<std::int64_t>(0, end - blocked_from_[pos]);
  }
  // The rest of its wait from ready to start is for the unit: the part during which the unit was
  // held by a Send kept by back-pressure is charged to the network, the rest to the unit being busy.
  const std::int64_t unit_free = free_at_;
  const std::int64_t unit_wait = std::max<std::int64_t>(0, now - rec.ready - space_wait);
  const std::int64_t wait_end = rec.ready + unit_wait;
  std::int64_t blamed = 0;
  if (unit_wait > 0) {
    auto it = std::lower_bound(blame_.begin(), blame_.end(), rec.ready,
                               [](const Blame& b, std::int64_t t) { return b.to <= t; });
    for (; it != blame_.end() && it->from < wait_end; ++it) {
      const std::int64_t o = std::min(it->to, wait_end) - std::max(it->from, rec.ready);
      if (o <= 0) continue;
      rec.stall[std::size_t(it->reason)] += o;
      blamed += o;
    }
  }
  // A release the mesh could only confirm later than it happened (mesh.h: a hold is final once
  // the head is far enough ahead) kept the unit idle until then: charged to the network.
  const std::int64_t from = std::max(rec.ready, unit_free);
  const std::int64_t late =
      std::min(unit_wait - blamed, std::max<std::int64_t>(0, std::min(now, release_noticed_) - from));
  rec.stall[std::size_t(Stall::NetworkContention)] += late;
  rec.late_release = late;
  add_blame(from, from + late, Stall::NetworkContention);
  rec.stall[std::size_t(wait_reason())] += unit_wait - blamed - late;
  rec.stall[std::size_t(Stall::BufferFull)] += space_wait;
  rec.space_wait = space_wait;
  ustats_.ops++;
  ustats_.wait_cycles += unit_wait;
  // Provisionally held until released: an async op may report its release from inside begin().
  free_at_ = kNever;
  async_op_ = id;
  const Timing t = begin(id, op, now);
  // The data this op is the last reader of drains while it occupies the unit.
  tracker_.started(id, now, t.async ? occupancy_cycles(op, spec_.arch, spec_.costs) : t.occupancy);
  if (t.async) return;
  async_op_ = -1;
  free_at_ = now + t.occupancy;
  rec.release = free_at_;
  ustats_.busy_cycles += t.occupancy;
  if (t.service == 0)
    finish(id, now);
  else
    done_.push(now + t.service, id);
}

void Unit::add_blame(std::int64_t from, std::int64_t to, Stall reason) {
  if (to <= from) return;
  if (!blame_.empty() && blame_.back().reason == reason && blame_.back().to == from)
    blame_.back().to = to;
  else
    blame_.push_back(Blame{from, to, reason});
}

void Unit::finish(int id, std::int64_t now) {
  finished(id, tracker_.op(id), now);
  tracker_.complete(id, now);
}

Unit::Timing Unit::begin(int, const mapping::Op& op, std::int64_t) {
  return Timing{service_cycles(op, spec_.arch, spec_.costs), occupancy_cycles(op, spec_.arch, spec_.costs),
                false};
}

Pe::Pe(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, OpTracker& tracker)
    : Unit(name, spec, stats, tracker, mapping::UnitKind::Pe) {}

Unit::Timing Pe::begin(int id, const mapping::Op& op, std::int64_t now) {
  if (op.type == mapping::OpType::Mvm) {
    const std::int64_t steps = op.vectors * op.slices * op.reads_per_slice;
    ustats_.adc_busy_cycles += steps * spec_.costs.adc_cycles(op.cols_per_adc_used);  // per PE of the group
    const std::int64_t c = mvm_cycles(op, spec_.arch, spec_.costs);
    return Timing{c, c, false};
  }
  return Unit::begin(id, op, now);
}

DramChannel::DramChannel(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats,
                         OpTracker& tracker)
    : Unit(name, spec, stats, tracker, mapping::UnitKind::Dram) {}

}  // namespace imc::sim::systemc
