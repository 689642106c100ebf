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

double aggregate_edap(const std::vector<NetworkFigures>& nets, Aggregate how) {
  if (nets.empty()) throw std::invalid_argument("aggregate_edap: no networks");
  switch (how) {
    case Aggregate::kMax: {
      double e_pj = 0, l_ns = 0;
      for (const auto& n : nets) {
        e_pj = std::max(e_pj, n.metrics.energy_pj);
        l_ns = std::max(l_ns, n.metrics.latency_ns);
      }
      return sim::design_metrics(e_pj, l_ns, 0, nets.front().metrics.area_mm2, 0).edap_j_s_mm2;
    }
    case Aggregate::kMean: {
      double s = 0;
      for (const auto& n : nets) s += n.edap();
      return s / double(nets.size());
    }
    case Aggregate::kProduct: {
      double p = 1;
      for (const auto& n : nets) p *= n.edap();
      return p;
    }
  }
  return 0;
}

std::vector<std::string> objective_names(const std::vector<std::string>& networks, bool multi,
                                         Aggregate how) {
  if (!multi) return {"log10_edap_" + to_string(how)};
  std::vector<std::string> out;
  for (const auto& n : networks) out.push_back(n + ".energy_uj");
  for (const auto& n : networks) out.push_back(n + ".latency_us");
  out.push_back("area_mm2");
  return out;
}

std::vector<double> objective_values(const std::vector<NetworkFigures>& nets, bool multi, Aggregate how) {
  if (!multi) {
    if (how == Aggregate::kProduct) {  // sum of logs: the product of nine small EDAPs underflows nothing
      double s = 0;
      for (const auto& n : nets) s += std::log10(n.edap());
      return {s};
    }
    return {std::log10(aggregate_edap(nets, how))};
  }
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
  if (!nets.empty())
    j["aggregate_edap"] = {{"max", aggregate_edap(nets, Aggregate::kMax)},
                           {"mean", aggregate_edap(nets, Aggregate::kMean)},
                           {"product", aggregate_edap(nets, Aggregate::kProduct)}};
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
