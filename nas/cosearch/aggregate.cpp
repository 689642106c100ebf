#include "nas/cosearch/aggregate.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace imc::nas::cosearch {

double aggregate_edap(const std::vector<NetworkFigures>& nets, Aggregate how) {
  if (nets.empty()) throw std::invalid_argument("aggregate_edap: no networks");
  switch (how) {
    case Aggregate::kMax: {
      double e = 0, l = 0;
      for (const auto& n : nets) {
        e = std::max(e, n.energy_pj * 1e-12);
        l = std::max(l, n.latency_ns * 1e-9);
      }
      return e * l * nets.front().area_mm2;
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
  for (const auto& n : nets) out.push_back(n.energy_pj * 1e-6);
  for (const auto& n : nets) out.push_back(n.latency_ns * 1e-3);
  out.push_back(nets.front().area_mm2);
  return out;
}

nlohmann::json figures_json(const std::vector<NetworkFigures>& nets) {
  nlohmann::json j;
  j["area_mm2"] = nets.empty() ? 0.0 : nets.front().area_mm2;
  nlohmann::json n = nlohmann::json::object();
  for (const auto& f : nets)
    n[f.network] = {{"energy_pj", f.energy_pj},
                    {"latency_ns", f.latency_ns},
                    {"latency_cycles", f.latency_cycles},
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
    f.energy_pj = j.at("energy_pj").get<double>();
    f.latency_ns = j.at("latency_ns").get<double>();
    f.latency_cycles = j.at("latency_cycles").get<std::int64_t>();
    f.reload_groups = j.at("reload_groups").get<int>();
    f.area_mm2 = e.extra.at("area_mm2").get<double>();
    out.push_back(f);
  }
  return out;
}

double reduction_pct(double joint, double baseline) {
  return 100.0 * (baseline - joint) / baseline;
}

}  // namespace imc::nas::cosearch
