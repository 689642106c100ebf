#include "nas/accuracy/torch_plugin.h"

#include <cstdlib>

#include "common/plugin.h"

namespace imc::nas::accuracy {

const TorchPlugin& torch_plugin() {
  static const TorchPlugin* plugin = [] {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 0);  // 0: a value the user set wins
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    using Entry = const TorchPlugin* (*)();
    auto entry = reinterpret_cast<Entry>(
        common::plugin_symbol("libimcsim_torch.so", IMCSIM_TORCH_PLUGIN_PATH, kTorchPluginSymbol));
    return entry();
  }();
  return *plugin;
}

}  // namespace imc::nas::accuracy
