#include "workloads/vit_family.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/config.h"
#include "workloads/zoo_nets.h"

namespace imc::workloads {

std::string to_string(const VitFamilyParams& p) {
  return fmt::format("p{} d{} e{} h{} r{}", p.patch, p.depth, p.embed, p.heads, p.mlp_ratio);
}

std::vector<int> vit_patch_choices(const std::vector<std::int64_t>& input) {
  std::vector<int> out;
  if (input.size() != 3) return out;
  for (std::int64_t p = 1; p <= std::min(input[1], input[2]); ++p)
    if (input[1] % p == 0 && input[2] % p == 0) out.push_back(int(p));
  return out;
}

Graph build_vit_family(const VitFamilyParams& p, const std::string& name) {
  auto bad = [&](const char* field, const std::string& what) {
    throw common::InputError(fmt::format("vit family: {}: {}", field, what));
  };
  if (p.input.size() != 3) bad("input", "expected [C, H, W]");
  const std::vector<int> patches = vit_patch_choices(p.input);
  if (std::find(patches.begin(), patches.end(), p.patch) == patches.end())
    bad("patch", fmt::format("{} does not divide the {}x{} input; allowed: {}", p.patch, p.input[1],
                             p.input[2], fmt::join(patches, ", ")));
  if (p.depth < 1 || p.depth > 24) bad("depth", fmt::format("{} not in [1, 24]", p.depth));
  if (p.embed < 2 || p.embed > 1024) bad("embed", fmt::format("{} not in [2, 1024]", p.embed));
  if (p.heads < 1 || p.heads > p.embed || p.embed % p.heads != 0)
    bad("heads",
        fmt::format("{} does not divide embed {} (allowed: the divisors of embed)", p.heads, p.embed));
  if (p.mlp_ratio < 1 || p.mlp_ratio > 8) bad("mlp_ratio", fmt::format("{} not in [1, 8]", p.mlp_ratio));
  if (p.classes < 1) bad("classes", fmt::format("{} < 1", p.classes));

  const std::int64_t dim = p.embed, mlp = std::int64_t(p.mlp_ratio) * p.embed;
  const std::int64_t tokens = (p.input[1] / p.patch) * (p.input[2] / p.patch);
  Graph g(name);
  int x = g.input(p.input, "input");
  x = g.conv(x, dim, p.patch, p.patch, 0, 1, 1, true, "patch_embed");  // [D, H/p, W/p]
  x = g.reshape(x, {dim, tokens}, "patches.flatten");
  x = g.permute(x, {1, 0}, "patches.tokens");  // [T, D]
  const int cls = g.parameter({1, dim}, 0, "class_token");
  x = g.concat({cls, x}, 0, "tokens");  // [T + 1, D]
  x = g.add(x, g.parameter({tokens + 1, dim}, 0, "pos_embedding"), "pos_add");
  for (int l = 0; l < p.depth; ++l) {
    // Pre-LN block as zoo_transformer's: x + attn(LN(x)), then x + MLP(LN(x)) with GELU.
    const std::string b = fmt::format("block{}", l);
    int h = g.layernorm(x, b + ".ln_1");
    const int qkv = g.linear(h, 3 * dim, true, b + ".attn.qkv");
    const int q = g.slice(qkv, 1, 0, dim, 1, b + ".attn.q");
    const int k = g.slice(qkv, 1, dim, dim, 1, b + ".attn.k");
    const int v = g.slice(qkv, 1, 2 * dim, dim, 1, b + ".attn.v");
    h = zoo::attention_core(g, q, k, v, p.heads, b + ".attn");
    h = g.linear(h, dim, true, b + ".attn.proj");
    x = g.add(x, h, b + ".add_1");
    h = g.layernorm(x, b + ".ln_2");
    h = g.linear(h, mlp, true, b + ".mlp.fc1");
    h = g.activation(h, ActKind::GELU, b + ".mlp.gelu");
    h = g.linear(h, dim, true, b + ".mlp.fc2");
    x = g.add(x, h, b + ".add_2");
  }
  x = g.layernorm(x, "ln");
  x = g.slice(x, 0, 0, 1, 1, "class_token_out");  // [1, D]
  g.linear(x, p.classes, true, "head");
  return g;
}

}  // namespace imc::workloads
