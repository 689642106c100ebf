// Training a ViT supernet with the sandwich rule (nas/supernet/sandwich.h), as the CNN supernet:
// the students are the smallest and k random subnets; the summed gradient is clipped to norm 1 and
// the learning rate warms up before its cosine decay (transformers trained from scratch with Adam
// spike or diverge without). Plus save/load of a trained ViT supernet.
#pragma once

#include <functional>
#include <optional>
#include <random>
#include <string>

#include "nas/accuracy/dataset.h"
#include "nas/supernet/options.h"
#include "nas/supernet/sandwich.h"
#include "nas/vit_supernet/vit_supernet.h"

namespace imc::nas::vit_supernet {

supernet::SandwichLosses vit_sandwich_step(VitSupernet& net, torch::optim::Optimizer& optimizer,
                                           const torch::Tensor& images, const torch::Tensor& labels,
                                           int random_subnets, std::mt19937_64& rng,
                                           double label_weight = 0.5);

supernet::SupernetTrainStats train_vit_supernet(VitSupernet& net, const accuracy::ImageSet& train_set,
                                                const supernet::SupernetTrainOptions& o,
                                                const std::function<void(const std::string&)>& log = {});

// <dir>/vit-supernet-<key>.pt (temporary name, then renamed); load returns nothing when missing/unreadable.
std::string save_vit_supernet(VitSupernet& net, const std::string& dir, const std::string& key);
std::optional<VitSupernet> load_vit_supernet(const VitSupernetSpace& space, double noise_sigma,
                                             const std::string& path);

}  // namespace imc::nas::vit_supernet
