#include "nas/supernet/train.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "common/config.h"
#include "common/hash.h"
#include "nas/accuracy/train.h"

namespace imc::nas::supernet {
namespace fs = std::filesystem;

SandwichLosses sandwich_step(Supernet& net, torch::optim::Optimizer& optimizer, const torch::Tensor& images,
                             const torch::Tensor& labels, int random_subnets, std::mt19937_64& rng,
                             double label_weight) {
  const SupernetSpace& space = net->space();
  net->train();
  optimizer.zero_grad();
  SandwichLosses out;
  const torch::Tensor big = net->forward(images, space.largest(), accuracy::Precision::Quantized);
  const torch::Tensor ce = torch::cross_entropy_loss(big, labels);
  ce.backward();
  out.largest = ce.item<double>();
  // In-place distillation: the others learn the largest's (detached) class distribution.
  const torch::Tensor soft = torch::softmax(big.detach(), 1);
  std::vector<Subnet> others{space.smallest()};
  // Plain and residual blocks have units of their own (supernet.cpp): the largest plain subnet is the
  // top of its own half of the space, trained every step like the largest.
  if (space.residual.size() == 2) others.push_back(space.largest_plain());
  for (int k = 0; k < random_subnets; ++k) others.push_back(space.sample(rng));
  for (const Subnet& s : others) {
    const torch::Tensor logits = net->forward(images, s, accuracy::Precision::Quantized);
    const torch::Tensor log_q = torch::log_softmax(logits, 1);
    torch::Tensor loss = -(soft * log_q).sum(1).mean() * (1 - label_weight);
    if (label_weight > 0) loss = loss + torch::nll_loss(log_q, labels) * label_weight;
    loss.backward();
    out.distill += loss.item<double>() / double(others.size());
  }
  optimizer.step();
  return out;
}

SupernetTrainStats train_supernet(Supernet& net, const accuracy::ImageSet& train_set,
                                  const SupernetTrainOptions& o,
                                  const std::function<void(const std::string&)>& log) {
  if (o.epochs < 1 || o.batch_size < 1 || o.random_subnets < 0 || !(o.learning_rate > 0) ||
      !(o.label_weight >= 0 && o.label_weight <= 1))
    throw common::InputError(
        fmt::format("supernet training: epochs {} (>= 1), batch_size {} (>= 1), random_subnets {} (>= 0), "
                    "learning_rate {} (> 0), label_weight {} ([0, 1])",
                    o.epochs, o.batch_size, o.random_subnets, o.learning_rate, o.label_weight));
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t n =
      o.train_subset > 0 ? std::min<std::int64_t>(o.train_subset, train_set.count) : train_set.count;
  const torch::Tensor x = accuracy::image_tensor(train_set, 0, n),
                      y = accuracy::label_tensor(train_set, 0, n);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(o.learning_rate));
  std::mt19937_64 rng(o.seed);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  const std::int64_t steps = (n + o.batch_size - 1) / o.batch_size * o.epochs;
  std::int64_t step = 0;
  SupernetTrainStats st;
  for (int e = 0; e < o.epochs; ++e) {
    const auto e0 = std::chrono::steady_clock::now();
    std::shuffle(order.begin(), order.end(), rng);
    const torch::Tensor perm = torch::from_blob(order.data(), {n}, torch::kInt64);
    double loss_sum = 0;
    for (std::int64_t b0 = 0; b0 < n; b0 += o.batch_size, ++step) {
      const double lr = o.learning_rate * 0.5 * (1 + std::cos(M_PI * double(step) / double(steps)));
      for (auto& g : opt.param_groups()) g.options().set_lr(lr);
      const torch::Tensor idx = perm.slice(0, b0, std::min(n, b0 + o.batch_size));
      const SandwichLosses l = sandwich_step(net, opt, x.index_select(0, idx), y.index_select(0, idx),
                                             o.random_subnets, rng, o.label_weight);
      loss_sum += l.largest * double(idx.size(0));
    }
    st.epoch_loss_largest.push_back(loss_sum / double(n));
    st.epoch_seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count());
    if (log)
      log(fmt::format("supernet epoch {}/{}: largest loss {:.4f} ({:.1f} s)", e + 1, o.epochs,
                      st.epoch_loss_largest.back(), st.epoch_seconds.back()));
  }
  net->eval();
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

std::string save_supernet(Supernet& net, const std::string& dir, const std::string& key) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw common::InputError(
        fmt::format("{}: cannot create the supernet cache folder ({})", dir, ec.message()));
  const std::string path = (fs::path(dir) / supernet_file_name(key)).string();
  torch::save(net, path + ".tmp");
  fs::rename(path + ".tmp", path);
  return path;
}

std::optional<Supernet> load_supernet(const SupernetSpace& space, const SupernetOptions& options,
                                      const std::string& dir, const std::string& key) {
  const std::string path = (fs::path(dir) / supernet_file_name(key)).string();
  if (dir.empty() || !fs::exists(path)) return std::nullopt;
  Supernet net(space, options);
  try {
    torch::load(net, path);
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable or another layout: train again and overwrite
  }
  net->eval();
  return net;
}

}  // namespace imc::nas::supernet
