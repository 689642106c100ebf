#include "nas/accuracy/graph_net.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "common/config.h"

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

bool nonneg_activation(ActKind a) {
  return a == ActKind::ReLU || a == ActKind::ReLU6 || a == ActKind::Sigmoid || a == ActKind::HardSigmoid;
}

std::string where(const workloads::Graph& g, int i) {
  return fmt::format("workload '{}': node '{}' ({})", g.name(), g.node(i).name, workloads::op_label(g.node(i)));
}

// Max pooling of [N, C, H, W] floats (any kernel, stride and padding; floor mode, like
// torch::max_pool2d) that keeps each output's argmax for the backward pass. Same results as
// torch's, ties and NaN included (the first maximum in scan order; NaN wins), but torch 1.13's CPU
// max_pool2d_with_indices is several times slower on small feature maps: pooling was a fifth of
// the training time of the small reference CNN.
// 2x2 windows at stride 2 without padding (the common case), one input row pair at a time: the
// general loop's scan order and NaN rule (a value is taken if it is larger or NaN) written as
// selects, which the compiler turns into vector code (the branches mispredicted on every other
// window), with the window position (0..3) of the taken value in `arg` when it is not null.
void max_pool_2x2(const float* in, std::int64_t W, std::int64_t OH, std::int64_t OW, float* out, std::uint8_t* arg) {
  constexpr std::int64_t kChunk = 64;
  float v[4][kChunk];
  std::int32_t at[kChunk];
  for (std::int64_t oh = 0; oh < OH; ++oh) {
    const float* r0 = in + 2 * oh * W;
    const float* r1 = r0 + W;
    for (std::int64_t o0 = 0; o0 < OW; o0 += kChunk) {
      const std::int64_t len = std::min(kChunk, OW - o0);
      for (std::int64_t j = 0; j < len; ++j) {
        const std::int64_t c = 2 * (o0 + j);
        v[0][j] = r0[c], v[1][j] = r0[c + 1], v[2][j] = r1[c], v[3][j] = r1[c + 1];
      }
      float* o = out + oh * OW + o0;
      for (std::int64_t j = 0; j < len; ++j) {
        float best = v[0][j];
        std::int32_t k = 0;
        for (std::int32_t q = 1; q < 4; ++q) {
          const bool take = v[q][j] > best || v[q][j] != v[q][j];  // v != v: NaN
          best = take ? v[q][j] : best;
          k = take ? q : k;
        }
        o[j] = best;
        at[j] = k;
      }
      if (arg)
        for (std::int64_t j = 0; j < len; ++j) arg[oh * OW + o0 + j] = std::uint8_t(at[j]);
    }
  }
}

// Backward of one output row of max_pool_2x2: each window's gradient to its taken position, 0 to
// the other three (the windows tile the input row pair; a last odd column gets 0). Restrict
// pointers: the rows never overlap, which lets the compiler vectorize the selects.
void max_unpool_2x2(const float* __restrict g, const std::uint8_t* __restrict at, std::int64_t OW,
                    float* __restrict r0, float* __restrict r1, std::int64_t W) {
  // Bit masks rather than float selects: those compile to branches here.
  typedef std::uint32_t bits __attribute__((may_alias));
  const auto* gb = reinterpret_cast<const bits*>(g);
  auto* b0 = reinterpret_cast<bits*>(r0);
  auto* b1 = reinterpret_cast<bits*>(r1);
  for (std::int64_t ow = 0; ow < OW; ++ow) {
    const std::uint32_t v = gb[ow], k = at[ow];
    b0[2 * ow] = v & (0u - std::uint32_t(k == 0));
    b0[2 * ow + 1] = v & (0u - std::uint32_t(k == 1));
    b1[2 * ow] = v & (0u - std::uint32_t(k == 2));
    b1[2 * ow + 1] = v & (0u - std::uint32_t(k == 3));
  }
  if (W > 2 * OW) r0[W - 1] = r1[W - 1] = 0.f;
}

