// A tile: its PEs (each with an input buffer), the tile bus, the accumulator (cross-PE and
// cross-tile partial sums), the activation, pooling and vector units, the tile buffer, the tile
// output buffer, and the network interface to its router.
#pragma once

#include <memory>
#include <systemc>
#include <vector>

#include "sim/systemc/buffer.h"
#include "sim/systemc/mesh.h"
#include "sim/systemc/network_interface.h"
#include "sim/systemc/unit.h"

namespace imc::sim::systemc {

class Tile : public sc_core::sc_module {
 public:
  Tile(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, OpTracker& tracker, Mesh& mesh,
       int pes);

  // The unit executing ops of `kind` (pe: for UnitKind::Pe). Throws std::out_of_range for a PE
  // the tile does not have.
  Unit& unit(mapping::UnitKind kind, int pe);
  Buffer* buffer(BufferLevel level, int pe);
  void units(std::vector<Unit*>& out);

  int pes() const { return int(pe_.size()); }
  Pe& pe(int i) { return *pe_.at(std::size_t(i)); }
  Buffer& tile_buffer() { return tile_buffer_; }
  Buffer& output_buffer() { return output_buffer_; }
  Buffer& pe_input_buffer(int i) { return *pe_in_.at(std::size_t(i)); }

 private:
  std::vector<std::unique_ptr<Pe>> pe_;
  std::vector<std::unique_ptr<Buffer>> pe_in_;
  Unit bus_;
  Unit accumulator_;
  Unit activation_;
  Unit pool_;
  Unit vector_;
  NetworkInterface nic_;
  Buffer tile_buffer_;
  Buffer output_buffer_;
};

}  // namespace imc::sim::systemc
