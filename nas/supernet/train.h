// Training a supernet with the sandwich rule (BigNAS / slimmable networks): every step runs the
// largest subnet on the labels, then the smallest and k random subnets on the largest's soft labels
// (in-place distillation), all quantization-aware at their own sampled bit-widths, and takes one
// optimizer step on the summed gradients. Plus the cache key and save/load of a trained supernet.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "nas/accuracy/dataset.h"
#include "nas/supernet/options.h"
#include "nas/supernet/supernet.h"

namespace imc::nas::supernet {

struct SandwichLosses {
  double largest = 0;  // cross-entropy of the largest subnet on the labels
  double distill = 0;  // mean distillation loss of the other subnets
};

// One step on (images, labels): zero_grad, the sandwich, step. `random_subnets` = k; the other
// subnets' loss is (1 - label_weight) * distillation + label_weight * cross-entropy.
SandwichLosses sandwich_step(Supernet& net, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                             const torch::Tensor& labels, int random_subnets, std::mt19937_64& rng,
                             double label_weight = 0.5);

struct SupernetTrainStats {
  double seconds = 0;
  std::vector<double> epoch_seconds, epoch_loss_largest;
};

// Trains `net` (already built on its space) on the training set.
SupernetTrainStats train_supernet(Supernet& net, const accuracy::ImageSet& train_set,
                                  const SupernetTrainOptions& o,
                                  const std::function<void(const std::string&)>& log = {});

// <dir>/supernet-<key>.pt (torch::save of the module, written to a temporary name then renamed).
std::string save_supernet(Supernet& net, const std::string& dir, const std::string& key);
// A supernet on `space` with the saved state, or nothing when the file is missing or unreadable.
std::optional<Supernet> load_supernet(const SupernetSpace& space, const SupernetOptions& options,
                                      const std::string& dir, const std::string& key);

}  // namespace imc::nas::supernet
