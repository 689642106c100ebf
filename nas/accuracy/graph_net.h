// A trainable libtorch module built from a workloads::Graph, with quantization-aware training
// (straight-through estimator) of the inputs and weights of every weight-stationary layer, and a
// hook that sends those layers' integer products to a crossbar model (hardware-aware inference).
//
// Quantization (per tensor, symmetric): weights w_int = round(w / s_w) in
// [-(2^(wb-1)-1), 2^(wb-1)-1] with s_w = max|w| / (2^(wb-1)-1); inputs x_int = round(x / s_x),
// clamped to [0, 2^ib - 1] for inputs that cannot be negative (after ReLU, sigmoid, the image) and to
// [-(2^(ib-1)-1), 2^(ib-1)-1] otherwise, s_x from a running average of the batch maxima seen in
// training. A layer's output is s_w * s_x * (x_int . w_int) + bias; everything else (batch norm,
// activations, pooling, residual adds, ...) runs in float. The crossbar sees exactly x_int and w_int.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "workloads/graph.h"

namespace imc::nas::accuracy {

enum class Precision { Float, Quantized };

// Receives the integer operands of one weight-stationary node and returns the integer products.
class CrossbarBackend {
 public:
  virtual ~CrossbarBackend() = default;
  // x_int: [vectors, groups * rows] integer-valued, contiguous, CPU float. Returns
  // [vectors, groups * cols] (estimates of) sum_r x_int[r] * w_int[g][r][c]. `stream` keys the
  // random draws of this call (read noise); calls may come from several threads at once.
  virtual torch::Tensor matmul(int node, const torch::Tensor& x_int, std::uint64_t stream) = 0;
};

struct QuantBits {
  int weight_bits = 8;
  int input_bits = 8;
};

class GraphNetImpl : public torch::nn::Module {
 public:
  // Throws common::InputError when the graph uses something this evaluator cannot train.
  GraphNetImpl(const workloads::Graph& graph, QuantBits bits, double noise_sigma = 0);

  // x: [batch, input shape...]. Training mode updates the input-range statistics and (Quantized)
  // uses fake quantization; with a backend, crossbar layers run through it (eval only).
  // `stream` is passed to the backend (prediction uses the batch index).
  torch::Tensor forward(const torch::Tensor& x, Precision precision, CrossbarBackend* backend = nullptr,
                        std::uint64_t stream = 0);

  const workloads::Graph& graph() const { return graph_; }
  QuantBits bits() const { return bits_; }
  std::vector<int> crossbar_nodes() const;  // weight-stationary nodes, in graph order
  // Whether the node's crossbar inputs can be negative (its producer is not known to be >= 0).
  bool signed_inputs(int node) const { return !nonneg_[std::size_t(graph_.node(node).inputs.at(0))]; }
  // groups x rows x cols (row-major per group) integer weights as the crossbar stores them, with
  // rows ordered like im2col (channel, kernel row, kernel column).
  std::vector<std::int32_t> int_weights(int node) const;
  double weight_scale(int node) const;
  double input_scale(int node) const;
  void set_noise_sigma(double s) { noise_sigma_ = s; }

  // Data-parallel training (train.cpp): a replica that computes one shard of a batch. It holds the
  // very parameter tensors of this network (so gradients must be taken with torch::autograd::grad,
  // which does not accumulate into them) and its own copies of the buffers (batch-norm running
  // statistics, input ranges), and draws injected noise from its own generator (`noise_seed`).
  std::shared_ptr<GraphNetImpl> shard_replica(std::uint64_t noise_seed) const;
  void load_buffers_from(const GraphNetImpl& master);  // before a step: this network's buffers
  // After a step: running statistics = weighted mean of the shards' (weights = shard sizes / batch),
  // input ranges = running average of the largest shard batch maximum (as one unsharded batch).
  void merge_shard_buffers(const std::vector<GraphNetImpl*>& shards, const std::vector<double>& weights);

 private:
  GraphNetImpl(const workloads::Graph& graph, QuantBits bits, double noise_sigma, const GraphNetImpl* master);
  torch::Tensor weight_stationary(int i, const torch::Tensor& x, Precision precision,
                                  CrossbarBackend* backend, std::uint64_t stream);
  torch::Tensor digital(int i, const std::vector<torch::Tensor>& in);
  int input_levels(int node) const;  // qmax of the node's input quantizer

  workloads::Graph graph_;
  QuantBits bits_;
  double noise_sigma_;
  std::vector<bool> nonneg_;  // per node: output can never be negative
  int data_input_ = -1;
  std::vector<torch::Tensor> weight_, bias_, gamma_, beta_, mean_, var_, amax_, param_;
  std::vector<float> batch_max_;   // per crossbar node: the input maximum of the last training batch
  at::Generator noise_generator_;  // injected noise; undefined = torch's default generator
};
TORCH_MODULE(GraphNet);

// The quantized call of one weight-stationary layer, shared by GraphNet and the supernets
// (nas/supernet, nas/vit_supernet) so that an exported subnet computes the very same numbers.
// The quantizer of one call: weights in [-qw, qw] with step s_w = max|w| / qw; inputs in [lo, qx]
// with step s_x = input range / qx (lo = 0 for inputs that cannot be negative, else -qx).
struct LayerQuantizer {
  double qw = 0, qx = 0, lo = 0, s_w = 0, s_x = 0;
};
LayerQuantizer layer_quantizer(const torch::Tensor& weight, QuantBits bits, bool nonneg_inputs,
                               double input_max);
// The float torch call of node `n` (Conv2d, or Linear as a 1x1 convolution: torch then runs it and
// its backward with oneDNN rather than the system BLAS, which on Debian may be the slow reference one).
torch::Tensor layer_call(const workloads::Node& n, const torch::Tensor& x, const torch::Tensor& w,
                         const torch::Tensor& b);
// Training: fake quantization of weights and inputs (straight-through estimator), relative weight
// noise of `noise_sigma` drawn from `noise` (undefined: torch's default generator).
torch::Tensor fake_quantized_call(const workloads::Node& n, const torch::Tensor& x, const torch::Tensor& w,
                                  const torch::Tensor& b, const LayerQuantizer& q, double noise_sigma,
                                  const at::Generator& noise = {});
// Evaluation: s_w * s_x * (x_int . w_int) + b, the integer products from `products` (a crossbar
// model) or, when it is empty, from layer_call.
using IntegerProducts = std::function<torch::Tensor(const torch::Tensor& x_int, const torch::Tensor& w_int)>;
torch::Tensor integer_call(const workloads::Node& n, const torch::Tensor& x, const torch::Tensor& w,
                           const torch::Tensor& b, const LayerQuantizer& q,
                           const IntegerProducts& products = {});
// The maximum |input| of a batch as the input range tracks it (max(0, max x) for non-negative inputs).
float batch_input_max(const torch::Tensor& x, bool nonneg_inputs);
// Whether an activation's output can never be negative (its consumers' inputs are then unsigned).
bool nonneg_activation(workloads::ActKind a);

// Whether `graph` is a Fashion-MNIST classifier this evaluator can handle: one data input of 784
// elements, 10 outputs, supported ops. Throws InputError naming the node and the problem otherwise.
void check_fmnist_graph(const workloads::Graph& graph);

}  // namespace imc::nas::accuracy
