// The analytical model against the SystemC model on one workload's Program, as data: what
// `imcsim validate` prints and writes (--json, --csv) and what the Python module's imcsim.validate()
// returns, computed once for both.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/program.h"
#include "sim/report.h"
#include "sim/systemc/systemc_model.h"

namespace imc::cli {

// (systemc - analytical) / analytical in percent (100 when only SystemC is non-zero).
double gap_pct(double analytical, double systemc);

// The stall that explains a gap of `gap_cycles`: the largest SystemC-only delay on the critical path
// to the layer's end (buffer_full or network_contention; sim/systemc/critical_path.h); with none,
// the unit kind the path queued longest for ("tile_bus_queue": the arbiters ordered the ops
// differently); "none" when SystemC is not later.
std::string main_stall(const std::map<std::string, std::int64_t>& path, std::int64_t gap_cycles);

// One workload's comparison: the totals of both models, the gap and its main stall, the action
// counts' equality, the latency bound (sim/analytical/latency_bound.h) and whether both models
// respect it, and per layer (folded layers left out) cycles, end cycles, gap, end delay, main stall,
// critical-path stalls, energy gap and action equality. The entries of `validate --json`'s "workloads".
nlohmann::json compare_models(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                              const std::string& workload, const mapping::Program& program,
                              const sim::Report& analytical, const sim::Report& systemc,
                              const sim::ChildRunInfo& info);

}  // namespace imc::cli
