// The one exported symbol of libimcsim_torch.so: the table of the accuracy functions
// (nas/accuracy/torch_plugin.h). Everything else in the library is hidden (--exclude-libs).
#include <nlohmann/json.hpp>

#include "nas/accuracy/torch_plugin.h"

extern "C" __attribute__((visibility("default"))) const imc::nas::accuracy::TorchPlugin*
imcsim_torch_plugin_v1() {
  static const imc::nas::accuracy::TorchPlugin plugin{&imc::nas::accuracy::evaluate_accuracy,
                                                      &imc::nas::accuracy::to_json};
  return &plugin;
}
