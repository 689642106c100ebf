// The `imcsim arch` figures as JSON (inventory, area, power, peak throughput per level): what
// `imcsim arch --json` writes and what the Python module's Arch.summary() returns.
#pragma once

#include <nlohmann/json.hpp>

#include "arch/cost.h"
#include "arch/spec.h"

namespace imc::cli {

nlohmann::json arch_summary_json(const arch::ArchSpec& spec, const arch::cost::CostTable& c);

}  // namespace imc::cli
