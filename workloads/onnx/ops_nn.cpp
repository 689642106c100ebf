// Converters of the compute operators: convolution, Gemm/MatMul (weight-stationary Linear or
// dynamic MatMul), pooling, normalizations, softmax and activations.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/config.h"
#include "workloads/onnx/import_context.h"

namespace imc::workloads::onnx {

namespace {

using ::onnx::NodeProto;

// ---- sliding windows (Conv, MaxPool, AveragePool) ---------------------------------------------

struct Window {
  std::int64_t in = 0, kernel = 1, stride = 1, dilation = 1;
  std::int64_t pad_begin = 0, pad_end = 0;
  std::int64_t out = 0;  // as ONNX defines it
};

// Per spatial dim: kernel, stride, dilation, pads (explicit or auto_pad) and the ONNX output size.
std::vector<Window> windows(Importer& c, const NodeProto& n, const Shape& spatial_in, const Shape& kernel,
                            bool ceil_mode) {
  const std::size_t sd = spatial_in.size();
  auto strides = attr_ints(n, "strides");
  auto dilations = attr_ints(n, "dilations");
  auto pads = attr_ints(n, "pads");
  std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if ((!strides.empty() && strides.size() != sd) || (!dilations.empty() && dilations.size() != sd) ||
      (!pads.empty() && pads.size() != 2 * sd))
    c.fail(n, fmt::format("strides/dilations/pads do not match the {} spatial dims", sd));
  std::vector<Window> w(sd);
  for (std::size_t i = 0; i < sd; ++i) {
    Window& d = w[i];
    d.in = spatial_in[i];
    d.kernel = kernel[i];
    d.stride = strides.empty() ? 1 : strides[i];
    d.dilation = dilations.empty() ? 1 : dilations[i];
    if (d.stride < 1 || d.dilation < 1 || d.kernel < 1)
      c.fail(n, "kernel, strides and dilations must be >= 1");
    const std::int64_t span = d.dilation * (d.kernel - 1) + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      d.out = (d.in + d.stride - 1) / d.stride;
      std::int64_t total = std::max<std::int64_t>(0, (d.out - 1) * d.stride + span - d.in);
      d.pad_begin = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      d.pad_end = total - d.pad_begin;
      continue;
    }
    if (auto_pad == "NOTSET" && !pads.empty()) {
      d.pad_begin = pads[i];
      d.pad_end = pads[i + sd];
    } else if (auto_pad != "NOTSET" && auto_pad != "VALID") {
      c.fail(n, fmt::format("auto_pad '{}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", auto_pad));
    }
    if (d.pad_begin < 0 || d.pad_end < 0) c.fail(n, "negative pads are not supported");
    std::int64_t room = d.in + d.pad_begin + d.pad_end - span;
    if (room < 0)
      c.fail(n, fmt::format("the window ({}) does not fit the padded input ({})", span,
                            d.in + d.pad_begin + d.pad_end));
    if (ceil_mode) {
      d.out = (room + d.stride - 1) / d.stride + 1;
      if ((d.out - 1) * d.stride >= d.in + d.pad_begin) --d.out;  // last window may not start in the end pad
    } else {
      d.out = room / d.stride + 1;
    }
  }
  return w;
}

// The workload graph pads symmetrically. Returns the symmetric pad to use and adds, through
// Graph::pad (zeros, pure data movement), whatever extra rows/columns make the output size match
// ONNX exactly (asymmetric SAME padding, ceil_mode). `axis` is the graph axis of this spatial dim.
std::int64_t fit_pad(Importer& c, int& x, int axis, const Window& d, std::int64_t max_pad,
                     const std::string& nm) {
  const std::int64_t span = d.dilation * (d.kernel - 1) + 1;
  auto out_with = [&](std::int64_t len, std::int64_t p) { return (len + 2 * p - span) / d.stride + 1; };
  std::int64_t total = d.pad_begin + d.pad_end;
  for (std::int64_t p : {total / 2, (total + 1) / 2})
    if (p <= max_pad && d.in + 2 * p >= span && out_with(d.in, p) == d.out) return p;
  std::int64_t p = std::min({d.pad_begin, d.pad_end, max_pad});
  if (d.in + 2 * p >= span && out_with(d.in, p) == d.out) return p;
  std::int64_t need = (d.out - 1) * d.stride + span - 2 * p;  // input length giving d.out
  std::int64_t extra = need - d.in;
  if (extra <= 0 || out_with(d.in + extra, p) != d.out)
    throw common::InputError(
        fmt::format("cannot express pads {}+{} (kernel {}, stride {}) with symmetric padding", d.pad_begin,
                    d.pad_end, d.kernel, d.stride));
  std::int64_t before = std::min(extra, std::max<std::int64_t>(0, d.pad_begin - p));
  x = c.graph().pad(x, axis, before, extra - before, c.name_for(nm + "/pad"));
  return p;
}

// ---- Conv --------------------------------------------------------------------------------------

void conv(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  const Value& w = c.input(n, 1);
  if (w.is_act)
    c.fail(n, "the weight (input 1) is computed from activations: dynamic convolutions are not supported");
  const std::size_t rank = x.shape.size();
  if ((rank != 4 && rank != 3) || w.shape.size() != rank)
    c.fail(n,
           fmt::format("supports 1-D and 2-D convolutions ([N,C,L] or [N,C,H,W] inputs), found input {} and "
                       "weight {}",
                       shape_text(x.shape), shape_text(w.shape)));
  if (x.shape[0] != 1)
    c.fail(n, fmt::format("batch dimension {} of input {} must be 1", x.shape[0], shape_text(x.shape)));
  const std::int64_t cin = x.shape[1], cout = w.shape[0], groups = attr_int(n, "group", 1);
  if (groups < 1 || w.shape[1] * groups != cin)
    c.fail(n, fmt::format("weight {} with group={} does not match {} input channels", shape_text(w.shape),
                          groups, cin));
  Shape spatial(x.shape.begin() + 2, x.shape.end()), kernel(w.shape.begin() + 2, w.shape.end());
  if (auto ks = attr_ints(n, "kernel_shape"); !ks.empty() && ks != kernel)
    c.fail(n,
           fmt::format("kernel_shape {} disagrees with the weight {}", shape_text(ks), shape_text(w.shape)));
  auto win = windows(c, n, spatial, kernel, false);
  std::string nm = c.name(n);
  // A 1-D convolution runs as a 2-D one over a [C, 1, L] view.
  if (rank == 3) win.insert(win.begin(), Window{1, 1, 1, 1, 0, 0, 1});
  int xin = c.node_as(x, {cin, win[0].in, win[1].in}, nm);
  Node a;
  a.out_channels = cout;
  a.in_channels = cin;
  a.groups = groups;
  a.bias = c.has_input(n, 2);
  a.kernel_h = win[0].kernel, a.kernel_w = win[1].kernel;
  a.stride_h = win[0].stride, a.stride_w = win[1].stride;
  a.dilation_h = win[0].dilation, a.dilation_w = win[1].dilation;
  const auto unbounded = std::numeric_limits<std::int64_t>::max();
  a.pad_h = fit_pad(c, xin, 1, win[0], unbounded, nm);
  a.pad_w = fit_pad(c, xin, 2, win[1], unbounded, nm);
  int y = c.graph().conv2d(xin, a, nm);
  Shape out = {1, cout};
  for (std::size_t i = rank == 3 ? 1 : 0; i < win.size(); ++i) out.push_back(win[i].out);
  c.output(n, 0, c.act(y, out, true, nm));
}

// ---- Gemm / MatMul ----------------------------------------------------------------------------

Shape matmul_shape(Importer& c, const NodeProto& n, Shape a, Shape b) {
  if (a.empty() || b.empty()) c.fail(n, "MatMul operands must have rank >= 1");
  bool va = a.size() == 1, vb = b.size() == 1;
  if (va) a.insert(a.begin(), 1);
  if (vb) b.push_back(1);
  if (a.back() != b[b.size() - 2])
    c.fail(n, fmt::format("operands {} and {} do not multiply", shape_text(a), shape_text(b)));
  auto lead = broadcast(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2));
  if (!lead) c.fail(n, fmt::format("batch dims of {} and {} do not broadcast", shape_text(a), shape_text(b)));
  Shape out = *lead;
  if (!va) out.push_back(a[a.size() - 2]);
  if (!vb) out.push_back(b.back());
  return out;
}

