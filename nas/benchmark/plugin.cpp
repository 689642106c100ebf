#include "nas/benchmark/plugin.h"

#include "common/plugin.h"

namespace imc::nas::benchmark {

const BenchmarkPlugin& benchmark_plugin() {
  static const BenchmarkPlugin* plugin = [] {
    using Entry = const BenchmarkPlugin* (*)();
    return reinterpret_cast<Entry>(
        common::plugin_symbol("libimcsim_nas.so", IMCSIM_NAS_PLUGIN_PATH, kBenchmarkPluginSymbol))();
  }();
  return *plugin;
}

}  // namespace imc::nas::benchmark
