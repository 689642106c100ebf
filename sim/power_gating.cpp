#include "sim/power_gating.h"

#include <algorithm>
#include <utility>

namespace imc::sim {
namespace {

using Interval = std::pair<std::int64_t, std::int64_t>;

// Cycles covered by the union of the intervals.
std::int64_t covered_cycles(std::vector<Interval> v) {
  std::sort(v.begin(), v.end());
  std::int64_t total = 0, lo = 0, hi = -1;
  for (const auto& [a, b] : v) {
    if (a > hi) {
      if (hi > lo) total += hi - lo;
      lo = a, hi = b;
    } else {
      hi = std::max(hi, b);
    }
  }
  if (hi > lo) total += hi - lo;
  return total;
}

// Tiles whose data a layer uses: its own, and those of the producers it reads (a producer without
// ops, e.g. a batch norm folded into its conv, passes the question on to its own inputs).
void add_tiles_read(const std::vector<GatingLayer>& layers, int layer, std::vector<char>& tiles, int depth) {
  const GatingLayer& l = layers[std::size_t(layer)];
  for (int t : l.tiles) tiles[std::size_t(t)] = 1;
  if (depth > 0)
    for (int p : l.inputs) {
      if (layers[std::size_t(p)].ran())
        for (int t : layers[std::size_t(p)].tiles) tiles[std::size_t(t)] = 1;
      else
        add_tiles_read(layers, p, tiles, depth);
    }
}

}  // namespace

double leakage_energy_pj(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                         const std::vector<GatingLayer>& layers, std::int64_t latency_cycles) {
  const double cycle_ns = 1.0 / spec.chip.clock_ghz;
  const double latency_ns = double(latency_cycles) * cycle_ns;
  if (!spec.chip.power_gating || layers.empty()) return costs.chip_leakage_mw * latency_ns;  // mW x ns = pJ

  int groups = 0;
  for (const GatingLayer& l : layers) groups = std::max(groups, l.reload_group + 1);
  std::vector<Interval> span(std::size_t(groups), {-1, 0});
  for (const GatingLayer& l : layers) {
    if (!l.ran()) continue;
    Interval& s = span[std::size_t(l.reload_group)];
    s.first = s.first < 0 ? l.start_cycle : std::min(s.first, l.start_cycle);
    s.second = std::max(s.second, l.end_cycle);
  }
  const int tiles = spec.tiles(), per_router = spec.noc.tiles_per_router, mesh_x = spec.noc.mesh_x;
  std::vector<std::vector<Interval>> tile_on(static_cast<std::size_t>(tiles));
  std::vector<std::vector<Interval>> router_on(static_cast<std::size_t>(spec.noc.routers()));
  for (int g = 0; g < groups; ++g) {
    const Interval s = span[std::size_t(g)];
    if (s.first < 0) continue;
    std::vector<char> used(std::size_t(tiles), 0);
    for (int i = 0; i < int(layers.size()); ++i)
      if (layers[std::size_t(i)].reload_group == g && layers[std::size_t(i)].ran())
        add_tiles_read(layers, i, used, int(layers.size()));
    int x0 = mesh_x, x1 = -1, y0 = spec.noc.mesh_y, y1 = -1;
    for (int t = 0; t < tiles; ++t) {
      if (!used[std::size_t(t)]) continue;
      tile_on[std::size_t(t)].push_back(s);
      const int r = t / per_router;
      x0 = std::min(x0, r % mesh_x), x1 = std::max(x1, r % mesh_x);
      y0 = std::min(y0, r / mesh_x), y1 = std::max(y1, r / mesh_x);
    }
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) router_on[std::size_t(y * mesh_x + x)].push_back(s);
  }
  double pj = costs.ungated_leakage_mw * latency_ns;
  for (const auto& on : tile_on) pj += costs.tile_leakage_mw * double(covered_cycles(on)) * cycle_ns;
  for (const auto& on : router_on) pj += costs.router_leakage_mw * double(covered_cycles(on)) * cycle_ns;
  return pj;
}

}  // namespace imc::sim
