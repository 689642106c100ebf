#include "nas/supernet/supernet.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/config.h"
#include "nas/accuracy/kernels.h"
#include "nas/supernet/module_parts.h"

namespace imc::nas::supernet {

using workloads::ActKind;
using workloads::MoveKind;
using workloads::Node;
using workloads::OpKind;

namespace {

bool ends_with(const std::string& s, const std::string& e) {
  return s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
}

// The unit (shared weights) a node of a family graph uses: "s1.b0.conv1.conv" and
// "s1.b0.conv1.bn" -> "s1.b0.conv1". The head (fc1, classifier) reads the pooled output of the last
// stage, so a network with fewer stages feeds it other features (another stage's, fewer of them):
// each stage count has a head of its own ("classifier.s2"), as OFA keeps its head by never removing
// a stage. Sharing one head made every subnet with fewer stages than the largest score near chance.
// The classifier after a hidden layer reads other features than the one after the pooling, so it is
// a unit of its own too ("classifier.s2.after_fc1").
// Plain and residual blocks compute different functions with the same layer names: a plain block's
// conv1 makes the block's output, a residual block's conv1 an intermediate that conv2 and the
// shortcut complete. Sharing one weight made every plain subnet 10+ points worse than the residual
// one of the same size (docs/supernet.md "Plain and residual units"), so a plain subnet's block
// layers are units of their own ("s1.b0.conv1.plain").
std::string unit_name(const Node& n, const Subnet& s) {
  std::string name = n.name;
  for (const char* suffix : {".conv", ".bn"})
    if (ends_with(name, suffix)) {
      name = name.substr(0, name.size() - std::string(suffix).size());
      return s.net.residual ? name : name + ".plain";  // every such node lies in a block
    }
  // The head reads plain or residual features (other functions): its own per block kind too.
  const char* kind = s.net.residual ? "" : ".plain";
  if (name == "fc1") return fmt::format("fc1.s{}{}", s.net.stages, kind);
  if (name == "classifier")
    return fmt::format("classifier.s{}{}{}", s.net.stages, s.net.fc_hidden > 0 ? ".after_fc1" : "", kind);
  return name;
}

// Largest shape of every unit over the networks that together use every unit: the largest choice
// of each size gene, with each stage count (its own head), each residual choice, both block kinds and
// both classifier kinds.
struct UnitShape {
  std::int64_t out = 0, in = 0, kernel = 1;  // in: per group (1 for depthwise)
  bool conv = false, bias = false, batchnorm = false;
};

std::map<std::string, UnitShape> unit_shapes(const SupernetSpace& space) {
  std::map<std::string, UnitShape> shapes;
  std::vector<int> expansions{space.expansion.front()};
  if (space.expansion.back() != space.expansion.front()) expansions.push_back(space.expansion.back());
  std::vector<int> fcs{space.fc_hidden.front()};
  if (space.fc_hidden.back() != space.fc_hidden.front()) fcs.push_back(space.fc_hidden.back());
  for (int stages : space.stages)
    for (bool residual : space.residual)
      for (int e : expansions)
        for (int fc : fcs) {
          Subnet s = space.largest();
          s.net.stages = stages, s.net.residual = residual, s.net.expansion = e, s.net.fc_hidden = fc;
          const workloads::Graph g = workloads::build_cnn_family(s.net, "supernet");
          for (const Node& n : g.nodes()) {
            if (n.op != OpKind::Conv2d && n.op != OpKind::Linear && n.op != OpKind::BatchNorm) continue;
            UnitShape& u = shapes[unit_name(n, s)];
            if (n.op == OpKind::Conv2d) {
              u.conv = true;
              u.out = std::max(u.out, n.out_channels);
              u.in = std::max(u.in, n.in_channels / n.groups);
              u.kernel = std::max(u.kernel, n.kernel_h);
            } else if (n.op == OpKind::Linear) {
              u.out = std::max(u.out, n.out_features);
              u.in = std::max(u.in, n.in_features);
              u.bias = u.bias || n.bias;
            } else {
              u.batchnorm = true;
            }
          }
        }
  return shapes;
}

}  // namespace

SupernetImpl::SupernetImpl(SupernetSpace space, SupernetOptions options)
    : space_(std::move(space)), options_(options) {
  for (const auto& [name, shape] : unit_shapes(space_)) {
    Unit& u = units_[name];
    u.kernel = shape.kernel;
    // torch's default initialization of Conv2d / Linear, as GraphNet.
    torch::Tensor w = shape.conv ? torch::empty({shape.out, shape.in, shape.kernel, shape.kernel})
                                 : torch::empty({shape.out, shape.in});
    torch::nn::init::kaiming_uniform_(w, std::sqrt(5.0));
    u.weight = register_parameter(param_name(name, "weight"), w);
    if (shape.bias) {
      const double bound = 1.0 / std::sqrt(double(shape.in * shape.kernel * shape.kernel));
      u.bias =
          register_parameter(param_name(name, "bias"), torch::empty({shape.out}).uniform_(-bound, bound));
    }
    u.input_max = register_buffer(param_name(name, "input_max"), torch::zeros({}));
    if (shape.batchnorm) {
      u.gamma = register_parameter(param_name(name, "gamma"), torch::ones({shape.out}));
      u.beta = register_parameter(param_name(name, "beta"), torch::zeros({shape.out}));
      u.mean = register_buffer(param_name(name, "running_mean"), torch::zeros({shape.out}));
      u.var = register_buffer(param_name(name, "running_var"), torch::ones({shape.out}));
    }
    if (options_.kernel_transform && shape.kernel > 1)
      for (int k : space_.kernel)
        if (k < shape.kernel)
          u.transform[k] = register_parameter(param_name(name, fmt::format("transform{}", k).c_str()),
                                              torch::eye(std::int64_t(k) * k));
  }
}

void SupernetImpl::check(const Subnet& subnet) const {
  std::string why;
  if (!space_.contains(subnet, &why)) throw common::InputError("supernet: " + why);
}

const workloads::Graph& SupernetImpl::graph_of(const Subnet& subnet) {
  Subnet any_bits = subnet;  // the bits do not change the graph
  any_bits.weight_bits = any_bits.activation_bits = 0;
  const std::string key = to_string(any_bits);
  auto it = graphs_.find(key);
  if (it == graphs_.end()) it = graphs_.emplace(key, workloads::build_cnn_family(subnet.net, "subnet")).first;
  return it->second;
}

SupernetImpl::Unit& SupernetImpl::unit_for(const Node& node, const Subnet& subnet) {
  auto it = units_.find(unit_name(node, subnet));
  if (it == units_.end())  // cannot happen for a subnet of the space: unit_shapes covers them all
    throw std::logic_error(fmt::format("supernet: no weights for node '{}'", node.name));
  return it->second;
}

torch::Tensor SupernetImpl::effective_weight(const Unit& u, const Node& n) const {
  if (n.op == OpKind::Linear)
    return u.weight.slice(0, 0, n.out_features).slice(1, 0, n.in_features).contiguous();
  torch::Tensor w = u.weight.slice(0, 0, n.out_channels).slice(1, 0, n.in_channels / n.groups);
  // Centre crop, one kernel size at a time from the largest down (OFA's chain of transforms).
  std::int64_t k = u.kernel;
  while (k > n.kernel_h) {
    std::int64_t next = 1;
    for (int c : space_.kernel)
      if (c < k) next = std::max<std::int64_t>(next, c);
    if (next < n.kernel_h) next = n.kernel_h;
    const std::int64_t off = (k - next) / 2;
    w = w.slice(2, off, off + next).slice(3, off, off + next);
    auto t = u.transform.find(int(next));
    if (t != u.transform.end()) {
      const auto sizes = w.sizes().vec();
      w = torch::matmul(w.reshape({-1, next * next}), t->second.t()).reshape(sizes);
    }
    k = next;
  }
  return w.contiguous();
}

torch::Tensor SupernetImpl::weight_stationary(Unit& u, const Node& n, const torch::Tensor& x,
                                              const Subnet& subnet, accuracy::Precision precision) {
  const torch::Tensor w = effective_weight(u, n);
  const torch::Tensor b = u.bias.defined() ? u.bias.slice(0, 0, n.out_features) : torch::Tensor();
  if (is_training()) {
    torch::NoGradGuard ng;
    float batch_max = x.max().item<float>();
    if (recalibrating_ && range_quantile_ < 1) {  // clip the rare largest inputs (recalibration only)
      const torch::Tensor flat = x.reshape({-1});
      const std::int64_t k = std::clamp<std::int64_t>(
          std::int64_t(std::ceil(range_quantile_ * double(flat.numel()))), 1, flat.numel());
      batch_max = std::get<0>(flat.kthvalue(k)).item<float>();
    }
    update_range(u.input_max, std::max(0.f, batch_max), range_momentum_);
  }
  // The same calls as GraphNet, so an exported subnet computes the very same numbers; every
  // crossbar input of the family is non-negative (it follows a ReLU or is the image).
  if (precision == accuracy::Precision::Float) return accuracy::layer_call(n, x, w, b);
  const accuracy::LayerQuantizer q = accuracy::layer_quantizer(
      w, {subnet.weight_bits, subnet.activation_bits}, true, u.input_max.item<double>());
  if (is_training()) return accuracy::fake_quantized_call(n, x, w, b, q, options_.noise_sigma);
  return accuracy::integer_call(n, x, w, b, q);
}

torch::Tensor SupernetImpl::forward(const torch::Tensor& x, const Subnet& subnet,
                                    accuracy::Precision precision) {
  check(subnet);
  const workloads::Graph& g = graph_of(subnet);
  const std::int64_t B = x.size(0);
  const torch::Tensor logits = walk_graph(g, [&](const Node& n, const auto& in) {
    torch::Tensor y;
    switch (n.op) {
      case OpKind::Input:
        y = x.reshape(with_batch(B, n.out));
        break;
      case OpKind::Conv2d:
      case OpKind::Linear:
        y = weight_stationary(unit_for(n, subnet), n, in(0), subnet, precision);
        break;
      case OpKind::BatchNorm: {
        Unit& u = unit_for(n, subnet);
        const std::int64_t c = n.out.at(0);
        y = torch::batch_norm(in(0), u.gamma.slice(0, 0, c), u.beta.slice(0, 0, c), u.mean.slice(0, 0, c),
                              u.var.slice(0, 0, c), is_training(), bn_momentum_, 1e-5, false);
        break;
      }
      case OpKind::Activation:
        if (n.act != ActKind::ReLU) throw std::logic_error("supernet: the CNN family uses ReLU only");
        y = torch::relu(in(0));
        break;
      case OpKind::Add:
        y = in(0) + in(1);
        break;
      case OpKind::GlobalAvgPool:
        y = in(0).mean({2, 3}, true);
        break;
      case OpKind::Reshape:
        if (n.move != MoveKind::Reshape) throw std::logic_error("supernet: unexpected data movement");
        y = in(0).reshape(with_batch(B, n.out));
        break;
      default:
        throw std::logic_error(
            fmt::format("supernet: node '{}' ({}) is not a CNN-family op", n.name, workloads::op_label(n)));
    }
    return y;
  });
  return logits.reshape({B, space_.classes});
}

void SupernetImpl::recalibrate(const Subnet& subnet, const torch::Tensor& images,
                               accuracy::Precision precision, std::int64_t batch) {
  check(subnet);
  torch::NoGradGuard ng;
  const workloads::Graph& g = graph_of(subnet);
  for (const Node& n : g.nodes()) {
    if (n.op == OpKind::Conv2d || n.op == OpKind::Linear) unit_for(n, subnet).input_max.zero_();
    if (n.op == OpKind::BatchNorm) {
      Unit& u = unit_for(n, subnet);
      u.mean.zero_(), u.var.fill_(1);
    }
  }
  const bool was_training = is_training();
  const double bn = bn_momentum_, range = range_momentum_;
  // Training mode for the batch statistics only: no injected weight noise, which would make the
  // statistics random (and a candidate's score depend on the random state of its worker).
  const double noise = options_.noise_sigma;
  options_.noise_sigma = 0;
  train();
  recalibrating_ = true;
  const std::int64_t n = images.size(0);
  for (std::int64_t k = 0; k * batch < n; ++k) {
    // Momentum 1/(k+1): after the last batch each running value is the mean over the batches.
    bn_momentum_ = range_momentum_ = 1.0 / double(k + 1);
    forward(images.slice(0, k * batch, std::min(n, (k + 1) * batch)), subnet, precision);
  }
  bn_momentum_ = bn, range_momentum_ = range;
  recalibrating_ = false;
  options_.noise_sigma = noise;
  train(was_training);
}

ExportedSubnet SupernetImpl::export_subnet(const Subnet& subnet, const std::string& name) {
  check(subnet);
  torch::NoGradGuard ng;
  ExportedSubnet e;
  e.graph = workloads::build_cnn_family(subnet.net, name);
  e.net = accuracy::GraphNet(e.graph, accuracy::QuantBits{subnet.weight_bits, subnet.activation_bits},
                             options_.noise_sigma);
  // GraphNet names its tensors n<node index>_<what> (graph_net.cpp).
  auto params = e.net->named_parameters();
  auto buffers = e.net->named_buffers();
  for (int i = 0; i < e.graph.size(); ++i) {
    const Node& n = e.graph.node(i);
    const std::string id = fmt::format("n{}_", i);
    if (n.op == OpKind::Conv2d || n.op == OpKind::Linear) {
      Unit& u = unit_for(n, subnet);
      copy_into(params, id + "weight", effective_weight(u, n));
      if (n.bias) copy_into(params, id + "bias", u.bias.slice(0, 0, n.out_features));
      copy_into(buffers, id + "input_max", u.input_max);
    } else if (n.op == OpKind::BatchNorm) {
      Unit& u = unit_for(n, subnet);
      const std::int64_t c = n.out.at(0);
      copy_into(params, id + "gamma", u.gamma.slice(0, 0, c));
      copy_into(params, id + "beta", u.beta.slice(0, 0, c));
      copy_into(buffers, id + "running_mean", u.mean.slice(0, 0, c));
      copy_into(buffers, id + "running_var", u.var.slice(0, 0, c));
    }
  }
  e.net->eval();
  return e;
}

}  // namespace imc::nas::supernet
