// Resolving workload specs: zoo names, suites, TOML and ONNX files, comma-separated lists.
#include "workloads/load.h"

#include <fmt/format.h>

#include "common/config.h"
#include "workloads/toml_format.h"
#include "workloads/zoo.h"

// The ONNX importer (workloads/onnx/, compiled only with IMCSIM_WITH_ONNX) is reached through its
// plugin, loaded on the first .onnx file, so other workloads never map libonnx.
#if defined(IMCSIM_WITH_ONNX)
#include "workloads/onnx_plugin.h"
#define IMC_WORKLOADS_HAVE_ONNX 1
#endif

namespace imc::workloads {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\n\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\n\r");
  return s.substr(b, e - b + 1);
}

void load_one(const std::string& item, std::vector<Graph>& out) {
  if (ends_with(item, ".toml")) {
    out.push_back(load_toml_workload(item));
  } else if (ends_with(item, ".onnx")) {
#ifdef IMC_WORKLOADS_HAVE_ONNX
    out.push_back(onnx::onnx_plugin().import_onnx(item, {}));
#else
    throw common::InputError(fmt::format(
        "{}: this imcsim was built without ONNX support (configure with -DIMCSIM_WITH_ONNX=ON)", item));
#endif
  } else if (is_zoo_name(item)) {
    out.push_back(zoo_network(item));
  } else if (is_suite_name(item)) {
    for (const auto& name : suite(item)) out.push_back(zoo_network(name));
  } else {
    throw common::InputError(fmt::format(
        "unknown workload '{}': expected a zoo network ({}), a suite ({}), a .toml or .onnx file, or a "
        "comma-separated list of these",
        item, fmt::join(zoo_names(), ", "), fmt::join(suite_names(), ", ")));
  }
}

}  // namespace

std::vector<Graph> load_workloads(const std::string& spec) {
  std::vector<Graph> out;
  std::size_t pos = 0;
  while (true) {
    std::size_t comma = spec.find(',', pos);
    std::string item = trim(spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (item.empty()) throw common::InputError(fmt::format("workload list '{}' has an empty entry", spec));
    load_one(item, out);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

Graph load_workload(const std::string& spec) {
  std::vector<Graph> all = load_workloads(spec);
  if (all.size() != 1) {
    std::vector<std::string> names;
    for (const auto& g : all) names.push_back(g.name());
    throw common::InputError(fmt::format("workload '{}' names {} networks ({}); exactly one is expected here",
                                         spec, all.size(), fmt::join(names, ", ")));
  }
  return std::move(all.front());
}

}  // namespace imc::workloads
