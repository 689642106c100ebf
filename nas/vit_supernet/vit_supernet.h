// A weight-sharing supernet of the ViT family (workloads/vit_family.h): it holds the weights of the
// largest ViT of a VitSupernetSpace, and forward(x, subnet) runs any ViT of the space with weights
// taken from them:
//   depth      the first blocks;
//   embed      the first channels of every token-wide tensor (patch embedding outputs, class token,
//              position embeddings, LayerNorm, the inputs of every linear layer and the outputs of
//              attn.proj and mlp.fc2); attn.qkv takes the first `embed` rows of each of its Q, K
//              and V parts;
//   heads      how the first `embed` Q/K/V channels are split (head width embed / heads, as the
//              graph does): the weights are the same, the attention pattern differs;
//   mlp_ratio  the first hidden units of mlp.fc1 (its rows) and mlp.fc2 (its columns);
//   patch      each patch size has its own patch embedding and position table ("patch_embed.p7",
//              "pos_embedding.p7"): the blocks are shared by all patch sizes.
// A subnet's forward walks its own workloads::Graph (build_vit_family) and looks its weights up by
// node name, so the structure is the one the mapper and the simulators see. Quantization follows
// GraphNet (nas/accuracy/graph_net.h) exactly, including its signed inputs (after LayerNorm, GELU
// or attention the crossbar inputs can be negative: symmetric [-(2^(ab-1)-1), 2^(ab-1)-1]). LayerNorm
// has no running statistics (each token is normalized by its own mean and variance over the active
// channels), so a subnet needs no batch-norm recalibration; recalibrate() re-measures only the
// crossbar input ranges.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "nas/accuracy/graph_net.h"
#include "nas/vit_supernet/space.h"
#include "workloads/graph.h"

namespace imc::nas::vit_supernet {

struct ExportedVit {
  workloads::Graph graph;
  accuracy::GraphNet net{nullptr};
};

class VitSupernetImpl : public torch::nn::Module {
 public:
  explicit VitSupernetImpl(VitSupernetSpace space, double noise_sigma = 0);

  // x: [batch, 1, 28, 28] (or [batch, 784]). Quantized runs at the subnet's bits. Throws
  // common::InputError when the subnet is not in the space.
  torch::Tensor forward(const torch::Tensor& x, const VitSubnet& subnet, accuracy::Precision precision);

  // Re-measures the crossbar input ranges of the subnet's layers on `images` (the mean batch maximum).
  void recalibrate(const VitSubnet& subnet, const torch::Tensor& images, accuracy::Precision precision,
                   std::int64_t batch = 250);

  // The subnet as a GraphNet with the inherited weights and input ranges copied in.
  ExportedVit export_subnet(const VitSubnet& subnet, const std::string& name = "subnet");

  const VitSupernetSpace& space() const { return space_; }
  double noise_sigma() const { return noise_sigma_; }

 private:
  struct Unit {
    torch::Tensor weight, bias, gamma, beta, param, input_max;
    bool qkv = false;  // attn.qkv: rows are [Q | K | V], each of the largest embed
  };
  struct SubnetGraph {
    workloads::Graph graph;
    std::vector<bool> nonneg;  // per node: output can never be negative (GraphNet's rule)
  };
  const SubnetGraph& graph_of(const VitSubnet& subnet);
  Unit& unit_for(const workloads::Node& node, const VitSubnet& subnet);
  torch::Tensor effective_weight(const Unit& u, const workloads::Node& node) const;
  torch::Tensor weight_stationary(Unit& u, const workloads::Node& node, bool nonneg, const torch::Tensor& x,
                                  const VitSubnet& subnet, accuracy::Precision precision);
  void check(const VitSubnet& subnet) const;

  VitSupernetSpace space_;
  double noise_sigma_;
  std::int64_t embed_max_ = 0;
  std::map<std::string, Unit> units_;
  std::map<std::string, SubnetGraph> graphs_;
  double range_momentum_ = 0.05;  // GraphNet's running average of the input maxima
};
TORCH_MODULE(VitSupernet);

}  // namespace imc::nas::vit_supernet