// x @ W with W a constant [K, N] (leading 1s allowed): a weight-stationary Linear over every row.
void linear_from(Importer& c, const NodeProto& n, const Value& x, const Value& w, bool bias,
                 const std::string& nm) {
  Shape ws = w.shape;
  while (ws.size() > 2 && ws[0] == 1) ws.erase(ws.begin());
  if (ws.size() != 2)
    c.fail(n, fmt::format("a constant right operand must be a [K,N] weight matrix, found {}",
                          shape_text(w.shape)));
  Shape out = matmul_shape(c, n, x.shape, ws);
  int y = c.graph().linear(c.node_of(x, nm), ws[1], bias, nm);
  c.output(n, 0, c.act(y, out, x.batched, nm));
}

// Two activations: a dynamic MatMul (attention scores, attention-weighted values).
void dynamic_matmul(Importer& c, const NodeProto& n, const Value& a, const Value& b, const std::string& nm) {
  Shape out = matmul_shape(c, n, a.shape, b.shape);
  Shape as = a.shape, bs = b.shape;
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  Shape lead = *broadcast(Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2));
  if (numel(lead) != numel(Shape(as.begin(), as.end() - 2)) ||
      numel(lead) != numel(Shape(bs.begin(), bs.end() - 2)))
    c.fail(n, fmt::format(
                  "broadcasting one activation over the batch dims of the other ({} x {}) is not supported",
                  shape_text(a.shape), shape_text(b.shape)));
  bool batched = lead.size() >= 1 && lead[0] == 1 && (a.batched || b.batched);
  if (batched) lead.erase(lead.begin());
  Shape ga = lead, gb = lead;
  ga.insert(ga.end(), as.end() - 2, as.end());
  gb.insert(gb.end(), bs.end() - 2, bs.end());
  int y = c.graph().matmul(c.node_as(a, ga, nm + "/a"), c.node_as(b, gb, nm + "/b"), nm);
  c.output(n, 0, c.act(y, out, batched, nm));
}

