#include "nas/vit_supernet/vit_supernet.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/config.h"
#include "nas/accuracy/kernels.h"
#include "nas/supernet/module_parts.h"

namespace imc::nas::vit_supernet {

using supernet::copy_into;
using supernet::param_name;
using supernet::update_range;
using supernet::walk_graph;
using supernet::with_batch;
using workloads::ActKind;
using workloads::MoveKind;
using workloads::Node;
using workloads::OpKind;

namespace {

// The unit (shared weights) of a node: its name, but the patch embedding and the position table,
// which exist once per patch size (their shapes differ), and nodes without weights ("").
std::string unit_name(const Node& n, int patch) {
  if (n.name == "patch_embed" || n.name == "pos_embedding") return fmt::format("{}.p{}", n.name, patch);
  return n.name;
}

}  // namespace

VitSupernetImpl::VitSupernetImpl(VitSupernetSpace space, double noise_sigma)
    : space_(std::move(space)), noise_sigma_(noise_sigma) {
  embed_max_ = space_.embed.back();
  // The largest network once per patch size holds every unit at its largest shape.
  for (int patch : space_.patch) {
    VitSubnet s = space_.largest();
    s.net.patch = patch;
    const workloads::Graph g = workloads::build_vit_family(s.net, "supernet");
    for (const Node& n : g.nodes()) {
      const std::string name = unit_name(n, patch);
      if (units_.count(name)) continue;
      if (n.op == OpKind::Conv2d || n.op == OpKind::Linear) {
        Unit& u = units_[name];
        const bool conv = n.op == OpKind::Conv2d;
        torch::Tensor w = conv ? torch::empty({n.out_channels, n.in_channels, n.kernel_h, n.kernel_w})
                               : torch::empty({n.out_features, n.in_features});
        torch::nn::init::kaiming_uniform_(w, std::sqrt(5.0));  // torch's default, as GraphNet
        u.weight = register_parameter(param_name(name, "weight"), w);
        const std::int64_t fan_in = conv ? n.in_channels * n.kernel_h * n.kernel_w : n.in_features;
        const double bound = 1.0 / std::sqrt(double(fan_in));
        if (n.bias)
          u.bias = register_parameter(
              param_name(name, "bias"),
              torch::empty({conv ? n.out_channels : n.out_features}).uniform_(-bound, bound));
        u.input_max = register_buffer(param_name(name, "input_max"), torch::zeros({}));
        u.qkv = n.name.size() > 9 && n.name.compare(n.name.size() - 9, 9, ".attn.qkv") == 0;
      } else if (n.op == OpKind::LayerNorm) {
        Unit& u = units_[name];
        u.gamma = register_parameter(param_name(name, "gamma"), torch::ones({n.out.back()}));
        u.beta = register_parameter(param_name(name, "beta"), torch::zeros({n.out.back()}));
      } else if (n.op == OpKind::Input && n.learned_params > 0) {
        units_[name].param = register_parameter(param_name(name, "param"), torch::randn(n.out) * 0.02);
      }
    }
  }
}

void VitSupernetImpl::check(const VitSubnet& subnet) const {
  std::string why;
  if (!space_.contains(subnet, &why)) throw common::InputError("ViT supernet: " + why);
}

const VitSupernetImpl::SubnetGraph& VitSupernetImpl::graph_of(const VitSubnet& subnet) {
  const std::string key = workloads::to_string(subnet.net);  // the bits do not change the graph
  auto it = graphs_.find(key);
  if (it != graphs_.end()) return it->second;
  SubnetGraph sg{workloads::build_vit_family(subnet.net, "subnet"), {}};
  const workloads::Graph& g = sg.graph;
  sg.nonneg.assign(std::size_t(g.size()), false);
  for (int i = 0; i < g.size(); ++i) {
    const Node& n = g.node(i);
    bool all = true;
    for (int k : n.inputs) all = all && sg.nonneg[std::size_t(k)];
    switch (n.op) {
      case OpKind::Input:
        sg.nonneg[std::size_t(i)] = n.learned_params == 0;  // pixels in [0, 1]; learned tensors signed
        break;
      case OpKind::Activation:
        sg.nonneg[std::size_t(i)] = accuracy::nonneg_activation(n.act);
        break;
      case OpKind::Softmax:
        sg.nonneg[std::size_t(i)] = true;
        break;
      case OpKind::Reshape:
      case OpKind::Add:
      case OpKind::Mul:
      case OpKind::Concat:
        sg.nonneg[std::size_t(i)] = all;
        break;
      default:
        break;
    }
  }
  return graphs_.emplace(key, std::move(sg)).first->second;
}

VitSupernetImpl::Unit& VitSupernetImpl::unit_for(const Node& node, const VitSubnet& subnet) {
  auto it = units_.find(unit_name(node, subnet.net.patch));
  if (it == units_.end())
    throw std::logic_error(fmt::format("ViT supernet: no weights for node '{}'", node.name));
  return it->second;
}

torch::Tensor VitSupernetImpl::effective_weight(const Unit& u, const Node& n) const {
  if (n.op == OpKind::Conv2d)
    return u.weight.slice(0, 0, n.out_channels).slice(1, 0, n.in_channels).contiguous();
  if (!u.qkv) return u.weight.slice(0, 0, n.out_features).slice(1, 0, n.in_features).contiguous();
  const std::int64_t e = n.in_features;  // Q, K and V each take their first e rows
  std::vector<torch::Tensor> parts;
  for (std::int64_t part = 0; part < 3; ++part)
    parts.push_back(u.weight.slice(0, part * embed_max_, part * embed_max_ + e).slice(1, 0, e));
  return torch::cat(parts, 0).contiguous();
}

torch::Tensor VitSupernetImpl::weight_stationary(Unit& u, const Node& n, bool nonneg, const torch::Tensor& x,
                                                 const VitSubnet& subnet, accuracy::Precision precision) {
  const torch::Tensor w = effective_weight(u, n);
  torch::Tensor b;
  if (u.bias.defined()) {
    const std::int64_t outs = n.op == OpKind::Conv2d ? n.out_channels : n.out_features;
    if (u.qkv) {
      const std::int64_t e = n.in_features;
      b = torch::cat({u.bias.slice(0, 0, e), u.bias.slice(0, embed_max_, embed_max_ + e),
                      u.bias.slice(0, 2 * embed_max_, 2 * embed_max_ + e)});
    } else {
      b = u.bias.slice(0, 0, outs);
    }
  }
  if (is_training()) {
    torch::NoGradGuard ng;
    update_range(u.input_max, accuracy::batch_input_max(x, nonneg), range_momentum_);
  }
  // The same calls as GraphNet, so an exported subnet computes the very same numbers.
  if (precision == accuracy::Precision::Float) return accuracy::layer_call(n, x, w, b);
  const accuracy::LayerQuantizer q = accuracy::layer_quantizer(
      w, {subnet.weight_bits, subnet.activation_bits}, nonneg, u.input_max.item<double>());
  if (is_training()) return accuracy::fake_quantized_call(n, x, w, b, q, noise_sigma_);
  return accuracy::integer_call(n, x, w, b, q);
}

torch::Tensor VitSupernetImpl::forward(const torch::Tensor& x, const VitSubnet& subnet,
                                       accuracy::Precision precision) {
  check(subnet);
  const SubnetGraph& sg = graph_of(subnet);
  const workloads::Graph& g = sg.graph;
  const std::int64_t B = x.size(0);
  const torch::Tensor logits = walk_graph(g, [&](const Node& n, const auto& in) {
    torch::Tensor y;
    switch (n.op) {
      case OpKind::Input:
        if (n.learned_params == 0) {
          y = x.reshape(with_batch(B, n.out));
        } else {
          const Unit& u = unit_for(n, subnet);
          y = u.param.slice(0, 0, n.out[0]).slice(1, 0, n.out[1]).unsqueeze(0).expand(with_batch(B, n.out));
        }
        break;
      case OpKind::Conv2d:
      case OpKind::Linear:
        y = weight_stationary(unit_for(n, subnet), n, sg.nonneg[std::size_t(n.inputs[0])], in(0), subnet,
                              precision);
        break;
      case OpKind::LayerNorm: {
        const Unit& u = unit_for(n, subnet);
        const std::int64_t c = n.out.back();
        y = torch::layer_norm(in(0), {c}, u.gamma.slice(0, 0, c), u.beta.slice(0, 0, c));
        break;
      }
      case OpKind::MatMul:
        y = torch::matmul(in(0), in(1));
        break;
      case OpKind::Softmax:
        y = torch::softmax(in(0), -1);
        break;
      case OpKind::Activation:
        if (n.act != ActKind::GELU) throw std::logic_error("ViT supernet: the ViT family uses GELU only");
        y = torch::gelu(in(0));
        break;
      case OpKind::Add:
        y = in(0) + in(1);
        break;
      case OpKind::Concat: {
        std::vector<torch::Tensor> xs;
        for (std::size_t k = 0; k < n.inputs.size(); ++k) xs.push_back(in(int(k)));
        y = torch::cat(xs, n.axis + 1);
        break;
      }
      case OpKind::Reshape:
        switch (n.move) {
          case MoveKind::Reshape:
            y = in(0).reshape(with_batch(B, n.out));
            break;
          case MoveKind::Permute: {
            std::vector<std::int64_t> p{0};
            for (int d : n.perm) p.push_back(d + 1);
            y = in(0).permute(p);
            break;
          }
          case MoveKind::Slice: {
            const std::int64_t len = n.out.at(std::size_t(n.axis));
            y = in(0).slice(n.axis + 1, n.start, n.start + (len - 1) * n.step + 1, n.step);
            break;
          }
          case MoveKind::Pad:
            throw std::logic_error("ViT supernet: unexpected padding");
        }
        break;
      default:
        throw std::logic_error(fmt::format("ViT supernet: node '{}' ({}) is not a ViT-family op", n.name,
                                           workloads::op_label(n)));
    }
    return y;
  });
  return logits.reshape({B, space_.classes});
}

void VitSupernetImpl::recalibrate(const VitSubnet& subnet, const torch::Tensor& images,
                                  accuracy::Precision precision, std::int64_t batch) {
  check(subnet);
  torch::NoGradGuard ng;
  for (const Node& n : graph_of(subnet).graph.nodes())
    if (n.op == OpKind::Conv2d || n.op == OpKind::Linear) unit_for(n, subnet).input_max.zero_();
  const bool was_training = is_training();
  const double range = range_momentum_, noise = noise_sigma_;
  noise_sigma_ = 0;  // statistics without random weight noise (scores must not depend on a worker's state)
  train();
  const std::int64_t count = images.size(0);
  for (std::int64_t k = 0; k * batch < count; ++k) {
    range_momentum_ = 1.0 / double(k + 1);  // after the last batch: the mean batch maximum
    forward(images.slice(0, k * batch, std::min(count, (k + 1) * batch)), subnet, precision);
  }
  range_momentum_ = range, noise_sigma_ = noise;
  train(was_training);
}

ExportedVit VitSupernetImpl::export_subnet(const VitSubnet& subnet, const std::string& name) {
  check(subnet);
  torch::NoGradGuard ng;
  ExportedVit e;
  e.graph = workloads::build_vit_family(subnet.net, name);
  e.net = accuracy::GraphNet(e.graph, accuracy::QuantBits{subnet.weight_bits, subnet.activation_bits},
                             noise_sigma_);
  auto params = e.net->named_parameters();
  auto buffers = e.net->named_buffers();
  // GraphNet names its tensors n<node index>_<what> (graph_net.cpp).
  for (int i = 0; i < e.graph.size(); ++i) {
    const Node& n = e.graph.node(i);
    const std::string id = fmt::format("n{}_", i);
    if (n.op == OpKind::Conv2d || n.op == OpKind::Linear) {
      Unit& u = unit_for(n, subnet);
      copy_into(params, id + "weight", effective_weight(u, n));
      if (n.bias) {
        // The bias as weight_stationary() takes it (Q/K/V parts for attn.qkv).
        const std::int64_t outs = n.op == OpKind::Conv2d ? n.out_channels : n.out_features;
        const std::int64_t ein = n.in_features;
        copy_into(params, id + "bias",
                  u.qkv ? torch::cat({u.bias.slice(0, 0, ein), u.bias.slice(0, embed_max_, embed_max_ + ein),
                                      u.bias.slice(0, 2 * embed_max_, 2 * embed_max_ + ein)})
                        : u.bias.slice(0, 0, outs));
      }
      copy_into(buffers, id + "input_max", u.input_max);
    } else if (n.op == OpKind::LayerNorm) {
      Unit& u = unit_for(n, subnet);
      copy_into(params, id + "gamma", u.gamma.slice(0, 0, n.out.back()));
      copy_into(params, id + "beta", u.beta.slice(0, 0, n.out.back()));
    } else if (n.op == OpKind::Input && n.learned_params > 0) {
      copy_into(params, id + "param", unit_for(n, subnet).param.slice(0, 0, n.out[0]).slice(1, 0, n.out[1]));
    }
  }
  e.net->eval();
  return e;
}

}  // namespace imc::nas::vit_supernet
