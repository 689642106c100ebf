// Arithmetic and storage of a Graph: MACs, parameters, crossbar weights, digital operations and
// the weight matrices that weight-stationary layers present to crossbars.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "workloads/graph.h"

namespace imc::workloads {

std::int64_t Graph::elements(int i) const {
  return elements_of(node(i).out);
}

bool Graph::is_weight_stationary(int i) const {
  OpKind op = node(i).op;
  return op == OpKind::Conv2d || op == OpKind::Linear;
}

std::int64_t Graph::weights(int i) const {
  const Node& n = node(i);
  switch (n.op) {
    case OpKind::Conv2d:
      return n.out_channels * (n.in_channels / n.groups) * n.kernel_h * n.kernel_w;
    case OpKind::Linear:
      return n.in_features * n.out_features;
    default:
      return 0;
  }
}

std::int64_t Graph::macs(int i) const {
  const Node& n = node(i);
  switch (n.op) {
    // One MAC per weight per output pixel.
    case OpKind::Conv2d:
      return elements(i) * (n.in_channels / n.groups) * n.kernel_h * n.kernel_w;
    // One MAC per weight per token: every output element is an in_features-long dot product.
    case OpKind::Linear:
      return elements(i) * n.in_features;
    case OpKind::MatMul:
      return elements(i) * n.in_features;
    default:
      return 0;
  }
}

std::int64_t Graph::params(int i) const {
  const Node& n = node(i);
  switch (n.op) {
    case OpKind::Conv2d:
      return weights(i) + (n.bias ? n.out_channels : 0);
    case OpKind::Linear:
      return weights(i) + (n.bias ? n.out_features : 0);
    // Weight and bias per channel (torchvision's count; running statistics are buffers).
    case OpKind::BatchNorm:
      return 2 * n.out[static_cast<std::size_t>(n.axis)];
    case OpKind::LayerNorm:
      return 2 * n.out.back();
    case OpKind::Input:
      return n.learned_params;
    default:
      return 0;
  }
}

// Per-element operation counts of the vector units (documented in docs/workloads.md):
//   pooling: one compare/add per window element read; global pooling: one add per input element;
//   add, mul, activation: 1 per output element; batchnorm (inference affine): 2 (scale, shift);
//   layernorm: 7 (mean accumulate, subtract, square, accumulate, normalize, gamma, beta);
//   softmax: 5 (running max, subtract, exp, accumulate, divide).
// MAC nodes report 0 here (their work is macs()); data movement (reshape, concat, input) is 0.
std::int64_t Graph::digital_ops(int i) const {
  const Node& n = node(i);
  std::int64_t e = elements(i);
  switch (n.op) {
    case OpKind::MaxPool:
    case OpKind::AvgPool:
      return e * n.kernel_h * n.kernel_w;
    case OpKind::GlobalAvgPool:
      return elements(n.inputs.at(0));
    case OpKind::Add:
    case OpKind::Mul:
    case OpKind::Activation:
      return e;
    case OpKind::BatchNorm:
      return 2 * e;
    case OpKind::LayerNorm:
      return 7 * e;
    case OpKind::Softmax:
      return 5 * e;
    default:
      return 0;
  }
}

WeightMatrix Graph::weight_matrix(int i) const {
  const Node& n = node(i);
  WeightMatrix m;
  if (n.op == OpKind::Conv2d) {
    m.rows = (n.in_channels / n.groups) * n.kernel_h * n.kernel_w;
    m.cols = n.out_channels / n.groups;
    m.groups = n.groups;
    m.vectors = n.out[1] * n.out[2];
  } else if (n.op == OpKind::Linear) {
    m.rows = n.in_features;
    m.cols = n.out_features;
    m.groups = 1;
    m.vectors = elements(i) / n.out_features;
  } else {
    // A programming error, not bad input: callers check is_weight_stationary() first.
    throw std::invalid_argument(
        fmt::format("weight_matrix: node '{}' ({}) is not weight-stationary", n.name, to_string(n.op)));
  }
  return m;
}

std::int64_t Graph::total_macs() const {
  std::int64_t t = 0;
  for (int i = 0; i < size(); ++i) t += macs(i);
  return t;
}

std::int64_t Graph::total_params() const {
  std::int64_t t = 0;
  for (int i = 0; i < size(); ++i) t += params(i);
  return t;
}

// Each consumer is listed once per producer, in increasing order, even when it reads the producer
// through several of its inputs.
std::vector<std::vector<int>> Graph::consumers() const {
  std::vector<std::vector<int>> c(nodes_.size());
  for (int i = 0; i < size(); ++i)
    for (int in : node(i).inputs) {
      auto& v = c[static_cast<std::size_t>(in)];
      if (v.empty() || v.back() != i) v.push_back(i);
    }
  return c;
}

}  // namespace imc::workloads