void matmul_impl(Importer& c, const NodeProto& n, const Value& a, const Value& b, bool bias) {
  std::string nm = c.name(n);
  if (!a.is_act && !b.is_act) {
    Value v;
    v.shape = matmul_shape(c, n, a.shape, b.shape);
    v.runtime = a.runtime || b.runtime;
    v.stored = a.stored + b.stored;
    c.output(n, 0, v);
  } else if (!b.is_act) {
    linear_from(c, n, a, b, bias, nm);
  } else if (!a.is_act) {
    // W @ x: the weight multiplies from the left; (x^T W^T)^T on the crossbar.
    if (a.shape.size() != 2 || b.shape.size() < 2)
      c.fail(n, fmt::format(
                    "a constant left operand must be [M,K] times an activation of rank >= 2, found {} x {}",
                    shape_text(a.shape), shape_text(b.shape)));
    Shape out = matmul_shape(c, n, a.shape, b.shape);
    Graph& g = c.graph();
    int xt = g.transpose_last2(c.node_of(b, nm), c.name_for(nm + "/in_t"));
    int y = g.linear(xt, a.shape[0], bias, nm);
    y = g.transpose_last2(y, c.name_for(nm + "/out_t"));
    c.output(n, 0, c.act(y, out, b.batched, nm));
  } else {
    if (bias) c.fail(n, "internal: a bias on a dynamic MatMul");
    dynamic_matmul(c, n, a, b, nm);
  }
}

void matmul(Importer& c, const NodeProto& n) {
  matmul_impl(c, n, c.input(n, 0), c.input(n, 1), false);
}

