// The benchmark's exported symbol in libimcsim_nas.so (nas/benchmark/plugin.h); everything else in
// the library stays hidden (--exclude-libs).
#include "nas/benchmark/plugin.h"

extern "C" __attribute__((visibility("default"))) const imc::nas::benchmark::BenchmarkPlugin*
imcsim_benchmark_plugin_v1() {
  static const imc::nas::benchmark::BenchmarkPlugin plugin{&imc::nas::benchmark::run_benchmark,
                                                           &imc::nas::benchmark::build_table_file,
                                                           &imc::nas::benchmark::benchmark_keys};
  return &plugin;
}
