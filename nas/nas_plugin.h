// The search and the co-search as seen by the CLI and the Python module: their optimizers run on
// pagmo2, whose library alone costs ~37 MB of resident memory when mapped (its relocations are all
// applied at load), more than the whole analytical estimate. So run_search and cosearch::run live
// in libimcsim_nas.so, loaded on first use (common/plugin.h); their configs, key declarations and
// summaries need no pagmo and stay linked into the callers.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "nas/cosearch/cosearch.h"
#include "nas/search/run.h"

namespace imc::nas {

struct NasPlugin {
  nlohmann::json (*run_search)(const search::RunOptions& options);
  // One result per seed (config.seeds runs: seed, seed + 1, ...), cosearch::run_seeds.
  std::vector<cosearch::Result> (*run_cosearch)(const cosearch::Config& config,
                                                const cosearch::RunOptions& options);
};

// Loads libimcsim_nas.so on the first call; throws InputError if it cannot be loaded.
const NasPlugin& nas_plugin();

inline constexpr const char* kNasPluginSymbol = "imcsim_nas_plugin_v2";

}  // namespace imc::nas
