#include "cli/resource_guard.h"

#include <fmt/format.h>

#include "common/resources.h"

namespace imc::cli {
namespace {

// Peak resident memory per item, measured with this build on vgg8 / fmnist_small (README.h15-bad.md
// has the commands): the slope between two runs that differ in one quantity only.
//   estimate, per op of the lowered program: 380 B (batch 64 -> 1024: +926,400 ops, +344 MB);
//   estimate, per tile of the chip: 600 B (mesh 8x8 -> 1024x1024, 1 tile per router: +613 MB);
//   estimate, per crossbar a layer's weights need (mapping::tile_matrix): 240 B (a 1x3x65537x65537
//   conv on rram_default: 5.03e7 crossbars, 12.1 GB above an fmnist_small run; it took 61 s);
//   SystemC, per tile: 40 KiB (32x32 mesh, 1 -> 4 tiles per router: +120 MB for 3072 tiles);
//   SystemC, per router: 5 KiB (mesh 8x8 -> 32x32, 1 tile per router: +42 MB for 960 routers+tiles);
//   SystemC, per op: 800 B (vgg8, batch 1 -> 16: +11 MB for 14,475 ops).
constexpr double kBytesPerOp = 380;
constexpr double kBytesPerTile = 600;
constexpr double kBytesPerCrossbar = 240;
constexpr double kSystemcBytesPerTile = 40 * 1024;
constexpr double kSystemcBytesPerRouter = 5 * 1024;
constexpr double kSystemcBytesPerOp = 800;

double routers_of(const arch::ArchSpec& spec) {
  return double(spec.noc.mesh_x) * double(spec.noc.mesh_y);
}

// Crossbars the network's weights need (one copy of each layer), from the tiling alone.
double crossbars_needed(const Session& s, const workloads::Graph& g) {
  const int wbits = s.options.weight_bits > 0 ? s.options.weight_bits : s.spec.precision.weight_bits;
  const int ibits = s.options.input_bits > 0 ? s.options.input_bits : s.spec.precision.input_bits;
  double n = 0;
  for (int i = 0; i < g.size(); ++i)
    if (g.is_weight_stationary(i))
      n += double(mapping::tile_matrix(g.weight_matrix(i), s.spec, wbits, ibits).crossbars);
  return n;
}

}  // namespace

void guard_lowering_memory(const Session& s, const workloads::Graph& g) {
  const double tiles = routers_of(s.spec) * double(s.spec.noc.tiles_per_router);
  const double crossbars = crossbars_needed(s, g);
  common::check_memory(
      tiles * kBytesPerTile + crossbars * kBytesPerCrossbar,
      fmt::format("mapping {} ({:.3g} crossbars of weights; --workload {}) onto {:.0f} tiles (--arch {})",
                  g.name(), crossbars, s.workload, tiles, s.spec.source),
      "lower the mesh size, or the layer sizes of the workload");
  if (s.options.batch <= 1) return;
  // The ops grow with the batch: lower one inference first (bounded by the shape limits) and scale.
  mapping::MappingOptions one = s.options;
  one.batch = 1;
  const mapping::Mapping m = mapping::map(s.spec, g, one);
  const mapping::Program p = mapping::lower(s.spec, g, m);
  const double ops = double(p.ops.size()) * double(s.options.batch);
  common::check_memory(
      ops * kBytesPerOp + tiles * kBytesPerTile + crossbars * kBytesPerCrossbar,
      fmt::format("{} (--workload {}) at batch {} ({:.3g} ops)", g.name(), s.workload, s.options.batch, ops),
      fmt::format("lower --batch (one inference is {} ops)", p.ops.size()));
}

void guard_systemc_memory(const arch::ArchSpec& spec, const mapping::Program* program) {
  const double routers = routers_of(spec);
  const double tiles = routers * double(spec.noc.tiles_per_router);
  const double ops = program ? double(program->ops.size()) : 0;
  common::check_memory(
      routers * kSystemcBytesPerRouter + tiles * kSystemcBytesPerTile + ops * kSystemcBytesPerOp,
      fmt::format("the SystemC model ({:.0f} routers, {:.0f} tiles, {:.0f} ops)", routers, tiles, ops),
      "lower the mesh size or --batch, or use estimate");
}

}  // namespace imc::cli
