#include "nas/supernet/sandwich.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "common/config.h"
#include "nas/accuracy/train.h"

namespace imc::nas::supernet {
namespace fs = std::filesystem;

SandwichLosses sandwich_step(torch::nn::Module& net, torch::optim::Optimizer& optimizer,
                             const torch::Tensor& labels, std::size_t students,
                             const SandwichForward& forward, double label_weight, double clip_grad_norm) {
  net.train();
  optimizer.zero_grad();
  SandwichLosses out;
  const torch::Tensor big = forward(0);
  const torch::Tensor ce = torch::cross_entropy_loss(big, labels);
  ce.backward();
  out.largest = ce.item<double>();
  // In-place distillation: the students learn the largest's (detached) class distribution.
  const torch::Tensor soft = torch::softmax(big.detach(), 1);
  for (std::size_t i = 1; i <= students; ++i) {
    const torch::Tensor log_q = torch::log_softmax(forward(i), 1);
    torch::Tensor loss = -(soft * log_q).sum(1).mean() * (1 - label_weight);
    if (label_weight > 0) loss = loss + torch::nll_loss(log_q, labels) * label_weight;
    loss.backward();
    out.others += loss.item<double>() / double(students);
  }
  if (clip_grad_norm > 0) torch::nn::utils::clip_grad_norm_(net.parameters(), clip_grad_norm);
  optimizer.step();
  return out;
}

SupernetTrainStats train_sandwich(torch::nn::Module& net, const accuracy::ImageSet& train_set,
                                  const SupernetTrainOptions& o, const SandwichSchedule& schedule,
                                  const SandwichBatchStep& step,
                                  const std::function<void(const std::string&)>& log) {
  if (o.epochs < 1 || o.batch_size < 1 || o.random_subnets < 0 || !(o.learning_rate > 0) ||
      !(o.label_weight >= 0 && o.label_weight <= 1))
    throw common::InputError(fmt::format(
        "{} training: epochs {} (>= 1), batch_size {} (>= 1), random_subnets {} (>= 0), "
        "learning_rate {} (> 0), label_weight {} ([0, 1])",
        schedule.what, o.epochs, o.batch_size, o.random_subnets, o.learning_rate, o.label_weight));
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t n =
      o.train_subset > 0 ? std::min<std::int64_t>(o.train_subset, train_set.count) : train_set.count;
  const torch::Tensor x = accuracy::image_tensor(train_set, 0, n),
                      y = accuracy::label_tensor(train_set, 0, n);
  torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(o.learning_rate));
  std::mt19937_64 rng(o.seed);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  const std::int64_t steps = (n + o.batch_size - 1) / o.batch_size * o.epochs;
  const std::int64_t warmup = std::max<std::int64_t>(1, steps / 20);
  std::int64_t step_index = 0;
  SupernetTrainStats st;
  for (int e = 0; e < o.epochs; ++e) {
    const auto e0 = std::chrono::steady_clock::now();
    std::shuffle(order.begin(), order.end(), rng);
    const torch::Tensor perm = torch::from_blob(order.data(), {n}, torch::kInt64);
    double loss_sum = 0;
    for (std::int64_t b0 = 0; b0 < n; b0 += o.batch_size, ++step_index) {
      // Two spellings of the schedule, each the one its family's shipped / tested supernets were
      // trained with (the products round differently in the last bit).
      const double angle = M_PI * double(step_index) / double(steps);
      const double lr = schedule.warmup
                            ? o.learning_rate * std::min(1.0, double(step_index + 1) / double(warmup)) *
                                  (0.5 * (1 + std::cos(angle)))
                            : o.learning_rate * 0.5 * (1 + std::cos(angle));
      for (auto& g : opt.param_groups()) g.options().set_lr(lr);
      const torch::Tensor idx = perm.slice(0, b0, std::min(n, b0 + o.batch_size));
      const SandwichLosses l = step(opt, x.index_select(0, idx), y.index_select(0, idx), rng);
      loss_sum += l.largest * double(idx.size(0));
    }
    st.epoch_loss_largest.push_back(loss_sum / double(n));
    st.epoch_seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count());
    if (log)
      log(fmt::format("{} epoch {}/{}: largest loss {:.4f} ({:.1f} s)", schedule.what, e + 1, o.epochs,
                      st.epoch_loss_largest.back(), st.epoch_seconds.back()));
  }
  net.eval();
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

std::string save_module_file(const std::shared_ptr<torch::nn::Module>& net, const std::string& dir,
                             const std::string& file_name) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw common::InputError(
        fmt::format("{}: cannot create the supernet cache folder ({})", dir, ec.message()));
  const std::string path = (fs::path(dir) / file_name).string();
  torch::save(net, path + ".tmp");
  fs::rename(path + ".tmp", path);
  return path;
}

}  // namespace imc::nas::supernet
