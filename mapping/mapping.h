// Where every weight and every operation goes. map() places a network on a chip; lower() turns the
// placement into the Program both performance models execute (mapping/program.h).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "arch/spec.h"
#include "common/config.h"
#include "mapping/program.h"
#include "workloads/graph.h"

namespace imc::mapping {

// How ops of different layers and inferences may overlap (docs/mapping.md, "The emission order and the
// three schedules").
enum class Schedule {
  Pipeline,   // layers overlap across chunks and inferences
  Wavefront,  // the same, with the layers' chunks interleaved on the units they share
  Layer,      // each layer starts after the previous one ends
};
// What happens when a network's weights do not fit on the chip.
enum class Overflow {
  Reload,  // reload weights from off-chip memory per layer group (needs offchip.kind != none)
  Error,   // refuse the network
};
const std::vector<std::pair<const char*, Schedule>>& schedule_names();  // "pipeline", "wavefront", "layer"
const std::vector<std::pair<const char*, Overflow>>& overflow_names();  // "reload", "error"
const char* to_string(Schedule s);
const char* to_string(Overflow o);

// Mapper options ([mapping] in a TOML file given with --mapping, or defaults). Every field is
// declared once, in describe() (mapping/options.cpp): default, range, doc; the command-line flags
// and the search's [search] keys read the same declarations.
struct MappingOptions {
  std::string mapper = "greedy";  // registry name (mapping/mapper.cpp)
  Schedule schedule = Schedule::Pipeline;
  Overflow overflow = Overflow::Reload;
  int duplication = 0;  // max copies of a layer's weights for throughput (1 = none, 0 = auto)
  int batch = 1;
  int weight_bits = 0;  // 0 = the spec's precision
  int input_bits = 0;
  int chunks_per_layer = 0;  // ops per layer per inference (0 = auto, per layer: mapping/granularity.h)
};

// The [mapping] section's declarations (common::Fields), and the two that the search's [search]
// section shares (the same key, default, range and doc there).
void describe(common::Fields& f, MappingOptions& o);
void describe_schedule(common::Fields& f, Schedule& s);
void describe_batch(common::Fields& f, int& batch);

MappingOptions load_mapping_options(const std::string& path);  // InputError naming file/line/key

// How one weight-stationary layer is cut into crossbars.
struct CrossbarTiling {
  std::int64_t rows = 0, cols = 0, groups = 1;  // the layer's weight matrix (per group)
  int weight_bits = 8, input_bits = 8;
  int slices_per_weight = 1;    // ceil(weight_bits / bits_per_cell)
  int cols_per_weight = 1;      // slices x (2 if differential)
  int input_slices = 1;         // ceil(input_bits / dac_bits)
  std::int64_t phys_cols = 0;   // cols x cols_per_weight (per group)
  int groups_per_crossbar = 1;  // small groups packed block-diagonally
  std::int64_t row_blocks = 1;  // crossbars along the rows of one (packed) group set
  std::int64_t col_blocks = 1;  // crossbars along the physical columns
  std::int64_t group_sets = 1;  // ceil(groups / groups_per_crossbar)
  std::int64_t crossbars = 1;   // row_blocks x col_blocks x group_sets (one copy)
  std::int64_t cells_used = 0;  // one copy
};
CrossbarTiling tile_matrix(const workloads::WeightMatrix& m, const arch::ArchSpec& spec, int weight_bits,
                           int input_bits);

struct LayerPlacement {
  int node = -1;
  bool on_crossbars = false;
  CrossbarTiling tiling;
  int duplication = 1;
  int chunks = 1;  // ops per inference its output is cut into (mapping/granularity.h)
  int reload_group = 0;
  // A layer larger than the whole chip (with overflow = reload) runs in `passes`: each pass
  // programs crossbars [pass * crossbars_per_pass, ...) of the tiling onto the same PEs.
  int passes = 1;
  std::int64_t crossbars_per_pass = 0;
  // PEs allocated to the layer, as (tile, pe) pairs, and which crossbar range each holds.
  struct PeSlot {
    int tile = 0, pe = 0;
    std::int64_t first_crossbar = 0, crossbars = 0;  // within the layer's copy `copy`
    int copy = 0;
  };
  std::vector<PeSlot> pes;
  std::vector<int> tiles;  // distinct tiles, in order
};

struct Mapping {
  MappingOptions options;
  std::vector<LayerPlacement> layers;  // one per graph node (non-crossbar nodes get a tile to run on)
  int reload_groups = 1;
  std::int64_t pes_needed = 0;  // one copy of every layer
  std::int64_t pes_available = 0;
};

Mapping map(const arch::ArchSpec& spec, const workloads::Graph& graph, const MappingOptions& options);
Program lower(const arch::ArchSpec& spec, const workloads::Graph& graph, const Mapping& mapping);

std::vector<std::string> mapper_names();

}  // namespace imc::mapping
