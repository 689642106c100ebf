// Fused CPU kernels of the accuracy evaluator: each replaces a chain of torch ops (and their
// temporaries) whose dispatch and memory traffic cost more than the arithmetic on the small
// networks trained here. Same values (and gradients) as the composed torch ops; the unit tests
// compare them (tests/accuracy/test_accuracy_unit.cpp).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "workloads/graph.h"

namespace imc::nas::accuracy {

// torch::max_pool2d (floor mode) for [N, C, H, W] CPU floats with a faster kernel (same values, same
// gradients: each output's gradient goes to the first maximum of its window); other inputs go to
// torch::max_pool2d itself.
torch::Tensor max_pool2d(const torch::Tensor& x, std::int64_t kh, std::int64_t kw, std::int64_t sh,
                         std::int64_t sw, std::int64_t ph, std::int64_t pw);
// sum_t weights[t] * terms[t] for CPU float tensors of one size (shaped as terms[0]), in one pass:
// the shard gradients and statistics of a training step (a few small tensors, where torch's
// scalar multiplies cost more in dispatch than in arithmetic).
torch::Tensor weighted_sum(const std::vector<torch::Tensor>& terms, const std::vector<double>& weights);
// Fake quantization of CPU floats with the straight-through estimator: forward
// s * round(clamp(x, lo s, hi s) / s), backward the identity where lo s <= x <= hi s, else 0.
torch::Tensor fake_quant(const torch::Tensor& x, double scale, double lo, double hi);

// The crossbar inputs of a convolution node: [B * OH * OW, C * kh * kw], one row per output pixel,
// its receptive field in im2col order (channel, kernel row, kernel column; zero padding).
torch::Tensor patches(const torch::Tensor& input, const workloads::Node& n);
// [B * OH * OW, C] (crossbar outputs, pixel-major) to [B, C, OH, OW].
torch::Tensor channels_first(const torch::Tensor& input, std::int64_t B, std::int64_t C, std::int64_t OH,
                             std::int64_t OW);

}  // namespace imc::nas::accuracy
