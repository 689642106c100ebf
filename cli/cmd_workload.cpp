// `imcsim workload NAME|FILE|SUITE [--json OUT] [--export-onnx OUT] [--toml OUT]`: prints the layer
// table and totals of one or more workloads; without a spec, lists the zoo and the suites.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "common/config.h"
#include "workloads/load.h"
#include "workloads/summary.h"
#include "workloads/toml_format.h"
#include "workloads/zoo.h"

#if defined(IMCSIM_WITH_ONNX)
#include "workloads/onnx_plugin.h"
#define IMC_CLI_HAVE_ONNX 1
#endif

namespace imc::cli {
namespace {

struct WorkloadOptions {
  std::string spec;
  std::string json_out;
  std::string onnx_out;
  std::string toml_out;
};

void list_zoo() {
  fmt::print("zoo networks:\n");
  for (const auto& n : workloads::zoo_names()) fmt::print("  {:<18} {}\n", n, workloads::zoo_description(n));
  fmt::print("suites:\n");
  for (const auto& s : workloads::suite_names())
    fmt::print("  {:<18} {}\n", s, fmt::join(workloads::suite(s), ", "));
}

int run(const WorkloadOptions& o) {
  if (o.spec.empty()) {
    list_zoo();
    return 0;
  }
  std::vector<workloads::Graph> graphs = workloads::load_workloads(o.spec);
  if ((!o.onnx_out.empty() || !o.toml_out.empty()) && graphs.size() != 1)
    throw common::InputError(
        fmt::format("--export-onnx and --toml write one network, but '{}' names {}", o.spec, graphs.size()));
  nlohmann::json all = nlohmann::json::array();
  for (std::size_t i = 0; i < graphs.size(); ++i) {
    if (i) fmt::print("\n");
    fmt::print("{}", workloads::layer_table(graphs[i]));
    if (!o.json_out.empty()) all.push_back(workloads::to_json(graphs[i]));
  }
  if (graphs.size() > 1) {
    std::int64_t macs = 0, params = 0;
    for (const auto& g : graphs) {
      macs += g.total_macs();
      params += g.total_params();
    }
    fmt::print("\n{} networks: {} MACs, {} params in total\n", graphs.size(), macs, params);
  }
  if (!o.json_out.empty()) write_json(o.json_out, nlohmann::json{{"workloads", all}});
  if (!o.toml_out.empty()) write_text(o.toml_out, workloads::to_toml(graphs[0]));
  if (!o.onnx_out.empty()) {
#ifdef IMC_CLI_HAVE_ONNX
    workloads::onnx::onnx_plugin().export_onnx(graphs[0], o.onnx_out, {});
#else
    throw common::InputError(
        "--export-onnx: this imcsim was built without ONNX support (-DIMCSIM_WITH_ONNX=ON)");
#endif
  }
  return 0;
}

const Command cmd_workload(
    "workload", "Show a workload's layers, shapes, MACs and weights (zoo name, suite, .toml or .onnx file)",
    20, [](CLI::App& sub) -> Action {
      auto o = std::make_shared<WorkloadOptions>();
      sub.add_option("spec", o->spec,
                     "zoo network, suite, .toml/.onnx file, or a comma-separated list; omit to list the zoo");
      sub.add_option("--json", o->json_out,
                     "write {\"workloads\": [...]} with per-layer figures to this file");
      sub.add_option("--export-onnx", o->onnx_out,
                     "write the (single) network as an ONNX graph to this file");
      sub.add_option("--toml", o->toml_out,
                     "write the (single) network in the TOML workload format to this file");
      return [o] { return run(*o); };
    });

}  // namespace
}  // namespace imc::cli
