// What estimate, simulate and validate share: load arch + workloads + mapping options, map and
// lower each network, print a report.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/mapping.h"
#include "sim/report.h"
#include "workloads/graph.h"

namespace CLI {
class App;
}

namespace imc::cli {

struct Session {
  arch::ArchSpec spec;
  arch::cost::CostTable costs;
  mapping::MappingOptions options;
  std::vector<workloads::Graph> graphs;
  std::string workload;  // the --workload argument, for messages (a zoo name, a file or a list)
};

// Command-line options common to the evaluation commands.
struct EvalArgs {
  std::string arch_file;
  std::string workload;
  std::string mapping_file;
  // [mapping] keys given as flags ("--chunks-per-layer 16" -> key "chunks_per_layer", text "16"),
  // applied over the mapping file through the keys' own declarations (mapping::describe).
  std::vector<std::pair<std::string, std::string>> mapping_overrides;
  std::string json_out;
  std::string csv_out;
  std::string activity_file;  // per-layer input bit densities (workloads/activity.h); empty = worst case
};
void add_eval_options(CLI::App& sub, EvalArgs& args);

Session load_session(const EvalArgs& args);

struct Prepared {
  mapping::Mapping mapping;
  mapping::Program program;
  double prepare_us = 0;  // mapping + lowering
};
Prepared prepare(const Session& session, const workloads::Graph& graph);

void print_report(const sim::Report& r, const mapping::Program& program);
// One workload's entry of the JSON output (the report plus lowering facts).
nlohmann::json workload_json(const sim::Report& r, const mapping::Program& program);
// Writes --json and --csv when asked.
void write_outputs(const EvalArgs& args, const nlohmann::json& out, const std::vector<sim::Report>& reports);
std::string report_csv(const std::vector<sim::Report>& reports);

}  // namespace imc::cli
