// Candidate accuracy from inherited weights, the parts both supernet families share
// (nas/supernet/evaluate.cpp, nas/vit_supernet/evaluate.cpp): finding the trained supernet (shipped,
// cached, or trained now), loading it once per process, and scoring one subnet: recalibration on a
// few hundred training images, export as a GraphNet, accuracy::score_network through the
// candidate's own crossbars.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "arch/spec.h"
#include "common/config.h"
#include "nas/accuracy/accuracy.h"
#include "nas/accuracy/dataset.h"
#include "nas/accuracy/score.h"
#include "nas/accuracy/train.h"
#include "nas/supernet/sandwich.h"

namespace imc::nas::supernet {

// Trains a new supernet on `data` (torch's seed already set for its initial weights), saves it to
// `cache_dir` and returns its training figures and the saved file.
using TrainAndSave = std::function<std::pair<SupernetTrainStats, std::string>(const accuracy::Dataset& data,
                                                                              const std::string& cache_dir)>;

// <shipped_dir>/<file_name> if present, else <cache_dir>/<file_name>, else trained now
// (o.supernet.train_threads torch threads, seed o.supernet.train.seed) and saved to the cache.
// Returns {"file", "key", "source": "shipped"|"cache"|"trained", "train_seconds", "epoch_seconds",
// "epoch_loss_largest"}.
nlohmann::json find_or_train(const std::string& key, const std::string& file_name,
                             const accuracy::AccuracyOptions& o, const TrainAndSave& train);

// The supernet of `file`, loaded once per process (a worker scores many candidates with one).
// `what` names the family in the error message ("supernet", "ViT supernet").
// `make` builds the module the file's state is loaded into (one cache per module type).
template <class ModuleHolder>
ModuleHolder& loaded_once(const std::string& file, const std::string& what,
                          const std::function<ModuleHolder()>& make) {
  static std::map<std::string, ModuleHolder> loaded;
  auto it = loaded.find(file);
  if (it != loaded.end()) return it->second;
  ModuleHolder net = make();
  try {
    torch::load(net, file);
  } catch (const std::exception& e) {
    throw common::InputError(fmt::format("{}: cannot load the {} ({})", file, what, e.what()));
  }
  net->eval();
  return loaded.emplace(file, net).first->second;
}

// The subnet with its own statistics / input ranges re-measured on the first
// o.supernet.recalibration_images training images, exported: the GraphNet every score starts from.
template <class ModuleHolder, class SubnetT>
accuracy::GraphNet recalibrated_export(ModuleHolder& net, const SubnetT& subnet,
                                       const accuracy::Dataset& data, const accuracy::AccuracyOptions& o) {
  const std::int64_t n = std::min(o.supernet.recalibration_images, data.train.count);
  net->recalibrate(subnet, accuracy::image_tensor(data.train, 0, n), accuracy::Precision::Quantized);
  return net->export_subnet(subnet, "subnet").net;
}

// The fields of a result from inherited weights (from_cache: nothing was trained for it).
template <class SubnetT>
accuracy::AccuracyResult inherited_result(const SubnetT& subnet, const std::string& file) {
  accuracy::AccuracyResult r;
  r.workload = to_string(subnet);
  r.weights_file = file;
  r.from_cache = true;
  r.weight_bits = subnet.weight_bits;
  r.input_bits = subnet.activation_bits;
  return r;
}

}  // namespace imc::nas::supernet
