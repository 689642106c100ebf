#include "nas/cosearch/aggregate.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace imc::nas::cosearch {

NetworkFigures figures_of(const std::string& network, const sim::Report& report, int reload_groups) {
  NetworkFigures f;
  f.network = network;
  f.metrics = sim::metrics_of(report);
  f.reload_groups = reload_groups;
  return f;
}

double log10_aggregate(const std::vector<NetworkFigures>& nets, Aggregate how) {
  if (nets.empty()) throw std::invalid_argument("aggregate: no networks");
  const double area_mm2 = nets.front().metrics.area_mm2;
  const double n = double(nets.size());
  double e_max = 0, l_max = 0, e_sum = 0, l_sum = 0, edap_sum = 0, log_e = 0, log_l = 0, log_edap = 0;
  for (const auto& f : nets) {
    const double e_j = f.metrics.energy_pj * 1e-12, l_s = f.metrics.latency_ns * 1e-9;
    e_max = std::max(e_max, e_j);
    l_max = std::max(l_max, l_s);
    e_sum += e_j;
    l_sum += l_s;
    edap_sum += f.edap();
    log_e += std::log10(e_j);
    log_l += std::log10(l_s);
    log_edap += std::log10(f.edap());
  }
  switch (how) {
    case Aggregate::kEla:
      return std::log10(e_max * l_max * area_mm2);
    case Aggregate::kElaMean:
      return std::log10((e_sum / n) * (l_sum / n) * area_mm2);
    case Aggregate::kElaAll:  // the area once: A x prod E x prod L
      return std::log10(area_mm2) + log_e + log_l;
    case Aggregate::kEdapMean:
      return std::log10(edap_sum / n);
    case Aggregate::kEdapProduct:  // the area N times: prod (E x L x A)
      return log_edap;
  }
  return 0;
}

double aggregate_edap(const std::vector<NetworkFigures>& nets, Aggregate how) {
  return std::pow(10.0, log10_aggregate(nets, how));
}

std::vector<std::string> objective_names(const std::vector<std::string>& networks, bool multi,
                                         Aggregate how) {
  if (!multi) return {"log10_" + to_string(how)};
  std::vector<std::string> out;
  for (const auto& n : networks) out.push_back(n + ".energy_uj");
  for (const auto& n : networks) out.push_back(n + ".latency_us");
  out.push_back("area_mm2");
  return out;
}

std::vector<double> objective_values(const std::vector<NetworkFigures>& nets, bool multi, Aggregate how) {
  if (!multi) return {log10_aggregate(nets, how)};
  std::vector<double> out;
  for (const auto& n : nets) out.push_back(n.metrics.energy_pj * 1e-6);
  for (const auto& n : nets) out.push_back(n.metrics.latency_ns * 1e-3);
  out.push_back(nets.front().metrics.area_mm2);
  return out;
}

nlohmann::json figures_json(const std::vector<NetworkFigures>& nets) {
  nlohmann::json j;
  j["area_mm2"] = nets.empty() ? 0.0 : nets.front().metrics.area_mm2;
  nlohmann::json n = nlohmann::json::object();
  for (const auto& f : nets)
    n[f.network] = {{"energy_pj", f.metrics.energy_pj},
                    {"latency_ns", f.metrics.latency_ns},
                    {"latency_cycles", f.metrics.latency_cycles},
                    {"edap", f.edap()},
                    {"reload_groups", f.reload_groups}};
  j["networks"] = n;
  if (!nets.empty()) {
    nlohmann::json a = nlohmann::json::object();
    for (const auto& [name, how] : aggregate_choices()) a[name] = aggregate_edap(nets, how);
    j["aggregate_edap"] = a;
  }
  return j;
}

std::optional<std::vector<NetworkFigures>> figures_from(const Evaluation& e,
                                                        const std::vector<std::string>& order) {
  if (!e.feasible() || !e.extra.contains("networks")) return std::nullopt;
  const auto& n = e.extra["networks"];
  std::vector<NetworkFigures> out;
  for (const auto& name : order) {
    if (!n.contains(name)) return std::nullopt;
    const auto& j = n[name];
    NetworkFigures f;
    f.network = name;
    f.metrics = sim::design_metrics(j.at("energy_pj").get<double>(), j.at("latency_ns").get<double>(),
                                    j.at("latency_cycles").get<std::int64_t>(),
                                    e.extra.at("area_mm2").get<double>(), /*macs=*/0);
    f.reload_groups = j.at("reload_groups").get<int>();
    out.push_back(f);
  }
  return out;
}

double reduction_pct(double joint, double baseline) {
  return 100.0 * (baseline - joint) / baseline;
}

}  // namespace imc::nas::cosearch
