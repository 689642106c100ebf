// A parametric CNN family: the network half of the search space. Every network gene of a search
// (stages, blocks, channels, kernels, residual or plain, expansion ratio, pruning) is a field here.
#pragma once

#include <cstdint>
#include <string>
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

// Throws common::InputError naming the field when a parameter is out of range or the resolution
// runs out (too many stages for the input).
Graph build_cnn_family(const CnnFamilyParams& p, const std::string& name = "cnn");

}  // namespace imc::workloads
