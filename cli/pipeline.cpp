#include "cli/pipeline.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "arch/load.h"
#include "cli/output.h"
#include "cli/resource_guard.h"
#include "common/config.h"
#include "workloads/activity.h"
#include "workloads/load.h"

namespace imc::cli {

void add_eval_options(CLI::App& sub, EvalArgs& a) {
  sub.add_option("--arch", a.arch_file, "arch TOML file (configs/arch/*.toml)")->required();
  sub.add_option("--workload", a.workload,
                 "zoo name, suite (imagenet4, mixed9), .toml or .onnx file, or a comma list")
      ->required();
  sub.add_option("--mapping", a.mapping_file,
                 "mapping TOML ([mapping] mapper, schedule, overflow, duplication, ...)");
  // Every [mapping] key is also a flag (its help and allowed values are the key's declaration, checked
  // when applied, exactly as in a mapping file). They override the mapping file.
  auto describe = [](common::Fields& f) {
    mapping::MappingOptions o;
    mapping::describe(f, o);
  };
  for (const char* key : {"mapper", "schedule", "overflow", "duplication", "batch", "weight_bits",
                          "input_bits", "chunks_per_layer"}) {
    std::string flag = std::string("--") + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    const std::string full = std::string("mapping.") + key;
    sub.add_option_function<std::string>(
        flag, [&a, key](const std::string& text) { a.mapping_overrides.emplace_back(key, text); },
        common::field_help(describe, full));
  }
  sub.add_option("--activity", a.activity_file,
                 "JSON of per-layer input bit densities (from `imcsim accuracy --activity-out`); "
                 "default: every row driven on every input slice (worst case)");
  sub.add_option("--json", a.json_out, "write the report as JSON");
  sub.add_option("--csv", a.csv_out, "write per-layer rows as CSV");
}

Session load_session(const EvalArgs& a) {
  Session s;
  s.workload = a.workload;
  s.spec = arch::load_arch(a.arch_file);
  s.costs = arch::cost::build(s.spec);
  if (!a.mapping_file.empty()) s.options = mapping::load_mapping_options(a.mapping_file);
  for (const auto& [key, text] : a.mapping_overrides) {
    std::string flag = "--" + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    common::set_field([&](common::Fields& f) { mapping::describe(f, s.options); }, "mapping." + key, text,
                      flag);
  }
  s.graphs = workloads::load_workloads(a.workload);
  if (!a.activity_file.empty()) {
    if (s.graphs.size() != 1)
      throw common::InputError(fmt::format("--activity {}: one activity file describes one workload, got {}",
                                           a.activity_file, s.graphs.size()));
    workloads::apply_activity_file(s.graphs[0], a.activity_file);
  }
  return s;
}

Prepared prepare(const Session& s, const workloads::Graph& g) {
  guard_lowering_memory(s, g);
  const auto t0 = std::chrono::steady_clock::now();
  Prepared p;
  p.mapping = mapping::map(s.spec, g, s.options);
  p.program = mapping::lower(s.spec, g, p.mapping);
  p.prepare_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  return p;
}

void print_report(const sim::Report& r, const mapping::Program& program) {
  const sim::DesignMetrics m = sim::metrics_of(r);
  fmt::print("\n== {} ({} model, batch {}) ==\n", r.workload, r.model, r.batch);
  if (program.reload_groups > 1)
    fmt::print(
        "note: the network does not fit on the chip; weights are reloaded from DRAM in {} groups "
        "(traffic, time and cell-programming energy counted)\n",
        program.reload_groups);
  fmt::print("{:<28} {:<14} {:>12} {:>8} {:>6} {:>6} {:>7} {:>14} {:>13} {:>12}\n", "layer", "op", "MACs",
             "xbars", "copies", "tiles", "util%", "start cycle", "cycles", "energy nJ");
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    const auto& l = r.layers[i];
    const auto& li = program.layers[i];
    if (l.actions == arch::ActionCounts{} && l.macs == 0) continue;  // folded / pure data movement
    fmt::print("{:<28.28} {:<14} {:>12} {:>8} {:>6} {:>6} {:>7.1f} {:>14} {:>13} {:>12.2f}\n", l.name, l.op,
               l.macs, li.crossbars, li.on_crossbars ? li.duplication : 0, li.tiles.size(),
               100 * li.utilization, l.start_cycle, l.latency_cycles, l.energy_pj * 1e-3);
  }
  fmt::print("\ntotal: {:.4g} GMAC, energy {:.4g} uJ, latency {:.4g} us ({} cycles), area {:.4g} mm2\n",
             double(r.macs) * 1e-9, r.energy_pj * 1e-6, r.latency_ns * 1e-3, r.latency_cycles, r.area_mm2);
  fmt::print(
      "       one inference {:.4g} us ({} cycles); interval {:.4g} us ({} cycles, {}), {:.4g} inferences/s\n",
      m.inference_latency_ns * 1e-3, r.inference_latency_cycles, m.interval_ns * 1e-3, r.interval_cycles,
      r.batch > 1 ? "measured over the batch" : "bottleneck unit", m.throughput_inf_per_s);
  fmt::print("       {:.4g} TOPS, {:.4g} TOPS/W, {:.4g} TOPS/mm2, EDAP {:.4g} J*s*mm2, utilization {:.1f}%\n",
             m.tops, m.tops_per_w, m.tops_per_mm2, m.edap_j_s_mm2, 100 * r.utilization);
  fmt::print("energy by component (uJ):");
  for (const auto& [k, v] : r.energy_breakdown_pj) fmt::print(" {}={:.4g}", k, v * 1e-6);
  fmt::print("\n");
  if (!r.stalls.empty()) {
    fmt::print("stall cycles by reason:");
    for (const auto& [k, v] : r.stalls) fmt::print(" {}={}", k, v);
    fmt::print("\n");
  }
}

nlohmann::json workload_json(const sim::Report& r, const mapping::Program& program) {
  nlohmann::json j = sim::to_json(r);
  j["reload_groups"] = program.reload_groups;
  j["ops"] = program.ops.size();
  for (std::size_t i = 0; i < program.layers.size() && i < j["layers"].size(); ++i)  // the mapping's copies
    j["layers"][i]["copies"] = program.layers[i].on_crossbars ? program.layers[i].duplication : 0;
  return j;
}

void write_outputs(const EvalArgs& args, const nlohmann::json& out, const std::vector<sim::Report>& reports) {
  if (!args.json_out.empty()) write_json(args.json_out, out);
  if (!args.csv_out.empty()) write_text(args.csv_out, report_csv(reports));
}

std::string report_csv(const std::vector<sim::Report>& reports) {
  std::string out = "workload,model,layer,op,macs,energy_pj,start_cycle,end_cycle,latency_cycles\n";
  for (const auto& r : reports)
    for (const auto& l : r.layers)
      out += fmt::format("{},{},{},{},{},{:.6g},{},{},{}\n", r.workload, r.model, l.name, l.op, l.macs,
                         l.energy_pj, l.start_cycle, l.end_cycle, l.latency_cycles);
  return out;
}

}  // namespace imc::cli
