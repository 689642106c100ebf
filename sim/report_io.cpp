#include "sim/report_io.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace imc::sim {

namespace {

const nlohmann::json& at(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key))
    throw std::runtime_error(std::string("report JSON: missing key '") + key + "'");
  return j.at(key);
}

arch::ActionCounts actions_from(const nlohmann::json& j) {
  arch::ActionCounts a;
  for (int i = 0; i < arch::kActionCount; ++i) {
    const std::string name(arch::to_string(static_cast<arch::Action>(i)));
    a.n[std::size_t(i)] = at(j, name.c_str()).get<std::int64_t>();
  }
  return a;
}

}  // namespace

Report report_from_json(const nlohmann::json& j) {
  Report r;
  r.model = at(j, "model").get<std::string>();
  r.workload = at(j, "workload").get<std::string>();
  r.batch = at(j, "batch").get<int>();
  r.eval_us = at(j, "eval_us").get<double>();
  const nlohmann::json& t = at(j, "total");
  r.macs = at(t, "macs").get<std::int64_t>();
  r.energy_pj = at(t, "energy_pj").get<double>();
  r.dynamic_energy_pj = at(t, "dynamic_energy_pj").get<double>();
  r.leakage_energy_pj = at(t, "leakage_energy_pj").get<double>();
  r.latency_ns = at(t, "latency_ns").get<double>();
  r.latency_cycles = at(t, "latency_cycles").get<std::int64_t>();
  r.inference_latency_cycles = at(t, "inference_latency_cycles").get<std::int64_t>();
  r.interval_cycles = at(t, "interval_cycles").get<std::int64_t>();
  r.bottleneck_cycles = at(t, "bottleneck_cycles").get<std::int64_t>();
  r.area_mm2 = at(t, "area_mm2").get<double>();
  r.utilization = at(t, "utilization").get<double>();
  r.energy_breakdown_pj = at(t, "energy_breakdown_pj").get<std::map<std::string, double>>();
  r.actions = actions_from(at(t, "actions"));
  for (const auto& lj : at(j, "layers")) {
    LayerReport l;
    l.name = at(lj, "name").get<std::string>();
    l.op = at(lj, "op").get<std::string>();
    l.macs = at(lj, "macs").get<std::int64_t>();
    l.energy_pj = at(lj, "energy_pj").get<double>();
    l.start_cycle = at(lj, "start_cycle").get<std::int64_t>();
    l.end_cycle = at(lj, "end_cycle").get<std::int64_t>();
    l.latency_cycles = at(lj, "latency_cycles").get<std::int64_t>();
    l.busy_cycles = at(lj, "busy_cycles").get<std::map<std::string, std::int64_t>>();
    l.actions = actions_from(at(lj, "actions"));
    if (lj.contains("stall_cycles"))
      l.stall_cycles = lj.at("stall_cycles").get<std::map<std::string, std::int64_t>>();
    r.layers.push_back(std::move(l));
  }
  if (j.contains("stalls")) r.stalls = j.at("stalls").get<std::map<std::string, std::int64_t>>();
  if (j.contains("events")) r.events = j.at("events").get<std::int64_t>();
  return r;
}

}  // namespace imc::sim
