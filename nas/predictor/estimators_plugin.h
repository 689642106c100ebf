// `imcsim estimators` reaches the validation (nas/predictor/validate_estimators.h) through
// libimcsim_nas.so, loaded on first use like the search (nas/nas_plugin.h).
#pragma once

#include "nas/predictor/validate_estimators.h"

namespace imc::nas::predictor {

struct EstimatorsPlugin {
  nlohmann::json (*validate)(const ValidationOptions& options);
  std::string (*table)(const nlohmann::json& result);
};

// Loads libimcsim_nas.so on the first call; throws InputError if it cannot be loaded.
const EstimatorsPlugin& estimators_plugin();

inline constexpr const char* kEstimatorsPluginSymbol = "imcsim_estimators_plugin_v1";

}  // namespace imc::nas::predictor
