#include "zdt.h"

#include <cmath>
#include <string>

namespace imc::nas::test {

SearchSpace zdt_space(std::size_t n, int steps) {
  SearchSpace s;
  for (std::size_t i = 0; i < n; ++i) {
    Gene g;
    g.name = "network.x" + std::to_string(i + 1);
    for (int k = 0; k <= steps; ++k) g.values.push_back(GeneValue::integer(k));
    s.add_gene(std::move(g));
  }
  return s;
}

std::vector<double> zdt(int which, const Genome& g, int steps) {
  const double n = static_cast<double>(g.size());
  double f1 = g[0] / static_cast<double>(steps);
  double sum = 0;
  for (std::size_t i = 1; i < g.size(); ++i) sum += g[i] / static_cast<double>(steps);
  double gg = 1.0 + 9.0 * sum / (n - 1.0);
  double r = f1 / gg;
  double h = which == 1 ? 1.0 - std::sqrt(r) : 1.0 - r * r;
  return {f1, gg * h};
}

double zdt_true_hv(int which) {
  return which == 1 ? 1.21 - 1.0 / 3.0 : 1.21 - 2.0 / 3.0;
}

BatchEvaluator zdt_evaluator(int which, int steps, std::size_t* calls) {
  return [=](const std::vector<Genome>& batch) {
    std::vector<Evaluation> out;
    for (const auto& g : batch) {
      Evaluation e;
      e.objectives = zdt(which, g, steps);
      e.fidelity = "exact";
      out.push_back(e);
    }
    if (calls) *calls += batch.size();
    return out;
  };
}

}  // namespace imc::nas::test