// Forward pooling; the argmax per output (for the backward pass) only when `keep`: a uint8 window
// position for 2x2 windows, else an int32 offset in the input plane.
std::pair<torch::Tensor, torch::Tensor> max_pool_forward(const torch::Tensor& input, std::int64_t kh, std::int64_t kw,
                                                         std::int64_t sh, std::int64_t sw, std::int64_t ph,
                                                         std::int64_t pw, bool keep) {
  const torch::Tensor x = input.contiguous();
  const std::int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const std::int64_t OH = (H + 2 * ph - kh) / sh + 1, OW = (W + 2 * pw - kw) / sw + 1;
  const bool two = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
  torch::Tensor y = torch::empty({x.size(0), x.size(1), OH, OW}, x.options());
  torch::Tensor idx;
  if (keep) idx = torch::empty({x.size(0), x.size(1), OH, OW}, x.options().dtype(two ? torch::kUInt8 : torch::kInt32));
  const float* xp = x.data_ptr<float>();
  float* yp = y.data_ptr<float>();
  at::parallel_for(0, planes, 8, [&](std::int64_t p0, std::int64_t p1) {
    for (std::int64_t p = p0; p < p1; ++p) {
      const float* in = xp + p * H * W;
      float* out = yp + p * OH * OW;
      if (two) {
        max_pool_2x2(in, W, OH, OW, out, keep ? idx.data_ptr<std::uint8_t>() + p * OH * OW : nullptr);
        continue;
      }
      std::int32_t* arg = keep ? idx.data_ptr<std::int32_t>() + p * OH * OW : nullptr;
      for (std::int64_t oh = 0; oh < OH; ++oh)
        for (std::int64_t ow = 0; ow < OW; ++ow) {
          float best = -std::numeric_limits<float>::infinity();
          std::int64_t at = -1;
          for (std::int64_t i = 0; i < kh; ++i) {
            const std::int64_t ih = oh * sh - ph + i;
            if (ih < 0 || ih >= H) continue;
            for (std::int64_t j = 0; j < kw; ++j) {
              const std::int64_t iw = ow * sw - pw + j;
              if (iw < 0 || iw >= W) continue;
              const float v = in[ih * W + iw];
              if (at < 0 || v > best || std::isnan(v)) {
                best = v;
                at = ih * W + iw;
              }
            }
          }
          out[oh * OW + ow] = best;
          if (arg) arg[oh * OW + ow] = std::int32_t(at);
        }
    }
  });
  return {y, idx};
}

