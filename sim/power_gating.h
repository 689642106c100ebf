// Leakage with power gating (chip.power_gating): which tiles and routers are powered, and when.
//
// What is gated: a tile is powered only during the span of each reload group (first op start to
// last op end of the group's layers) in which one of the group's layers occupies it, runs on it,
// or reads its producer's output from it (the producer's tile keeps its buffer until the consumer
// has read it, also across groups through DRAM). A router is powered during a group's span when
// it lies in the bounding box of the routers of the group's powered tiles: XY routes between two
// of them never leave that box. Tiles of the same router share it.
// What is not gated: the chip-level parts (global buffer, off-chip or host interface) leak for the
// whole run; within a powered tile, idle PEs, buffers and units leak for the whole group span
// (the report has no per-PE idle intervals that both models count alike). The switches' area,
// wake-up time and energy are not modelled.
#pragma once

#include <cstdint>
#include <vector>

#include "arch/cost.h"
#include "arch/spec.h"

namespace imc::sim {

// One layer's share of the power-gating bookkeeping, filled by the models.
struct GatingLayer {
  int reload_group = 0;
  std::vector<int> tiles;                       // tiles it occupies (or runs on)
  std::vector<int> inputs;                      // producer layers
  std::int64_t start_cycle = 0, end_cycle = 0;  // its ops' span (empty: no ops)
  bool ran() const { return end_cycle > start_cycle; }
};

// Leakage energy (pJ) of a run of `latency_cycles`: the whole chip's leakage x time without gating
// (spec.chip.power_gating false), else the powered tiles' and routers' x their powered spans plus
// the ungated parts x time.
double leakage_energy_pj(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                         const std::vector<GatingLayer>& layers, std::int64_t latency_cycles);

}  // namespace imc::sim
