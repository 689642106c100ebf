// Training (libtorch) and batched prediction of a GraphNet on Fashion-MNIST.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nas/accuracy/accuracy.h"
#include "nas/accuracy/dataset.h"
#include "nas/accuracy/graph_net.h"

namespace imc::nas::accuracy {

struct TrainStats {
  std::int64_t images = 0;  // images processed (epochs x subset)
  double seconds = 0;
  double final_loss = 0;  // mean loss of the last epoch
};

// Threads for libtorch and the crossbar model: at::set_num_threads(n), one inter-op thread,
// OMP_NUM_THREADS (unless already set). n = 0: all hardware threads. Safe to call repeatedly.
void configure_threads(int n);

// Images [count, 784] scaled to [0, 1] and their labels; `first` / `count` select a slice
// (count 0 = to the end).
torch::Tensor image_tensor(const ImageSet& set, std::int64_t first = 0, std::int64_t count = 0);
torch::Tensor label_tensor(const ImageSet& set, std::int64_t first = 0, std::int64_t count = 0);

TrainStats train(GraphNet& net, const ImageSet& train_set, const TrainOptions& options,
                 const std::function<void(const std::string&)>& log = {});

// Class predictions (eval mode), batches of `batch` images.
std::vector<int> predict(GraphNet& net, const torch::Tensor& images, Precision precision,
                         CrossbarBackend* backend = nullptr, std::int64_t batch = 500);
double accuracy_of(const std::vector<int>& predictions, const torch::Tensor& labels);

}  // namespace imc::nas::accuracy
