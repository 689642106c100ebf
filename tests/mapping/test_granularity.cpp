// Per-layer granularity (mapping/granularity.h): "auto" sizes a layer's chunk to one bank of the
// tile output buffer within the op budget; a number forces it.
#include <doctest/doctest.h>

#include <cstdlib>
#include <numeric>
#include <string>

#include "arch/load.h"
#include "common/config.h"
#include "mapping/emission.h"
#include "mapping/granularity.h"
#include "mapping/mapping.h"
#include "workloads/zoo.h"

using namespace imc;

namespace {
arch::ArchSpec rram_default() {
  const char* root = std::getenv("IMCSIM_ROOT");
  return arch::load_arch(std::string(root ? root : ".") + "/configs/arch/rram_default.toml");
}
}  // namespace

TEST_CASE("auto granularity: a chunk fits one bank of the tile output buffer, 8 to 256 chunks a layer") {
  const arch::ArchSpec s = rram_default();
  CHECK(mapping::auto_chunk_target_bits(s) == s.tile.output_buffer.capacity_bytes * 8 / 2);  // 32,768
  const workloads::Graph g = workloads::zoo_network("resnet18");
  mapping::MappingOptions o;
  CHECK(o.chunks_per_layer == 0);  // the default is "auto"
  const std::vector<int> k = mapping::layer_chunks(s, g, o);
  const std::int64_t target = mapping::auto_chunk_target_bits(s);
  const int ib = s.precision.input_bits;
  int emitting = 0;
  for (int i = 0; i < g.size(); ++i) {
    if (mapping::is_folded(g, i)) {
      CHECK(k[std::size_t(i)] == 1);
      continue;
    }
    ++emitting;
    CAPTURE(g.node(i).name);
    const std::int64_t vectors = mapping::vectors_of(g.node(i).out);
    CHECK(k[std::size_t(i)] >= std::min<std::int64_t>(mapping::kAutoMinChunks, vectors));
    CHECK(k[std::size_t(i)] <= mapping::kAutoMaxChunks);
    // Fits the bank unless capped (or the layer has fewer vectors than that would need).
    const std::int64_t bits = g.elements(i) * ib;
    if (k[std::size_t(i)] < mapping::kAutoMaxChunks && k[std::size_t(i)] < vectors)
      CHECK((bits + k[std::size_t(i)] - 1) / k[std::size_t(i)] <= target);
  }
  CHECK(std::accumulate(k.begin(), k.end(), std::int64_t(0)) <=
        std::int64_t(mapping::kAutoBudgetPerNode) * emitting);
  // The 112x112x64 stem output (6.4 Mbit) in 196 chunks; a 7x7x512 layer keeps the minimum, 8.
  int stem = -1, last_conv = -1;
  for (int i = 0; i < g.size(); ++i)
    if (g.node(i).op == workloads::OpKind::Conv2d) last_conv = i, stem = stem < 0 ? i : stem;
  REQUIRE(stem >= 0);
  CHECK(k[std::size_t(stem)] == 196);
  CHECK(k[std::size_t(last_conv)] == 8);
  // The mapping carries them, and duplication never makes more copies than chunks.
  const mapping::Mapping m = mapping::map(s, g, o);
  for (int i = 0; i < g.size(); ++i) {
    CHECK(m.layers[std::size_t(i)].chunks == k[std::size_t(i)]);
    CHECK(m.layers[std::size_t(i)].duplication <= m.layers[std::size_t(i)].chunks);
  }
}

TEST_CASE("auto granularity: the budget cuts the largest layers to a common cap") {
  const arch::ArchSpec s = rram_default();
  // VGG-16 at 224x224: the first layers' outputs (25.7 Mbit) would want 784 chunks each.
  const workloads::Graph g = workloads::zoo_network("vgg16");
  const std::vector<int> k = mapping::layer_chunks(s, g, mapping::MappingOptions{});
  int emitting = 0, most = 0;
  for (int i = 0; i < g.size(); ++i)
    if (!mapping::is_folded(g, i)) ++emitting, most = std::max(most, k[std::size_t(i)]);
  const std::int64_t total = std::accumulate(k.begin(), k.end(), std::int64_t(0));
  CHECK(total <= std::int64_t(mapping::kAutoBudgetPerNode) * emitting);
  CHECK(most <= mapping::kAutoMaxChunks);
  CHECK(most > mapping::kAutoMinChunks);
}

TEST_CASE("chunks_per_layer = N forces N (at most the layer's vectors); \"auto\" reads as 0") {
  const arch::ArchSpec s = rram_default();
  const workloads::Graph g = workloads::zoo_network("vgg8");
  mapping::MappingOptions o;
  o.chunks_per_layer = 16;
  const std::vector<int> k = mapping::layer_chunks(s, g, o);
  for (int i = 0; i < g.size(); ++i)
    if (!mapping::is_folded(g, i))
      CHECK(k[std::size_t(i)] == std::min<std::int64_t>(16, mapping::vectors_of(g.node(i).out)));
  mapping::MappingOptions parsed;
  parsed.chunks_per_layer = 5;
  auto describe = [&](common::Fields& f) { mapping::describe(f, parsed); };
  common::set_field(describe, "mapping.chunks_per_layer", "auto", "--chunks-per-layer");
  CHECK(parsed.chunks_per_layer == 0);
  common::set_field(describe, "mapping.chunks_per_layer", "64", "--chunks-per-layer");
  CHECK(parsed.chunks_per_layer == 64);
}
