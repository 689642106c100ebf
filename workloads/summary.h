// Human- and machine-readable summaries of a Graph: the layer table printed by `imcsim workload`
// and its JSON form.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "workloads/graph.h"

namespace imc::workloads {

struct GraphTotals {
  std::int64_t nodes = 0;
  std::int64_t macs = 0;
  std::int64_t params = 0;
  std::int64_t weights = 0;      // crossbar-resident (Conv2d, Linear)
  std::int64_t digital_ops = 0;  // vector-unit operations of non-MAC nodes
  std::int64_t weight_layers = 0;
};

GraphTotals totals(const Graph& g);
// One row per node (index, name, op, output shape, MACs, weights) and a totals line.
std::string layer_table(const Graph& g);
// {"name", "totals": {...}, "layers": [{index, name, op, inputs, shape, macs, params, weights,
//  digital_ops, weight_matrix?}]}
nlohmann::json to_json(const Graph& g);

}  // namespace imc::workloads
