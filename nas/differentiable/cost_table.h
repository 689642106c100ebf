// The hardware term's table: every network of the space on ONE chip (the outer genome's hardware
// genes), its energy, latency and area from the lookup-table estimator (evaluator "lut",
// nas/predictor/layer_lut.h: per-layer figures tabulated with the analytical model), and the scalar
// cost the inner loop takes the expectation of. Torch-free.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "nas/differentiable/arch_space.h"
#include "nas/differentiable/options.h"
#include "nas/optimizer.h"

namespace imc::nas::search {
class SearchEvaluator;
}

namespace imc::nas::differentiable {

struct CostTable {
  // One entry per network (ArchSpace numbering).
  std::vector<double> energy_uj, latency_us, area_mm2;
  std::vector<bool> feasible;  // decodes, maps, and meets [constraints] on this chip
  // sum_o w_o f_o / mean_o (means over the feasible networks, so the weights are relative shares);
  // an infeasible network costs twice the largest feasible cost (the hardware term pushes away from it).
  std::vector<double> cost;
  std::size_t feasible_count() const;
};

// The table from the networks' hardware evaluations (SearchEvaluator's judge: "energy_uj",
// "latency_us", "area_mm2" in extra; violation > 0 = infeasible).
CostTable cost_table_from(const std::vector<Evaluation>& evaluations, const DifferentiableOptions& o);

// Every network of `arch` on the chip of `outer`, evaluated with the lut estimator.
CostTable lut_cost_table(const search::SearchEvaluator& evaluator, const ArchSpace& arch, const Genome& outer,
                         const DifferentiableOptions& o);

nlohmann::json to_json(const CostTable& t);
CostTable cost_table_from_json(const nlohmann::json& j);

}  // namespace imc::nas::differentiable
