// The lowered program: the one input of both performance models (sim/analytical, sim/systemc).
//
// lower() turns a mapping into ops. Each op is a chunk of work on one unit of one tile (or on the
// chip's DRAM channel), with the exact actions it performs already counted, the work quantities the
// timing functions (sim/timing.h) turn into service cycles, and its dependencies. Ops on the same
// unit (same `unit` key) execute in program order. Op ids are indices into Program::ops, and every
// dependency id is smaller than the op's own id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/actions.h"

namespace imc::mapping {

enum class OpType {
  Mvm,          // PEs pe..pe+pe_count-1 of one layer on one tile, in lockstep: `vectors` input vectors
  TileLoad,     // tile buffer -> PE input buffers over the tile bus: `bits`
  Accumulate,   // tile: `count` partial-sum additions, `bits` of partial sums over the bus from the PEs
  Digital,      // tile: `count` digital ops on unit `digital_unit` (activation, pool, vector)
  Send,         // tile -> dst_tile over the mesh: `bits` (packetized by the NoC model)
  Recv,         // dst tile: `bits` written into its tile buffer (depends on the matching Send)
  DramRead,     // off-chip -> tile buffer (through the global buffer when there is one): `bits`
  DramWrite,    // tile buffer -> off-chip: `bits`
  WeightWrite,  // PE: program `count` cells of `rows` rows (weight reload)
};

enum class DigitalUnit { Activation, Pool, Vector, ShiftAdd };

const char* to_string(OpType t);
const char* to_string(DigitalUnit u);

// The unit an op occupies; ops with the same unit key run in program order on it. The chip's DRAM
// channel (`Dram`) has two streams, reads (DramRead: network inputs, weights, activations read back
// across reload groups) and writes (DramWrite): the unit key is (Dram, direction), so the next
// inference's input read never queues behind the previous inference's output write (a full-duplex
// off-chip link; see dram_stream()).
enum class UnitKind { Pe, TileBus, TileAccumulator, TileActivation, TilePool, TileVector, TileNic, Dram };
const char* to_string(UnitKind u);

struct Op {
  OpType type = OpType::Mvm;
  int layer = -1;  // index into Program::layers
  int batch = 0;   // which inference of the batch
  int tile = 0;    // executing tile (for Send: the source; for DRAM ops: the tile whose buffer is used)
  int pe = -1;     // PE within the tile (Mvm, WeightWrite): the first of `pe_count` PEs it occupies
  int pe_count = 1;
  UnitKind unit = UnitKind::Pe;
  DigitalUnit digital_unit = DigitalUnit::Vector;

  // Work quantities (what the timing functions need).
  std::int64_t vectors = 0;   // Mvm: input vectors
  int slices = 1;             // Mvm: input slices per vector (input bits / DAC bits)
  int reads_per_slice = 1;    // Mvm: analog reads per slice per crossbar (rows / rows_parallel)
  int cols_per_adc_used = 1;  // Mvm: columns each ADC converts per read (max over the PE's crossbars)
  std::int64_t merges_per_vector = 0;  // Mvm: partial sums of different crossbars added on the PE's
                                       // shift-add units per vector (row blocks held by one PE)
  std::int64_t count = 0;              // Accumulate / Digital / WeightWrite: operations or cells
  int rows = 0;                        // WeightWrite: rows programmed (one row at a time per crossbar)
  std::int64_t bits = 0;               // TileLoad / Send / Recv / DRAM ops
  int dst_tile = -1;                   // Send
  int hops = 0;                        // Send: routers traversed (XY distance + 1)

  std::int64_t crossbar_macs = 0;  // MACs done in crossbars by this op (conservation)
  std::int64_t digital_macs = 0;   // MACs done by digital units (dynamic matmuls)
  arch::ActionCounts actions;      // exactly what this op does

  std::vector<int> deps;  // op ids that must finish before this op starts
};

// The stream of the DRAM channel a DRAM op uses: 0 = reads (to the chip), 1 = writes.
inline int dram_stream(OpType t) {
  return t == OpType::DramWrite ? 1 : 0;
}
constexpr int kDramStreams = 2;

struct LayerInfo {
  std::string name;
  int node = -1;   // workloads::Graph node index
  std::string op;  // workloads op name
  bool on_crossbars = false;
  std::int64_t macs = 0;       // per inference
  std::int64_t crossbars = 0;  // allocated (incl. duplication)
  std::int64_t pes = 0;
  std::int64_t cells_used = 0;  // cells holding weights (incl. duplicates)
  int duplication = 1;
  int reload_group = 0;     // weight group (DRAM reload) the layer belongs to
  std::vector<int> tiles;   // tiles it occupies (or runs on, for digital layers)
  std::vector<int> inputs;  // producer layers (graph inputs): their tiles are read while it runs
  double utilization = 0;   // cells_used / cells of its allocated PEs
};

struct Program {
  std::string workload;
  int batch = 1;
  int tiles = 0;
  int pes_per_tile = 0;
  int mesh_x = 0, mesh_y = 0, tiles_per_router = 1;
  std::vector<LayerInfo> layers;
  std::vector<Op> ops;
  std::int64_t workload_macs = 0;  // per inference (Graph::total_macs)
  std::int64_t cells_available = 0;
  std::int64_t cells_used = 0;
  int reload_groups = 1;  // > 1 when weights are reloaded from DRAM per layer group
  std::string schedule;   // its spelling: "pipeline" | "wavefront" | "layer" (reports)

  double utilization() const { return cells_available ? double(cells_used) / double(cells_available) : 0; }
  // Router (mesh position) of a tile: tiles are numbered router-major.
  int router_of(int tile) const { return tile / tiles_per_router; }
  int router_x(int tile) const { return router_of(tile) % mesh_x; }
  int router_y(int tile) const { return router_of(tile) / mesh_x; }
};

}  // namespace imc::mapping
