#include "sim/analytical/walk.h"

#include <algorithm>

#include "mapping/lowering.h"
#include "sim/analytical/walk_sink.h"

namespace imc::sim {

Report evaluate_walk(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                     const workloads::Graph& graph, const mapping::Mapping& mapping, std::size_t& ops,
                     bool layers) {
  const int n = graph.size();
  WalkSink sink(spec, costs, n, mapping.options.batch);
  mapping::Lowering<WalkSink> lowering(spec, graph, mapping, sink);
  lowering.run();

  Report r;
  r.model = "analytical";
  r.workload = graph.name();
  r.batch = mapping.options.batch;
  r.macs = graph.total_macs() * r.batch;
  // lower()'s utilization (Program::utilization): the fullest reload group's cells over the chip's.
  const std::int64_t used = lowering.fullest_group_cells();
  const std::int64_t available = spec.crossbars() * spec.crossbar.rows * spec.crossbar.cols;
  r.utilization = available ? double(used) / double(available) : 0;

  std::int64_t latency = 0;  // the last op's end
  for (const WalkSink::LayerStats& st : sink.stats()) {
    latency = std::max(latency, st.end);
    r.actions += st.actions;
  }
  r.latency_cycles = latency;
  sink.inferences().fill(r, mapping.reload_groups > 1);
  // Power gating's bookkeeping (sim/power_gating.h), as lower() fills it from the same placement;
  // only when it is used (this is the search's hot path).
  if (spec.chip.power_gating) r.gating.resize(std::size_t(n));
  for (int i = 0; i < int(r.gating.size()); ++i) {
    const mapping::LayerPlacement& l = mapping.layers[std::size_t(i)];
    const WalkSink::LayerStats& st = sink.stats()[std::size_t(i)];
    GatingLayer& g = r.gating[std::size_t(i)];
    g.reload_group = l.reload_group;
    g.tiles = l.on_crossbars ? l.tiles : std::vector<int>{lowering.home_tile(i)};
    g.inputs = graph.node(i).inputs;
    g.start_cycle = st.start < 0 ? 0 : st.start;
    g.end_cycle = st.end;
  }
  if (layers) {
    r.layers.resize(std::size_t(n));
    for (int i = 0; i < n; ++i) {
      const workloads::Node& nd = graph.node(i);
      const WalkSink::LayerStats& st = sink.stats()[std::size_t(i)];
      LayerReport& l = r.layers[std::size_t(i)];
      l.name = nd.name;
      l.op = workloads::to_string(nd.op);
      l.macs = graph.macs(i) * r.batch;
      l.actions = st.actions;
      l.start_cycle = st.start < 0 ? 0 : st.start;
      l.end_cycle = st.end;
      for (int k = 0; k < WalkSink::kUnitKinds; ++k)
        if (st.busy[std::size_t(k)] > 0)
          l.busy_cycles.emplace(mapping::to_string(static_cast<mapping::UnitKind>(k)),
                                st.busy[std::size_t(k)]);
    }
  }
  finalize(r, spec, costs);
  ops = sink.ops();
  return r;
}

}  // namespace imc::sim
