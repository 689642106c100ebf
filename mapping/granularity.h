// How many chunks (ops per layer per inference) each node's output is cut into. A chunk is the
// pipeline's unit of overlap between a layer and its consumers and the unit a buffer holds, so the
// count is chosen per layer: `chunks_per_layer = N` forces N (at most the layer's vectors); "auto"
// (0) sizes a layer's chunk to the buffer it lands in, within a budget of ops (docs/systemc.md,
// "Granularity").
#pragma once

#include <cstdint>
#include <vector>

#include "arch/spec.h"
#include "mapping/mapping.h"
#include "workloads/graph.h"

namespace imc::mapping {

// The auto rule's constants (docs/systemc.md): a layer gets at least kAutoMinChunks chunks (the
// fixed default before "auto", enough overlap for small layers), at most kAutoMaxChunks, and the
// whole network at most kAutoBudgetPerNode chunks per node on average (the fast estimate's cost
// grows with the op count; the largest layers are cut back first).
inline constexpr int kAutoMinChunks = 8;
inline constexpr int kAutoMaxChunks = 256;
inline constexpr int kAutoBudgetPerNode = 32;

// Bits per chunk the auto rule aims at: one bank (half) of the tile output buffer, where a chunk's
// accumulated output waits for its Sends (the tile buffer's bank when there is no output buffer).
std::int64_t auto_chunk_target_bits(const arch::ArchSpec& spec);

// Chunks of every node of `graph` (1 for nodes that emit no op), for options.chunks_per_layer.
std::vector<int> layer_chunks(const arch::ArchSpec& spec, const workloads::Graph& graph,
                              const MappingOptions& options);

}  // namespace imc::mapping
