// The ViT family's graph: shapes and MACs by hand for one configuration, bad parameters.
#include <doctest/doctest.h>

#include "common/config.h"
#include "workloads/vit_family.h"

using namespace imc::workloads;

namespace {
std::int64_t macs_of(const Graph& g, const std::string& node) {
  const int i = g.find(node);
  REQUIRE(i >= 0);
  return g.macs(i);
}
}  // namespace

TEST_CASE("vit family: shapes and MACs by hand (patch 7, depth 2, embed 16, 2 heads, MLP ratio 2)") {
  VitFamilyParams p;
  p.patch = 7, p.depth = 2, p.embed = 16, p.heads = 2, p.mlp_ratio = 2;
  const Graph g = build_vit_family(p, "vit");
  // 28 / 7 = 4 patches a side: 16 patch tokens + the class token = 17 tokens of width 16.
  CHECK(g.node(g.find("patch_embed")).out == std::vector<std::int64_t>{16, 4, 4});
  CHECK(g.node(g.find("tokens")).out == std::vector<std::int64_t>{17, 16});
  CHECK(g.node(g.find("block0.attn.qkv")).out == std::vector<std::int64_t>{17, 48});
  CHECK(g.node(g.find("block1.attn.qk")).out == std::vector<std::int64_t>{2, 17, 17});  // [H, T, T]
  CHECK(g.node(g.find("block1.attn.av")).out == std::vector<std::int64_t>{2, 17, 8});   // [H, T, d]
  CHECK(g.node(g.find("block1.mlp.fc1")).out == std::vector<std::int64_t>{17, 32});
  CHECK(g.node(g.find("head")).out == std::vector<std::int64_t>{1, 10});
  CHECK(g.find("block2.ln_1") == -1);

  // MACs per node: patch embedding 16 positions x 16 outputs x 49 pixels; per block QKV 17x16x48,
  // QK^T 2 heads x 17x17x8, AV the same, projection 17x16x16, MLP 17x16x32 twice; head 16x10.
  CHECK(macs_of(g, "patch_embed") == 16 * 16 * 49);
  CHECK(macs_of(g, "block0.attn.qkv") == 17 * 16 * 48);
  CHECK(macs_of(g, "block0.attn.qk") == 2 * 17 * 17 * 8);
  CHECK(macs_of(g, "block0.attn.av") == 2 * 17 * 17 * 8);
  CHECK(macs_of(g, "block0.attn.proj") == 17 * 16 * 16);
  CHECK(macs_of(g, "block0.mlp.fc1") == 17 * 16 * 32);
  CHECK(macs_of(g, "block0.mlp.fc2") == 17 * 32 * 16);
  CHECK(macs_of(g, "head") == 16 * 10);
  const std::int64_t block = 17 * 16 * 48 + 2 * (2 * 17 * 17 * 8) + 17 * 16 * 16 + 2 * (17 * 16 * 32);
  CHECK(g.total_macs() == 16 * 16 * 49 + 2 * block + 160);

  // Crossbars hold the patch embedding and the linear layers only; attention's MatMuls are dynamic.
  int weight_stationary = 0, dynamic = 0;
  for (int i = 0; i < g.size(); ++i) {
    weight_stationary += g.is_weight_stationary(i);
    dynamic += g.node(i).op == OpKind::MatMul;
  }
  CHECK(weight_stationary == 1 + 2 * 4 + 1);
  CHECK(dynamic == 2 * 2);
  CHECK(g.weight_matrix(g.find("patch_embed")).rows == 49);
  CHECK(g.weight_matrix(g.find("patch_embed")).vectors == 16);
  CHECK(g.weight_matrix(g.find("block0.attn.qkv")).vectors == 17);
  // Parameters: class token 16 + position embeddings 17 x 16 are learned tensors.
  CHECK(g.params(g.find("pos_embedding")) == 17 * 16);
}

TEST_CASE("vit family: patch 4 gives 49 patch tokens, patch 14 gives 4") {
  VitFamilyParams p;
  p.patch = 4;
  CHECK(build_vit_family(p).node(build_vit_family(p).find("tokens")).out[0] == 50);
  p.patch = 14;
  CHECK(build_vit_family(p).node(build_vit_family(p).find("tokens")).out[0] == 5);
  CHECK(vit_patch_choices({1, 28, 28}) == std::vector<int>{1, 2, 4, 7, 14, 28});
}

TEST_CASE("vit family: bad parameters are input errors naming the field and what is allowed") {
  auto message = [](VitFamilyParams p) {
    try {
      build_vit_family(p);
    } catch (const imc::common::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  VitFamilyParams p;
  p.patch = 5;
  CHECK(message(p) == "vit family: patch: 5 does not divide the 28x28 input; allowed: 1, 2, 4, 7, 14, 28");
  p = {}, p.heads = 3;
  CHECK(message(p).find("heads: 3 does not divide embed 64") != std::string::npos);
  p = {}, p.depth = 0;
  CHECK(message(p).find("depth: 0 not in [1, 24]") != std::string::npos);
  p = {}, p.mlp_ratio = 9;
  CHECK(message(p).find("mlp_ratio") != std::string::npos);
  p = {}, p.embed = 1;
  CHECK(message(p).find("embed") != std::string::npos);
}
