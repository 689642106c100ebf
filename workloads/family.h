// A parametric CNN family: the network half of the search space. Every network gene of a search
// (stages, blocks, channels, kernels, residual or plain, expansion ratio, pruning) is a field here.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "workloads/graph.h"

namespace imc::workloads {

struct CnnFamilyParams {
  std::vector<std::int64_t> input = {1, 28, 28};  // [C, H, W]
  int classes = 10;
  int stages = 2;  // each stage but the first halves the resolution (stride 2)
  int blocks_per_stage = 1;
  int base_channels = 16;  // stage s has base_channels * 2^s channels (before pruning)
  int kernel = 3;
  bool residual = false;  // blocks add their input (a 1x1 projection when shapes differ)
  int expansion = 1;      // > 1: inverted bottleneck (1x1 expand, depthwise k x k, 1x1 project)
  double prune = 0;       // structured pruning: fraction of every hidden layer's channels removed
  int fc_hidden = 0;      // 0 = global pool straight to the classifier; > 0 adds a hidden FC layer
};

// Every field of CnnFamilyParams with its name, listed once here (the search's network genes are
// these names but `input` and `classes`; its design keys and accuracy groups read them through this):
// f(name, a.field, b.field) for each field in declaration order; visit one struct by passing it
// twice. The fields' types: std::vector<std::int64_t>, int, bool, double.
template <class P, class F>
void for_each_field(P& a, P& b, F&& f) {
  static_assert(std::is_same_v<std::remove_const_t<P>, CnnFamilyParams>);
  f("input", a.input, b.input);
  f("classes", a.classes, b.classes);
  f("stages", a.stages, b.stages);
  f("blocks_per_stage", a.blocks_per_stage, b.blocks_per_stage);
  f("base_channels", a.base_channels, b.base_channels);
  f("kernel", a.kernel, b.kernel);
  f("residual", a.residual, b.residual);
  f("expansion", a.expansion, b.expansion);
  f("prune", a.prune, b.prune);
  f("fc_hidden", a.fc_hidden, b.fc_hidden);
}

// Throws common::InputError naming the field when a parameter is out of range or the resolution
// runs out (too many stages for the input).
Graph build_cnn_family(const CnnFamilyParams& p, const std::string& name = "cnn");

}  // namespace imc::workloads
