// Small pieces both weight-sharing supernets (nas/supernet, nas/vit_supernet) build their modules
// from: the torch names of a unit's tensors, the running input range of a unit, the forward's
// output lifetimes and the copy of inherited tensors into an exported GraphNet. The range rule
// is GraphNet's (the first batch sets it), computed in double as the supernets always did (GraphNet
// keeps its float version: sharing it would change the numbers of a shipped supernet).
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "workloads/graph.h"

namespace imc::nas::supernet {

// "s1.b0.conv1" + "weight" -> "s1_b0_conv1_weight" (torch names may not hold dots).
inline std::string param_name(const std::string& unit, const char* what) {
  std::string s = unit + "_" + what;
  std::replace(s.begin(), s.end(), '.', '_');
  return s;
}

// {b, shape...}: a node's output shape with the batch in front.
inline std::vector<std::int64_t> with_batch(std::int64_t b, const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> s{b};
  s.insert(s.end(), shape.begin(), shape.end());
  return s;
}

// The running input range (a 0-dim float buffer) after a batch whose maximum is `batch_max`.
inline void update_range(torch::Tensor& amax, float batch_max, double momentum) {
  float& a = *amax.data_ptr<float>();
  a = a == 0 ? batch_max : float(a * (1 - momentum) + batch_max * momentum);
}

// Per node, the index of the last node reading its output (graph size when none does).
inline std::vector<int> last_readers(const workloads::Graph& g) {
  std::vector<int> last(std::size_t(g.size()), g.size());
  for (int i = 0; i < g.size(); ++i)
    for (int k : g.node(i).inputs) last[std::size_t(k)] = i;
  return last;
}

// Runs `g` in node order: the output of node n is node_output(n, in), where in(k) is the output of
// n's k-th input; each output is dropped after its last reader (recalibration and evaluation run
// large batches without autograd, where holding every layer's output would take gigabytes).
// Returns the last node's output.
template <class NodeOutput>
torch::Tensor walk_graph(const workloads::Graph& g, const NodeOutput& node_output) {
  std::vector<torch::Tensor> out(std::size_t(g.size()));
  const std::vector<int> last_use = last_readers(g);
  for (int i = 0; i < g.size(); ++i) {
    const workloads::Node& n = g.node(i);
    auto in = [&](int k) -> const torch::Tensor& { return out[std::size_t(n.inputs.at(std::size_t(k)))]; };
    out[std::size_t(i)] = node_output(n, in);
    for (int k : n.inputs)
      if (last_use[std::size_t(k)] == i) out[std::size_t(k)] = torch::Tensor();
  }
  return out.back();
}

// Copies `value` into the exported GraphNet's tensor `key` (GraphNet names them n<node>_<what>);
// a missing name is a bug of the export, not bad input.
inline void copy_into(torch::OrderedDict<std::string, torch::Tensor>& dict, const std::string& key,
                      const torch::Tensor& value) {
  torch::Tensor* t = dict.find(key);
  if (!t) throw std::logic_error("supernet export: GraphNet has no tensor " + key);
  t->copy_(value);
}

}  // namespace imc::nas::supernet
