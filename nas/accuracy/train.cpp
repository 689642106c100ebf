#include "nas/accuracy/train.h"

#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

#include "common/config.h"

namespace imc::nas::accuracy {

void configure_threads(int n) {
  if (n <= 0) n = int(std::max(1u, std::thread::hardware_concurrency()));
  // More threads than cores (torch's intra-op pool plus OpenMP plus inter-op) makes training about
  // ten times slower on small machines: one pool, sized to the cores.
  setenv("OMP_NUM_THREADS", std::to_string(n).c_str(), 0);
  static std::once_flag interop;
  std::call_once(interop, [] {
    try {
      at::set_num_interop_threads(1);
    } catch (const std::exception&) {
      // Already started by earlier torch work in this process: keep its setting.
    }
  });
  at::set_num_threads(n);
}

torch::Tensor image_tensor(const ImageSet& set, std::int64_t first, std::int64_t count) {
  if (count <= 0) count = set.count - first;
  const std::int64_t px = set.rows * set.cols;
  auto bytes = torch::from_blob(const_cast<std::uint8_t*>(set.pixels.data()) + first * px, {count, px}, torch::kUInt8);
  return bytes.to(torch::kFloat32).div_(255.0);
}

torch::Tensor label_tensor(const ImageSet& set, std::int64_t first, std::int64_t count) {
  if (count <= 0) count = std::int64_t(set.labels.size()) - first;
  auto bytes = torch::from_blob(const_cast<std::uint8_t*>(set.labels.data()) + first, {count}, torch::kUInt8);
  return bytes.to(torch::kInt64);
}

void check_train_options(const TrainOptions& o) {
  auto bad = [](const std::string& what) { throw common::InputError("accuracy: " + what); };
  if (o.epochs < 1) bad(fmt::format("epochs = {}: allowed >= 1", o.epochs));
  if (o.train_subset < 0 || o.train_subset > 60000) bad(fmt::format("train_subset = {}: allowed 0 (all) .. 60000", o.train_subset));
  if (o.batch_size < 1 || o.batch_size > 60000) bad(fmt::format("batch_size = {}: allowed 1 .. 60000", o.batch_size));
  if (o.optimizer != "adam" && o.optimizer != "sgd") bad(fmt::format("optimizer '{}': allowed adam, sgd", o.optimizer));
  if (o.learning_rate < 0 || o.learning_rate > 10) bad(fmt::format("learning_rate = {}: allowed 0 (default) .. 10", o.learning_rate));
  if (o.noise_sigma < 0 || o.noise_sigma > 2) bad(fmt::format("noise_sigma = {}: allowed 0 .. 2", o.noise_sigma));
}

TrainStats train(GraphNet& net, const ImageSet& train_set, const TrainOptions& o,
                 const std::function<void(const std::string&)>& log) {
  check_train_options(o);
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t n = o.train_subset > 0 ? std::min<std::int64_t>(o.train_subset, train_set.count) : train_set.count;
  const torch::Tensor x = image_tensor(train_set, 0, n), y = label_tensor(train_set, 0, n);
  const bool adam = o.optimizer == "adam";
  const double lr0 = o.learning_rate > 0 ? o.learning_rate : adam ? 1e-3 : 0.05;
  std::unique_ptr<torch::optim::Optimizer> opt;
  if (adam) opt = std::make_unique<torch::optim::Adam>(net->parameters(), torch::optim::AdamOptions(lr0));
  else
    opt = std::make_unique<torch::optim::SGD>(
        net->parameters(), torch::optim::SGDOptions(lr0).momentum(0.9).nesterov(true).weight_decay(5e-4));
  const Precision precision = o.quantization_aware ? Precision::Quantized : Precision::Float;
  const std::int64_t steps_per_epoch = (n + o.batch_size - 1) / o.batch_size;
  const std::int64_t total_steps = steps_per_epoch * o.epochs;
  std::mt19937_64 rng(o.seed);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  torch::manual_seed(o.seed);  // noise injection draws
  net->train();
  TrainStats st;
  std::int64_t step = 0;
  for (int e = 0; e < o.epochs; ++e) {
    std::shuffle(order.begin(), order.end(), rng);
    const torch::Tensor perm = torch::from_blob(order.data(), {n}, torch::kInt64);
    double loss_sum = 0;
    for (std::int64_t b0 = 0; b0 < n; b0 += o.batch_size, ++step) {
      // Cosine decay: the last steps settle the weights (and the quantization ranges) down.
      const double lr = lr0 * 0.5 * (1 + std::cos(M_PI * double(step) / double(total_steps)));
      for (auto& g : opt->param_groups()) g.options().set_lr(lr);
      const torch::Tensor idx = perm.slice(0, b0, std::min(n, b0 + o.batch_size));
      const torch::Tensor xb = x.index_select(0, idx), yb = y.index_select(0, idx);
      opt->zero_grad();
      const torch::Tensor loss = torch::cross_entropy_loss(net->forward(xb, precision), yb);
      loss.backward();
      opt->step();
      loss_sum += loss.item<double>() * double(idx.size(0));
    }
    st.final_loss = loss_sum / double(n);
    if (log)
      log(fmt::format("epoch {}/{}: loss {:.4f} ({:.1f} s)", e + 1, o.epochs, st.final_loss,
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()));
  }
  net->eval();
  st.images = n * o.epochs;
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

std::vector<int> predict(GraphNet& net, const torch::Tensor& images, Precision precision, CrossbarBackend* backend,
                         std::int64_t batch) {
  torch::NoGradGuard ng;
  net->eval();
  std::vector<int> out;
  out.reserve(std::size_t(images.size(0)));
  for (std::int64_t b0 = 0; b0 < images.size(0); b0 += batch) {
    const torch::Tensor logits = net->forward(images.slice(0, b0, b0 + batch), precision, backend);
    const torch::Tensor am = logits.argmax(1).to(torch::kInt32).contiguous();
    out.insert(out.end(), am.data_ptr<int>(), am.data_ptr<int>() + am.numel());
  }
  return out;
}

double accuracy_of(const std::vector<int>& predictions, const torch::Tensor& labels) {
  const auto l = labels.to(torch::kInt64).contiguous();
  const std::int64_t* lp = l.data_ptr<std::int64_t>();
  std::int64_t ok = 0;
  for (std::size_t i = 0; i < predictions.size(); ++i) ok += predictions[i] == lp[i];
  return predictions.empty() ? 0.0 : double(ok) / double(predictions.size());
}

}  // namespace imc::nas::accuracy
