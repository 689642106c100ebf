#include "nas/differentiable/cost_table.h"

#include <algorithm>

#include "nas/search/evaluator.h"

namespace imc::nas::differentiable {

std::size_t CostTable::feasible_count() const {
  return std::size_t(std::count(feasible.begin(), feasible.end(), true));
}

CostTable cost_table_from(const std::vector<Evaluation>& evaluations, const DifferentiableOptions& o) {
  CostTable t;
  const std::size_t n = evaluations.size();
  t.energy_uj.assign(n, 0);
  t.latency_us.assign(n, 0);
  t.area_mm2.assign(n, 0);
  t.feasible.assign(n, false);
  t.cost.assign(n, 0);
  double mean_e = 0, mean_l = 0, mean_a = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Evaluation& e = evaluations[i];
    if (e.extra.contains("energy_uj")) {
      t.energy_uj[i] = e.extra.at("energy_uj").get<double>();
      t.latency_us[i] = e.extra.at("latency_us").get<double>();
      t.area_mm2[i] = e.extra.at("area_mm2").get<double>();
    }
    t.feasible[i] = e.feasible() && e.extra.contains("energy_uj");
    if (!t.feasible[i]) continue;
    mean_e += t.energy_uj[i], mean_l += t.latency_us[i], mean_a += t.area_mm2[i];
    ++count;
  }
  if (count == 0) return t;  // no feasible network on this chip: every cost 0, the hardware term is flat
  mean_e /= double(count), mean_l /= double(count), mean_a /= double(count);
  auto share = [](double w, double value, double mean) { return mean > 0 ? w * value / mean : 0.0; };
  double worst = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!t.feasible[i]) continue;
    t.cost[i] = share(o.energy_weight, t.energy_uj[i], mean_e) +
                share(o.latency_weight, t.latency_us[i], mean_l) +
                share(o.area_weight, t.area_mm2[i], mean_a);
    worst = std::max(worst, t.cost[i]);
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!t.feasible[i]) t.cost[i] = 2 * worst;
  return t;
}

CostTable lut_cost_table(const search::SearchEvaluator& evaluator, const ArchSpace& arch, const Genome& outer,
                         const DifferentiableOptions& o) {
  std::vector<Genome> genomes;
  for (std::size_t s = 0; s < arch.subnet_count(); ++s)
    genomes.push_back(arch.genome(outer, arch.choice_of(s)));
  return cost_table_from(evaluator.evaluate_hardware_with(genomes, search::EvaluatorKind::kLut), o);
}

nlohmann::json to_json(const CostTable& t) {
  return {{"energy_uj", t.energy_uj},
          {"latency_us", t.latency_us},
          {"area_mm2", t.area_mm2},
          {"feasible", t.feasible},
          {"cost", t.cost}};
}

CostTable cost_table_from_json(const nlohmann::json& j) {
  CostTable t;
  t.energy_uj = j.at("energy_uj").get<std::vector<double>>();
  t.latency_us = j.at("latency_us").get<std::vector<double>>();
  t.area_mm2 = j.at("area_mm2").get<std::vector<double>>();
  t.feasible = j.at("feasible").get<std::vector<bool>>();
  t.cost = j.at("cost").get<std::vector<double>>();
  return t;
}

}  // namespace imc::nas::differentiable
