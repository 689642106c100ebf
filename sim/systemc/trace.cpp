#include "sim/systemc/trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace imc::sim::systemc {

namespace {

constexpr int kKinds = int(mapping::UnitKind::Dram) + 1;

// Adds the busy interval [a, b) (cycles, possibly fractional) to buckets of `width` cycles.
void add(std::vector<double>& col, double width, double a, double b) {
  if (b <= a) return;
  const std::size_t n = col.size();
  std::size_t i = std::size_t(std::max(0.0, a / width));
  for (; i < n; ++i) {
    const double lo = double(i) * width, hi = lo + width;
    if (lo >= b) break;
    col[i] += std::min(b, hi) - std::max(a, lo);
  }
}

}  // namespace

std::string utilization_csv(const mapping::Program& p, const Stats& stats, const LinkTrace& links,
                            std::int64_t end_cycle, int buckets) {
  buckets =
      int(std::max<std::int64_t>(1, std::min<std::int64_t>(buckets, std::max<std::int64_t>(1, end_cycle))));
  const double width = double(std::max<std::int64_t>(1, end_cycle)) / buckets;
  std::array<std::vector<double>, kKinds> busy;
  for (auto& b : busy) b.assign(std::size_t(buckets), 0.0);
  std::vector<double> link_busy(std::size_t(buckets), 0.0);
  for (std::size_t id = 0; id < p.ops.size(); ++id) {
    const OpRecord& r = stats.ops[id];
    if (r.start < 0 || r.release < 0) continue;
    const mapping::Op& op = p.ops[id];
    const int units = op.unit == mapping::UnitKind::Pe ? std::max(1, op.pe_count) : 1;  // PEs in lockstep
    for (int k = 0; k < units; ++k)
      add(busy[std::size_t(op.unit)], width, double(r.start), double(r.release));
  }
  const double B = std::max(1, links.flits_per_cycle);
  for (auto [slot, flits] : links.grants) add(link_busy, width, double(slot) / B, double(slot + flits) / B);

  std::array<double, kKinds> units{};
  units[int(mapping::UnitKind::Pe)] = double(p.tiles) * p.pes_per_tile;
  for (int k = int(mapping::UnitKind::TileBus); k <= int(mapping::UnitKind::TileNic); ++k)
    units[std::size_t(k)] = p.tiles;
  units[int(mapping::UnitKind::Dram)] = mapping::kDramStreams;

  std::string out = "cycle_start,cycle_end";
  for (int k = 0; k < kKinds; ++k) out += fmt::format(",{}", mapping::to_string(mapping::UnitKind(k)));
  out += ",noc_links\n";
  for (int i = 0; i < buckets; ++i) {
    const double lo = i * width, hi = (i + 1) * width;
    out += fmt::format("{},{}", std::int64_t(lo), std::int64_t(hi));
    for (int k = 0; k < kKinds; ++k)
      out += fmt::format(",{:.4f}", units[std::size_t(k)] > 0 ? busy[std::size_t(k)][std::size_t(i)] /
                                                                    (width * units[std::size_t(k)])
                                                              : 0.0);
    out +=
        fmt::format(",{:.4f}\n", links.links > 0 ? link_busy[std::size_t(i)] / (width * links.links) : 0.0);
  }
  return out;
}

}  // namespace imc::sim::systemc