// imc.fused Linear(x, W, b): MatMul plus its bias Add.
void fused_linear(Importer& c, const NodeProto& n) {
  const Value& w = c.input(n, 1);
  const Value& b = c.input(n, 2);
  bool bias = !w.is_act && !w.shape.empty() && numel(b.shape) == w.shape.back();
  matmul_impl(c, n, c.input(n, 0), w, bias);
}

void gemm(Importer& c, const NodeProto& n) {
  Value a = c.input(n, 0), b = c.input(n, 1);
  if (a.shape.size() != 2 || b.shape.size() != 2)
    c.fail(n, fmt::format("needs 2-D operands, found {} and {}", shape_text(a.shape), shape_text(b.shape)));
  const bool ta = attr_int(n, "transA", 0) != 0, tb = attr_int(n, "transB", 0) != 0;
  std::string nm = c.name(n);
  Graph& g = c.graph();
  const std::int64_t m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1];
  const std::int64_t kb = tb ? b.shape[1] : b.shape[0], nn = tb ? b.shape[0] : b.shape[1];
  if (k != kb)
    c.fail(n, fmt::format("A {} and B {} do not multiply (transA={}, transB={})", shape_text(a.shape),
                          shape_text(b.shape), ta, tb));
  const bool bias = c.has_input(n, 2);
  if (bias && c.input(n, 2).is_act) c.fail(n, "a bias (input C) computed from activations is not supported");
  if (!a.is_act && !b.is_act) {
    Value v;
    v.shape = {m, nn};
    v.stored = a.stored + b.stored;
    c.output(n, 0, v);
    return;
  }
  auto rows = [&](const Value& v, bool trans, std::int64_t r, std::int64_t cols, const std::string& hint) {
    // The operand as [r, cols] rows in the graph ([cols] alone when it is one batched row).
    if (!trans) return v.batched && r == 1 ? c.node_as(v, {cols}, hint) : c.node_as(v, {r, cols}, hint);
    return g.transpose_last2(c.node_as(v, {cols, r}, hint), c.name_for(hint + "/t"));
  };
  if (!b.is_act) {
    int y = g.linear(rows(a, ta, m, k, nm + "/a"), nn, bias, nm);
    c.output(n, 0, c.act(y, {m, nn}, !ta && a.batched, nm));
    return;
  }
  if (!a.is_act)
    c.fail(n, "a constant A with an activation B is not supported (export the layer as a MatMul)");
  int ga = ta ? rows(a, true, m, k, nm + "/a") : c.node_as(a, {m, k}, nm + "/a");
  int gb = tb ? rows(b, true, k, nn, nm + "/b") : c.node_as(b, {k, nn}, nm + "/b");
  int y = g.matmul(ga, gb, nm);
  c.output(n, 0, c.act(y, {m, nn}, false, nm));
}

// ---- pooling ----------------------------------------------------------------------------------

void pool(Importer& c, const NodeProto& n, bool is_max) {
  const Value& x = c.input(n, 0);
  if (x.shape.size() != 4 || x.shape[0] != 1)
    c.fail(n, fmt::format("supports 2-D pooling of [1,C,H,W] inputs, found {}", shape_text(x.shape)));
  auto ks = attr_ints(n, "kernel_shape");
  if (ks.size() != 2) c.fail(n, "needs a 2-D kernel_shape");
  auto win = windows(c, n, {x.shape[2], x.shape[3]}, ks, attr_int(n, "ceil_mode", 0) != 0);
  if (win[0].kernel != win[1].kernel || win[0].stride != win[1].stride)
    c.fail(n, fmt::format(
                  "non-square pooling (kernel {}x{}, stride {}x{}) is not supported by the workload graph",
                  win[0].kernel, win[1].kernel, win[0].stride, win[1].stride));
  if (win[0].dilation != 1 || win[1].dilation != 1) c.fail(n, "dilated pooling is not supported");
  std::string nm = c.name(n);
  int xin = c.node_as(x, {x.shape[1], x.shape[2], x.shape[3]}, nm);
  // One symmetric pad for both dims (at most half the kernel); extra padding goes to pad nodes.
  std::int64_t half = win[0].kernel / 2;
  std::int64_t p = std::min({win[0].pad_begin, win[0].pad_end, win[1].pad_begin, win[1].pad_end, half});
  std::int64_t ph = fit_pad(c, xin, 1, win[0], p, nm);
  std::int64_t pw = fit_pad(c, xin, 2, win[1], p, nm);
  if (ph != pw) c.fail(n, fmt::format("internal: pads {}x{} differ between height and width", ph, pw));
  Graph& g = c.graph();
  int y = is_max ? g.maxpool(xin, win[0].kernel, win[0].stride, ph, nm)
                 : g.avgpool(xin, win[0].kernel, win[0].stride, ph, nm);
  c.output(n, 0, c.act(y, {1, x.shape[1], win[0].out, win[1].out}, true, nm));
}

