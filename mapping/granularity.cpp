// Per-layer granularity (mapping/granularity.h).
#include "mapping/granularity.h"

#include <algorithm>

#include "mapping/emission.h"

namespace imc::mapping {

std::int64_t auto_chunk_target_bits(const arch::ArchSpec& spec) {
  const std::int64_t out_bytes = spec.tile.output_buffer.capacity_bytes;
  const std::int64_t bytes = out_bytes > 0 ? out_bytes : spec.tile.buffer.capacity_bytes;
  // Double-buffered: a chunk fills one bank while the Sends drain the other.
  return std::max<std::int64_t>(1, bytes * 8 / 2);
}

std::vector<int> layer_chunks(const arch::ArchSpec& spec, const workloads::Graph& graph,
                              const MappingOptions& options) {
  const int n = graph.size();
  std::vector<int> chunks(std::size_t(n), 1);
  std::vector<std::int64_t> vectors(std::size_t(n), 1);
  for (int i = 0; i < n; ++i)
    if (!is_folded(graph, i))
      vectors[std::size_t(i)] = std::max<std::int64_t>(1, vectors_of(graph.node(i).out));
  if (options.chunks_per_layer > 0) {
    for (int i = 0; i < n; ++i)
      chunks[std::size_t(i)] = int(std::min<std::int64_t>(options.chunks_per_layer, vectors[std::size_t(i)]));
    return chunks;
  }
  // Auto: the chunk of a node's output fits one bank of the buffer it lands in ...
  const int ib = options.input_bits > 0 ? options.input_bits : spec.precision.input_bits;
  const std::int64_t target = auto_chunk_target_bits(spec);
  std::vector<std::int64_t> want(std::size_t(n), 1);
  int emitting = 0;
  for (int i = 0; i < n; ++i) {
    if (is_folded(graph, i)) continue;
    ++emitting;
    const std::int64_t bits = graph.elements(i) * ib;
    const std::int64_t k =
        std::clamp<std::int64_t>((bits + target - 1) / target, kAutoMinChunks, kAutoMaxChunks);
    want[std::size_t(i)] = std::min(k, vectors[std::size_t(i)]);
  }
  // ... within a budget of chunks: the largest layers are cut to a common cap (water-filling), the
  // largest cap whose total fits, never below kAutoMinChunks.
  const std::int64_t budget = std::int64_t(kAutoBudgetPerNode) * std::max(1, emitting);
  auto total_at = [&](std::int64_t cap) {
    std::int64_t t = 0;
    for (int i = 0; i < n; ++i) t += std::min(want[std::size_t(i)], std::max<std::int64_t>(cap, 1));
    return t;
  };
  std::int64_t cap = kAutoMaxChunks;
  if (total_at(cap) > budget) {
    std::int64_t lo = kAutoMinChunks, hi = kAutoMaxChunks;  // total_at(lo) may exceed: lo is the floor
    while (hi - lo > 1) {
      const std::int64_t mid = (lo + hi) / 2;
      (total_at(mid) <= budget ? lo : hi) = mid;
    }
    cap = lo;
  }
  for (int i = 0; i < n; ++i) chunks[std::size_t(i)] = int(std::min(want[std::size_t(i)], cap));
  return chunks;
}

}  // namespace imc::mapping
