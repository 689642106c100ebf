#include "nas/search/formulation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "nas/optimizer.h"

namespace imc::nas::search {
using common::ConfigNode;

const std::vector<std::pair<const char*, FormulationKind>>& formulation_names() {
  static const std::vector<std::pair<const char*, FormulationKind>> names = {
      {"pareto", FormulationKind::kPareto},
      {"weighted_sum", FormulationKind::kWeightedSum},
      {"weighted_product", FormulationKind::kWeightedProduct},
      {"constrained", FormulationKind::kConstrained},
      {"two_stage", FormulationKind::kTwoStage}};
  return names;
}

namespace {

std::string allowed_kinds() {
  std::vector<std::string> out;
  for (const auto& [name, kind] : formulation_names()) out.push_back(fmt::format("\"{}\"", name));
  return fmt::format("{}", fmt::join(out, ", "));
}

std::string objective_names(const std::vector<Objective>& objectives) {
  std::vector<std::string> out;
  for (Objective o : objectives) out.push_back(fmt::format("\"{}\"", objective_def(o).name));
  return fmt::format("{}", fmt::join(out, ", "));
}

// two_stage's keys: stage1_objectives (a subset of the objectives, default all) and stage1_share.
void read_two_stage(const ConfigNode& f, SearchConfig& c, const std::string& kind_name) {
  Formulation& out = c.formulation;
  const ConfigNode objectives = f.get("stage1_objectives");
  const ConfigNode share = f.get("stage1_share");
  if (out.kind != FormulationKind::kTwoStage) {
    for (const ConfigNode& n : {objectives, share})
      if (n.valid()) n.fail(fmt::format("only kind = \"two_stage\" takes this key, not \"{}\"", kind_name));
    return;
  }
  if (objectives.valid()) {
    if (!objectives.is_array() || objectives.size() == 0)
      objectives.fail(
          fmt::format("must be a non-empty list of objectives among {}", objective_names(c.objectives)));
    for (std::size_t i = 0; i < objectives.size(); ++i) {
      const std::string o = objectives.at(i).as_string();
      const auto it = std::find_if(c.objectives.begin(), c.objectives.end(),
                                   [&](Objective x) { return o == objective_def(x).name; });
      if (it == c.objectives.end())
        objectives.at(i).fail(fmt::format("\"{}\" is not one of the objectives: expected one of {}", o,
                                          objective_names(c.objectives)));
      if (std::find(out.stage1_objectives.begin(), out.stage1_objectives.end(), *it) !=
          out.stage1_objectives.end())
        objectives.at(i).fail(fmt::format("\"{}\" listed twice", o));
      out.stage1_objectives.push_back(*it);
    }
  }
  if (share.valid()) {
    out.stage1_share = share.as_real();
    if (!(out.stage1_share > 0 && out.stage1_share < 1))
      share.fail(
          fmt::format("{} is not allowed: the share of search.generations given to stage 1 is in (0, 1)",
                      out.stage1_share));
  }
}

}  // namespace

void read_formulation(const ConfigNode& root, SearchConfig& c) {
  const ConfigNode f = root.get("formulation");
  if (!f.valid()) return;
  if (!f.is_table()) f.fail("must be a table with kind, weights, primary, stage1_objectives, stage1_share");
  for (const std::string& key : f.keys())
    if (key != "kind" && key != "weights" && key != "primary" && key != "stage1_objectives" &&
        key != "stage1_share")
      f.require(key).fail("unknown key; allowed: kind, weights, primary, stage1_objectives, stage1_share");
  Formulation& out = c.formulation;
  const ConfigNode kind = f.require("kind");
  if (!kind.is_string())  // as_string() would say "expected a string" without the allowed kinds
    kind.fail(fmt::format("expected one of {}, found {}", allowed_kinds(), kind.type_name()));
  const std::string name = kind.as_string();
  bool found = false;
  for (const auto& [n, k] : formulation_names())
    if (name == n) out.kind = k, found = true;
  if (!found) kind.fail(fmt::format("\"{}\" is not allowed: expected one of {}", name, allowed_kinds()));

  const bool weighted =
      out.kind == FormulationKind::kWeightedSum || out.kind == FormulationKind::kWeightedProduct;
  const ConfigNode weights = f.get("weights");
  if (weighted) {
    if (!weights.valid()) f.require("weights");  // fails naming the missing key
    if (!weights.is_array() || weights.size() != c.objectives.size())
      weights.fail(fmt::format("must be a list of {} numbers, one per objective ({})", c.objectives.size(),
                               objective_names(c.objectives)));
    for (std::size_t i = 0; i < weights.size(); ++i) {
      const double w = weights.at(i).as_real();
      if (!std::isfinite(w) || w <= 0)
        weights.at(i).fail(fmt::format("weight {} is not allowed: weights are finite and > 0", w));
      out.weights.push_back(w);
    }
  } else if (weights.valid()) {
    weights.fail(
        fmt::format("only kind = \"weighted_sum\" or \"weighted_product\" takes weights, not \"{}\"", name));
  }
  if (out.kind == FormulationKind::kWeightedProduct)
    for (Objective o : c.objectives)
      if (o == Objective::kTopsPerW)
        kind.fail(
            "\"weighted_product\" needs positive objectives; 'tops_per_w' is negated (minimized): use "
            "\"weighted_sum\" or drop it");

  const ConfigNode primary = f.get("primary");
  if (out.kind == FormulationKind::kConstrained) {
    if (!primary.valid()) f.require("primary");
    const std::string p = primary.as_string();
    const auto it = std::find_if(c.objectives.begin(), c.objectives.end(),
                                 [&](Objective o) { return p == objective_def(o).name; });
    if (it == c.objectives.end())
      primary.fail(fmt::format("\"{}\" is not one of the objectives: expected one of {}", p,
                               objective_names(c.objectives)));
    out.primary = *it;
  } else if (primary.valid()) {
    primary.fail(fmt::format("only kind = \"constrained\" takes a primary objective, not \"{}\"", name));
  }

  read_two_stage(f, c, name);

  if (out.kind != FormulationKind::kPareto && out.kind != FormulationKind::kTwoStage &&
      optimizer_traits(c.optimizer.name).multi_objective_only)
    kind.fail(
        fmt::format("\"{}\" gives the optimizer one objective; optimizer '{}' needs several: use "
                    "optimizer.name = \"sga\", \"sa\", \"random\", \"parego\" or \"reinforce\"",
                    name, c.optimizer.name));
}

std::vector<std::string> formulated_columns(const SearchConfig& c) {
  switch (c.formulation.kind) {
    case FormulationKind::kWeightedSum:
      return {"weighted_sum"};
    case FormulationKind::kWeightedProduct:
      return {"weighted_product"};
    case FormulationKind::kConstrained:
      return {objective_def(c.formulation.primary).column};
    case FormulationKind::kPareto:
    case FormulationKind::kTwoStage:  // each stage is a Pareto search
      break;
  }
  std::vector<std::string> out;
  for (Objective o : c.objectives) out.push_back(objective_def(o).column);
  return out;
}

std::vector<double> formulate(const SearchConfig& c, const std::vector<double>& raw) {
  const Formulation& f = c.formulation;
  switch (f.kind) {
    case FormulationKind::kWeightedSum: {
      double s = 0;
      for (std::size_t i = 0; i < raw.size(); ++i) s += f.weights[i] * raw[i];
      return {s};
    }
    case FormulationKind::kWeightedProduct: {
      // In logs, so that small and large factors neither underflow nor overflow; a zero objective
      // (0 % error) gives the smallest product there is.
      double log_p = 0;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] <= 0) return {0.0};
        log_p += f.weights[i] * std::log(raw[i]);
      }
      return {std::exp(log_p)};
    }
    case FormulationKind::kConstrained:
      for (std::size_t i = 0; i < c.objectives.size(); ++i)
        if (c.objectives[i] == f.primary) return {raw[i]};
      return {};
    case FormulationKind::kPareto:
    case FormulationKind::kTwoStage:
      break;
  }
  return raw;
}

}  // namespace imc::nas::search
