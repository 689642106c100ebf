#include "nas/predictor/design_features.h"

#include <algorithm>
#include <cmath>

namespace imc::nas::predictor {

std::vector<double> genome_features(const SearchSpace& space, const Genome& genome) {
  std::vector<double> out;
  for (std::size_t i = 0; i < space.size(); ++i) {
    const Gene& g = space.genes()[i];
    if (g.values.size() < 2) continue;  // fixed: no information
    const GeneValue& v = g.values.at(std::size_t(genome.at(i)));
    out.push_back(v.is_number() ? v.as_number() : double(genome[i]));
  }
  return out;
}

std::vector<std::string> genome_feature_names(const SearchSpace& space) {
  std::vector<std::string> out;
  for (const Gene& g : space.genes())
    if (g.values.size() > 1) out.push_back(g.name);
  return out;
}

std::vector<double> design_features(const SearchSpace& space, const Genome& genome,
                                    const workloads::Graph& graph, const arch::ArchSpec& spec) {
  std::vector<double> out = genome_features(space, genome);
  double layers = 0, rows_sum = 0, cols_sum = 0, rows_max = 0, cols_max = 0, cells = 0, vectors = 0;
  // Crossbars of the weights (a weight of w bits takes ceil(w / bits per cell) columns) and column
  // conversions per inference: the first-order drivers of area, energy and latency.
  double crossbars = 0, conversions = 0;
  const auto up = [](double a, double b) { return std::ceil(a / std::max(1.0, b)); };
  const double slices = up(spec.precision.weight_bits, spec.device.bits_per_cell);
  for (int i = 0; i < graph.size(); ++i) {
    if (!graph.is_weight_stationary(i)) continue;
    const workloads::WeightMatrix w = graph.weight_matrix(i);
    layers += 1;
    rows_sum += double(w.rows);
    cols_sum += double(w.cols * w.groups);
    rows_max = std::max(rows_max, double(w.rows));
    cols_max = std::max(cols_max, double(w.cols * w.groups));
    cells += double(w.rows * w.cols * w.groups);
    vectors += double(w.vectors);
    const double cols = double(w.cols) * slices;
    crossbars += double(w.groups) * up(double(w.rows), spec.crossbar.rows) * up(cols, spec.crossbar.cols);
    conversions += double(w.groups) * double(w.vectors) * up(double(w.rows), spec.crossbar.rows) * cols *
                   up(spec.precision.input_bits, 1);
  }
  for (double v :
       {std::log10(1.0 + double(graph.total_macs())), std::log10(1.0 + double(graph.total_params())), layers,
        rows_sum, cols_sum, rows_max, cols_max, std::log10(1.0 + cells), vectors, std::log10(1.0 + crossbars),
        std::log10(1.0 + conversions)})
    out.push_back(v);
  return out;
}

std::vector<std::string> design_feature_names(const SearchSpace& space) {
  std::vector<std::string> out = genome_feature_names(space);
  for (const char* n : {"log10_macs", "log10_params", "weight_layers", "rows_sum", "cols_sum", "rows_max",
                        "cols_max", "log10_weight_cells", "vectors", "log10_crossbars", "log10_conversions"})
    out.push_back(n);
  return out;
}

}  // namespace imc::nas::predictor
