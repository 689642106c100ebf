// What a performance model returns, and the one interface both models implement.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "arch/actions.h"
#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/program.h"
#include "sim/power_gating.h"

namespace imc::sim {

struct LayerReport {
  std::string name;
  std::string op;
  std::int64_t macs = 0;  // per batch (all inferences)
  arch::ActionCounts actions;
  double energy_pj = 0;                              // dynamic energy of its actions (leakage is chip-level)
  std::int64_t start_cycle = 0;                      // first op start
  std::int64_t end_cycle = 0;                        // last op end
  std::int64_t latency_cycles = 0;                   // end - start
  std::map<std::string, std::int64_t> busy_cycles;   // by unit kind
  std::map<std::string, std::int64_t> stall_cycles;  // by reason (systemc only)
};

struct Report {
  std::string model;  // "analytical" | "systemc"
  std::string workload;
  int batch = 1;
  std::int64_t macs = 0;  // per batch
  arch::ActionCounts actions;
  std::int64_t latency_cycles = 0;  // the whole batch: first op start to last op end
  double latency_ns = 0;
  // One inference (the first of the batch): its first op's start to its last op's end.
  std::int64_t inference_latency_cycles = 0;
  // Steady-state cycles between inference completions (InferenceTimes::fill says how it is found),
  // and the bottleneck it is bounded by: the busiest unit's occupancy per inference.
  std::int64_t interval_cycles = 0;
  std::int64_t bottleneck_cycles = 0;
  double dynamic_energy_pj = 0;
  double leakage_energy_pj = 0;
  double energy_pj = 0;                               // dynamic + leakage
  std::map<std::string, double> energy_breakdown_pj;  // by component, incl. "leakage"; sums to energy_pj
  double area_mm2 = 0;
  double utilization = 0;
  std::vector<LayerReport> layers;
  std::map<std::string, std::int64_t> stalls;  // whole run, by reason (systemc only)
  std::int64_t events = 0;                     // simulation events processed (systemc only)
  double eval_us = 0;                          // time spent mapping, lowering and evaluating
  // Leakage bookkeeping for chip.power_gating, one per layer (sim/power_gating.h): tiles and groups
  // from the program; finalize() takes the spans from `layers` when the model filled them.
  std::vector<GatingLayer> gating;
};

// The figures of merit of one run, defined here once: reports, the search's objectives, the
// co-search's per-network figures and the finalists' comparisons all read these fields.
struct DesignMetrics {
  double energy_pj = 0;   // one batch, dynamic + leakage
  double latency_ns = 0;  // one batch
  std::int64_t latency_cycles = 0;
  double inference_latency_ns = 0;   // one inference, first input in to last output out
  std::int64_t interval_cycles = 0;  // steady state, between inference completions (Report)
  double interval_ns = 0;
  double throughput_inf_per_s = 0;  // 1 / interval; 0 when the interval is 0
  double area_mm2 = 0;
  std::int64_t macs = 0;    // one batch
  double edap_j_s_mm2 = 0;  // energy (J) x latency (s) x area (mm2)
  double tops = 0;          // 2 x MACs / latency
  double tops_per_w = 0;    // 2 x MACs / energy; 0 when the energy is 0
  double tops_per_mm2 = 0;  // tops / area
  double power_w = 0;       // average over the batch: energy / latency
};

// The one definition of the derived figures (EDAP, TOPS, TOPS/W, TOPS/mm2, power).
DesignMetrics design_metrics(double energy_pj, double latency_ns, std::int64_t latency_cycles,
                             double area_mm2, std::int64_t macs);
DesignMetrics metrics_of(const Report& r);

// What a model gathers per op for the per-inference figures of a Report (inference latency,
// interval, bottleneck): each inference's first start and last end, and each unit's occupancy.
class InferenceTimes {
 public:
  InferenceTimes(int batch, int units)
      : start_(std::size_t(std::max(1, batch)), -1),
        end_(std::size_t(std::max(1, batch)), 0),
        busy_(std::size_t(units), 0) {}
  void add(int batch, int unit, std::int64_t start, std::int64_t end, std::int64_t occupancy) {
    std::int64_t& s = start_[std::size_t(batch)];
    if (s < 0 || start < s) s = start;
    std::int64_t& e = end_[std::size_t(batch)];
    if (end > e) e = end;
    busy_[std::size_t(unit)] += occupancy;
  }
  // Sets r.inference_latency_cycles, r.bottleneck_cycles and r.interval_cycles. The interval is
  // measured when the batch has two inferences or more: the mean spacing of their completions,
  // (last end - first end) / (B - 1), what a chip running the batch delivers, contention of the
  // model included. With one inference there is no spacing to measure: then it is the bottleneck,
  // the busiest unit's occupancy per inference, which a pipeline in steady state reaches when
  // nothing but that unit limits it (the lower bound of the measured interval).
  // A network whose weights are reloaded per layer group (`reloads`) runs the whole batch through
  // each group in turn: its inferences all complete in the last group, so their spacing says
  // nothing of the rate; its interval is the batch's average, latency / B (with B = 1, the whole
  // run, weight reloads included).
  void fill(Report& r, bool reloads) const;

 private:
  std::vector<std::int64_t> start_, end_;  // by inference
  std::vector<std::int64_t> busy_;         // by unit
};

// A report with the program's identity filled in (workload, batch, MACs, utilization, one
// LayerReport per layer with start_cycle = -1); the model fills actions and times.
Report report_skeleton(const mapping::Program& program, const std::string& model);

// Fills energy, breakdown and per-layer energies from the counted actions and the latency
// (leakage x time); call after a model has filled actions, layers and latency_cycles.
void finalize(Report& r, const arch::ArchSpec& spec, const arch::cost::CostTable& costs);

nlohmann::json to_json(const Report& r);

class IPerfModel {
 public:
  virtual ~IPerfModel() = default;
  virtual Report evaluate(const arch::ArchSpec& spec, const mapping::Program& program) = 0;
};

}  // namespace imc::sim
