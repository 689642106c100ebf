// Per-network figures of one design and how they aggregate into the co-search's objectives.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nas/cosearch/config.h"
#include "nas/optimizer.h"
#include "sim/report.h"

namespace imc::nas::cosearch {

// One network on one design: its figures (sim::DesignMetrics; area = the chip's, the same for
// every network; kept in an evaluation without the MAC count, so the TOPS fields read back 0).
struct NetworkFigures {
  std::string network;
  sim::DesignMetrics metrics;
  int reload_groups = 1;                                // > 1: weights reloaded from DRAM (weight_fetch)
  double edap() const { return metrics.edap_j_s_mm2; }  // J*s*mm2
};
NetworkFigures figures_of(const std::string& network, const sim::Report& report, int reload_groups = 1);

// The aggregate of a design over its networks (config.h: Aggregate), and its log10 (computed as a
// sum of logs, so that products over nine networks neither underflow nor lose digits). Throws
// std::invalid_argument on an empty list.
double aggregate_edap(const std::vector<NetworkFigures>& nets, Aggregate how);
double log10_aggregate(const std::vector<NetworkFigures>& nets, Aggregate how);

// What the optimizer minimizes. Scalar modes: one objective, log10 of the aggregate EDAP (the
// ranking is the aggregate's; the log keeps simulated annealing's temperatures scale-free and the
// product of nine EDAPs in range). Multi mode: every network's energy (uJ) and latency (us), then
// the area (mm2).
std::vector<std::string> objective_names(const std::vector<std::string>& networks, bool multi, Aggregate how);
std::vector<double> objective_values(const std::vector<NetworkFigures>& nets, bool multi, Aggregate how);

// The figures as kept in Evaluation::extra, and back. extra = { "area_mm2", "networks": { name:
// { energy_pj, latency_ns, latency_cycles, edap, reload_groups } }, "aggregate_edap": { ela,
// ela_mean, ela_all, edap_mean, edap_product } }.
nlohmann::json figures_json(const std::vector<NetworkFigures>& nets);
// The figures of a feasible evaluation, in `order` (network names); std::nullopt when infeasible
// or a network is missing.
std::optional<std::vector<NetworkFigures>> figures_from(const Evaluation& e,
                                                        const std::vector<std::string>& order);

// 100 * (baseline - joint) / baseline: how much lower the joint design's value is.
double reduction_pct(double joint, double baseline);

}  // namespace imc::nas::cosearch
