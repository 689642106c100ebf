// Placement: which PEs hold which layer's crossbars, how many copies, which reload group.
//
// Mappers (chosen by name in [mapping].mapper):
//   greedy        layers in graph order, each on the next free PEs (a tile may hold several layers)
//   tile_aligned  each layer starts on a fresh tile (less sharing of tile buses and buffers)
// Both allocate whole PEs to one layer (as ISAAC allocates IMAs) and give spare PEs to extra copies
// of the slowest layers while a copy shortens the interval, up to [mapping].duplication copies
// (0, "auto": no cap).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>
#include <map>

#include "common/config.h"
#include "mapping/granularity.h"
#include "mapping/mapping.h"

namespace imc::mapping {
namespace {

struct MapperEntry {
  const char* name;
  bool tile_aligned;
};
const MapperEntry kMappers[] = {{"greedy", false}, {"tile_aligned", true}};

const MapperEntry& find_mapper(const std::string& name) {
  for (const auto& m : kMappers)
    if (name == m.name) return m;
  throw common::InputError(fmt::format("mapping.mapper: unknown mapper \"{}\": allowed {}", name,
                                       fmt::join(mapper_names(), ", ")));
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// Work of one copy of a layer per inference, in crossbar read steps (what duplication divides).
double layer_work(const workloads::Graph& g, const LayerPlacement& l) {
  return double(g.weight_matrix(l.node).vectors) * l.tiling.input_slices;
}

}  // namespace

std::vector<std::string> mapper_names() {
  std::vector<std::string> out;
  for (const auto& m : kMappers) out.emplace_back(m.name);
  return out;
}

Mapping map(const arch::ArchSpec& spec, const workloads::Graph& graph, const MappingOptions& options) {
  const MapperEntry& mapper = find_mapper(options.mapper);
  Mapping m;
  m.options = options;
  const int wbits = options.weight_bits > 0 ? options.weight_bits : spec.precision.weight_bits;
  const int ibits = options.input_bits > 0 ? options.input_bits : spec.precision.input_bits;
  if (spec.device.bits_per_cell > wbits)
    throw common::InputError(fmt::format("mapping: weight_bits = {} is below device.bits_per_cell = {}",
                                         wbits, spec.device.bits_per_cell));
  const std::int64_t pes_per_tile = spec.tile.pes;
  const std::int64_t xbars_per_pe = spec.pe.crossbars;
  m.pes_available = std::int64_t(spec.tiles()) * pes_per_tile;

  m.layers.resize(graph.size());
  std::vector<std::int64_t> pes_per_copy(graph.size(), 0);
  for (int i = 0; i < graph.size(); ++i) {
    LayerPlacement& l = m.layers[i];
    l.node = i;
    l.on_crossbars = graph.is_weight_stationary(i);
    if (!l.on_crossbars) continue;
    l.tiling = tile_matrix(graph.weight_matrix(i), spec, wbits, ibits);
    pes_per_copy[i] = ceil_div(l.tiling.crossbars, xbars_per_pe);
    m.pes_needed += pes_per_copy[i];
  }

  // Reload groups: consecutive layers that fit on the chip together.
  auto pes_with_alignment = [&](std::int64_t used, std::int64_t need) {
    if (mapper.tile_aligned && used % pes_per_tile) used += pes_per_tile - used % pes_per_tile;
    return used + need;
  };
  std::vector<std::int64_t> group_used;
  {
    int group = 0;
    std::int64_t used = 0;
    for (int i = 0; i < graph.size(); ++i) {
      if (!m.layers[i].on_crossbars) {
        m.layers[i].reload_group = group;
        continue;
      }
      const std::int64_t need = pes_per_copy[i];
      LayerPlacement& l = m.layers[i];
      l.crossbars_per_pass = l.tiling.crossbars;
      if (need > m.pes_available && options.overflow == Overflow::Reload) {
        // Larger than the chip: its own group, run in passes over all PEs.
        if (used > 0) {
          group_used.push_back(used);
          ++group;
        }
        l.crossbars_per_pass = m.pes_available * xbars_per_pe;
        l.passes = int(ceil_div(l.tiling.crossbars, l.crossbars_per_pass));
        l.reload_group = group;
        group_used.push_back(m.pes_available);
        ++group;
        used = 0;
        continue;
      }
      if (pes_with_alignment(used, need) > m.pes_available) {
        if (options.overflow != Overflow::Reload)
          throw common::InputError(fmt::format(
              "network '{}' needs {} crossbars ({} PEs) but the chip has {} crossbars ({} PEs); set "
              "[mapping] overflow = \"reload\" to reload weights from DRAM per layer group",
              graph.name(),
              [&] {
                std::int64_t x = 0;
                for (const auto& placed : m.layers) x += placed.on_crossbars ? placed.tiling.crossbars : 0;
                return x;
              }(),
              m.pes_needed, m.pes_available * xbars_per_pe, m.pes_available));
        group_used.push_back(used);
        ++group;
        used = 0;
      }
      used = pes_with_alignment(used, need);
      m.layers[i].reload_group = group;
    }
    group_used.push_back(used);
    m.reload_groups = group + 1;
    // Reloaded weights (and activations staged between groups) come from off-chip memory.
    const bool reloads =
        m.reload_groups > 1 ||
        std::any_of(m.layers.begin(), m.layers.end(), [](const LayerPlacement& l) { return l.passes > 1; });
    if (reloads && spec.offchip.kind == arch::OffchipKind::None)
      throw common::InputError(fmt::format(
          "{}: key 'offchip.kind': network '{}' needs its weights reloaded ({} reload groups) but the chip "
          "has no off-chip memory (\"none\"); allowed for reloads: hypertransport, lpddr4, ddr4, hbm2",
          spec.source.empty() ? "arch" : spec.source, graph.name(), m.reload_groups));
  }

  // Duplication: spare PEs of each group go to copies of its slowest layers. Copies take a layer's
  // chunks round-robin, so a layer of K chunks on d copies takes ceil(K / d) chunk times: the next
  // copy count that shortens it is the smallest d' with a smaller ceil(K / d'). Repeatedly, the
  // layer with the longest time per copy that more copies would shorten (and the cap allows) gets
  // them; when they do not fit, duplication stops: copies of a faster layer would not shorten the
  // pipeline's interval, which the slowest layer sets.
  auto copy_cost = [&](int i) {  // tile-aligned copies round up to whole tiles
    return mapper.tile_aligned ? ceil_div(pes_per_copy[i], pes_per_tile) * pes_per_tile : pes_per_copy[i];
  };
  const std::int64_t cap = options.duplication > 0 ? options.duplication : std::int64_t(1) << 30;
  // Per layer, once: what the lowering cuts it into (its copies' unit of work) and its work.
  const std::vector<int> layer_chunk = layer_chunks(spec, graph, options);
  for (int i = 0; i < graph.size(); ++i) m.layers[i].chunks = layer_chunk[std::size_t(i)];
  std::vector<std::int64_t> chunks(graph.size(), 1);
  std::vector<double> work(graph.size(), 0);
  for (int i = 0; i < graph.size(); ++i)
    if (m.layers[i].on_crossbars) {
      chunks[i] = std::max<std::int64_t>(
          1, std::min<std::int64_t>(layer_chunk[std::size_t(i)], graph.weight_matrix(i).vectors));
      work[i] = layer_work(graph, m.layers[i]);
    }
  auto chunks_of = [&](int i) { return chunks[i]; };
  auto time_per_copy = [&](int i, std::int64_t copies) {  // in chunk times x the layer's work per chunk
    const std::int64_t k = chunks_of(i);
    return work[i] * double(ceil_div(k, copies)) / double(k);
  };
  auto next_useful = [&](int i, std::int64_t copies) {  // 0 when no more copies shorten layer i
    const std::int64_t k = chunks_of(i), now = ceil_div(k, copies);
    if (now <= 1) return std::int64_t(0);
    const std::int64_t d = ceil_div(k, now - 1);  // the fewest copies with at most now - 1 chunks each
    return d <= cap ? d : std::int64_t(0);
  };
  for (int i = 0; i < graph.size(); ++i) m.layers[i].duplication = 1;
  // "auto" makes no copies when weights are reloaded per group: every copy's weights would be
  // read from DRAM and programmed again on each run, costing more time and energy than it saves.
  const bool copies = options.duplication > 1 || (options.duplication == 0 && m.reload_groups == 1);
  if (copies) {
    for (int grp = 0; grp < m.reload_groups; ++grp) {
      std::int64_t spare = m.pes_available - group_used[grp];
      while (true) {
        int best = -1;
        double best_time = 0;
        for (int i = 0; i < graph.size(); ++i) {
          const LayerPlacement& l = m.layers[i];
          if (!l.on_crossbars || l.reload_group != grp || l.passes > 1 || next_useful(i, l.duplication) == 0)
            continue;
          const double t = time_per_copy(i, l.duplication);
          if (t > best_time) best_time = t, best = i;
        }
        if (best < 0) break;
        const std::int64_t want = next_useful(best, m.layers[best].duplication);
        const std::int64_t cost = (want - m.layers[best].duplication) * copy_cost(best);
        if (cost > spare) break;
        spare -= cost;
        m.layers[best].duplication = int(want);
      }
    }
  }

  // Placement: PE index p -> (tile p / pes_per_tile, pe p % pes_per_tile).
  std::int64_t next = 0;
  int current_group = 0;
  for (int i = 0; i < graph.size(); ++i) {
    LayerPlacement& l = m.layers[i];
    if (!l.on_crossbars) continue;
    if (l.reload_group != current_group) {
      current_group = l.reload_group;
      next = 0;
    }
    l.pes.reserve(std::size_t(l.duplication * ceil_div(l.crossbars_per_pass, xbars_per_pe)));
    for (int copy = 0; copy < l.duplication; ++copy) {
      if (mapper.tile_aligned && next % pes_per_tile) next += pes_per_tile - next % pes_per_tile;
      std::int64_t first = 0;
      while (first < l.crossbars_per_pass) {
        const std::int64_t n = std::min<std::int64_t>(xbars_per_pe, l.crossbars_per_pass - first);
        LayerPlacement::PeSlot slot;
        slot.tile = int(next / pes_per_tile);
        slot.pe = int(next % pes_per_tile);
        slot.first_crossbar = first;
        slot.crossbars = n;
        slot.copy = copy;
        l.pes.push_back(slot);
        if (l.tiles.empty() || l.tiles.back() != slot.tile) l.tiles.push_back(slot.tile);
        first += n;
        ++next;
      }
    }
  }
  return m;
}

}  // namespace imc::mapping
