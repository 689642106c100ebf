// Fused CPU kernels of the accuracy evaluator (declared in kernels.h); why each exists is said there.
#include "nas/accuracy/kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace imc::nas::accuracy {

namespace {

// 2x2 windows at stride 2 without padding (the common case), one input row pair at a time: the
// general loop's scan order and NaN rule (a value is taken if it is larger or NaN) written as
// selects, which the compiler turns into vector code (the branches mispredicted on every other
// window), with the window position (0..3) of the taken value in `arg` when it is not null.
void max_pool_2x2(const float* in, std::int64_t W, std::int64_t OH, std::int64_t OW, float* out,
                  std::uint8_t* arg) {
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

// Max pooling of [N, C, H, W] floats (any kernel, stride and padding; floor mode, like
// torch::max_pool2d). Same results as torch's, ties and NaN included (the first maximum in scan
// order; NaN wins), but torch 1.13's CPU max_pool2d_with_indices is several times slower on small
// feature maps: pooling was a fifth of the training time of the small reference CNN.
// Forward pooling; the argmax per output (for the backward pass) only when `keep`: a uint8 window
// position for 2x2 windows, else an int32 offset in the input plane.
std::pair<torch::Tensor, torch::Tensor> max_pool_forward(const torch::Tensor& input, std::int64_t kh,
                                                         std::int64_t kw, std::int64_t sh, std::int64_t sw,
                                                         std::int64_t ph, std::int64_t pw, bool keep) {
  const torch::Tensor x = input.contiguous();
  const std::int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const std::int64_t OH = (H + 2 * ph - kh) / sh + 1, OW = (W + 2 * pw - kw) / sw + 1;
  const bool two = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
  torch::Tensor y = torch::empty({x.size(0), x.size(1), OH, OW}, x.options());
  torch::Tensor idx;
  if (keep)
    idx =
        torch::empty({x.size(0), x.size(1), OH, OW}, x.options().dtype(two ? torch::kUInt8 : torch::kInt32));
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
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               std::int64_t kh, std::int64_t kw, std::int64_t sh, std::int64_t sw,
                               std::int64_t ph, std::int64_t pw) {
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
    return {gx,
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor(),
            torch::Tensor()};
  }
};

// Fake quantization with the straight-through estimator, fused: forward s * round(clamp(x, lo s,
// hi s) / s) (float arithmetic, round half to even, as torch's clamp / div / round / mul), backward
// the identity where lo s <= x <= hi s and 0 outside (clamp's gradient). One pass each way instead
// of the six elementwise ops (and their temporaries) of the composed version.
class FakeQuant : public torch::autograd::Function<FakeQuant> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               double scale, double lo, double hi) {
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

}  // namespace

// The crossbar inputs of a convolution: one row per output pixel (b, oh, ow), its receptive field
// in im2col order (channel, kernel row, kernel column; zero padding), i.e. torch::im2col
// transposed to [B * OH * OW, C * kh * kw], written directly (torch's im2col and the transposing
// copy cost more than the crossbar model of the reference CNN's first layer).
torch::Tensor patches(const torch::Tensor& input, const workloads::Node& n) {
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

torch::Tensor max_pool2d(const torch::Tensor& x, std::int64_t kh, std::int64_t kw, std::int64_t sh,
                         std::int64_t sw, std::int64_t ph, std::int64_t pw) {
  if (x.dim() == 4 && x.scalar_type() == torch::kFloat32 && x.device().is_cpu())
    return x.requires_grad() && torch::GradMode::is_enabled()
               ? MaxPool2d::apply(x, kh, kw, sh, sw, ph, pw)
               : max_pool_forward(x, kh, kw, sh, sw, ph, pw, false).first;
  return torch::max_pool2d(x, {kh, kw}, {sh, sw}, {ph, pw});
}

torch::Tensor weighted_sum(const std::vector<torch::Tensor>& terms, const std::vector<double>& weights) {
  torch::Tensor out = torch::empty_like(terms.at(0), torch::MemoryFormat::Contiguous);
  float* o = out.data_ptr<float>();
  const std::int64_t n = out.numel();
  for (std::size_t t = 0; t < terms.size(); ++t) {
    const torch::Tensor c = terms[t].contiguous();
    if (c.scalar_type() != torch::kFloat32 || c.numel() != n)
      throw std::invalid_argument("weighted_sum: float tensors of one size");
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

}  // namespace imc::nas::accuracy
