// The one exported symbol of libimcsim_torch.so: the table of the accuracy functions
// (nas/accuracy/torch_plugin.h). Everything else in the library is hidden (--exclude-libs).
#include <nlohmann/json.hpp>

#include "nas/accuracy/torch_plugin.h"
#include "nas/supernet/evaluate.h"
#include "nas/vit_supernet/evaluate.h"

extern "C" __attribute__((visibility("default"))) const imc::nas::accuracy::TorchPlugin*
imcsim_torch_plugin_v3() {
  static const imc::nas::accuracy::TorchPlugin plugin{
      &imc::nas::accuracy::evaluate_accuracy,      &imc::nas::accuracy::to_json,
      &imc::nas::supernet::prepare_supernet,       &imc::nas::supernet::evaluate_subnet,
      &imc::nas::supernet::finetune_subnet,        &imc::nas::vit_supernet::prepare_vit_supernet,
      &imc::nas::vit_supernet::evaluate_vit_subnet};
  return &plugin;
}
