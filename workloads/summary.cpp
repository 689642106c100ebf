// Layer table and JSON summary of a Graph.
#include "workloads/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace imc::workloads {

namespace {

// 1234567 -> "1.23 M" (for the totals line; the table itself prints exact integers).
std::string scaled(std::int64_t v) {
  const char* units[] = {"", " k", " M", " G", " T"};
  double x = static_cast<double>(v);
  int u = 0;
  while (x >= 1000.0 && u < 4) {
    x /= 1000.0;
    ++u;
  }
  return u == 0 ? std::to_string(v) : fmt::format("{:.2f}{}", x, units[u]);
}

}  // namespace

GraphTotals totals(const Graph& g) {
  GraphTotals t;
  t.nodes = g.size();
  for (int i = 0; i < g.size(); ++i) {
    t.macs += g.macs(i);
    t.params += g.params(i);
    t.weights += g.weights(i);
    t.digital_ops += g.digital_ops(i);
    if (g.is_weight_stationary(i)) ++t.weight_layers;
  }
  return t;
}

std::string layer_table(const Graph& g) {
  std::size_t name_w = 4, op_w = 2, shape_w = 5;
  for (const auto& n : g.nodes()) {
    name_w = std::max(name_w, n.name.size());
    op_w = std::max(op_w, op_label(n).size());
    shape_w = std::max(shape_w, shape_str(n.out).size());
  }
  name_w = std::min<std::size_t>(name_w, 48);
  std::string s = fmt::format("{:>5}  {:<{}}  {:<{}}  {:<{}}  {:>14}  {:>12}\n", "#", "name", name_w, "op",
                              op_w, "shape", shape_w, "MACs", "weights");
  for (int i = 0; i < g.size(); ++i) {
    const Node& n = g.node(i);
    std::string name = n.name.size() > name_w ? n.name.substr(0, name_w - 1) + "~" : n.name;
    s += fmt::format("{:>5}  {:<{}}  {:<{}}  {:<{}}  {:>14}  {:>12}\n", i, name, name_w, op_label(n), op_w,
                     shape_str(n.out), shape_w, g.macs(i), g.weights(i));
  }
  GraphTotals t = totals(g);
  s += fmt::format(
      "{}: {} nodes, {} weight layers, {} MACs ({}MAC), {} params ({}), {} crossbar weights, {} digital "
      "ops\n",
      g.name(), t.nodes, t.weight_layers, t.macs, scaled(t.macs), t.params, scaled(t.params), t.weights,
      t.digital_ops);
  return s;
}

nlohmann::json to_json(const Graph& g) {
  GraphTotals t = totals(g);
  nlohmann::json layers = nlohmann::json::array();
  for (int i = 0; i < g.size(); ++i) {
    const Node& n = g.node(i);
    nlohmann::json inputs = nlohmann::json::array();
    for (int in : n.inputs) inputs.push_back(g.node(in).name);
    nlohmann::json l = {{"index", i},
                        {"name", n.name},
                        {"op", op_label(n)},
                        {"inputs", inputs},
                        {"shape", n.out},
                        {"macs", g.macs(i)},
                        {"params", g.params(i)},
                        {"weights", g.weights(i)},
                        {"digital_ops", g.digital_ops(i)}};
    if (g.is_weight_stationary(i)) {
      WeightMatrix m = g.weight_matrix(i);
      l["weight_matrix"] = {{"rows", m.rows}, {"cols", m.cols}, {"groups", m.groups}, {"vectors", m.vectors}};
    }
    layers.push_back(std::move(l));
  }
  return {{"name", g.name()},
          {"totals",
           {{"nodes", t.nodes},
            {"weight_layers", t.weight_layers},
            {"macs", t.macs},
            {"params", t.params},
            {"weights", t.weights},
            {"digital_ops", t.digital_ops}}},
          {"layers", layers}};
}

}  // namespace imc::workloads
