// The whole chip, elaborated from the spec for one Program: tiles on the mesh, the global buffer
// and the DRAM channel. Construction hands every op to the unit that executes it (its unit key:
// (Pe, tile, pe), (tile unit, tile) or one of the DRAM channel's two streams, reads and writes),
// in program order, and plans the
// buffer space each op needs (OpTracker).
#pragma once

#include <memory>
#include <systemc>
#include <vector>

#include "mapping/program.h"
#include "sim/systemc/buffer.h"
#include "sim/systemc/mesh.h"
#include "sim/systemc/op_tracker.h"
#include "sim/systemc/tile.h"
#include "sim/systemc/unit.h"

namespace imc::sim::systemc {

class Chip : public sc_core::sc_module {
 public:
  // Throws std::invalid_argument when the program does not fit the spec (tiles, PEs, mesh).
  // finite_buffers = false: buffers never stall (to separate their effect from the network's).
  Chip(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, OpTracker& tracker,
       bool finite_buffers = true);

  Mesh& mesh() { return mesh_; }
  Tile& tile(int t) { return *tiles_.at(std::size_t(t)); }
  Buffer& global_buffer() { return global_; }
  // The DRAM channel's stream of reads (stream 0) or writes (1): mapping::dram_stream().
  DramChannel& dram(int stream = 0) { return stream == 0 ? dram_read_ : dram_write_; }
  const std::vector<Unit*>& units() const { return units_; }

  // Runs the simulation to the end: sc_start() until every op has completed, breaking op-level
  // buffer deadlocks (the oldest op blocked on space is admitted past capacity). Throws
  // std::logic_error if the run stops with ops that can never start.
  void run();

 private:
  Unit& unit_of(const mapping::Op& op);
  Stats& stats_;
  OpTracker& tracker_;
  Mesh mesh_;
  std::vector<std::unique_ptr<Tile>> tiles_;
  Buffer global_;
  DramChannel dram_read_, dram_write_;
  std::vector<Unit*> units_;
};

}  // namespace imc::sim::systemc
