// The settings of the differentiable search (`[differentiable]` of a search config, docs/differentiable.md).
// Torch-free: the config is checked without libtorch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/config.h"

namespace imc::nas::differentiable {

struct DifferentiableOptions {
  // Outer loop: an ask/tell optimizer of the registry over the hardware genes.
  std::string outer_optimizer = "nsga2";
  std::int64_t outer_population = 8;
  std::int64_t outer_generations = 3;
  // Inner loop: architecture logits (one categorical per network gene) trained by gradient.
  std::int64_t inner_steps = 30;
  std::int64_t batch_size = 64;
  std::int64_t train_images = 2000;  // the first N training images (arch batches; weight batches after them)
  double arch_learning_rate = 0.1;   // Adam on the logits
  double tau_start = 5.0;            // Gumbel-softmax temperature, decayed geometrically
  double tau_end = 0.5;
  double lambda = 1.0;  // weight of the expected (normalized) hardware cost beside the cross-entropy
  // > 1: lambda becomes a gene of the outer loop with these many values lambda / 3^k, k = levels-1 .. 0
  // (one lambda makes every chip's inner search land at one trade-off; the outer loop picks it per chip).
  std::int64_t lambda_levels = 1;
  double energy_weight = 1, latency_weight = 1, area_weight = 1;  // inside the hardware cost
  // DARTS-style alternation: supernet weight steps after every architecture step (0 = inherit only).
  std::int64_t weight_steps = 0;
  double weight_learning_rate = 1e-4;
  std::int64_t max_subnets = 4096;  // the expectation enumerates every network of the space
  std::int64_t seed = 1;
};

void describe(common::Fields& f, DifferentiableOptions& o);

// The lambdas of the outer loop's lambda gene: lambda / 3^(levels-1), ..., lambda / 3, lambda.
std::vector<double> lambda_values(const DifferentiableOptions& o);

// The [differentiable] table of a search config (absent: every default); bad values are InputErrors
// "<file>:<line>: key 'differentiable.<key>': ... allowed ...".
DifferentiableOptions read_differentiable_options(const std::string& config_path);

// Markdown of every key (docs/differentiable.md).
std::string document_differentiable_keys();

}  // namespace imc::nas::differentiable
