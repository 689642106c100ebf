// Training a ViT supernet with the sandwich rule, as the CNN supernet (nas/supernet/train.h): every
// step runs the largest subnet on the labels, then the smallest and k random subnets on
// (1 - w) * the largest's detached soft labels (in-place distillation) + w * the labels, all
// quantization-aware at their own bit-widths, and takes one optimizer step on the summed gradients.
#pragma once

#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "nas/accuracy/dataset.h"
#include "nas/supernet/options.h"
#include "nas/vit_supernet/vit_supernet.h"

namespace imc::nas::vit_supernet {

struct VitSandwichLosses {
  double largest = 0;  // cross-entropy of the largest subnet on the labels
  double others = 0;   // mean loss of the other subnets
};

VitSandwichLosses vit_sandwich_step(VitSupernet& net, torch::optim::Optimizer& optimizer,
                                    const torch::Tensor& images, const torch::Tensor& labels,
                                    int random_subnets, std::mt19937_64& rng, double label_weight = 0.5);

struct VitTrainStats {
  double seconds = 0;
  std::vector<double> epoch_seconds, epoch_loss_largest;
};

// Adam with cosine learning-rate decay to 0 and a short linear warm-up (transformers diverge
// without it at the CNN supernet's rate), shuffled with o.seed.
VitTrainStats train_vit_supernet(VitSupernet& net, const accuracy::ImageSet& train_set,
                                 const supernet::SupernetTrainOptions& o,
                                 const std::function<void(const std::string&)>& log = {});

// <dir>/vit-supernet-<key>.pt (temporary name, then renamed); load returns nothing when missing/unreadable.
std::string save_vit_supernet(VitSupernet& net, const std::string& dir, const std::string& key);
std::optional<VitSupernet> load_vit_supernet(const VitSupernetSpace& space, double noise_sigma,
                                             const std::string& path);

}  // namespace imc::nas::vit_supernet
