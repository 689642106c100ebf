// The settings of supernet training and the cache key of a trained supernet. Torch-free: the search's
// config loader reads them ([accuracy.supernet]) and the evaluator computes the key in every build.
#pragma once

#include <cstdint>
#include <string>

#include "nas/supernet/space.h"

namespace imc::nas::supernet {

struct SupernetOptions {
  bool kernel_transform = true;  // OFA's learned kernel transform for the smaller kernels
  double noise_sigma = 0;        // relative Gaussian weight noise in training (as GraphNet)
};

struct SupernetTrainOptions {
  int epochs = 5;
  std::int64_t train_subset = 0;  // first N training images; 0 = all 60,000
  int batch_size = 64;
  double learning_rate = 1e-3;  // Adam, cosine decay to 0 over the run
  int random_subnets = 2;       // k of the sandwich
  // The other subnets' loss: (1 - w) * distillation from the largest + w * cross-entropy on the
  // labels. Pure distillation (w = 0, BigNAS) learns from a teacher that is itself untrained for
  // most of a short run; the labels let small subnets learn from the first step.
  double label_weight = 0.5;
  std::uint64_t seed = 1;    // initialization, shuffling, subnet sampling
  SupernetOptions supernet;  // kernel transform, noise injection
};

// 16 hex digits over the space's choices, every training option and a format version: a trained
// supernet is reused only for the same space and settings.
std::string supernet_key(const SupernetSpace& space, const SupernetTrainOptions& options);

// The file name of a trained supernet in a cache or shipped folder: "supernet-<key>.pt".
std::string supernet_file_name(const std::string& key);

}  // namespace imc::nas::supernet
