// The TOML workload format (see docs/workloads.md): a [network] table (name, input shape) and
// [[layer]] entries (name, op, inputs, op attributes). Read through common::ConfigNode; every error
// names the file, line, key and what is allowed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "workloads/graph.h"

namespace imc::workloads {

Graph load_toml_workload(const std::string& path);
Graph parse_toml_workload(std::string_view text, const std::string& source_name);

// Writes a graph in the same format; parse_toml_workload(to_toml(g)) rebuilds g node for node.
std::string to_toml(const Graph& g);

// The `op` values the format accepts.
std::vector<std::string> toml_op_names();

}  // namespace imc::workloads
