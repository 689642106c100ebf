#include "nas/vit_supernet/train.h"

#include <filesystem>

namespace imc::nas::vit_supernet {

supernet::SandwichLosses vit_sandwich_step(VitSupernet& net, torch::optim::Optimizer& optimizer,
                                           const torch::Tensor& images, const torch::Tensor& labels,
                                           int random_subnets, std::mt19937_64& rng, double label_weight) {
  const VitSupernetSpace& space = net->space();
  const VitSubnet largest = space.largest();
  std::vector<VitSubnet> students{space.smallest()};
  for (int k = 0; k < random_subnets; ++k) students.push_back(space.sample(rng));
  return supernet::sandwich_step(
      *net, optimizer, labels, students.size(),
      [&](std::size_t i) {
        return net->forward(images, i == 0 ? largest : students[i - 1], accuracy::Precision::Quantized);
      },
      label_weight, /*clip_grad_norm=*/1.0);
}

supernet::SupernetTrainStats train_vit_supernet(VitSupernet& net, const accuracy::ImageSet& train_set,
                                                const supernet::SupernetTrainOptions& o,
                                                const std::function<void(const std::string&)>& log) {
  return supernet::train_sandwich(
      *net, train_set, o, {"ViT supernet", /*warmup=*/true},
      [&](torch::optim::Optimizer& opt, const torch::Tensor& x, const torch::Tensor& y,
          std::mt19937_64& rng) {
        return vit_sandwich_step(net, opt, x, y, o.random_subnets, rng, o.label_weight);
      },
      log);
}

std::string save_vit_supernet(VitSupernet& net, const std::string& dir, const std::string& key) {
  return supernet::save_module_file(net.ptr(), dir, vit_supernet_file_name(key));
}

std::optional<VitSupernet> load_vit_supernet(const VitSupernetSpace& space, double noise_sigma,
                                             const std::string& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;  // before building the module
  return supernet::load_module_file(VitSupernet(space, noise_sigma), path);
}

}  // namespace imc::nas::vit_supernet
