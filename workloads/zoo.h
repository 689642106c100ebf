// The built-in network zoo at standard shapes (no batch dimension) and named suites of networks.
// Architectures follow torchvision / Hugging Face / the cited reference code layer by layer; each
// builder's comment states its input shape, sequence length and what it counts.
#pragma once

#include <string>
#include <vector>

#include "workloads/graph.h"

namespace imc::workloads {

// Builds a zoo network by name; InputError listing the known names (and suites) otherwise.
Graph zoo_network(const std::string& name);
std::vector<std::string> zoo_names();
// One-line description of a zoo network (input shape, sequence length, source); "" if unknown.
std::string zoo_description(const std::string& name);
bool is_zoo_name(const std::string& name);

// Named suites: imagenet4, mixed9, cifar2, all. InputError listing the suites if unknown.
std::vector<std::string> suite(const std::string& name);
std::vector<std::string> suite_names();
bool is_suite_name(const std::string& name);

}  // namespace imc::workloads
