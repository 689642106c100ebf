// A unit of the chip that executes its stream of ops: a PE, a tile's bus, accumulator, activation /
// pool / vector unit, network interface, or the DRAM channel.
//
// An op starts when (1) its dependencies have completed, (2) the unit is free, (3) it has the
// buffer space it writes (OpTracker). It completes `service` cycles later and releases the unit
// after `occupancy` cycles; both come from sim/timing.h, the functions the analytical model uses,
// so on an uncontended run both models agree to the cycle.
//
// Arbitration, oldest ready first, work-conserving: whenever a shared unit (bus, accumulator,
// digital units, NIC, DRAM stream) is free it starts the earliest op of its stream (program order)
// that is ready: its dependencies are done and it has its buffer space. An op whose data is there
// but whose space is still held by its consumers is passed over (a load waiting for a PE input
// buffer to drain is not a request the bus arbiter can serve), and so is an op whose data is not
// there yet: the unit never idles while it holds a ready request. This is the causal counterpart
// of the analytical model's rule (sim/analytical/unit_timeline.h), which places each op, in program
// order, into the earliest idle gap at or after its ready time; docs/systemc.md compares the two
// and states the bound the tests hold. A PE serves its ops in program order among the ops waiting
// for data (it runs one layer's chunks in sequence, as in the analytical model); it too passes an op
// waiting for buffer space.
// Subclasses whose ops finish asynchronously (a Send finishes when the mesh delivers it) override
// begin() and report the completion and release later.
//
// Event-driven: one SC_METHOD woken by op readiness, buffer space, or its own agenda (completions,
// release); an idle unit has no pending notification.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <systemc>
#include <utility>
#include <vector>

#include "mapping/program.h"
#include "sim/systemc/buffer.h"
#include "sim/systemc/op_tracker.h"
#include "sim/systemc/sim_spec.h"
#include "sim/systemc/stats.h"

namespace imc::sim::systemc {

class Unit : public sc_core::sc_module, public OpExecutor {
 public:
  SC_HAS_PROCESS(Unit);
  Unit(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, OpTracker& tracker,
       mapping::UnitKind kind);

  mapping::UnitKind unit_kind() const { return kind_; }
  void append(int id);  // ops must be appended in program order
  void op_ready(int id) override;
  void space_freed() override {
    space_freed_at_ = spec_.now();
    kick();
  }

  // For ops another module finishes (begin() returned async): completion / release times.
  void complete_at(int id, std::int64_t cycle);
  void release_at(std::int64_t cycle);

  // Deadlock breaking (see OpTracker): was an op with its data found waiting for space at the last
  // scan? head(): the oldest such op; force_head() admits it past buffer capacity.
  bool blocked_on_space() const { return blocked_pos_ != kNone; }
  int head() const { return blocked_pos_ != kNone ? stream_[blocked_pos_] : -1; }
  void force_head();
  std::size_t remaining() const { return stream_.size() - next_; }

  const UnitStats& stats() const { return ustats_; }

 protected:
  struct Timing {
    std::int64_t service = 0;
    std::int64_t occupancy = 0;
    bool async = false;  // completion and release arrive later (complete_at / release_at)
  };
  virtual Timing begin(int id, const mapping::Op& op, std::int64_t now);
  virtual void finished(int /*id*/, const mapping::Op& /*op*/, std::int64_t /*now*/) {}
  // The stall reason of a ready op waiting for this unit.
  virtual Stall wait_reason() const { return Stall::UnitBusy; }

  const SimSpec& spec_;
  Stats& stats_;
  OpTracker& tracker_;
  UnitStats ustats_;

 private:
  void step();
  void kick() { wake_.notify(sc_core::SC_ZERO_TIME); }
  void start(std::size_t pos, std::int64_t now);
  void finish(int id, std::int64_t now);

  // Intervals during which this unit's stream was held up by something other than the unit
  // being busy (ordered, disjoint): ops that were waiting meanwhile are charged to that cause.
  struct Blame {
    std::int64_t from, to;
    Stall reason;
  };
  void add_blame(std::int64_t from, std::int64_t to, Stall reason);
  std::vector<Blame> blame_;

  mapping::UnitKind kind_;
  sc_core::sc_event wake_;
  Calendar<int> done_;
  std::vector<int> stream_;
  std::vector<char> started_;               // per stream position
  std::vector<std::int64_t> blocked_from_;  // per position: first cycle found waiting for space (-1: never)
  std::vector<std::int64_t> space_due_;     // per position: when draining was due to make room (last try)
  std::size_t next_ = 0;                    // oldest unstarted position
  int last_started_ = -1;                   // the op that held the unit last
  static constexpr std::size_t kNone = std::size_t(-1);
  const bool in_order_;          // a PE (see above)
  std::set<std::size_t> ready_;  // a shared unit's: positions whose data is there, not started
  // Unstarted ops per (layer, inference): a layer's ops of inference b + 1 wait for its ops of
  // inference b on the same unit (a layer's controller takes the images in order).
  std::map<std::pair<int, int>, int> unstarted_;
  bool oldest_inference(const mapping::Op& op) const;
  std::size_t blocked_pos_ = kNone;  // the oldest position found waiting for space at the last scan
  std::size_t forced_pos_ = kNone;
  std::int64_t space_freed_at_ = 0;  // when a buffer this unit waits on last freed space
  std::int64_t free_at_ = 0;         // the unit is free from this cycle (kNever while an async op holds it)
  int async_op_ = -1;
  std::int64_t release_noticed_ = 0;  // when the last async release was reported
  bool force_ = false;
};

// A PE: its crossbars, DAC drivers, ADC bank and shift-add units. An Mvm's service is
// sim::mvm_cycles (per input slice and read: the analog read and the conversions of the columns
// sharing each ADC, overlapped with sample-and-hold; the PE's shift-adds of row-block partial sums
// overlap the next vector), so ADC sharing is inside the step. An Mvm covering pe_count PEs runs
// them in lockstep and is executed by the first PE's module (the unit key of mapping/program.h).
class Pe : public Unit {
 public:
  Pe(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, OpTracker& tracker);

 protected:
  Timing begin(int id, const mapping::Op& op, std::int64_t now) override;
  Stall wait_reason() const override { return Stall::AdcBusy; }
};

// One stream (reads or writes) of the chip's DRAM channel (all links together): an access occupies
// the stream for its transfer and completes after the access latency plus the transfer
// (sim::dram_cycles). The chip has two, one per direction (mapping::dram_stream).
class DramChannel : public Unit {
 public:
  DramChannel(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, OpTracker& tracker);

 protected:
  Stall wait_reason() const override { return Stall::Dram; }
};

}  // namespace imc::sim::systemc
