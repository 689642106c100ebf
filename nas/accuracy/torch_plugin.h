// The accuracy objective's libtorch code (accuracy.h) as seen by the rest of imcsim: it lives in
// libimcsim_torch.so, loaded on first use (common/plugin.h), so that commands that do not train
// never map libtorch, OpenCV and their ~290 libraries. Callers use torch_plugin() instead of the
// functions of accuracy.h; tests and benchmarks of the accuracy code itself link imc_accuracy.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "arch/spec.h"
#include "nas/accuracy/accuracy.h"
#include "nas/supernet/space.h"
#include "nas/vit_supernet/space.h"
#include "workloads/graph.h"

namespace imc::nas::accuracy {

struct TorchPlugin {
  AccuracyResult (*evaluate_accuracy)(const arch::ArchSpec& spec, const workloads::Graph& graph,
                                      const AccuracyOptions& options);
  nlohmann::json (*to_json)(const AccuracyResult& r);
  // method = "supernet" (nas/supernet/evaluate.h).
  nlohmann::json (*prepare_supernet)(const supernet::SupernetSpace& space, const AccuracyOptions& options);
  AccuracyResult (*evaluate_subnet)(const arch::ArchSpec& spec, const supernet::SupernetSpace& space,
                                    const supernet::Subnet& subnet, const std::string& file,
                                    const AccuracyOptions& options);
  AccuracyResult (*finetune_subnet)(const arch::ArchSpec& spec, const supernet::SupernetSpace& space,
                                    const supernet::Subnet& subnet, const std::string& file,
                                    const AccuracyOptions& options);
  // method = "supernet" on a ViT space (nas/vit_supernet/evaluate.h).
  nlohmann::json (*prepare_vit_supernet)(const vit_supernet::VitSupernetSpace& space,
                                         const AccuracyOptions& options);
  AccuracyResult (*evaluate_vit_subnet)(const arch::ArchSpec& spec,
                                        const vit_supernet::VitSupernetSpace& space,
                                        const vit_supernet::VitSubnet& subnet, const std::string& file,
                                        const AccuracyOptions& options);
};

// Loads libimcsim_torch.so on the first call. Before loading it sets the thread environment that
// libgomp (libtorch's OpenMP) and OpenBLAS read once, when they are loaded: passive waits
// (OMP_WAIT_POLICY=PASSIVE; spinning idle threads made training ~10x slower on a busy 2-core
// machine) and one BLAS thread (OPENBLAS_NUM_THREADS=1; OpenBLAS's own pool would oversubscribe
// torch's), unless the user set them. Forked workers inherit a plugin loaded before the fork.
// Throws InputError if the plugin cannot be loaded.
const TorchPlugin& torch_plugin();

// The name of the symbol libimcsim_torch.so exports (extern "C", returns const TorchPlugin*).
inline constexpr const char* kTorchPluginSymbol = "imcsim_torch_plugin_v3";

}  // namespace imc::nas::accuracy
