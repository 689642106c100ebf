#include "sim/systemc/network_interface.h"

#include <algorithm>

#include "sim/timing.h"

namespace imc::sim::systemc {

NetworkInterface::NetworkInterface(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats,
                                   OpTracker& tracker, Mesh& mesh)
    : Unit(name, spec, stats, tracker, mapping::UnitKind::TileNic), mesh_(mesh) {}

Unit::Timing NetworkInterface::begin(int id, const mapping::Op& op, std::int64_t now) {
  if (op.type != mapping::OpType::Send || op.bits <= 0) return Unit::begin(id, op, now);
  mesh_.send(op.tile, op.dst_tile, op.bits, this, id);
  return Timing{0, 0, true};
}

void NetworkInterface::injected(int, std::int64_t cycle) {
  release_at(cycle);
}

void NetworkInterface::delivered(int tag, std::int64_t cycle) {
  complete_at(tag, cycle);
}

void NetworkInterface::finished(int id, const mapping::Op& op, std::int64_t now) {
  if (op.type != mapping::OpType::Send) return;
  OpRecord& rec = stats_.ops[std::size_t(id)];
  const std::int64_t idle = service_cycles(op, spec_.arch, spec_.costs);
  rec.stall[std::size_t(Stall::NetworkContention)] += std::max<std::int64_t>(0, now - rec.start - idle);
}

}  // namespace imc::sim::systemc
