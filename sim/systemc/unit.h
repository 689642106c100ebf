// A unit of the chip that executes its stream of ops in program order: a PE, a tile's bus,
// accumulator, activation / pool / vector unit, network interface, or the DRAM channel.
//
// An op starts when (1) its dependencies have completed, (2) the previous op of the stream has
// released the unit, (3) it has the buffer space it writes (OpTracker). It completes `service`
// cycles later and releases the unit after `occupancy` cycles; both come from sim/timing.h, the
// functions the analytical model uses, so on an uncontended run both models agree to the cycle.
// Subclasses whose ops finish asynchronously (a Send finishes when the mesh delivers it) override
// begin() and report the completion and release later.
//
// Event-driven: one SC_METHOD woken by op readiness, buffer space, or its own agenda (completions,
// release); an idle unit has no pending notification.
#pragma once

#include <cstdint>
#include <systemc>
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
  void space_freed() override { kick(); }

  // For ops another module finishes (begin() returned async): completion / release times.
  void complete_at(int id, std::int64_t cycle);
  void release_at(std::int64_t cycle);

  // Deadlock breaking (see OpTracker): is the head op ready but waiting for buffer space?
  bool blocked_on_space() const { return waiting_space_; }
  int head() const { return next_ < stream_.size() ? stream_[next_] : -1; }
  void force_head();  // admit the head past buffer capacity
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
  void start(int id, std::int64_t now);
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
  std::size_t next_ = 0;
  std::int64_t free_at_ = 0;  // the unit is free from this cycle (kNever while an async op holds it)
  int async_op_ = -1;
  std::int64_t release_noticed_ = 0;  // when the last async release was reported
  bool waiting_space_ = false;
  std::int64_t retry_at_ = kNever;  // when draining data makes room for the waiting head
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
