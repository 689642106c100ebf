#include "sim/systemc/critical_path.h"

#include <algorithm>

#include "sim/analytical/analytical_model.h"
#include "sim/timing.h"

namespace imc::sim::systemc {

namespace {

std::map<std::string, std::int64_t> walk(int last, const arch::ArchSpec& spec,
                                         const arch::cost::CostTable& costs, const mapping::Program& p,
                                         const Stats& stats) {
  std::int64_t space = 0, network = 0;
  std::map<std::string, std::int64_t> queued;  // by unit kind: waits for a unit held by another op
  int x = last;
  bool via_release = false;  // reached through the op's release of its unit (else its completion)
  while (x >= 0) {
    const mapping::Op& op = p.ops[std::size_t(x)];
    const OpRecord& r = stats.ops[std::size_t(x)];
    if (op.type == mapping::OpType::Send) {
      const std::int64_t idle =
          via_release ? occupancy_cycles(op, spec, costs) : service_cycles(op, spec, costs);
      const std::int64_t end = via_release ? r.release : r.done;
      network += std::max<std::int64_t>(0, end - r.start - idle);
    }
    const int u = r.unit_prev;  // the op that held the unit before it (arbitration may reorder)
    const std::int64_t unit_free = u >= 0 ? stats.ops[std::size_t(u)].release : 0;
    space += r.space_wait;
    network += r.late_release;
    if (u >= 0 && unit_free > r.ready) {
      queued[std::string(mapping::to_string(op.unit)) + "_queue"] += unit_free - r.ready;
      x = u;
      via_release = true;
      continue;
    }
    int next = -1;
    for (int d : op.deps)
      if (next < 0 || stats.ops[std::size_t(d)].done > stats.ops[std::size_t(next)].done) next = d;
    x = next;
    via_release = false;
  }
  queued[to_string(Stall::BufferFull)] = space;
  queued[to_string(Stall::NetworkContention)] = network;
  return queued;
}

}  // namespace

CriticalPath critical_path(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                           const mapping::Program& p, const Stats& stats) {
  std::vector<int> last_of_layer(p.layers.size(), -1);
  int last = -1;
  for (std::size_t id = 0; id < p.ops.size(); ++id) {
    int& l = last_of_layer[std::size_t(p.ops[id].layer)];
    if (l < 0 || stats.ops[id].done > stats.ops[std::size_t(l)].done) l = int(id);
    if (last < 0 || stats.ops[id].done > stats.ops[std::size_t(last)].done) last = int(id);
  }
  CriticalPath cp;
  cp.layers.resize(p.layers.size());
  for (std::size_t l = 0; l < p.layers.size(); ++l)
    if (last_of_layer[l] >= 0) cp.layers[l] = walk(last_of_layer[l], spec, costs, p, stats);
  if (last >= 0) cp.total = walk(last, spec, costs, p, stats);
  return cp;
}

}  // namespace imc::sim::systemc
