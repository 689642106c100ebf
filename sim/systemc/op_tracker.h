// The scoreboard of a run: which ops are done, which are ready, and the buffer space each op holds.
//
// Dependencies: an op is ready once all its deps have completed; the tracker then wakes the unit
// whose stream holds it. Units serve their streams oldest-ready-first (unit.h).
//
// Buffer accounting (the "sound, documented" rule; docs/systemc.md has the worked reasoning):
//  - An op reserves space in every buffer it writes, as its action counts say: PeInBufWrite in the
//    PE input buffers of each Mvm it feeds (what that Mvm reads, spread over its pe_count PEs), TileBufWrite
//    in its tile's buffer, TileOutBufWrite in its tile's output buffer, GlobalBufWrite in the global buffer.
//    The PE output buffer is drained at every MVM step by the shift-add path (inside mvm_step_cycles), so it
//    holds nothing across ops.
//  - Data streams through buffers as through a FIFO between a producer and its consumers. The
//    space is held from the producer's start until the last of its consumers starts (its direct
//    dependents on the same tile (and PE) that read that buffer); then it drains linearly while
//    that consumer reads it, over the consumer's occupancy. A producer fills its space while it
//    runs, so it may start once its space will be free by the time it has written everything
//    (given the draining under way); otherwise it waits (buffer_full). With no such consumer the
//    space is returned when the producer completes; the global buffer only stages DRAM transfers
//    (held during the transfer).
//  - Working sets larger than a buffer: an op consumes all its inputs at once at op granularity,
//    but the hardware streams a working set larger than the buffer through it. Each producer's
//    reservation is therefore scaled by min(1, room / working set) over its consumers (the
//    working set of a consumer = the bits all its producers put in that buffer region), so the inputs of
//    any one consumer always fit together and a single op can never deadlock a buffer. The room is
//    half the capacity: the PE input, tile and tile output buffers are double-buffered (the
//    capacity of the spec is two banks), so the next chunk is written while the current one is
//    read (for a PE: loads while the crossbars compute). The global buffer only stages DRAM
//    transfers and offers all of its capacity.
//  - Regions: a buffer written by several layers keeps a region per writing layer (Buffer::region_of),
//    each guaranteed a share of half the buffer, the other half shared. The room above is half of
//    a region's guarantee (the whole buffer's half with one writing layer). A layer within its
//    guarantee never waits for another layer's data, so a fast producer cannot take the space its
//    slower consumer needs for its own output (the cycle of waits that the deadlock breaker used to
//    end by admitting past capacity: resnet18's tile 0 held 4.37 Mbit of its 1 Mbit buffer).
//  - Shared units serve any op whose data is there, the oldest first (unit.h), so an op waiting
//    for space that only a later op of its own unit frees (a NIC's Recv waiting for a Send that
//    drains the buffer) is passed by that op. A PE keeps program order among ops waiting for data.
//    Should the simulation still run out of events with ops unfinished (a cycle of buffer waits),
//    the oldest op blocked on space is admitted past capacity (Stats::forced_admissions).
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "mapping/program.h"
#include "sim/systemc/buffer.h"
#include "sim/systemc/stats.h"

namespace imc::sim::systemc {

// Something that executes ops and must be told when its next op may be able to start.
class OpExecutor : public SpaceWaiter {
 public:
  virtual void op_ready(int id) = 0;  // `id` has all its deps done
};

enum class BufferLevel { PeInput, Tile, TileOutput, Global };

// A region of a buffer (Buffer::region_of: one per writing layer).
using BufferRegion = std::pair<const Buffer*, int>;

class OpTracker {
 public:
  OpTracker(const mapping::Program& program, Stats& stats);

  const mapping::Program& program() const { return program_; }
  const mapping::Op& op(int id) const { return program_.ops[std::size_t(id)]; }
  std::int64_t size() const { return std::int64_t(program_.ops.size()); }

  void bind(int id, OpExecutor* executor) { exec_[std::size_t(id)] = executor; }

  // Builds every op's reservations (see the header comment); `resolve` gives the buffer of a level
  // at (tile, pe) (pe is ignored except for PeInput), or nullptr when not modeled.
  using BufferResolver = std::function<Buffer*(BufferLevel, int tile, int pe)>;
  void plan_buffers(const BufferResolver& resolve);

  bool ready(int id) const { return pending_[std::size_t(id)] == 0; }
  std::int64_t ready_cycle(int id) const { return ready_at_[std::size_t(id)]; }

  // All-or-nothing: takes every reservation of `id` at `now` if all fit and returns now. Else the
  // executor of `id` waits for space and the result is the cycle at which draining data will make
  // room (kNever: only a later release will). An op that could only wait forever (see above) is
  // admitted past capacity at once.
  // `fill`: the cycles over which the op writes its data (its occupancy).
  std::int64_t try_reserve(int id, std::int64_t now, std::int64_t fill);
  void force_reserve(int id, std::int64_t now);  // past capacity (deadlock breaking)
  bool needs_space(int id) const { return !uses_[std::size_t(id)].empty(); }
  // Does `id` write any of `regions`? (Space is granted to one unit's ops in their order.)
  bool writes_any(int id, const std::vector<BufferRegion>& regions) const;
  void add_buffers(int id, std::vector<BufferRegion>& out) const;  // the buffer regions `id` writes

  // `id` started at `now` and occupies its unit for `occupancy` cycles: the data it is the last
  // consumer of starts draining.
  void started(int id, std::int64_t now, std::int64_t occupancy);

  // `id` completed at `now`: dependents' counters, returns space held for it, wakes executors.
  void complete(int id, std::int64_t now);
  std::int64_t completed() const { return stats_.completed; }

  // Called every `every` completions with (completed, total, now) (progress lines).
  void on_progress(std::int64_t every, std::function<void(std::int64_t, std::int64_t, std::int64_t)> f) {
    progress_every_ = every;
    progress_ = std::move(f);
  }

 private:
  struct Use {
    Buffer* buffer = nullptr;
    int region = 0;        // of the producer's layer (Buffer::region_of)
    int buffer_index = 0;  // of (buffer, region)
    std::int64_t bits = 0;
    std::vector<int> consumers;
    int starts_left = 0;  // consumers not started yet
    bool taken = false;   // held in full (not draining or returned)
  };
  bool self_blocked(int id, int buffer_index) const;
  void hold(int pid, int u, std::int64_t now, bool forced);
  void unhold(int pid, int u);
  const mapping::Program& program_;
  Stats& stats_;
  std::vector<int> pending_;
  std::vector<std::int64_t> ready_at_;
  std::vector<std::vector<int>> dependents_;
  std::vector<OpExecutor*> exec_;
  std::vector<std::vector<Use>> uses_;                      // per producer
  std::vector<std::vector<std::pair<int, int>>> consumes_;  // per consumer: (producer, use index)
  std::vector<std::vector<std::pair<int, int>>> held_;      // per buffer region: uses held in full
  std::int64_t progress_every_ = 0;
  std::function<void(std::int64_t, std::int64_t, std::int64_t)> progress_;
};

}  // namespace imc::sim::systemc
