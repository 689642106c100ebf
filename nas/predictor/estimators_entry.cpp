// The estimators' validation as an exported symbol of libimcsim_nas.so (beside the search's,
// nas/nas_plugin_entry.cpp): it links XGBoost and libgomp, which the lean commands must not map.
#include "nas/predictor/estimators_plugin.h"

extern "C" __attribute__((visibility("default"))) const imc::nas::predictor::EstimatorsPlugin*
imcsim_estimators_plugin_v1() {
  static const imc::nas::predictor::EstimatorsPlugin plugin{&imc::nas::predictor::validate_estimators,
                                                            &imc::nas::predictor::validation_table};
  return &plugin;
}
