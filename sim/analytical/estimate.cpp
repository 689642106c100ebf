#include "sim/analytical/estimate.h"

#include "sim/analytical/analytical_model.h"
#include "sim/analytical/walk.h"

namespace imc::sim {

Estimate estimate(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                  const workloads::Graph& graph, const mapping::MappingOptions& options,
                  EstimateDetail detail) {
  const mapping::Mapping m = mapping::map(spec, graph, options);
  Estimate e;
  e.report = evaluate_walk(spec, costs, graph, m, e.ops, detail == EstimateDetail::Layers);
  e.reload_groups = m.reload_groups;
  return e;
}

Estimate estimate_program(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                          const workloads::Graph& graph, const mapping::MappingOptions& options) {
  const mapping::Mapping m = mapping::map(spec, graph, options);
  const mapping::Program p = mapping::lower(spec, graph, m);
  Estimate e;
  e.report = AnalyticalModel().evaluate(spec, costs, p);
  e.reload_groups = p.reload_groups;
  e.ops = p.ops.size();
  return e;
}

}  // namespace imc::sim
