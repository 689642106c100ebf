// The benchmark as seen by the CLI: it drives the optimizers (pagmo2), so it lives in
// libimcsim_nas.so beside the search, behind its own exported entry point (plugin_entry.cpp), and is
// loaded on first use like nas_plugin() (nas/nas_plugin.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "nas/benchmark/run.h"

namespace imc::nas::benchmark {

struct BenchmarkPlugin {
  nlohmann::json (*run_benchmark)(const BenchmarkOptions& options);
  nlohmann::json (*build_table_file)(const TableOptions& options);
  std::string (*benchmark_keys)();
};

// Loads libimcsim_nas.so on the first call; throws InputError if it cannot be loaded.
const BenchmarkPlugin& benchmark_plugin();

inline constexpr const char* kBenchmarkPluginSymbol = "imcsim_benchmark_plugin_v1";

}  // namespace imc::nas::benchmark
