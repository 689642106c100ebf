// One entry point for every way of naming a workload: a zoo network, a suite, a .toml file in our
// format, a .onnx file (when built with ONNX), or a comma-separated list of any of these.
#pragma once

#include <string>
#include <vector>

#include "workloads/graph.h"

namespace imc::workloads {

// Expands suites and lists, in order. Unknown names throw InputError listing the zoo and suites.
std::vector<Graph> load_workloads(const std::string& spec);
// Exactly one workload; InputError if the spec names none or several.
Graph load_workload(const std::string& spec);

}  // namespace imc::workloads
