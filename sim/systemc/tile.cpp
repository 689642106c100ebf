#include "sim/systemc/tile.h"

#include <stdexcept>
#include <string>

namespace imc::sim::systemc {

using mapping::UnitKind;

Tile::Tile(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, OpTracker& tracker,
           Mesh& mesh, int pes)
    : sc_core::sc_module(name),
      bus_("bus", spec, stats, tracker, UnitKind::TileBus),
      accumulator_("accumulator", spec, stats, tracker, UnitKind::TileAccumulator),
      activation_("activation", spec, stats, tracker, UnitKind::TileActivation),
      pool_("pool", spec, stats, tracker, UnitKind::TilePool),
      vector_("vector", spec, stats, tracker, UnitKind::TileVector),
      nic_("nic", spec, stats, tracker, mesh),
      tile_buffer_("buffer", spec.arch.tile.buffer),
      output_buffer_("output_buffer", spec.arch.tile.output_buffer) {
  for (int p = 0; p < pes; ++p) {
    pe_.push_back(std::make_unique<Pe>(("pe_" + std::to_string(p)).c_str(), spec, stats, tracker));
    pe_in_.push_back(std::make_unique<Buffer>(("pe_" + std::to_string(p) + "_input_buffer").c_str(),
                                              spec.arch.pe.input_buffer));
  }
}

Unit& Tile::unit(UnitKind kind, int pe) {
  switch (kind) {
    case UnitKind::Pe:
      if (pe < 0 || pe >= pes())
        throw std::out_of_range(std::string(name()) + ": no PE " + std::to_string(pe));
      return *pe_[std::size_t(pe)];
    case UnitKind::TileBus:
      return bus_;
    case UnitKind::TileAccumulator:
      return accumulator_;
    case UnitKind::TileActivation:
      return activation_;
    case UnitKind::TilePool:
      return pool_;
    case UnitKind::TileVector:
      return vector_;
    case UnitKind::TileNic:
      return nic_;
    case UnitKind::Dram:
      break;
  }
  throw std::out_of_range(std::string(name()) + ": the DRAM channel is not a tile unit");
}

Buffer* Tile::buffer(BufferLevel level, int pe) {
  switch (level) {
    case BufferLevel::PeInput:
      return pe >= 0 && pe < pes() ? pe_in_[std::size_t(pe)].get() : nullptr;
    case BufferLevel::Tile:
      return &tile_buffer_;
    case BufferLevel::TileOutput:
      return &output_buffer_;
    case BufferLevel::Global:
      return nullptr;
  }
  return nullptr;
}

void Tile::units(std::vector<Unit*>& out) {
  for (auto& p : pe_) out.push_back(p.get());
  for (Unit* u : {&bus_, &accumulator_, &activation_, &pool_, &vector_}) out.push_back(u);
  out.push_back(&nic_);
}

}  // namespace imc::sim::systemc
