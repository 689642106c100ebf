// Plain counters of the SystemC model, kept apart from the modules that fill them (Timeloop's
// Spec / Model / Stats split). The run-wide Stats holds one record per op of the Program (what the
// Report is built from); each module also keeps its own small counters (UnitStats, BufferStats,
// NocStats) that the harness tests read.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace imc::sim::systemc {

// Why an op that could have started (its dependencies done) did not. Names are the report keys.
enum class Stall : int {
  AdcBusy,            // waiting for its PE: the PE's crossbars/ADCs are busy with an earlier op
  UnitBusy,           // waiting for a tile unit (bus, accumulator, digital unit, NIC) held by an earlier op
  BufferFull,         // waiting for space in a buffer it writes (input, output, tile or global buffer)
  NetworkContention,  // a Send taking longer than on an idle mesh (links, router buffers, ejection port)
  Dram,               // waiting for the DRAM channel
  kCount
};
inline constexpr int kStallCount = static_cast<int>(Stall::kCount);
const char* to_string(Stall s);

struct OpRecord {
  std::int64_t ready = -1;  // cycle its last dependency completed (0 with none)
  std::int64_t start = -1;
  std::int64_t done = -1;                         // completion (dependents may start)
  std::int64_t release = -1;                      // the unit was free again for the next op of its stream
  std::array<std::int64_t, kStallCount> stall{};  // its waits by reason (see Unit::start)
  std::int64_t space_wait = 0;                    // of which: its own wait for buffer space
  std::int64_t late_release = 0;                  // of which: its unit's release confirmed late by the mesh
  int unit_prev = -1;  // the op that held its unit just before it (arbitration may reorder a stream)
};

struct UnitStats {
  std::int64_t ops = 0;
  std::int64_t busy_cycles = 0;      // sum of occupancy
  std::int64_t wait_cycles = 0;      // ready ops waiting for this unit
  std::int64_t adc_busy_cycles = 0;  // PEs: cycles the ADC bank converts (steps x ADC time)
};

struct BufferStats {
  std::int64_t capacity_bits = 0;
  std::int64_t peak_bits = 0;
  std::int64_t reservations = 0;
  std::int64_t blocked = 0;      // reservation attempts that had to wait
  std::int64_t overcommits = 0;  // reservations forced past capacity to break an op-level deadlock
};

struct NocStats {
  std::int64_t messages = 0;
  std::int64_t packets = 0;
  std::int64_t flits = 0;
  std::int64_t flit_hops = 0;        // flits x routers traversed (the NocFlitHop action)
  std::int64_t head_wait_slots = 0;  // time heads waited for a channel, in flit slots
  std::int64_t grants = 0;           // channel acquisitions (one per packet per channel)
};

struct Stats {
  explicit Stats(std::size_t op_count = 0) : ops(op_count) {}
  std::vector<OpRecord> ops;
  std::int64_t events = 0;             // process activations (each handles the work due at its time)
  std::int64_t completed = 0;          // ops completed
  std::int64_t forced_admissions = 0;  // op-level buffer deadlocks broken (see docs/systemc.md)
  NocStats noc;
};

}  // namespace imc::sim::systemc
