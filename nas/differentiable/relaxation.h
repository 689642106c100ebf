// The relaxation of the differentiable search (libtorch autograd):
//
//   architecture  one logit vector alpha_g per network gene; p_g = softmax(alpha_g). The distribution
//                 over the space's networks is the product of the genes' categoricals.
//   hardware term E_p[cost] = sum_s prod_g p_g(s_g) cost(s): exact, by enumerating every network of
//                 the space (ArchSpace numbering) against the CostTable of the current chip, so it is
//                 differentiable in alpha and, for a one-hot distribution, the argmax network's cost.
//   accuracy term the supernet runs whole subnets (forward(x, subnet)), so the mixture is over the
//                 choices of one gene at a time: every step draws a network s by Gumbel-argmax
//                 (hard sample), and for each free gene g the loss is the cross-entropy of
//                 sum_j y_gj f(x; s with g = j), y_g = Gumbel-softmax(alpha_g, tau) with the same noise.
//                 This is DARTS' mixture of candidate outputs applied at the network output, one gene
//                 at a time with the others at their sampled choice (sum_g |choices_g| forwards per step
//                 instead of one per network); the forwards run quantized at the subnet's bits, with
//                 batch statistics (training mode), so bits and widths differ in accuracy.
//   loss          mean_g CE_g + lambda * E_p[cost]; Adam on alpha; tau decays geometrically from
//                 tau_start to tau_end. With weight_steps > 0, DARTS' first-order alternation: after each
//                 architecture step, weight steps on the sampled network's cross-entropy on other images.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "nas/differentiable/arch_space.h"
#include "nas/differentiable/options.h"

namespace imc::nas::differentiable {

// alpha: one 1-D tensor per network gene. Returns sum_s prod_g softmax(alpha_g)[s_g] cost[s].
torch::Tensor expected_cost(const std::vector<torch::Tensor>& alpha, const std::vector<double>& cost);

// The most probable network under prod_g softmax(alpha_g) among those `allowed` (every one when empty);
// the ArchSpace choice (one value index per gene). Ties: the lower network index.
std::vector<int> most_probable(const std::vector<torch::Tensor>& alpha, const ArchSpace& arch,
                               const std::vector<bool>& allowed = {});

// The network logits of a choice of every gene (the accuracy term's model): the supernet's forward, or a
// test's stand-in.
using NetworkForward =
    std::function<torch::Tensor(const torch::Tensor& images, const std::vector<int>& choice)>;
// One weight step on the network `choice` (weight_steps > 0); empty = no weight training.
using WeightStep = std::function<void(const torch::Tensor& images, const torch::Tensor& labels,
                                      const std::vector<int>& choice)>;

struct InnerResult {
  std::vector<int> choice;                         // the most probable feasible network
  std::vector<std::vector<double>> probabilities;  // softmax(alpha_g) after the last step
  std::vector<std::vector<double>> logits;
  double expected_cost = 0;  // E_p[cost] after the last step
  std::vector<double> loss;  // per step: mean CE + lambda * E[cost]
};

// The inner search: `steps` (options.inner_steps) architecture steps from `alpha0` (empty = uniform).
// `images`/`labels` are the inner loop's training images; batches are read cyclically. Deterministic for a
// seed (Gumbel noise drawn with std::mt19937_64, not torch's generator).
InnerResult inner_search(const ArchSpace& arch, const NetworkForward& forward, const WeightStep& weight_step,
                         const torch::Tensor& images, const torch::Tensor& labels,
                         const std::vector<double>& cost, const std::vector<bool>& feasible,
                         const DifferentiableOptions& o, std::uint64_t seed,
                         const std::vector<std::vector<double>>& alpha0 = {});

}  // namespace imc::nas::differentiable
