#include "nas/accuracy/train.h"

#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

#include "common/config.h"
#include "nas/accuracy/kernels.h"

namespace imc::nas::accuracy {

namespace {
constexpr int kShards = 2;                   // shards per training batch (= threads used)
constexpr std::int64_t kMinShardImages = 8;  // smaller batches are not split

// While alive, torch ops run single-threaded in every thread: our own threads (OpenMP) split the
// work. The setting is process-wide (at::set_num_threads), and it must be: a thread's first torch
// op re-reads it and resets that thread's OpenMP team size, so a per-thread
// omp_set_num_threads(1) is undone, and oneDNN then plans a kernel for two threads that a nested
// parallel region runs on one (it waits forever at its barrier).
class SerialTorchOps {
 public:
  explicit SerialTorchOps(bool active) : saved_(at::get_num_threads()), active_(active && saved_ != 1) {
    if (active_) at::set_num_threads(1);
  }
  ~SerialTorchOps() {
    if (active_) at::set_num_threads(saved_);
  }
  SerialTorchOps(const SerialTorchOps&) = delete;
  SerialTorchOps& operator=(const SerialTorchOps&) = delete;

 private:
  int saved_;
  bool active_;
};

// f(0), ..., f(tasks - 1) on up to `workers` OpenMP threads (in order on one). Exceptions may not
// leave an OpenMP region: the first one is kept and rethrown as itself (an InputError stays one).
template <class F>
void parallel_tasks(std::int64_t tasks, int workers, F&& f) {
  std::exception_ptr error;
#pragma omp parallel for num_threads(workers) schedule(dynamic, 1) if (workers > 1)
  for (std::int64_t t = 0; t < tasks; ++t) {
    try {
      f(t);
    } catch (...) {
#pragma omp critical
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}
}  // namespace

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
  auto bytes =
      torch::from_blob(const_cast<std::uint8_t*>(set.pixels.data()) + first * px, {count, px}, torch::kUInt8);
  return bytes.to(torch::kFloat32).div_(255.0);
}

torch::Tensor label_tensor(const ImageSet& set, std::int64_t first, std::int64_t count) {
  if (count <= 0) count = std::int64_t(set.labels.size()) - first;
  auto bytes = torch::from_blob(const_cast<std::uint8_t*>(set.labels.data()) + first, {count}, torch::kUInt8);
  return bytes.to(torch::kInt64);
}

TrainStats train(GraphNet& net, const ImageSet& train_set, const TrainOptions& o,
                 const std::function<void(const std::string&)>& log) {
  check_train_options(o);
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t n =
      o.train_subset > 0 ? std::min<std::int64_t>(o.train_subset, train_set.count) : train_set.count;
  const torch::Tensor x = image_tensor(train_set, 0, n), y = label_tensor(train_set, 0, n);
  const bool adam = o.optimizer == TrainOptimizer::kAdam;
  const double lr0 = o.learning_rate > 0 ? o.learning_rate : adam ? 1e-3 : 0.05;
  std::unique_ptr<torch::optim::Optimizer> opt;
  if (adam)
    opt = std::make_unique<torch::optim::Adam>(net->parameters(), torch::optim::AdamOptions(lr0));
  else
    opt = std::make_unique<torch::optim::SGD>(
        net->parameters(), torch::optim::SGDOptions(lr0).momentum(0.9).nesterov(true).weight_decay(5e-4));
  const Precision precision = o.quantization_aware ? Precision::Quantized : Precision::Float;
  const std::int64_t steps_per_epoch = (n + o.batch_size - 1) / o.batch_size;
  const std::int64_t total_steps = steps_per_epoch * o.epochs;
  std::mt19937_64 rng(o.seed);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  // Data parallel: each batch is split into kShards shards, each run forward and backward by its own
  // replica (sharing the parameters) on one thread, single-threaded inside, and the gradient is the
  // size-weighted mean of the shard gradients, i.e. that of the batch's mean loss. Batch
  // normalization uses each shard's own statistics (ghost batches). The shard count does not depend
  // on the thread count, and every op runs single-threaded, so the trained weights are the same for
  // any --threads (two threads use two cores: on small networks torch's intra-op threading gains
  // little, its wake-ups cost as much as the work).
  std::vector<std::shared_ptr<GraphNetImpl>> replicas;
  for (int r = 0; r < kShards; ++r) {
    replicas.push_back(net->shard_replica(o.seed * 0x9e3779b97f4a7c15ULL + std::uint64_t(r)));
    replicas.back()->train();  // whatever mode `net` was left in (predict() leaves it in eval)
  }
  const std::vector<torch::Tensor> params = net->parameters();
  const int workers = std::min(kShards, std::max(1, at::get_num_threads()));
  const SerialTorchOps serial(true);  // also with one worker: the same single-threaded kernels
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
      const std::int64_t len = std::min(n, b0 + o.batch_size) - b0;
      const int shards = len >= kShards * kMinShardImages ? kShards : 1;
      std::vector<std::vector<torch::Tensor>> grads(static_cast<std::size_t>(shards));
      std::vector<double> losses(static_cast<std::size_t>(shards)), weights(static_cast<std::size_t>(shards));
      std::vector<GraphNetImpl*> used;
      for (int s = 0; s < shards; ++s) used.push_back(replicas[std::size_t(s)].get());
      for (GraphNetImpl* r : used) r->load_buffers_from(*net);
      parallel_tasks(shards, std::min(workers, shards), [&](std::int64_t s) {
        const std::int64_t s0 = b0 + len * s / shards, s1 = b0 + len * (s + 1) / shards;
        const torch::Tensor idx = perm.slice(0, s0, s1);
        const torch::Tensor xb = x.index_select(0, idx), yb = y.index_select(0, idx);
        const torch::Tensor loss =
            torch::cross_entropy_loss(used[std::size_t(s)]->forward(xb, precision), yb);
        grads[std::size_t(s)] =
            torch::autograd::grad({loss}, params, {}, false, false, /*allow_unused=*/true);
        losses[std::size_t(s)] = loss.item<double>();
        weights[std::size_t(s)] = double(s1 - s0) / double(len);
      });
      {
        torch::NoGradGuard ng;
        for (std::size_t k = 0; k < params.size(); ++k) {
          std::vector<torch::Tensor> terms;
          std::vector<double> w;
          for (int s = 0; s < shards; ++s)
            if (grads[std::size_t(s)][k].defined())
              terms.push_back(grads[std::size_t(s)][k]), w.push_back(weights[std::size_t(s)]);
          // Undefined for a parameter the loss does not use.
          params[k].mutable_grad() = terms.empty() ? torch::Tensor() : weighted_sum(terms, w);
        }
      }
      net->merge_shard_buffers(used, weights);
      opt->step();
      for (int s = 0; s < shards; ++s)
        loss_sum += losses[std::size_t(s)] * weights[std::size_t(s)] * double(len);
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

std::vector<int> predict(GraphNet& net, const torch::Tensor& images, Precision precision,
                         CrossbarBackend* backend, std::int64_t batch) {
  net->eval();
  const std::int64_t n = images.size(0), batches = (n + batch - 1) / batch;
  std::vector<std::vector<int>> per_batch(static_cast<std::size_t>(batches));
  // Batches in parallel, each single-threaded (as training's shards); batch b is the backend's
  // stream b (its read-noise draws), whichever thread runs it. One batch: torch's own threads.
  const int workers = int(std::min<std::int64_t>(std::max(1, at::get_num_threads()), batches));
  const SerialTorchOps serial(workers > 1);
  parallel_tasks(batches, workers, [&](std::int64_t b) {
    torch::NoGradGuard ng;  // per thread
    const torch::Tensor logits =
        net->forward(images.slice(0, b * batch, (b + 1) * batch), precision, backend, std::uint64_t(b));
    const torch::Tensor am = logits.argmax(1).to(torch::kInt32).contiguous();
    per_batch[std::size_t(b)].assign(am.data_ptr<int>(), am.data_ptr<int>() + am.numel());
  });
  std::vector<int> out;
  out.reserve(std::size_t(n));
  for (const auto& p : per_batch) out.insert(out.end(), p.begin(), p.end());
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
