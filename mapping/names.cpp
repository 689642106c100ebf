#include "mapping/program.h"

namespace imc::mapping {

const char* to_string(OpType t) {
  switch (t) {
    case OpType::Mvm:
      return "mvm";
    case OpType::TileLoad:
      return "tile_load";
    case OpType::Accumulate:
      return "accumulate";
    case OpType::Digital:
      return "digital";
    case OpType::Send:
      return "send";
    case OpType::Recv:
      return "recv";
    case OpType::DramRead:
      return "dram_read";
    case OpType::DramWrite:
      return "dram_write";
    case OpType::WeightWrite:
      return "weight_write";
  }
  return "?";
}

const char* to_string(DigitalUnit u) {
  switch (u) {
    case DigitalUnit::Activation:
      return "activation";
    case DigitalUnit::Pool:
      return "pool";
    case DigitalUnit::Vector:
      return "vector";
    case DigitalUnit::ShiftAdd:
      return "shift_add";
  }
  return "?";
}

const char* to_string(UnitKind u) {
  switch (u) {
    case UnitKind::Pe:
      return "pe";
    case UnitKind::TileBus:
      return "tile_bus";
    case UnitKind::TileAccumulator:
      return "tile_accumulator";
    case UnitKind::TileActivation:
      return "tile_activation";
    case UnitKind::TilePool:
      return "tile_pool";
    case UnitKind::TileVector:
      return "tile_vector";
    case UnitKind::TileNic:
      return "tile_nic";
    case UnitKind::Dram:
      return "dram";
  }
  return "?";
}

}  // namespace imc::mapping
