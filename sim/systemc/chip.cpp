#include "sim/systemc/chip.h"

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace imc::sim::systemc {

namespace {
const mapping::Program& checked(const SimSpec& spec, const mapping::Program& p) {
  const arch::NocSpec& n = spec.arch.noc;
  if (p.mesh_x != n.mesh_x || p.mesh_y != n.mesh_y || p.tiles_per_router != n.tiles_per_router ||
      p.tiles != spec.arch.tiles() || p.pes_per_tile != spec.arch.tile.pes)
    throw std::invalid_argument(
        fmt::format("systemc: the program was lowered for {}x{} routers x {} tiles x {} PEs, the spec has "
                    "{}x{} x {} x {}",
                    p.mesh_x, p.mesh_y, p.tiles_per_router, p.pes_per_tile, n.mesh_x, n.mesh_y,
                    n.tiles_per_router, spec.arch.tile.pes));
  return p;
}
}  // namespace

Chip::Chip(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, OpTracker& tracker,
           bool finite_buffers)
    : sc_core::sc_module(name),
      stats_(stats),
      tracker_(tracker),
      mesh_("mesh", spec, stats, checked(spec, tracker.program()).mesh_x, tracker.program().mesh_y,
            tracker.program().tiles_per_router),
      global_("global_buffer", spec.arch.global.buffer),
      dram_read_("dram_read", spec, stats, tracker),
      dram_write_("dram_write", spec, stats, tracker) {
  const mapping::Program& p = tracker.program();
  for (int t = 0; t < p.tiles; ++t)
    tiles_.push_back(std::make_unique<Tile>(("tile_" + std::to_string(t)).c_str(), spec, stats, tracker,
                                            mesh_, p.pes_per_tile));
  for (auto& t : tiles_) t->units(units_);
  units_.push_back(&dram_read_);
  units_.push_back(&dram_write_);
  for (std::size_t id = 0; id < p.ops.size(); ++id) unit_of(p.ops[id]).append(int(id));
  if (finite_buffers)
    tracker.plan_buffers([this](BufferLevel level, int tile, int pe) -> Buffer* {
      if (level == BufferLevel::Global) return &global_;
      if (tile < 0 || tile >= int(tiles_.size())) return nullptr;
      return tiles_[std::size_t(tile)]->buffer(level, pe);
    });
}

Unit& Chip::unit_of(const mapping::Op& op) {
  if (op.unit == mapping::UnitKind::Dram) return dram(mapping::dram_stream(op.type));
  if (op.tile < 0 || op.tile >= int(tiles_.size()))
    throw std::invalid_argument(
        fmt::format("systemc: an op runs on tile {}, the chip has {}", op.tile, tiles_.size()));
  if (op.type == mapping::OpType::Send && (op.dst_tile < 0 || op.dst_tile >= int(tiles_.size())))
    throw std::invalid_argument(
        fmt::format("systemc: a send to tile {}, the chip has {}", op.dst_tile, tiles_.size()));
  if (op.unit == mapping::UnitKind::Pe &&
      op.pe + std::max(1, op.pe_count) > tiles_[std::size_t(op.tile)]->pes())
    throw std::invalid_argument(fmt::format("systemc: an op runs on PEs {}..{} of tile {}, which has {}",
                                            op.pe, op.pe + op.pe_count - 1, op.tile,
                                            tiles_[std::size_t(op.tile)]->pes()));
  try {
    return tiles_[std::size_t(op.tile)]->unit(op.unit, op.pe);
  } catch (const std::out_of_range& e) {
    throw std::invalid_argument(std::string("systemc: ") + e.what());
  }
}

void Chip::run() {
  sc_core::sc_start();
  while (stats_.completed < tracker_.size()) {
    Unit* oldest = nullptr;
    for (Unit* u : units_)
      if (u->blocked_on_space() && (!oldest || u->head() < oldest->head())) oldest = u;
    if (!oldest)
      throw std::logic_error(fmt::format(
          "systemc: the simulation stopped at cycle {} with {} of {} ops unfinished",
          sc_core::sc_time_stamp().to_string(), tracker_.size() - stats_.completed, tracker_.size()));
    oldest->force_head();
    sc_core::sc_start();
  }
}

}  // namespace imc::sim::systemc
