#include "nas/supernet/train.h"

#include <filesystem>

namespace imc::nas::supernet {
namespace fs = std::filesystem;

SandwichLosses sandwich_step(Supernet& net, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                             const torch::Tensor& labels, int random_subnets, std::mt19937_64& rng,
                             double label_weight) {
  const SupernetSpace& space = net->space();
  const Subnet largest = space.largest();
  std::vector<Subnet> students{space.smallest()};
  // Plain and residual blocks have units of their own (supernet.cpp): the largest plain subnet is the
  // top of its own half of the space, trained every step like the largest.
  if (space.residual.size() == 2) students.push_back(space.largest_plain());
  for (int k = 0; k < random_subnets; ++k) students.push_back(space.sample(rng));
  return sandwich_step(
      *net, optimizer, labels, students.size(),
      [&](std::size_t i) {
        return net->forward(images, i == 0 ? largest : students[i - 1], accuracy::Precision::Quantized);
      },
      label_weight);
}

SupernetTrainStats train_supernet(Supernet& net, const accuracy::ImageSet& train_set,
                                  const SupernetTrainOptions& o,
                                  const std::function<void(const std::string&)>& log) {
  return train_sandwich(
      *net, train_set, o, {"supernet", /*warmup=*/false},
      [&](torch::optim::Optimizer& opt, const torch::Tensor& x, const torch::Tensor& y,
          std::mt19937_64& rng) {
        return sandwich_step(net, opt, x, y, o.random_subnets, rng, o.label_weight);
      },
      log);
}

std::string save_supernet(Supernet& net, const std::string& dir, const std::string& key) {
  return save_module_file(net.ptr(), dir, supernet_file_name(key));
}

std::optional<Supernet> load_supernet(const SupernetSpace& space, const SupernetOptions& options,
                                      const std::string& dir, const std::string& key) {
  if (dir.empty()) return std::nullopt;
  const std::string path = (fs::path(dir) / supernet_file_name(key)).string();
  if (!fs::exists(path)) return std::nullopt;  // before building the module: that takes a while
  return load_module_file(Supernet(space, options), path);
}

}  // namespace imc::nas::supernet
