#include "sim/systemc/op_tracker.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "sim/systemc/sim_spec.h"

namespace imc::sim::systemc {

using arch::Action;
using mapping::Op;

OpTracker::OpTracker(const mapping::Program& program, Stats& stats)
    : program_(program),
      stats_(stats),
      pending_(program.ops.size(), 0),
      ready_at_(program.ops.size(), 0),
      dependents_(program.ops.size()),
      exec_(program.ops.size(), nullptr),
      uses_(program.ops.size()),
      consumes_(program.ops.size()) {
  for (std::size_t id = 0; id < program.ops.size(); ++id) {
    const Op& op = program.ops[id];
    for (int d : op.deps) {
      if (d < 0 || std::size_t(d) >= id) throw std::logic_error("systemc: an op depends on a later op");
      dependents_[std::size_t(d)].push_back(int(id));
    }
    pending_[id] = int(op.deps.size());
  }
}

void OpTracker::plan_buffers(const BufferResolver& resolve) {
  struct Level {
    BufferLevel level;
    Action write, read;
  };
  const Level levels[] = {{BufferLevel::Tile, Action::TileBufWrite, Action::TileBufRead},
                          {BufferLevel::TileOutput, Action::TileOutBufWrite, Action::TileOutBufRead},
                          {BufferLevel::Global, Action::GlobalBufWrite, Action::GlobalBufRead}};
  std::map<BufferRegion, int> index;
  std::set<const Buffer*> staging;  // the global buffer
  for (std::size_t id = 0; id < program_.ops.size(); ++id) {
    const Op& p = program_.ops[id];
    auto add = [&](Buffer* b, std::int64_t bits, const std::vector<int>& consumers) {
      if (!b || !b->modeled() || bits <= 0) return;
      // The global buffer stages DRAM transfers for every layer: one region.
      const int region = staging.count(b) ? 0 : b->region_of(p.layer);
      const int bi = index.emplace(BufferRegion{b, region}, int(index.size())).first->second;
      const int u = int(uses_[id].size());
      uses_[id].push_back(Use{b, region, bi, bits, consumers, int(consumers.size()), false});
      for (int c : consumers) consumes_[std::size_t(c)].push_back({int(id), u});
    };
    for (const Level& lv : levels) {
      const std::int64_t bits = p.actions[lv.write];
      if (bits <= 0) continue;
      std::vector<int> consumers;
      if (lv.level != BufferLevel::Global)  // the global buffer only stages DRAM traffic
        for (int d : dependents_[id]) {
          const Op& c = program_.ops[std::size_t(d)];
          if (c.tile == p.tile && c.actions[lv.read] > 0) consumers.push_back(d);
        }
      Buffer* b = resolve(lv.level, p.tile, p.pe);
      if (b && lv.level == BufferLevel::Global) staging.insert(b);  // before add(): one region
      add(b, bits, consumers);
    }
    // PE input buffers: what each fed Mvm reads (its PeInBufRead), spread evenly over the input
    // buffers of the pe_count PEs it runs on in lockstep.
    auto per_pe = [&](const Op& c, std::int64_t bits, const std::vector<int>& consumers) {
      const int n = std::max(1, c.pe_count);
      for (int k = 0; k < n; ++k) {
        add(resolve(BufferLevel::PeInput, c.tile, c.pe + k), bits * (k + 1) / n - bits * k / n, consumers);
      }
    };
    if (p.actions[Action::PeInBufWrite] > 0) {
      bool fed = false;
      for (int d : dependents_[id]) {
        const Op& c = program_.ops[std::size_t(d)];
        if (c.tile != p.tile || c.pe < 0 || c.actions[Action::PeInBufRead] <= 0) continue;
        per_pe(c, c.actions[Action::PeInBufRead], {d});
        fed = true;
      }
      if (!fed && p.pe >= 0) per_pe(p, p.actions[Action::PeInBufWrite], {});
    }
  }
  held_.assign(index.size(), {});
  // What one consumer's inputs may occupy: half its producers' region. The PE input, tile and
  // tile output buffers are double-buffered (ping-pong): a producer writes its chunk into one half
  // while the consumer reads the previous chunk from the other, so a chunk larger than half a
  // region is streamed through it. The global buffer only stages DRAM transfers: all of it.
  auto room = [&](const Buffer* b) {
    return staging.count(b) ? b->capacity_bits() : std::max<std::int64_t>(1, b->region_capacity_bits() / 2);
  };
  // Scale working sets larger than that (see the header): the smallest factor over the use itself
  // and each of its consumers' working sets.
  std::vector<std::vector<double>> scale(uses_.size());
  for (std::size_t id = 0; id < uses_.size(); ++id) {
    scale[id].assign(uses_[id].size(), 1.0);
    for (std::size_t u = 0; u < uses_[id].size(); ++u) {
      const Use& use = uses_[id][u];
      if (use.bits > room(use.buffer)) scale[id][u] = double(room(use.buffer)) / double(use.bits);
    }
  }
  for (std::size_t c = 0; c < consumes_.size(); ++c) {
    std::map<int, std::int64_t> ws;  // per buffer region
    for (auto [pid, u] : consumes_[c]) {
      const Use& use = uses_[std::size_t(pid)][std::size_t(u)];
      ws[use.buffer_index] += use.bits;
    }
    for (auto [pid, u] : consumes_[c]) {
      const Use& use = uses_[std::size_t(pid)][std::size_t(u)];
      const std::int64_t w = ws[use.buffer_index];
      if (w > room(use.buffer)) {
        double& s = scale[std::size_t(pid)][std::size_t(u)];
        s = std::min(s, double(room(use.buffer)) / double(w));
      }
    }
  }
  for (std::size_t id = 0; id < uses_.size(); ++id)
    for (std::size_t u = 0; u < uses_[id].size(); ++u) {
      Use& use = uses_[id][u];
      if (scale[id][u] < 1.0) use.bits = std::int64_t(double(use.bits) * scale[id][u]);
      use.bits = std::min(use.bits, room(use.buffer));
    }
}

// Would `id` wait forever for space in buffer `bi`? Yes if space held there in full is waiting for
// a consumer queued behind `id` on the unit that executes `id` (a unit's scan stops at an op whose data
// is not there, so such a consumer may never get past `id`).
bool OpTracker::self_blocked(int id, int bi) const {
  const OpExecutor* unit = exec_[std::size_t(id)];
  for (auto [pid, u] : held_[std::size_t(bi)])
    for (int c : uses_[std::size_t(pid)][std::size_t(u)].consumers)
      if (c > id && exec_[std::size_t(c)] == unit && stats_.ops[std::size_t(c)].start < 0) return true;
  return false;
}

void OpTracker::hold(int pid, int u, std::int64_t now, bool forced) {
  Use& use = uses_[std::size_t(pid)][std::size_t(u)];
  use.buffer->take(use.bits, now, forced, use.region);
  use.taken = true;
  held_[std::size_t(use.buffer_index)].push_back({pid, u});
}

void OpTracker::unhold(int pid, int u) {
  Use& use = uses_[std::size_t(pid)][std::size_t(u)];
  use.taken = false;
  auto& h = held_[std::size_t(use.buffer_index)];
  const auto it = std::find(h.begin(), h.end(), std::pair<int, int>{pid, u});
  if (it != h.end()) {
    *it = h.back();
    h.pop_back();
  }
}

std::int64_t OpTracker::try_reserve(int id, std::int64_t now, std::int64_t fill) {
  auto& uses = uses_[std::size_t(id)];
  for (std::size_t u = 0; u < uses.size(); ++u) {
    // Several uses may share a buffer region: the op needs their sum.
    std::int64_t need = 0;
    for (const Use& v : uses)
      if (v.buffer_index == uses[u].buffer_index) need += v.bits;
    // Its own inputs in that buffer, of which it is the last reader, drain while it writes (both
    // over its occupancy), so they are gone by the time it has written everything: an op that
    // reads and writes the same buffer (an activation in place) never waits for itself.
    for (auto [pid, w] : consumes_[std::size_t(id)]) {
      const Use& in = uses_[std::size_t(pid)][std::size_t(w)];
      if (in.buffer_index == uses[u].buffer_index && in.taken && in.starts_left == 1) need -= in.bits;
    }
    need = std::max<std::int64_t>(0, need);
    const std::int64_t when = uses[u].buffer->earliest_start(need, fill, now, uses[u].region);
    if (when <= now) continue;
    if (when >= kNever && self_blocked(id, uses[u].buffer_index)) {
      force_reserve(id, now);
      return now;
    }
    uses[u].buffer->wait_for_space(exec_[std::size_t(id)]);
    return when;
  }
  for (std::size_t u = 0; u < uses.size(); ++u) hold(id, int(u), now, false);
  return now;
}

bool OpTracker::writes_any(int id, const std::vector<BufferRegion>& regions) const {
  for (const Use& u : uses_[std::size_t(id)])
    if (std::find(regions.begin(), regions.end(), BufferRegion{u.buffer, u.region}) != regions.end())
      return true;
  return false;
}

void OpTracker::add_buffers(int id, std::vector<BufferRegion>& out) const {
  for (const Use& u : uses_[std::size_t(id)]) out.push_back({u.buffer, u.region});
}

void OpTracker::force_reserve(int id, std::int64_t now) {
  for (std::size_t u = 0; u < uses_[std::size_t(id)].size(); ++u) hold(id, int(u), now, true);
  stats_.forced_admissions++;
}

void OpTracker::started(int id, std::int64_t now, std::int64_t occupancy) {
  for (auto [pid, u] : consumes_[std::size_t(id)]) {
    Use& use = uses_[std::size_t(pid)][std::size_t(u)];
    if (--use.starts_left == 0 && use.taken) {
      unhold(pid, u);
      use.buffer->drain(use.bits, now, now + occupancy, use.region);
    }
  }
}

void OpTracker::complete(int id, std::int64_t now) {
  OpRecord& rec = stats_.ops[std::size_t(id)];
  rec.done = now;
  stats_.completed++;
  // Space it holds with no consumer to wait for (staging, or data nobody on this tile reads).
  auto& uses = uses_[std::size_t(id)];
  for (std::size_t u = 0; u < uses.size(); ++u)
    if (uses[u].consumers.empty() && uses[u].taken) {
      unhold(id, int(u));
      uses[u].buffer->give(uses[u].bits, uses[u].region);
    }
  for (int d : dependents_[std::size_t(id)]) {
    ready_at_[std::size_t(d)] = std::max(ready_at_[std::size_t(d)], now);
    if (--pending_[std::size_t(d)] == 0 && exec_[std::size_t(d)]) exec_[std::size_t(d)]->op_ready(d);
  }
  if (progress_ && progress_every_ > 0 && stats_.completed % progress_every_ == 0)
    progress_(stats_.completed, size(), now);
}

}  // namespace imc::sim::systemc
