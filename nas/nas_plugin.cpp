#include "nas/nas_plugin.h"

#include "common/plugin.h"

namespace imc::nas {

const NasPlugin& nas_plugin() {
  static const NasPlugin* plugin = [] {
    using Entry = const NasPlugin* (*)();
    return reinterpret_cast<Entry>(
        common::plugin_symbol("libimcsim_nas.so", IMCSIM_NAS_PLUGIN_PATH, kNasPluginSymbol))();
  }();
  return *plugin;
}

}  // namespace imc::nas
