#include "nas/accuracy/torch_plugin.h"

#include <malloc.h>

#include <cstdlib>
#include <limits>

#include "common/plugin.h"

namespace imc::nas::accuracy {

const TorchPlugin& torch_plugin() {
  static const TorchPlugin* plugin = [] {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 0);  // 0: a value the user set wins
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    // Inference allocates and frees activations of a few MB per layer and image block; glibc serves
    // those with mmap/munmap by default, and the page faults of every new mapping cost as much system
    // time as the inference's user time (measured: fmnist_demo 35 s user + 24 s sys, 3.7 s sys with
    // the memory kept in the heap). Keep it there: no mmap (M_MMAP_THRESHOLD stops at 32 MB, and
    // larger blocks are among them), no trimming.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    using Entry = const TorchPlugin* (*)();
    auto entry = reinterpret_cast<Entry>(
        common::plugin_symbol("libimcsim_torch.so", IMCSIM_TORCH_PLUGIN_PATH, kTorchPluginSymbol));
    return entry();
  }();
  return *plugin;
}

}  // namespace imc::nas::accuracy
