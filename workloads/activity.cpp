#include "workloads/activity.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "common/config.h"

namespace imc::workloads {

double mean_slice_activity(const std::vector<double>& d, int input_bits, int dac_bits) {
  if (d.empty() || input_bits <= 0) return 1.0;
  const int per_slice = std::max(1, dac_bits);
  const int slices = (input_bits + per_slice - 1) / per_slice;
  const bool per_bit = int(d.size()) == input_bits;
  const double mean = std::accumulate(d.begin(), d.end(), 0.0) / double(d.size());
  double sum = 0;
  for (int s = 0; s < slices; ++s) {
    double all_zero = 1.0;
    for (int b = s * per_slice; b < std::min(input_bits, (s + 1) * per_slice); ++b)
      all_zero *= 1.0 - (per_bit ? d[std::size_t(b)] : mean);
    sum += 1.0 - all_zero;
  }
  return sum / slices;
}

std::int64_t scale_count(std::int64_t count, double activity) {
  if (activity >= 1.0) return count;  // exact: the worst case is today's count
  return std::llround(double(count) * activity);
}

void apply_activity_file(Graph& graph, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw common::InputError(fmt::format("{}: cannot open the activity file", path));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw common::InputError(fmt::format("{}: not JSON: {}", path, e.what()));
  }
  if (!j.is_object())
    throw common::InputError(
        fmt::format("{}: expected an object {{\"layer\": density or [densities]}}", path));
  auto check = [&](const std::string& key, const nlohmann::json& v) {
    if (!v.is_number())
      throw common::InputError(
          fmt::format("{}: key '{}': expected a number in [0, 1], got {}", path, key, v.dump()));
    const double x = v.get<double>();
    if (!(x >= 0.0 && x <= 1.0))
      throw common::InputError(
          fmt::format("{}: key '{}' = {} is out of range: allowed [0, 1]", path, key, x));
    return x;
  };
  for (const auto& [key, value] : j.items()) {
    const int node = graph.find(key);
    if (node < 0)
      throw common::InputError(
          fmt::format("{}: key '{}': no layer of that name in workload '{}'", path, key, graph.name()));
    if (!graph.is_weight_stationary(node))
      throw common::InputError(fmt::format(
          "{}: key '{}': not a weight-stationary (conv or linear) layer; activity applies to crossbar inputs",
          path, key));
    std::vector<double> density;
    if (value.is_array()) {
      if (value.empty()) throw common::InputError(fmt::format("{}: key '{}': empty list", path, key));
      for (const auto& v : value) density.push_back(check(key, v));
    } else {
      density.push_back(check(key, value));
    }
    graph.set_input_bit_density(node, std::move(density));
  }
}

}  // namespace imc::workloads
