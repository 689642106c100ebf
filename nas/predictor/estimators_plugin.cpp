#include "nas/predictor/estimators_plugin.h"

#include "common/plugin.h"

namespace imc::nas::predictor {

const EstimatorsPlugin& estimators_plugin() {
  static const EstimatorsPlugin* plugin = [] {
    using Entry = const EstimatorsPlugin* (*)();
    return reinterpret_cast<Entry>(
        common::plugin_symbol("libimcsim_nas.so", IMCSIM_NAS_PLUGIN_PATH, kEstimatorsPluginSymbol))();
  }();
  return *plugin;
}

}  // namespace imc::nas::predictor
