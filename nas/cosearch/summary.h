// What a co-search reports: the JSON summary (--json, <run dir>/summary.json) and the printed tables.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nas/cosearch/config.h"
#include "nas/cosearch/cosearch.h"

namespace imc::nas::cosearch {

// Keys: designs_evaluated, designs_evaluated_total, reduction_vs_{single,stagewise,random}_pct (the
// aggregate EDAP's reduction, null when that baseline did not run or found no feasible design),
// reduction_per_network_pct, best (genes and per-network energy, latency, area, EDAP), baselines,
// pareto_front, finalists (analytical and SystemC figures), seconds. Everything but "seconds" is
// the same for the same config and seed.
nlohmann::json summary_json(const Config& config, const Result& result);

// The EDAP of the joint design and of each baseline's, per network and aggregated, with the reductions.
std::string reductions_table(const Result& result);
// Analytical vs SystemC for every finalist and network.
std::string finalists_table(const Result& result);

// The study's two tables, per network n: its own best EDAP (the workload-specific search's design),
// the joint design's EDAP, the single-largest design's EDAP, the generalization loss
// 100 x (joint - own) / joint (how much lower the network's own chip is; negative: the specific search
// did not reach the joint design) and the reduction 100 x (single - joint) / single. NaN where a
// search did not run or found nothing feasible.
struct NetworkRow {
  std::string network;
  double own_edap = NAN, joint_edap = NAN, single_edap = NAN;
  double loss_pct = NAN, reduction_vs_single_pct = NAN;
};
std::vector<NetworkRow> per_network_rows(const Result& result);
std::string per_network_table(const Result& result);
std::string per_network_csv(const Result& result);
// Per rescored objective: the top-k's analytical and SystemC aggregates, Kendall tau, best changed.
std::string rescoring_table(const Result& result);
// per_network.csv, rescoring.csv, generalization.svg, convergence.svg into dir.
void write_run_tables(const Result& result, const std::string& dir);

// Several seeds: mean, sample standard deviation, min and max of each seed's figure (NaN skipped).
struct Spread {
  std::size_t n = 0;
  double mean = NAN, std = NAN, min = NAN, max = NAN;
};
Spread spread(const std::vector<double>& values);
// Over the runs of run_seeds: per network the loss and the reduction vs single, the aggregate's
// reductions vs each baseline, and Kendall tau per rescored objective, each as a Spread.
nlohmann::json seeds_json(const Config& config, const std::vector<Result>& runs);
// What `--json` writes: one run's summary_json, or for several seeds seeds_json with every run's
// summary under "runs".
nlohmann::json runs_json(const Config& config, const std::vector<Result>& runs);
std::string seeds_csv(const std::vector<Result>& runs);
std::string seeds_table(const std::vector<Result>& runs);

}  // namespace imc::nas::cosearch