void global_pool(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  if (x.shape.size() < 3 || x.shape[0] != 1)
    c.fail(n, fmt::format("needs a [1,C,...] input, found {}", shape_text(x.shape)));
  std::string nm = c.name(n);
  std::int64_t spatial = numel(Shape(x.shape.begin() + 2, x.shape.end()));
  Shape view =
      x.shape.size() == 4 ? Shape{x.shape[1], x.shape[2], x.shape[3]} : Shape{x.shape[1], spatial, 1};
  int y = c.graph().global_avgpool(c.node_as(x, view, nm), nm);
  Shape out(x.shape.size(), 1);
  out[1] = x.shape[1];
  c.output(n, 0, c.act(y, out, true, nm));
}

// ReduceMean/ReduceMax/ReduceSum of an activation: a global average pool over the reduced
// elements (spatial means of CNN heads, token means of transformer poolers).
void reduce(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  std::vector<std::int64_t> axes = attr_ints(n, "axes");
  if (c.has_input(n, 1)) axes = c.ints(n, c.input(n, 1), "axes (input 1)");
  const bool keep = attr_int(n, "keepdims", 1) != 0;
  if (axes.empty() && attr_int(n, "noop_with_empty_axes", 0) != 0) {
    c.output(n, 0, x);
    return;
  }
  std::vector<bool> red(x.shape.size(), axes.empty());
  for (auto a : axes) {
    auto na = norm_axis(a, x.shape.size());
    if (!na) c.fail(n, fmt::format("axis {} out of range for {}", a, shape_text(x.shape)));
    red[static_cast<std::size_t>(*na)] = true;
  }
  Shape out;
  for (std::size_t i = 0; i < x.shape.size(); ++i)
    if (!red[i])
      out.push_back(x.shape[i]);
    else if (keep)
      out.push_back(1);
  if (!x.is_act) {
    Value v;
    v.shape = out;
    v.runtime = x.runtime;
    c.output(n, 0, v);
    return;
  }
  std::string nm = c.name(n);
  bool batched = x.batched && !red[0];
  std::int64_t kept = numel(out), r = numel(x.shape) / std::max<std::int64_t>(1, kept);
  Shape view = {kept, r, 1};
  if (x.batched && x.shape.size() == 4 && red[2] && red[3] && !red[1]) view = Importer::graph_shape(x);
  int y = c.graph().global_avgpool(c.node_as(x, view, nm), nm);
  c.output(n, 0, c.act(y, out, batched, nm));
}

// ---- normalization, softmax -------------------------------------------------------------------

void batchnorm(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  if (x.shape.size() < 2) c.fail(n, fmt::format("needs an [N,C,...] input, found {}", shape_text(x.shape)));
  std::string nm = c.name(n);
  int axis = x.batched ? 0 : 1;  // the channel dim, in graph coordinates
  int y = c.graph().affine(c.node_of(x, nm), axis, nm);
  c.output(n, 0, c.act(y, x.shape, x.batched, nm));
}

