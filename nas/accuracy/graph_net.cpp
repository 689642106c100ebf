#include "nas/accuracy/graph_net.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "common/config.h"
#include "nas/accuracy/kernels.h"

namespace imc::nas::accuracy {

using workloads::ActKind;
using workloads::MoveKind;
using workloads::Node;
using workloads::OpKind;

namespace {

constexpr float kRangeMomentum = 0.05f;  // running average of the batch maxima of layer inputs

// The running input range (a 0-dim float buffer) after a batch whose maximum is `batch_max`: the
// first batch sets it. Plain float arithmetic on the buffer: as tensor ops these few scalar
// updates cost more than the small network's pooling.
void update_range(torch::Tensor& amax, float batch_max) {
  float& a = *amax.data_ptr<float>();
  a = a == 0 ? batch_max : a * (1 - kRangeMomentum) + batch_max * kRangeMomentum;
}

std::vector<std::int64_t> with_batch(std::int64_t b, const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> s{b};
  s.insert(s.end(), shape.begin(), shape.end());
  return s;
}

std::string where(const workloads::Graph& g, int i) {
  return fmt::format("workload '{}': node '{}' ({})", g.name(), g.node(i).name,
                     workloads::op_label(g.node(i)));
}

}  // namespace

bool nonneg_activation(ActKind a) {
  return a == ActKind::ReLU || a == ActKind::ReLU6 || a == ActKind::Sigmoid || a == ActKind::HardSigmoid;
}

LayerQuantizer layer_quantizer(const torch::Tensor& weight, QuantBits bits, bool nonneg_inputs,
                               double input_max) {
  LayerQuantizer q;
  q.qw = (1 << (bits.weight_bits - 1)) - 1;
  q.qx = nonneg_inputs ? (1 << bits.input_bits) - 1 : (1 << (bits.input_bits - 1)) - 1;
  q.lo = nonneg_inputs ? 0.0 : -q.qx;
  q.s_w = std::max(weight.detach().abs().max().item<double>(), 1e-12) / q.qw;
  q.s_x = std::max(input_max, 1e-8) / q.qx;
  return q;
}

torch::Tensor layer_call(const Node& n, const torch::Tensor& x, const torch::Tensor& w,
                         const torch::Tensor& b) {
  if (n.op == OpKind::Conv2d)
    return torch::conv2d(x, w, b, {n.stride_h, n.stride_w}, {n.pad_h, n.pad_w}, {n.dilation_h, n.dilation_w},
                         n.groups);
  std::vector<std::int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape.back() = n.out_features;
  return torch::conv2d(x.reshape({-1, n.in_features, 1, 1}), w.view({n.out_features, n.in_features, 1, 1}), b)
      .reshape(shape);
}

torch::Tensor fake_quantized_call(const Node& n, const torch::Tensor& x, const torch::Tensor& w,
                                  const torch::Tensor& b, const LayerQuantizer& q, double noise_sigma,
                                  const at::Generator& noise) {
  // Forward uses the quantized values, backward the identity (inside the clipping range).
  torch::Tensor wq = fake_quant(w, q.s_w, -q.qw, q.qw);
  if (noise_sigma > 0) {
    const torch::Tensor draw =
        noise.defined() ? at::randn(wq.sizes(), noise, wq.options()) : torch::randn_like(wq);
    wq = wq * (1 + noise_sigma * draw);
  }
  return layer_call(n, fake_quant(x, q.s_x, q.lo, q.qx), wq, b);
}

torch::Tensor integer_call(const Node& n, const torch::Tensor& x, const torch::Tensor& w,
                           const torch::Tensor& b, const LayerQuantizer& q, const IntegerProducts& products) {
  const torch::Tensor w_int = (w / q.s_w).round().clamp(-q.qw, q.qw);
  const torch::Tensor x_int = (x / q.s_x).round().clamp(q.lo, q.qx);
  torch::Tensor acc = products ? products(x_int, w_int) : layer_call(n, x_int, w_int, torch::Tensor());
  acc = acc * (q.s_w * q.s_x);
  if (b.defined()) acc = n.op == OpKind::Conv2d ? acc + b.view({1, -1, 1, 1}) : acc + b;
  return acc;
}

float batch_input_max(const torch::Tensor& x, bool nonneg_inputs) {
  if (nonneg_inputs) return std::max(0.f, x.max().item<float>());
  const auto [lo, hi] = torch::aminmax(x);  // max |x| without an |x| temporary
  return std::max(-lo.item<float>(), hi.item<float>());
}

void check_fmnist_graph(const workloads::Graph& g) {
  int inputs = 0;
  for (int i = 0; i < g.size(); ++i) {
    const Node& n = g.node(i);
    if (n.op == OpKind::Input && n.learned_params == 0) {
      ++inputs;
      if (workloads::elements_of(n.out) != 28 * 28)
        throw common::InputError(
            fmt::format("{}: input shape {} has {} elements; Fashion-MNIST images have 784 "
                        "(allowed: [1,28,28], [28,28], [784], ...)",
                        where(g, i), workloads::shape_str(n.out), workloads::elements_of(n.out)));
    }
  }
  if (inputs != 1)
    throw common::InputError(
        fmt::format("workload '{}': {} data inputs; the accuracy evaluator needs exactly one "
                    "(a 784-element image)",
                    g.name(), inputs));
  const int last = g.size() - 1;
  if (workloads::elements_of(g.node(last).out) != 10)
    throw common::InputError(
        fmt::format("{}: the last node has output {} ; Fashion-MNIST needs 10 class scores", where(g, last),
                    workloads::shape_str(g.node(last).out)));
}

GraphNetImpl::GraphNetImpl(const workloads::Graph& graph, QuantBits bits, double noise_sigma)
    : GraphNetImpl(graph, bits, noise_sigma, nullptr) {}

GraphNetImpl::GraphNetImpl(const workloads::Graph& graph, QuantBits bits, double noise_sigma,
                           const GraphNetImpl* master)
    : graph_(graph), bits_(bits), noise_sigma_(noise_sigma) {
  check_fmnist_graph(graph_);
  if (bits_.weight_bits < 2 || bits_.weight_bits > 16 || bits_.input_bits < 2 || bits_.input_bits > 16)
    throw common::InputError(fmt::format("accuracy: weight_bits {} / input_bits {}: allowed 2..16",
                                         bits_.weight_bits, bits_.input_bits));
  const std::size_t n = std::size_t(graph_.size());
  weight_.resize(n), bias_.resize(n), gamma_.resize(n), beta_.resize(n), mean_.resize(n), var_.resize(n),
      amax_.resize(n), param_.resize(n), batch_max_.assign(n, 0.f);
  nonneg_.assign(n, false);
  // A shard replica registers the master's parameter tensors themselves and copies of its buffers;
  // the initializers below then never run (they would draw from torch's generator).
  auto param = [&](std::vector<torch::Tensor> GraphNetImpl::*field, int i, const std::string& name,
                   auto init) {
    return register_parameter(name, master ? (master->*field)[std::size_t(i)] : init());
  };
  auto buffer = [&](std::vector<torch::Tensor> GraphNetImpl::*field, int i, const std::string& name,
                    auto init) {
    return register_buffer(name, master ? (master->*field)[std::size_t(i)].detach().clone() : init());
  };
  for (int i = 0; i < graph_.size(); ++i) {
    const Node& nd = graph_.node(i);
    const std::string id = fmt::format("n{}", i);
    auto all_nonneg = [&] {
      for (int k : nd.inputs)
        if (!nonneg_[std::size_t(k)]) return false;
      return true;
    };
    switch (nd.op) {
      case OpKind::Input:
        if (nd.learned_params == 0) {
          data_input_ = i;
          nonneg_[std::size_t(i)] = true;  // pixels in [0, 1]
        } else {
          param_[std::size_t(i)] =
              param(&GraphNetImpl::param_, i, id + "_param", [&] { return torch::randn(nd.out) * 0.02; });
        }
        break;
      case OpKind::Conv2d:
      case OpKind::Linear: {
        const bool conv = nd.op == OpKind::Conv2d;
        const std::int64_t fan_in =
            conv ? nd.in_channels / nd.groups * nd.kernel_h * nd.kernel_w : nd.in_features;
        const std::int64_t outs = conv ? nd.out_channels : nd.out_features;
        // torch's default initialization of Conv2d / Linear.
        weight_[std::size_t(i)] = param(&GraphNetImpl::weight_, i, id + "_weight", [&] {
          torch::Tensor w =
              conv ? torch::empty({nd.out_channels, nd.in_channels / nd.groups, nd.kernel_h, nd.kernel_w})
                   : torch::empty({nd.out_features, nd.in_features});
          torch::nn::init::kaiming_uniform_(w, std::sqrt(5.0));
          return w;
        });
        if (nd.bias) {
          const double bound = 1.0 / std::sqrt(double(fan_in));
          bias_[std::size_t(i)] = param(&GraphNetImpl::bias_, i, id + "_bias",
                                        [&] { return torch::empty({outs}).uniform_(-bound, bound); });
        }
        amax_[std::size_t(i)] =
            buffer(&GraphNetImpl::amax_, i, id + "_input_max", [] { return torch::zeros({}); });
        break;
      }
      case OpKind::BatchNorm: {
        const std::int64_t c = nd.out.at(std::size_t(nd.axis));
        gamma_[std::size_t(i)] =
            param(&GraphNetImpl::gamma_, i, id + "_gamma", [&] { return torch::ones({c}); });
        beta_[std::size_t(i)] =
            param(&GraphNetImpl::beta_, i, id + "_beta", [&] { return torch::zeros({c}); });
        mean_[std::size_t(i)] =
            buffer(&GraphNetImpl::mean_, i, id + "_running_mean", [&] { return torch::zeros({c}); });
        var_[std::size_t(i)] =
            buffer(&GraphNetImpl::var_, i, id + "_running_var", [&] { return torch::ones({c}); });
        break;
      }
      case OpKind::LayerNorm: {
        const std::int64_t c = nd.out.back();
        gamma_[std::size_t(i)] =
            param(&GraphNetImpl::gamma_, i, id + "_gamma", [&] { return torch::ones({c}); });
        beta_[std::size_t(i)] =
            param(&GraphNetImpl::beta_, i, id + "_beta", [&] { return torch::zeros({c}); });
        break;
      }
      case OpKind::Activation:
        nonneg_[std::size_t(i)] = nonneg_activation(nd.act);
        break;
      case OpKind::Softmax:
        nonneg_[std::size_t(i)] = true;
        break;
      case OpKind::MaxPool:
      case OpKind::AvgPool:
      case OpKind::GlobalAvgPool:
      case OpKind::Reshape:
      case OpKind::Add:
      case OpKind::Mul:
      case OpKind::Concat:
        nonneg_[std::size_t(i)] = all_nonneg();
        break;
      case OpKind::MatMul:
        break;
    }
  }
}

std::shared_ptr<GraphNetImpl> GraphNetImpl::shard_replica(std::uint64_t noise_seed) const {
  auto r = std::shared_ptr<GraphNetImpl>(new GraphNetImpl(graph_, bits_, noise_sigma_, this));
  r->noise_generator_ = at::make_generator<at::CPUGeneratorImpl>(noise_seed);
  r->train(is_training());
  return r;
}

void GraphNetImpl::load_buffers_from(const GraphNetImpl& master) {
  torch::NoGradGuard ng;
  for (std::size_t i = 0; i < amax_.size(); ++i) {
    if (amax_[i].defined()) amax_[i].copy_(master.amax_[i]);
    if (mean_[i].defined()) mean_[i].copy_(master.mean_[i]), var_[i].copy_(master.var_[i]);
  }
}

void GraphNetImpl::merge_shard_buffers(const std::vector<GraphNetImpl*>& shards,
                                       const std::vector<double>& weights) {
  torch::NoGradGuard ng;
  for (std::size_t i = 0; i < amax_.size(); ++i) {
    if (mean_[i].defined()) {
      // Each shard moved its running statistics from the same start; their weighted mean is the
      // move toward the weighted mean of the shards' batch statistics.
      std::vector<torch::Tensor> means, vars;
      for (const GraphNetImpl* s : shards) means.push_back(s->mean_[i]), vars.push_back(s->var_[i]);
      mean_[i].copy_(weighted_sum(means, weights)), var_[i].copy_(weighted_sum(vars, weights));
    }
    if (amax_[i].defined()) {
      // The step's batch maximum is the largest shard maximum (exact, in any order).
      float m = shards[0]->batch_max_[i];
      for (std::size_t s = 1; s < shards.size(); ++s) m = std::max(m, shards[s]->batch_max_[i]);
      update_range(amax_[i], m);
    }
  }
}

std::vector<int> GraphNetImpl::crossbar_nodes() const {
  std::vector<int> out;
  for (int i = 0; i < graph_.size(); ++i)
    if (graph_.is_weight_stationary(i)) out.push_back(i);
  return out;
}

int GraphNetImpl::input_levels(int node) const {
  const int producer = graph_.node(node).inputs.at(0);
  return nonneg_[std::size_t(producer)] ? (1 << bits_.input_bits) - 1 : (1 << (bits_.input_bits - 1)) - 1;
}

double GraphNetImpl::weight_scale(int node) const {
  const torch::Tensor& w = weight_.at(std::size_t(node));
  const double qmax = (1 << (bits_.weight_bits - 1)) - 1;
  return std::max(w.detach().abs().max().item<double>(), 1e-12) / qmax;
}

double GraphNetImpl::input_scale(int node) const {
  return std::max(amax_.at(std::size_t(node)).item<double>(), 1e-8) / input_levels(node);
}

std::vector<std::int32_t> GraphNetImpl::int_weights(int node) const {
  torch::NoGradGuard ng;
  const workloads::WeightMatrix m = graph_.weight_matrix(node);
  const double qmax = (1 << (bits_.weight_bits - 1)) - 1;
  torch::Tensor wi = (weight_.at(std::size_t(node)).detach() / weight_scale(node)).round().clamp(-qmax, qmax);
  // Conv [Cout, Cin/g, kh, kw] and Linear [out, in] both become groups x rows x cols.
  wi = wi.reshape({m.groups, m.cols, m.rows}).permute({0, 2, 1}).contiguous().to(torch::kInt32);
  return std::vector<std::int32_t>(wi.data_ptr<std::int32_t>(), wi.data_ptr<std::int32_t>() + wi.numel());
}

torch::Tensor GraphNetImpl::weight_stationary(int i, const torch::Tensor& x, Precision precision,
                                              CrossbarBackend* backend, std::uint64_t stream) {
  const Node& n = graph_.node(i);
  const torch::Tensor& w = weight_[std::size_t(i)];
  const torch::Tensor& b = bias_[std::size_t(i)];
  const bool nonneg = nonneg_[std::size_t(n.inputs[0])];
  if (is_training()) {  // track the input range whatever the precision, for later quantized use
    torch::NoGradGuard ng;
    batch_max_[std::size_t(i)] = batch_input_max(x, nonneg);
    update_range(amax_[std::size_t(i)], batch_max_[std::size_t(i)]);
  }
  if (precision == Precision::Float) return layer_call(n, x, w, b);

  const LayerQuantizer q = layer_quantizer(w, bits_, nonneg, amax_.at(std::size_t(i)).item<double>());
  if (is_training()) return fake_quantized_call(n, x, w, b, q, noise_sigma_, noise_generator_);
  IntegerProducts crossbars;
  if (backend && n.op == OpKind::Conv2d) {
    crossbars = [&](const torch::Tensor& x_int, const torch::Tensor&) {
      const torch::Tensor out = backend->matmul(i, patches(x_int, n), stream);  // [B * OH * OW, Cout]
      return channels_first(out, x.size(0), n.out_channels, n.out.at(1), n.out.at(2));
    };
  } else if (backend) {
    crossbars = [&](const torch::Tensor& x_int, const torch::Tensor&) {
      const torch::Tensor flat = x_int.reshape({-1, n.in_features}).contiguous();
      std::vector<std::int64_t> shape(x.sizes().begin(), x.sizes().end());
      shape.back() = n.out_features;
      return backend->matmul(i, flat, stream).reshape(shape);
    };
  }
  return integer_call(n, x, w, b, q, crossbars);
}

torch::Tensor GraphNetImpl::digital(int i, const std::vector<torch::Tensor>& in) {
  const Node& n = graph_.node(i);
  const torch::Tensor& x = in.empty() ? torch::Tensor() : in[0];
  switch (n.op) {
    case OpKind::MatMul:
      return torch::matmul(in[0], in[1]);
    case OpKind::MaxPool:
      return max_pool2d(x, n.kernel_h, n.kernel_w, n.stride_h, n.stride_w, n.pad_h, n.pad_w);
    case OpKind::AvgPool:
      return torch::avg_pool2d(x, {n.kernel_h, n.kernel_w}, {n.stride_h, n.stride_w}, {n.pad_h, n.pad_w});
    case OpKind::GlobalAvgPool:
      return x.mean({2, 3}, true);
    case OpKind::Add:
      return in[0] + in[1];
    case OpKind::Mul:
      return in[0] * in[1];
    case OpKind::Concat:
      return torch::cat(in, n.axis + 1);
    case OpKind::Activation:
      switch (n.act) {
        case ActKind::ReLU:
          return torch::relu(x);
        case ActKind::ReLU6:
          return torch::hardtanh(x, 0, 6);
        case ActKind::GELU:
          return torch::gelu(x);
        case ActKind::Sigmoid:
          return torch::sigmoid(x);
        case ActKind::HardSigmoid:
          return torch::hardsigmoid(x);
        case ActKind::HardSwish:
          return torch::hardswish(x);
        case ActKind::Tanh:
          return torch::tanh(x);
        case ActKind::SiLU:
          return torch::silu(x);
      }
      break;
    case OpKind::BatchNorm: {
      const std::int64_t ch = n.axis + 1;
      const torch::Tensor xm = ch == 1 ? x : x.movedim(ch, 1);
      torch::Tensor y =
          torch::batch_norm(xm, gamma_[std::size_t(i)], beta_[std::size_t(i)], mean_[std::size_t(i)],
                            var_[std::size_t(i)], is_training(), 0.1, 1e-5, false);
      return ch == 1 ? y : y.movedim(1, ch);
    }
    case OpKind::LayerNorm:
      return torch::layer_norm(x, {n.out.back()}, gamma_[std::size_t(i)], beta_[std::size_t(i)]);
    case OpKind::Softmax:
      return torch::softmax(x, -1);
    case OpKind::Reshape: {
      const std::int64_t B = x.size(0);
      switch (n.move) {
        case MoveKind::Reshape:
          return x.reshape(with_batch(B, n.out));
        case MoveKind::Permute: {
          std::vector<std::int64_t> p{0};
          for (int d : n.perm) p.push_back(d + 1);
          return x.permute(p);
        }
        case MoveKind::Slice: {
          const std::int64_t len = n.out.at(std::size_t(n.axis));
          return x.slice(n.axis + 1, n.start, n.start + (len - 1) * n.step + 1, n.step);
        }
        case MoveKind::Pad: {
          const std::int64_t dims = x.dim(), d = n.axis + 1;
          const std::int64_t after = n.out.at(std::size_t(n.axis)) - x.size(d) - n.pad_before;
          std::vector<std::int64_t> pads(std::size_t(2 * (dims - d)), 0);  // last dim first
          pads[pads.size() - 2] = n.pad_before;
          pads[pads.size() - 1] = after;
          return torch::constant_pad_nd(x, pads, 0);
        }
      }
      break;
    }
    default:
      break;
  }
  throw common::InputError(fmt::format("{}: not supported by the accuracy evaluator", where(graph_, i)));
}

torch::Tensor GraphNetImpl::forward(const torch::Tensor& x, Precision precision, CrossbarBackend* backend,
                                    std::uint64_t stream) {
  const std::int64_t B = x.size(0);
  std::vector<torch::Tensor> out(std::size_t(graph_.size()));
  for (int i = 0; i < graph_.size(); ++i) {
    const Node& n = graph_.node(i);
    torch::Tensor y;
    if (n.op == OpKind::Input) {
      y = i == data_input_ ? x.reshape(with_batch(B, n.out))
                           : param_[std::size_t(i)].unsqueeze(0).expand(with_batch(B, n.out));
    } else if (graph_.is_weight_stationary(i)) {
      y = weight_stationary(i, out[std::size_t(n.inputs[0])], precision, backend, stream);
    } else {
      std::vector<torch::Tensor> in;
      for (int k : n.inputs) in.push_back(out[std::size_t(k)]);
      y = digital(i, in);
    }
    if (y.sizes() != torch::IntArrayRef(with_batch(B, n.out)))
      throw common::InputError(fmt::format("{}: torch computes shape {} where the graph says {}",
                                           where(graph_, i), fmt::join(y.sizes().slice(1), "x"),
                                           workloads::shape_str(n.out)));
    out[std::size_t(i)] = std::move(y);
  }
  return out.back().reshape({B, 10});
}

}  // namespace imc::nas::accuracy
