// Trained-weight cache: <dir>/<graph name>-<key>.pt (torch::save of the GraphNet: parameters and
// buffers, i.e. weights, biases, batch-norm statistics and quantizer input ranges, named
// n<node index>_<what>) plus <dir>/<graph name>-<key>.json (the settings the key was built from and
// the training figures).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "nas/accuracy/graph_net.h"

namespace imc::nas::accuracy {

std::string cache_path(const std::string& dir, const std::string& graph_name, const std::string& key,
                       const std::string& ext);
// Loads the module state into `net` if the cache holds it; returns the .json record.
std::optional<nlohmann::json> load_cached(GraphNet& net, const std::string& dir, const std::string& key);
// Writes both files (atomically: temporary file then rename). Throws InputError if `dir` is unusable.
std::string save_cached(GraphNet& net, const std::string& dir, const std::string& key,
                        const nlohmann::json& record);

}  // namespace imc::nas::accuracy