// LayerNorm over the trailing axes from `axis` on (the graph normalizes over its last dim, so
// several trailing axes are viewed as one).
void layernorm_from(Importer& c, const NodeProto& n, const Value& x, std::int64_t axis) {
  auto a = norm_axis(axis, x.shape.size());
  if (!a) c.fail(n, fmt::format("axis {} out of range for {}", axis, shape_text(x.shape)));
  if (*a == 0 && x.batched) c.fail(n, "normalizing over the batch dimension is not supported");
  std::string nm = c.name(n);
  Shape view = Importer::graph_shape(x);
  std::int64_t trailing = numel(Shape(x.shape.begin() + *a, x.shape.end()));
  if (view.back() != trailing) {
    view.resize(view.size() - (x.shape.size() - static_cast<std::size_t>(*a)));
    view.push_back(trailing);
  }
  int y = c.graph().layernorm(c.node_as(x, view, nm), nm);
  c.output(n, 0, c.act(y, x.shape, x.batched, nm));
}

void layernorm(Importer& c, const NodeProto& n) {
  layernorm_from(c, n, c.input(n, 0), attr_int(n, "axis", -1));
}

void fused_layernorm(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  std::vector<std::int64_t> axes = attr_ints(n, "axes");
  if (c.has_input(n, 1)) axes = c.ints(n, c.input(n, 1), "axes");
  if (axes.empty()) axes = {-1};
  std::vector<int> norm;
  for (auto ax : axes) {
    auto a = norm_axis(ax, x.shape.size());
    if (!a) c.fail(n, fmt::format("axis {} out of range for {}", ax, shape_text(x.shape)));
    norm.push_back(*a);
  }
  std::sort(norm.begin(), norm.end());
  for (std::size_t i = 0; i < norm.size(); ++i)
    if (norm[i] != static_cast<int>(x.shape.size() - norm.size() + i))
      c.fail(n, "a decomposed LayerNorm must reduce over the trailing axes");
  layernorm_from(c, n, x, norm.front());
}

void softmax(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  const std::int64_t def = c.opset() >= 13 ? -1 : 1;
  auto a = norm_axis(attr_int(n, "axis", def), x.shape.size());
  if (!a) c.fail(n, fmt::format("axis out of range for {}", shape_text(x.shape)));
  if (*a == 0 && x.batched) c.fail(n, "softmax over the batch dimension is not supported");
  std::string nm = c.name(n);
  Graph& g = c.graph();
  const int last = static_cast<int>(x.shape.size()) - 1;
  if (c.opset() < 13 && *a != last) {
    // Opsets < 13 normalize over all axes from `axis` on, flattened.
    Shape view = Importer::graph_shape(x);
    std::int64_t trailing = numel(Shape(x.shape.begin() + *a, x.shape.end()));
    view.resize(view.size() - static_cast<std::size_t>(last - *a + 1));
    view.push_back(trailing);
    int y = g.softmax(c.node_as(x, view, nm), nm);
    c.output(n, 0, c.act(y, x.shape, x.batched, nm));
    return;
  }
  int in = c.node_of(x, nm);
  if (*a == last) {
    c.output(n, 0, c.act(g.softmax(in, nm), x.shape, x.batched, nm));
    return;
  }
  // Softmax along an inner axis: permute it last, normalize, permute back (data movement).
  const int ga = *a - (x.batched ? 1 : 0);
  const int r = static_cast<int>(g.node(in).out.size());
  std::vector<int> perm, inv(static_cast<std::size_t>(r));
  for (int i = 0; i < r; ++i)
    if (i != ga) perm.push_back(i);
  perm.push_back(ga);
  for (int i = 0; i < r; ++i) inv[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)])] = i;
  int y = g.softmax(g.permute(in, perm, c.name_for(nm + "/to_last")), nm);
  y = g.permute(y, inv, c.name_for(nm + "/back"));
  c.output(n, 0, c.act(y, x.shape, x.batched, nm));
}

// ---- activations ------------------------------------------------------------------------------

void activation(Importer& c, const NodeProto& n, ActKind kind) {
  const Value& x = c.input(n, 0);
  std::string nm = c.name(n);
  int y = c.graph().activation(c.node_of(x, nm), kind, nm);
  c.output(n, 0, c.act(y, x.shape, x.batched, nm));
}