class MaxPool2d : public torch::autograd::Function<MaxPool2d> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input, std::int64_t kh,
                               std::int64_t kw, std::int64_t sh, std::int64_t sw, std::int64_t ph, std::int64_t pw) {
    auto [y, idx] = max_pool_forward(input, kh, kw, sh, sw, ph, pw, true);
    ctx->save_for_backward({idx});
    ctx->saved_data["in_h"] = input.size(2);
    ctx->saved_data["in_w"] = input.size(3);
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::Tensor idx = ctx->get_saved_variables()[0];
    const torch::Tensor g = grads[0].contiguous();
    const std::int64_t H = ctx->saved_data["in_h"].toInt(), W = ctx->saved_data["in_w"].toInt();
    const std::int64_t planes = idx.size(0) * idx.size(1), OH = idx.size(2), OW = idx.size(3), outs = OH * OW;
    const bool two = idx.scalar_type() == torch::kUInt8;
    // 2x2 windows tile the input: every input is written once (its window's gradient or 0), no
    // zero fill first; rows and columns beyond the last window get 0.
    torch::Tensor gx = two ? torch::empty({idx.size(0), idx.size(1), H, W}, g.options())
                           : torch::zeros({idx.size(0), idx.size(1), H, W}, g.options());
    const float* gp = g.data_ptr<float>();
    float* xp = gx.data_ptr<float>();
    at::parallel_for(0, planes, 8, [&](std::int64_t p0, std::int64_t p1) {
      for (std::int64_t p = p0; p < p1; ++p) {
        const float* go = gp + p * outs;
        float* gi = xp + p * H * W;
        if (!two) {
          const std::int32_t* ip = idx.data_ptr<std::int32_t>() + p * outs;
          for (std::int64_t o = 0; o < outs; ++o) gi[ip[o]] += go[o];
          continue;
        }
        const std::uint8_t* ip = idx.data_ptr<std::uint8_t>() + p * outs;
        for (std::int64_t oh = 0; oh < OH; ++oh)
          max_unpool_2x2(go + oh * OW, ip + oh * OW, OW, gi + 2 * oh * W, gi + (2 * oh + 1) * W, W);
        if (H > 2 * OH) std::fill(gi + (H - 1) * W, gi + H * W, 0.f);
      }
    });
    return {gx, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// Fake quantization with the straight-through estimator, fused: forward s * round(clamp(x, lo s,
// hi s) / s) (float arithmetic, round half to even, as torch's clamp / div / round / mul), backward
// the identity where lo s <= x <= hi s and 0 outside (clamp's gradient). One pass each way instead
// of the six elementwise ops (and their temporaries) of the composed version.
class FakeQuant : public torch::autograd::Function<FakeQuant> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input, double scale,
                               double lo, double hi) {
    const torch::Tensor x = input.contiguous();
    torch::Tensor y = torch::empty_like(x);
    const float s = float(scale), a = float(lo * scale), b = float(hi * scale);
    const float* xp = x.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    at::parallel_for(0, x.numel(), 16384, [&](std::int64_t i0, std::int64_t i1) {
      for (std::int64_t i = i0; i < i1; ++i) {
        const float c = std::min(std::max(xp[i], a), b);
        yp[i] = std::nearbyint(c / s) * s;
      }
    });
    ctx->save_for_backward({x});
    ctx->saved_data["a"] = double(a);
    ctx->saved_data["b"] = double(b);
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::Tensor x = ctx->get_saved_variables()[0];
    const torch::Tensor g = grads[0].contiguous();
    const float a = float(ctx->saved_data["a"].toDouble()), b = float(ctx->saved_data["b"].toDouble());
    torch::Tensor gx = torch::empty_like(g);
    const float* xp = x.data_ptr<float>();
    const float* gp = g.data_ptr<float>();
    float* op = gx.data_ptr<float>();
    at::parallel_for(0, x.numel(), 16384, [&](std::int64_t i0, std::int64_t i1) {
      for (std::int64_t i = i0; i < i1; ++i) op[i] = xp[i] >= a && xp[i] <= b ? gp[i] : 0.f;
    });
    return {gx, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// The crossbar inputs of a convolution: one row per output pixel (b, oh, ow), its receptive field
// in im2col order (channel, kernel row, kernel column; zero padding), i.e. torch::im2col
// transposed to [B * OH * OW, C * kh * kw], written directly (torch's im2col and the transposing
// copy cost more than the crossbar model of the reference CNN's first layer).
torch::Tensor patches(const torch::Tensor& input, const Node& n) {
  const torch::Tensor x = input.contiguous();
  const std::int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const std::int64_t kh = n.kernel_h, kw = n.kernel_w, OH = n.out.at(1), OW = n.out.at(2);
  const std::int64_t K = C * kh * kw;
  torch::Tensor cols = torch::empty({B * OH * OW, K}, x.options());
  const float* xp = x.data_ptr<float>();
  float* cp = cols.data_ptr<float>();
  at::parallel_for(0, B * OH, 4, [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) {
      const std::int64_t b = r / OH, oh = r % OH;
      float* row = cp + r * OW * K;  // the patches of output row (b, oh)
      for (std::int64_t c = 0; c < C; ++c)
        for (std::int64_t i = 0; i < kh; ++i) {
          const std::int64_t ih = oh * n.stride_h - n.pad_h + i * n.dilation_h;
          const float* src = ih >= 0 && ih < H ? xp + ((b * C + c) * H + ih) * W : nullptr;
          float* d0 = row + (c * kh + i) * kw;  // kernel row i of channel c, at output column 0
          for (std::int64_t ow = 0; ow < OW; ++ow) {
            float* dst = d0 + ow * K;
            const std::int64_t iw0 = ow * n.stride_w - n.pad_w, iw_last = iw0 + (kw - 1) * n.dilation_w;
            if (src && iw0 >= 0 && iw_last < W) {  // inside the image: no bounds checks
              for (std::int64_t j = 0; j < kw; ++j) dst[j] = src[iw0 + j * n.dilation_w];
            } else {
              for (std::int64_t j = 0; j < kw; ++j) {
                const std::int64_t iw = iw0 + j * n.dilation_w;
                dst[j] = src && iw >= 0 && iw < W ? src[iw] : 0.f;
              }
            }
          }
        }
    }
  });
  return cols;
}

// [B * OH * OW, C] (the crossbar outputs, pixel-major) to [B, C, OH, OW].
torch::Tensor channels_first(const torch::Tensor& input, std::int64_t B, std::int64_t C, std::int64_t OH,
                             std::int64_t OW) {
  const torch::Tensor y = input.contiguous();
  torch::Tensor out = torch::empty({B, C, OH, OW}, y.options());
  const float* yp = y.data_ptr<float>();
  float* op = out.data_ptr<float>();
  const std::int64_t L = OH * OW;
  constexpr std::int64_t kBlock = 32;  // pixels per block: the block's C x 32 values stay in cache
  at::parallel_for(0, B, 1, [&](std::int64_t b0, std::int64_t b1) {
    for (std::int64_t b = b0; b < b1; ++b)
      for (std::int64_t l0 = 0; l0 < L; l0 += kBlock) {
        const std::int64_t l1 = std::min(L, l0 + kBlock);
        for (std::int64_t c = 0; c < C; ++c) {
          float* dst = op + (b * C + c) * L;
          const float* src = yp + b * L * C + c;
          for (std::int64_t l = l0; l < l1; ++l) dst[l] = src[l * C];
        }
      }
  });
  return out;
}

}  // namespace

torch::Tensor max_pool2d(const torch::Tensor& x, std::int64_t kh, std::int64_t kw, std::int64_t sh, std::int64_t sw,
                         std::int64_t ph, std::int64_t pw) {
  if (x.dim() == 4 && x.scalar_type() == torch::kFloat32 && x.device().is_cpu())
    return x.requires_grad() && torch::GradMode::is_enabled() ? MaxPool2d::apply(x, kh, kw, sh, sw, ph, pw)
                                                              : max_pool_forward(x, kh, kw, sh, sw, ph, pw, false).first;
  return torch::max_pool2d(x, {kh, kw}, {sh, sw}, {ph, pw});
}

torch::Tensor weighted_sum(const std::vector<torch::Tensor>& terms, const std::vector<double>& weights) {
  torch::Tensor out = torch::empty_like(terms.at(0), torch::MemoryFormat::Contiguous);
  float* o = out.data_ptr<float>();
  const std::int64_t n = out.numel();
  for (std::size_t t = 0; t < terms.size(); ++t) {
    const torch::Tensor c = terms[t].contiguous();
    if (c.scalar_type() != torch::kFloat32 || c.numel() != n) throw std::invalid_argument("weighted_sum: float tensors of one size");
    const float* x = c.data_ptr<float>();
    const float w = float(weights.at(t));
    if (t == 0)
      for (std::int64_t k = 0; k < n; ++k) o[k] = x[k] * w;
    else
      for (std::int64_t k = 0; k < n; ++k) o[k] += x[k] * w;
  }
  return out;
}

torch::Tensor fake_quant(const torch::Tensor& x, double scale, double lo, double hi) {
  return FakeQuant::apply(x, scale, lo, hi);
}

void check_fmnist_graph(const workloads::Graph& g) {
  int inputs = 0;
  for (int i = 0; i < g.size(); ++i) {
    const Node& n = g.node(i);
    if (n.op == OpKind::Input && n.learned_params == 0) {
      ++inputs;
      if (workloads::elements_of(n.out) != 28 * 28)
        throw common::InputError(fmt::format("{}: input shape {} has {} elements; Fashion-MNIST images have 784 "
                                             "(allowed: [1,28,28], [28,28], [784], ...)",
                                             where(g, i), workloads::shape_str(n.out), workloads::elements_of(n.out)));
    }
  }
  if (inputs != 1)
    throw common::InputError(fmt::format("workload '{}': {} data inputs; the accuracy evaluator needs exactly one "
                                         "(a 784-element image)",
                                         g.name(), inputs));
  const int last = g.size() - 1;
  if (workloads::elements_of(g.node(last).out) != 10)
    throw common::InputError(fmt::format("{}: the last node has output {} ; Fashion-MNIST needs 10 class scores",
                                         where(g, last), workloads::shape_str(g.node(last).out)));
}

GraphNetImpl::GraphNetImpl(const workloads::Graph& graph, QuantBits bits, double noise_sigma)
    : GraphNetImpl(graph, bits, noise_sigma, nullptr) {}

GraphNetImpl::GraphNetImpl(const workloads::Graph& graph, QuantBits bits, double noise_sigma, const GraphNetImpl* master)
    : graph_(graph), bits_(bits), noise_sigma_(noise_sigma) {
  check_fmnist_graph(graph_);
  if (bits_.weight_bits < 2 || bits_.weight_bits > 16 || bits_.input_bits < 2 || bits_.input_bits > 16)
    throw common::InputError(fmt::format("accuracy: weight_bits {} / input_bits {}: allowed 2..16", bits_.weight_bits,
                                         bits_.input_bits));
  const std::size_t n = std::size_t(graph_.size());
  weight_.resize(n), bias_.resize(n), gamma_.resize(n), beta_.resize(n), mean_.resize(n), var_.resize(n),
      amax_.resize(n), param_.resize(n), batch_max_.assign(n, 0.f);
  nonneg_.assign(n, false);
  // A shard replica registers the master's parameter tensors themselves and copies of its buffers;
  // the initializers below then never run (they would draw from torch's generator).
  auto param = [&](std::vector<torch::Tensor> GraphNetImpl::*field, int i, const std::string& name, auto init) {
    return register_parameter(name, master ? (master->*field)[std::size_t(i)] : init());
  };
  auto buffer = [&](std::vector<torch::Tensor> GraphNetImpl::*field, int i, const std::string& name, auto init) {
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
          param_[std::size_t(i)] = param(&GraphNetImpl::param_, i, id + "_param", [&] { return torch::randn(nd.out) * 0.02; });
        }
        break;
      case OpKind::Conv2d:
      case OpKind::Linear: {
        const bool conv = nd.op == OpKind::Conv2d;
        const std::int64_t fan_in = conv ? nd.in_channels / nd.groups * nd.kernel_h * nd.kernel_w : nd.in_features;
        const std::int64_t outs = conv ? nd.out_channels : nd.out_features;
        // torch's default initialization of Conv2d / Linear.
        weight_[std::size_t(i)] = param(&GraphNetImpl::weight_, i, id + "_weight", [&] {
          torch::Tensor w = conv ? torch::empty({nd.out_channels, nd.in_channels / nd.groups, nd.kernel_h, nd.kernel_w})
                                 : torch::empty({nd.out_features, nd.in_features});
          torch::nn::init::kaiming_uniform_(w, std::sqrt(5.0));
          return w;
        });
        if (nd.bias) {
          const double bound = 1.0 / std::sqrt(double(fan_in));
          bias_[std::size_t(i)] =
              param(&GraphNetImpl::bias_, i, id + "_bias", [&] { return torch::empty({outs}).uniform_(-bound, bound); });
        }
        amax_[std::size_t(i)] = buffer(&GraphNetImpl::amax_, i, id + "_input_max", [] { return torch::zeros({}); });
        break;
      }
      case OpKind::BatchNorm: {
        const std::int64_t c = nd.out.at(std::size_t(nd.axis));
        gamma_[std::size_t(i)] = param(&GraphNetImpl::gamma_, i, id + "_gamma", [&] { return torch::ones({c}); });
        beta_[std::size_t(i)] = param(&GraphNetImpl::beta_, i, id + "_beta", [&] { return torch::zeros({c}); });
        mean_[std::size_t(i)] = buffer(&GraphNetImpl::mean_, i, id + "_running_mean", [&] { return torch::zeros({c}); });
        var_[std::size_t(i)] = buffer(&GraphNetImpl::var_, i, id + "_running_var", [&] { return torch::ones({c}); });
        break;
      }
      case OpKind::LayerNorm: {
        const std::int64_t c = nd.out.back();
        gamma_[std::size_t(i)] = param(&GraphNetImpl::gamma_, i, id + "_gamma", [&] { return torch::ones({c}); });
        beta_[std::size_t(i)] = param(&GraphNetImpl::beta_, i, id + "_beta", [&] { return torch::zeros({c}); });
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

void GraphNetImpl::merge_shard_buffers(const std::vector<GraphNetImpl*>& shards, const std::vector<double>& weights) {
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
  auto op = [&](const torch::Tensor& xx, const torch::Tensor& ww, const torch::Tensor& bb) {
    if (n.op == OpKind::Conv2d)
      return torch::conv2d(xx, ww, bb, {n.stride_h, n.stride_w}, {n.pad_h, n.pad_w}, {n.dilation_h, n.dilation_w},
                           n.groups);
    // A linear layer as a 1x1 convolution: torch then runs it (and its backward) with oneDNN rather
    // than through the system BLAS, which on Debian may be the slow reference implementation.
    std::vector<std::int64_t> shape(xx.sizes().begin(), xx.sizes().end());
    shape.back() = n.out_features;
    return torch::conv2d(xx.reshape({-1, n.in_features, 1, 1}), ww.view({n.out_features, n.in_features, 1, 1}), bb)
        .reshape(shape);
  };
  const bool nonneg = nonneg_[std::size_t(n.inputs[0])];
  if (is_training()) {  // track the input range whatever the precision, for later quantized use
    torch::NoGradGuard ng;
    float m;
    if (nonneg) {
      m = std::max(0.f, x.max().item<float>());
    } else {
      const auto [lo, hi] = torch::aminmax(x);  // max |x| without an |x| temporary
      m = std::max(-lo.item<float>(), hi.item<float>());
    }
    batch_max_[std::size_t(i)] = m;
    update_range(amax_[std::size_t(i)], batch_max_[std::size_t(i)]);
  }
  if (precision == Precision::Float) return op(x, w, b);

  const double qw = (1 << (bits_.weight_bits - 1)) - 1;
  const double qx = input_levels(i);
  const double lo = nonneg ? 0.0 : -qx;
  const double s_w = weight_scale(i), s_x = input_scale(i);
  if (is_training()) {
    // Fake quantization with the straight-through estimator: forward uses the quantized values,
    // backward the identity (inside the clipping range).
    torch::Tensor wq = fake_quant(w, s_w, -qw, qw);
    if (noise_sigma_ > 0) {
      const torch::Tensor noise = noise_generator_.defined() ? at::randn(wq.sizes(), noise_generator_, wq.options())
                                                             : torch::randn_like(wq);
      wq = wq * (1 + noise_sigma_ * noise);
    }
    const torch::Tensor xq = fake_quant(x, s_x, lo, qx);
    return op(xq, wq, b);
  }
  const torch::Tensor w_int = (w / s_w).round().clamp(-qw, qw);
  const torch::Tensor x_int = (x / s_x).round().clamp(lo, qx);
  torch::Tensor acc;
  if (!backend) {
    acc = op(x_int, w_int, torch::Tensor());
  } else if (n.op == OpKind::Conv2d) {
    const torch::Tensor out = backend->matmul(i, patches(x_int, n), stream);  // [B * OH * OW, Cout]
    acc = channels_first(out, x.size(0), n.out_channels, n.out.at(1), n.out.at(2));
  } else {
    const torch::Tensor flat = x_int.reshape({-1, n.in_features}).contiguous();
    std::vector<std::int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = n.out_features;
    acc = backend->matmul(i, flat, stream).reshape(shape);
  }
  acc = acc * (s_w * s_x);
  if (b.defined()) acc = n.op == OpKind::Conv2d ? acc + b.view({1, -1, 1, 1}) : acc + b;
  return acc;
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
        case ActKind::ReLU: return torch::relu(x);
        case ActKind::ReLU6: return torch::hardtanh(x, 0, 6);
        case ActKind::GELU: return torch::gelu(x);
        case ActKind::Sigmoid: return torch::sigmoid(x);
        case ActKind::HardSigmoid: return torch::hardsigmoid(x);
        case ActKind::HardSwish: return torch::hardswish(x);
        case ActKind::Tanh: return torch::tanh(x);
        case ActKind::SiLU: return torch::silu(x);
      }
      break;
    case OpKind::BatchNorm: {
      const std::int64_t ch = n.axis + 1;
      const torch::Tensor xm = ch == 1 ? x : x.movedim(ch, 1);
      torch::Tensor y = torch::batch_norm(xm, gamma_[std::size_t(i)], beta_[std::size_t(i)], mean_[std::size_t(i)],
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
      throw common::InputError(fmt::format("{}: torch computes shape {} where the graph says {}", where(graph_, i),
                                           fmt::join(y.sizes().slice(1), "x"), workloads::shape_str(n.out)));
    out[std::size_t(i)] = std::move(y);
  }
  return out.back().reshape({B, 10});
}

}  // namespace imc::nas::accuracy
