// What a co-search reports: the JSON summary (--json, <run dir>/summary.json) and the printed tables.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

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

}  // namespace imc::nas::cosearch
