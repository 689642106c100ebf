// A weight-sharing supernet for the CNN family (workloads/family.h), once-for-all style: it holds
// the weights of the largest network of a SupernetSpace, and forward(x, subnet) runs any network of
// the space with weights taken from them:
//   depth   the first blocks of every stage, the first stages;
//   width   the first channels of every layer (base_channels and prune pick how many);
//   kernel  the centre crop of the largest kernel, then (kernel_transform) a learned
//           (k*k) x (k*k) matrix per layer and smaller size, chained 7 -> 5 -> 3 as in OFA,
//           initialized to the identity;
//   residual / plain  plain blocks use conv1 only, residual ones conv1, conv2 and the projection;
//   expansion  both block kinds are held when the choices include 1 and > 1 (expansion > 1 takes
//           the first hidden channels of the largest expansion);
//   fc_hidden  the first hidden units; the classifier after a hidden layer is its own weight,
//           separate from the one reading the pooled features.
// Every layer's unit is named like the family's graph nodes ("s1.b0.conv1", "fc1"): a subnet's
// forward walks its own workloads::Graph (build_cnn_family) and looks its weights up by name, so the
// structure cannot drift from the graph the hardware side maps.
//
// Batch norm is shared and sliced to the active channels; its running statistics are only
// meaningful after recalibrate() on the subnet (as OFA does). Quantization follows GraphNet
// (nas/accuracy/graph_net.h) exactly: per-tensor symmetric weights from the effective (sliced,
// cropped, transformed) weight, inputs clamped to [0, 2^ab - 1] (every crossbar input of the family
// follows a ReLU or is the image), straight-through estimator in training, integer products scaled
// in evaluation. The input ranges are one running value per layer shared by all subnets in
// training, re-measured by recalibrate().
#pragma once

#include <torch/torch.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "nas/accuracy/graph_net.h"
#include "nas/supernet/options.h"
#include "nas/supernet/space.h"
#include "workloads/graph.h"

namespace imc::nas::supernet {

// A subnet as a stand-alone network: its graph (build_cnn_family) and a GraphNet holding the
// inherited weights, batch-norm statistics and input ranges.
struct ExportedSubnet {
  workloads::Graph graph;
  accuracy::GraphNet net{nullptr};
};

class SupernetImpl : public torch::nn::Module {
 public:
  explicit SupernetImpl(SupernetSpace space, SupernetOptions options = {});

  // x: [batch, 1, 28, 28] (or [batch, 784]). Quantized runs at the subnet's bits. Throws
  // common::InputError when the subnet is not in the space.
  torch::Tensor forward(const torch::Tensor& x, const Subnet& subnet, accuracy::Precision precision);

  // Re-measures the batch-norm statistics and input ranges of the subnet's layers on `images`
  // (batches of `batch`): the statistics become the mean over the batches, the ranges the mean
  // batch maximum (or range_quantile()). `precision` should be the one the subnet is evaluated at.
  void recalibrate(const Subnet& subnet, const torch::Tensor& images, accuracy::Precision precision,
                   std::int64_t batch = 250);

  // The quantile of a batch's inputs that recalibrate() takes as its range (1 = the batch maximum).
  // A quantile below 1 clips the rare largest inputs: with 4-bit activations the maximum wastes most
  // of the 16 levels on values few inputs reach (docs/supernet.md "Input ranges").
  void set_range_quantile(double q) { range_quantile_ = q; }
  double range_quantile() const { return range_quantile_; }

  // The subnet as a GraphNet with the inherited weights copied in (call recalibrate first).
  ExportedSubnet export_subnet(const Subnet& subnet, const std::string& name = "subnet");

  const SupernetSpace& space() const { return space_; }
  const SupernetOptions& options() const { return options_; }
  const workloads::Graph& graph_of(const Subnet& subnet);  // built once per network

 private:
  struct Unit {
    std::int64_t kernel = 1;  // the largest kernel (1 for 1x1 convs and linear layers)
    torch::Tensor weight, bias, gamma, beta, mean, var, input_max;
    std::map<int, torch::Tensor> transform;  // kernel size -> (k*k) x (k*k)
  };
  Unit& unit_for(const workloads::Node& node, const Subnet& subnet);
  torch::Tensor effective_weight(const Unit& u, const workloads::Node& node) const;
  torch::Tensor weight_stationary(Unit& u, const workloads::Node& node, const torch::Tensor& x,
                                  const Subnet& subnet, accuracy::Precision precision);
  void check(const Subnet& subnet) const;

  SupernetSpace space_;
  SupernetOptions options_;
  std::map<std::string, Unit> units_;
  std::map<std::string, workloads::Graph> graphs_;
  double bn_momentum_ = 0.1;      // recalibrate() sets 1/(k+1) for its k-th batch
  double range_momentum_ = 0.05;  // GraphNet's running average of the input maxima
  bool recalibrating_ = false;
  double range_quantile_ = 1.0;
};
TORCH_MODULE(Supernet);

}  // namespace imc::nas::supernet
