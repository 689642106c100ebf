// The actions every performance model counts. Both models fill the same ActionCounts from the same
// Program, so their counts can be compared exactly; energy is always cost::energy(counts, costs).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace imc::arch {

enum class Action : int {
  XbarCellRead,     // one cell conducting during one crossbar read
  XbarRead,         // one analog read of a crossbar (latency bookkeeping; its energy is in the cells)
  DacDrive,         // one row driven with one input slice
  SampleHold,       // one column sampled
  AdcConversion,    // one column converted
  PeShiftAdd,       // one shift-and-add of a converted value into a partial sum
  PeInBufRead,      // bits
  PeInBufWrite,     // bits
  PeOutBufRead,     // bits
  PeOutBufWrite,    // bits
  BusBit,           // bits over the tile bus (tile buffer <-> PEs)
  TileBufRead,      // bits
  TileBufWrite,     // bits
  TileOutBufRead,   // bits
  TileOutBufWrite,  // bits
  TileAccumulate,   // one partial-sum addition across PEs or tiles
  Activation,       // one activation function evaluation
  Pool,             // one pooling compare/add
  VectorOp,         // one vector-lane op (element-wise, norm, softmax, dynamic-matmul MAC)
  NocFlitHop,       // one flit through one router
  GlobalBufRead,    // bits
  GlobalBufWrite,   // bits
  OffchipBit,       // bits to or from DRAM / the off-chip link
  CellWrite,        // one cell programmed (weight reload)
  kCount
};

inline constexpr int kActionCount = static_cast<int>(Action::kCount);

std::string_view to_string(Action a);
// The component an action's energy is charged to in breakdowns ("crossbar", "adc", ...).
std::string_view component_of(Action a);

struct ActionCounts {
  std::array<std::int64_t, kActionCount> n{};

  std::int64_t& operator[](Action a) { return n[static_cast<int>(a)]; }
  std::int64_t operator[](Action a) const { return n[static_cast<int>(a)]; }
  ActionCounts& operator+=(const ActionCounts& o) {
    for (int i = 0; i < kActionCount; ++i) n[i] += o.n[i];
    return *this;
  }
  bool operator==(const ActionCounts&) const = default;
};

}  // namespace imc::arch
