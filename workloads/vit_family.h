// A parametric vision-transformer family: the network half of a ViT search space (issue 16 item 6).
// A small pre-LN ViT for 28x28 images: a patch embedding (a conv with kernel = stride = patch), a
// class token and learned position embeddings, `depth` transformer blocks built exactly as the
// zoo's transformers (workloads/zoo_transformer.cpp: packed QKV linear, attention's QK^T and AV as
// dynamic MatMuls with a softmax between them, output projection, LayerNorm, MLP with GELU), a final
// LayerNorm and a linear head on the class token. Patch embedding and every linear layer are
// weight-stationary (crossbars); the MatMuls, softmax, LayerNorm, GELU and adds are digital.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "workloads/graph.h"

namespace imc::workloads {

struct VitFamilyParams {
  std::vector<std::int64_t> input = {1, 28, 28};  // [C, H, W]
  int classes = 10;
  int patch = 7;      // square patches; must divide H and W (28: 1, 2, 4, 7, 14, 28)
  int depth = 4;      // transformer blocks
  int embed = 64;     // token width D (attention width too: heads of D / heads)
  int heads = 4;      // must divide embed
  int mlp_ratio = 2;  // MLP hidden width = mlp_ratio * embed
};

// Every field of VitFamilyParams with its name, in declaration order (the search's ViT genes are these
// names but `input` and `classes`): f(name, a.field, b.field); visit one struct by passing it twice.
template <class P, class F>
void for_each_vit_field(P& a, P& b, F&& f) {
  static_assert(std::is_same_v<std::remove_const_t<P>, VitFamilyParams>);
  f("input", a.input, b.input);
  f("classes", a.classes, b.classes);
  f("patch", a.patch, b.patch);
  f("depth", a.depth, b.depth);
  f("embed", a.embed, b.embed);
  f("heads", a.heads, b.heads);
  f("mlp_ratio", a.mlp_ratio, b.mlp_ratio);
}

// "p7 d4 e64 h4 r2": the network in one short string (logs, subnet names, cache keys).
std::string to_string(const VitFamilyParams& p);

// The patch sizes that divide both sides of `input` ([C, H, W]), ascending.
std::vector<int> vit_patch_choices(const std::vector<std::int64_t>& input);

// Throws common::InputError naming the field and what is allowed when a parameter is out of range
// (patch not dividing the image, heads not dividing embed, ...).
Graph build_vit_family(const VitFamilyParams& p, const std::string& name = "vit");

}  // namespace imc::workloads
