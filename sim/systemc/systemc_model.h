// The cycle-level SystemC model behind IPerfModel. It executes the same Program as the analytical
// model with the same service times (sim/timing.h) and adds what the formulas cannot see: NoC
// contention and back-pressure (packets on shared links and ports, finite router buffers, wormhole
// or virtual cut-through), finite buffers that stall their producers, queueing at shared units,
// pipeline fill and drain. Action counts are the Program's, so they equal the analytical model's.
// The report names each stall: adc_busy, unit_busy, buffer_full, network_contention, dram
// (docs/systemc.md).
//
// SystemC elaborates once per process: evaluate() can run once per process. Use
// run_systemc_in_child() to evaluate from a process that needs several runs (validate, search).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sim/report.h"
#include "sim/systemc/critical_path.h"
#include "sim/systemc/stats.h"

namespace imc::sim {

struct SystemCOptions {
  bool finite_buffers = true;  // false: buffers never stall (isolates the network's share of a gap)
  std::string trace_csv;       // write utilization per unit kind over time to this CSV ("" = none)
  int trace_buckets = 200;     // rows of the trace
  // Called about every progress_every_ops completed ops with (ops done, ops total, current cycle).
  std::function<void(std::int64_t, std::int64_t, std::int64_t)> progress;
  std::int64_t progress_every_ops = 20000;
};

class SystemCModel : public IPerfModel {
 public:
  explicit SystemCModel(SystemCOptions options = {});
  ~SystemCModel() override;

  // Throws std::logic_error on a second call in the same process (SystemC cannot re-elaborate).
  Report evaluate(const arch::ArchSpec& spec, const mapping::Program& program) override;
  Report evaluate(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                  const mapping::Program& program);

  // Counters of the last evaluate() (NoC, events, forced buffer admissions, per-op records).
  const systemc::Stats& stats() const { return *stats_; }
  // The SystemC-only delays on the critical path to each layer's end (critical_path.h).
  const systemc::CriticalPath& critical_path() const { return critical_path_; }

 private:
  SystemCOptions options_;
  std::unique_ptr<systemc::Stats> stats_;
  systemc::CriticalPath critical_path_;
};

// What the parent sees of a child run.
struct ChildRunInfo {
  double wall_s = 0;                    // fork to exit
  std::int64_t peak_rss_kb = 0;         // the child's maximum resident set
  systemc::CriticalPath critical_path;  // SystemCModel::critical_path() of the child's run
};

// Forks a child process (common/children.h), runs SystemCModel there and returns its Report.
// Rethrows the child's failure: common::InputError for bad input, common::ChildError otherwise
// (an exception in the child, or the child killed by a signal).
Report run_systemc_in_child(const arch::ArchSpec& spec, const mapping::Program& program,
                            const SystemCOptions& options = {}, ChildRunInfo* info = nullptr);

}  // namespace imc::sim
