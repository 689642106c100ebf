#include "nas/supernet/options.h"

#include <fmt/format.h>

#include "common/hash.h"

namespace imc::nas::supernet {
namespace {
// Bump when the module layout or the training procedure changes, so stale supernets are not reused.
// 2: a head per stage count and the label term of the subnets' loss (docs/supernet.md).
// 3: plain blocks and their heads have units of their own; the largest plain subnet in every step.
constexpr int kFormatVersion = 3;
}  // namespace

std::string supernet_key(const SupernetSpace& space, const SupernetTrainOptions& o) {
  const std::string settings = fmt::format("v{}|fashion-mnist|{}|e{}|n{}|b{}|lr{}|k{}|lw{}|s{}|kt{}|noise{}",
                                           kFormatVersion, space.canonical(), o.epochs, o.train_subset,
                                           o.batch_size, o.learning_rate, o.random_subnets, o.label_weight,
                                           o.seed, o.supernet.kernel_transform, o.supernet.noise_sigma);
  return common::hash_hex(common::hash64(settings));
}

std::string supernet_file_name(const std::string& key) {
  return fmt::format("supernet-{}.pt", key);
}

}  // namespace imc::nas::supernet
