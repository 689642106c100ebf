// Reading a Report back from the JSON sim::to_json writes (reports sent back by a child process,
// cached results). The inverse of to_json for every stored field; derived figures (tops, edap)
// are recomputed by metrics_of().
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "sim/report.h"

namespace imc::sim {

// Throws std::runtime_error naming the key when `j` is not a report to_json wrote.
Report report_from_json(const nlohmann::json& j);

}  // namespace imc::sim
