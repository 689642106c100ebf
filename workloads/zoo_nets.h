// Internal to workloads/: the builders behind the zoo and the blocks they share.
#pragma once

#include <string>

#include "workloads/graph.h"

namespace imc::workloads::zoo {

// CNNs (zoo_cnn.cpp).
Graph resnet18();
Graph resnet50();
Graph vgg16();
Graph alexnet();
Graph vgg8();
Graph resnet20();
Graph fmnist_cnn();
Graph fmnist_small();
// Mobile and densely connected CNNs (zoo_mobile.cpp).
Graph mobilenetv3_large();
Graph densenet201();
// Transformers (zoo_transformer.cpp).
Graph vit_b16();
Graph mobilebert();
Graph gpt2_medium();

// conv (no bias) -> batchnorm -> optional activation; returns the last node.
int conv_bn(Graph& g, int x, std::int64_t out_channels, std::int64_t kernel, std::int64_t stride,
            const std::string& prefix, std::int64_t groups = 1);
int conv_bn_act(Graph& g, int x, std::int64_t out_channels, std::int64_t kernel, std::int64_t stride,
                ActKind act, const std::string& prefix, std::int64_t groups = 1);

// Multi-head scaled-dot-product attention core on q, k, v of shape [tokens, heads*head_dim]:
// head split, QK^T (a dynamic MatMul per head), softmax, AV (a dynamic MatMul per head), head merge.
// Returns [tokens, heads*head_dim], before the output projection. The 1/sqrt(head_dim) scale is
// taken as folded into the query projection (a constant rescaling of its weights).
int attention_core(Graph& g, int q, int k, int v, std::int64_t heads, const std::string& prefix);

}  // namespace imc::workloads::zoo