void clip(Importer& c, const NodeProto& n) {
  double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
  if (c.opset() < 11) {
    lo = attr_float(n, "min", -std::numeric_limits<float>::infinity());
    hi = attr_float(n, "max", std::numeric_limits<float>::infinity());
  } else {
    if (c.has_input(n, 1)) lo = c.real(n, c.input(n, 1), "min (input 1)");
    if (c.has_input(n, 2)) hi = c.real(n, c.input(n, 2), "max (input 2)");
  }
  const Value& x = c.input(n, 0);
  if (!x.is_act || (std::isinf(lo) && std::isinf(hi))) {
    c.output(n, 0, x);  // clamping a constant, or no bounds at all
    return;
  }
  // ReLU6 for 0..6 and for any other two-sided clamp (same cost: two compares per element).
  activation(c, n, std::isinf(hi) ? ActKind::ReLU : ActKind::ReLU6);
}

void gelu(Importer& c, const NodeProto& n) {
  activation(c, n, ActKind::GELU);
}

// imc.fused Affine(x, g, b): a per-channel scale and shift along the one axis g varies over.
void fused_affine(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  const Value& g = c.input(n, 1);
  if (!x.is_act || g.shape.size() > x.shape.size()) return c.output(n, 0, x);
  int axis = -1;
  for (std::size_t k = 0; k < g.shape.size(); ++k)
    if (g.shape[k] != 1) axis = static_cast<int>(x.shape.size() - g.shape.size() + k);
  if (axis < 0 || x.shape[static_cast<std::size_t>(axis)] != numel(g.shape) || (axis == 0 && x.batched))
    return c.output(n, 0, x);  // not per-channel after all: folded like any scale and bias
  std::string nm = c.name(n);
  int y = c.graph().affine(c.node_of(x, nm), axis - (x.batched ? 1 : 0), nm);
  c.output(n, 0, c.act(y, x.shape, x.batched, nm));
}

}  // namespace

void register_nn_ops(Registry& r) {
  r["Conv"] = conv;
  r["Gemm"] = gemm;
  r["MatMul"] = matmul;
  r["MaxPool"] = [](Importer& c, const NodeProto& n) { pool(c, n, true); };
  r["AveragePool"] = [](Importer& c, const NodeProto& n) { pool(c, n, false); };
  r["GlobalAveragePool"] = global_pool;
  r["GlobalMaxPool"] = global_pool;
  r["ReduceMean"] = reduce;
  r["ReduceMax"] = reduce;
  r["ReduceSum"] = reduce;
  r["BatchNormalization"] = batchnorm;
  r["LayerNormalization"] = layernorm;
  r["Softmax"] = softmax;
  r["LogSoftmax"] = softmax;
  r["Relu"] = [](Importer& c, const NodeProto& n) { activation(c, n, ActKind::ReLU); };
  r["Sigmoid"] = [](Importer& c, const NodeProto& n) { activation(c, n, ActKind::Sigmoid); };
  r["Tanh"] = [](Importer& c, const NodeProto& n) { activation(c, n, ActKind::Tanh); };
  r["HardSigmoid"] = [](Importer& c, const NodeProto& n) { activation(c, n, ActKind::HardSigmoid); };
  r["HardSwish"] = [](Importer& c, const NodeProto& n) { activation(c, n, ActKind::HardSwish); };
  r["Gelu"] = gelu;
  r["Clip"] = clip;
  const std::string f = std::string(kFusedDomain) + ":";
  r[f + "Gelu"] = gelu;
  r[f + "SiLU"] = [](Importer& c, const NodeProto& n) { activation(c, n, ActKind::SiLU); };
  r[f + "HardSwish"] = [](Importer& c, const NodeProto& n) { activation(c, n, ActKind::HardSwish); };
  r[f + "LayerNorm"] = fused_layernorm;
  r[f + "Linear"] = fused_linear;
  r[f + "Affine"] = fused_affine;
}

}  // namespace imc::workloads::onnx
