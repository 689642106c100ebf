// The sandwich rule (BigNAS / slimmable networks) both weight-sharing supernets train with
// (nas/supernet for the CNN family, nas/vit_supernet for the ViT family): every step runs the
// largest subnet (the teacher) on the labels, then the students (the smallest, k random subnets and
// whatever else the family adds) on (1 - w) * the teacher's detached soft labels (in-place
// distillation) + w * the labels, all quantization-aware at their own bit-widths, and takes one
// optimizer step on the summed gradients. The family supplies the subnets and how to run one; this
// file owns the losses, the learning-rate schedule, the epoch loop and the trained file.
#pragma once

#include <torch/torch.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "nas/accuracy/dataset.h"
#include "nas/supernet/options.h"

namespace imc::nas::supernet {

struct SandwichLosses {
  double largest = 0;  // cross-entropy of the largest subnet on the labels
  double others = 0;   // mean loss of the other subnets
};

// Runs subnet `index` on the step's images: 0 is the teacher, 1..students the students.
using SandwichForward = std::function<torch::Tensor(std::size_t index)>;

// One step: zero_grad, the teacher, `students` students, then (clip_grad_norm > 0) the summed
// gradient clipped to that norm, and the optimizer step. `net` is put in training mode.
SandwichLosses sandwich_step(torch::nn::Module& net, torch::optim::Optimizer& optimizer,
                             const torch::Tensor& labels, std::size_t students,
                             const SandwichForward& forward, double label_weight, double clip_grad_norm = 0);

struct SupernetTrainStats {
  double seconds = 0;
  std::vector<double> epoch_seconds, epoch_loss_largest;
};

// One sandwich step of a family on a batch (the family samples its students from `rng`).
using SandwichBatchStep =
    std::function<SandwichLosses(torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                                 const torch::Tensor& labels, std::mt19937_64& rng)>;

struct SandwichSchedule {
  std::string what = "supernet";  // in messages: "supernet training: ...", "supernet epoch 1/5: ..."
  // A linear warm-up over the first 5 % of the steps before the cosine decay (transformers diverge
  // without it at the CNN supernet's rate); without it the CNN supernet's schedule, to the last bit.
  bool warmup = false;
};

// Adam on net's parameters with cosine learning-rate decay to 0 over the run, batches shuffled
// with o.seed (the same generator samples the students). Throws common::InputError on bad options.
SupernetTrainStats train_sandwich(torch::nn::Module& net, const accuracy::ImageSet& train_set,
                                  const SupernetTrainOptions& o, const SandwichSchedule& schedule,
                                  const SandwichBatchStep& step,
                                  const std::function<void(const std::string&)>& log = {});

// Writes the module to <dir>/<file_name> (a temporary name, then renamed) and returns the path.
std::string save_module_file(const std::shared_ptr<torch::nn::Module>& net, const std::string& dir,
                             const std::string& file_name);

// `net` with the state saved at `path` (an existing file), or nothing when it is unreadable (another
// layout: the caller trains again and overwrites).
template <class ModuleHolder>
std::optional<ModuleHolder> load_module_file(ModuleHolder net, const std::string& path) {
  try {
    torch::load(net, path);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  net->eval();
  return net;
}

}  // namespace imc::nas::supernet
