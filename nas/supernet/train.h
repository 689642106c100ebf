// Training the CNN supernet with the sandwich rule (nas/supernet/sandwich.h): the students are the
// smallest subnet, the largest plain one when the space has both block kinds, and k random
// subnets. Plus the cache key's file and save/load of a trained supernet.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "nas/accuracy/dataset.h"
#include "nas/supernet/options.h"
#include "nas/supernet/sandwich.h"
#include "nas/supernet/supernet.h"

namespace imc::nas::supernet {

// One step on (images, labels): zero_grad, the sandwich, step. `random_subnets` = k; the other
// subnets' loss is (1 - label_weight) * distillation + label_weight * cross-entropy.
SandwichLosses sandwich_step(Supernet& net, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                             const torch::Tensor& labels, int random_subnets, std::mt19937_64& rng,
                             double label_weight = 0.5);

// Trains `net` (already built on its space) on the training set (train_sandwich, no warm-up).
SupernetTrainStats train_supernet(Supernet& net, const accuracy::ImageSet& train_set,
                                  const SupernetTrainOptions& o,
                                  const std::function<void(const std::string&)>& log = {});

// <dir>/supernet-<key>.pt (torch::save of the module, written to a temporary name then renamed).
std::string save_supernet(Supernet& net, const std::string& dir, const std::string& key);
// A supernet on `space` with the saved state, or nothing when the file is missing or unreadable.
std::optional<Supernet> load_supernet(const SupernetSpace& space, const SupernetOptions& options,
                                      const std::string& dir, const std::string& key);

}  // namespace imc::nas::supernet
