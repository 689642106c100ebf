#include "sim/analytical/analytical_model.h"

#include <algorithm>
#include <array>

#include "sim/analytical/unit_timeline.h"
#include "sim/timing.h"

namespace imc::sim {

namespace {
constexpr int kTileUnitKinds = 7;  // TileBus .. TileNic
}

int unit_count(const mapping::Program& p) {
  return p.tiles * p.pes_per_tile + kTileUnitKinds * p.tiles + mapping::kDramStreams;
}

int unit_index(const mapping::Op& op, const mapping::Program& p) {
  using mapping::UnitKind;
  if (op.unit == UnitKind::Pe) return op.tile * p.pes_per_tile + op.pe;
  if (op.unit == UnitKind::Dram) return unit_count(p) - mapping::kDramStreams + mapping::dram_stream(op.type);
  const int kind = static_cast<int>(op.unit) - static_cast<int>(UnitKind::TileBus);
  return p.tiles * p.pes_per_tile + kind * p.tiles + op.tile;
}

Report AnalyticalModel::evaluate(const arch::ArchSpec& spec, const mapping::Program& program) {
  return evaluate(spec, arch::cost::build(spec), program);
}

Report AnalyticalModel::evaluate(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                                 const mapping::Program& program) {
  Report r = report_skeleton(program, "analytical");
  constexpr int kUnitKinds = static_cast<int>(mapping::UnitKind::Dram) + 1;
  std::vector<std::array<std::int64_t, kUnitKinds>> busy(program.layers.size());
  std::vector<std::int64_t> end(program.ops.size(), 0);
  std::vector<UnitTimeline> units(std::size_t(unit_count(program)));
  InferenceTimes inferences(program.batch, unit_count(program));
  std::int64_t latency = 0;
  for (std::size_t id = 0; id < program.ops.size(); ++id) {
    const mapping::Op& op = program.ops[id];
    const int u = unit_index(op, program);
    std::int64_t ready = 0;
    for (int d : op.deps) ready = std::max(ready, end[std::size_t(d)]);
    const auto [service, occupancy] = op_cycles_of(op, spec, costs, [&] { return dram_channel(spec); });
    const std::int64_t start =
        units[std::size_t(u)].place(ready, occupancy, op.unit == mapping::UnitKind::Pe);
    end[id] = start + service;
    latency = std::max(latency, end[id]);
    inferences.add(op.batch, u, start, end[id], occupancy);
    r.actions += op.actions;
    LayerReport& l = r.layers[std::size_t(op.layer)];
    l.actions += op.actions;
    if (l.start_cycle < 0 || start < l.start_cycle) l.start_cycle = start;
    l.end_cycle = std::max(l.end_cycle, end[id]);
    busy[std::size_t(op.layer)][static_cast<int>(op.unit)] += occupancy;
  }
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    LayerReport& l = r.layers[i];
    if (l.start_cycle < 0) l.start_cycle = 0;
    for (int k = 0; k < kUnitKinds; ++k)
      if (busy[i][k] > 0) l.busy_cycles[mapping::to_string(static_cast<mapping::UnitKind>(k))] = busy[i][k];
  }
  r.latency_cycles = latency;
  inferences.fill(r, program.reload_groups > 1);
  finalize(r, spec, costs);
  return r;
}

}  // namespace imc::sim
