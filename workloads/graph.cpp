// Graph builders: every builder checks its operands' shapes and computes the output shape, so a
// Graph that exists is well formed (topological order, unique names, consistent shapes).
#include "workloads/graph.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/config.h"

namespace imc::workloads {

const char* to_string(OpKind op) {
  switch (op) {
    case OpKind::Input:
      return "input";
    case OpKind::Conv2d:
      return "conv2d";
    case OpKind::Linear:
      return "linear";
    case OpKind::MatMul:
      return "matmul";
    case OpKind::MaxPool:
      return "maxpool";
    case OpKind::AvgPool:
      return "avgpool";
    case OpKind::GlobalAvgPool:
      return "global_avgpool";
    case OpKind::Add:
      return "add";
    case OpKind::Mul:
      return "mul";
    case OpKind::Concat:
      return "concat";
    case OpKind::Activation:
      return "activation";
    case OpKind::BatchNorm:
      return "batchnorm";
    case OpKind::LayerNorm:
      return "layernorm";
    case OpKind::Softmax:
      return "softmax";
    case OpKind::Reshape:
      return "reshape";
  }
  return "?";
}

const char* to_string(ActKind act) {
  switch (act) {
    case ActKind::ReLU:
      return "relu";
    case ActKind::ReLU6:
      return "relu6";
    case ActKind::GELU:
      return "gelu";
    case ActKind::Sigmoid:
      return "sigmoid";
    case ActKind::HardSigmoid:
      return "hardsigmoid";
    case ActKind::HardSwish:
      return "hardswish";
    case ActKind::Tanh:
      return "tanh";
    case ActKind::SiLU:
      return "silu";
  }
  return "?";
}

const char* to_string(MoveKind move) {
  switch (move) {
    case MoveKind::Reshape:
      return "reshape";
    case MoveKind::Permute:
      return "permute";
    case MoveKind::Slice:
      return "slice";
    case MoveKind::Pad:
      return "pad";
  }
  return "?";
}

std::string op_label(const Node& n) {
  switch (n.op) {
    case OpKind::Input:
      return n.learned_params > 0 ? "parameter" : "input";
    case OpKind::Conv2d:
      return "conv";
    case OpKind::Activation:
      return to_string(n.act);
    case OpKind::Reshape:
      return to_string(n.move);
    default:
      return to_string(n.op);
  }
}

std::int64_t elements_of(const std::vector<std::int64_t>& shape) {
  std::int64_t e = 1;
  for (auto d : shape) e *= d;
  return e;
}

std::string shape_str(const std::vector<std::int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ","));
}

namespace {

[[noreturn]] void fail(const Node& n, const std::string& what) {
  throw common::InputError(fmt::format("node '{}' ({}): {}", n.name, op_label(n), what));
}

Node make(OpKind op, std::string name) {
  Node n;
  n.op = op;
  n.name = std::move(name);
  return n;
}

// Limits that keep every size and count of the graph, its mapping and its lowering within int64
// (checked here, once, so the arithmetic elsewhere need not be): one dimension, kernel, stride,
// pad or dilation <= 2^31; a node's elements <= 2^40; its MACs and weights <= 2^56.
constexpr std::int64_t kMaxDim = std::int64_t(1) << 31;
constexpr long double kMaxElements = 1099511627776.0L;  // 2^40
constexpr long double kMaxMacs = 72057594037927936.0L;  // 2^56

void check_dims(const Node& n, const std::vector<std::int64_t>& shape, const char* what) {
  if (shape.empty()) fail(n, fmt::format("{} must have at least one dimension", what));
  for (auto d : shape) {
    if (d < 1) fail(n, fmt::format("{} {} has a dimension < 1", what, shape_str(shape)));
    if (d > kMaxDim) fail(n, fmt::format("{} {} has a dimension above 2^31", what, shape_str(shape)));
  }
}

void check_window_param(const Node& n, const char* what, std::int64_t v) {
  if (v > kMaxDim || v < -kMaxDim) fail(n, fmt::format("{} {} is out of range: allowed up to 2^31", what, v));
}

long double product(const std::vector<std::int64_t>& shape) {
  long double e = 1;
  for (auto d : shape) e *= static_cast<long double>(d);
  return e;
}

// The node's sizes, computed without overflow, against the limits above.
void check_sizes(const Node& n) {
  for (auto d : n.out)
    if (d > kMaxDim) fail(n, fmt::format("output shape {} has a dimension above 2^31", shape_str(n.out)));
  const long double elems = product(n.out);
  if (elems > kMaxElements)
    fail(n, fmt::format("output shape {} holds {:.3g} elements: above the limit 2^40", shape_str(n.out),
                        double(elems)));
  long double per_output = 0, weights = 0;
  if (n.op == OpKind::Conv2d) {
    per_output = static_cast<long double>(n.in_channels / std::max<std::int64_t>(n.groups, 1)) *
                 static_cast<long double>(n.kernel_h) * static_cast<long double>(n.kernel_w);
    weights = per_output * static_cast<long double>(n.out_channels);
  } else if (n.op == OpKind::Linear || n.op == OpKind::MatMul) {
    per_output = static_cast<long double>(n.in_features);
    weights = per_output * static_cast<long double>(n.out_features);
  }
  if (elems * per_output > kMaxMacs || weights > kMaxMacs)
    fail(n, fmt::format("{:.3g} MACs and {:.3g} weights: above the limit 2^56", double(elems * per_output),
                        double(weights)));
}

// Normalizes a possibly negative axis against `rank`.
int norm_axis(const Node& n, int axis, std::size_t rank) {
  int r = static_cast<int>(rank);
  int a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) fail(n, fmt::format("axis {} is out of range for a rank-{} tensor", axis, r));
  return a;
}

// Output size of a sliding window (conv or pool) along one dimension.
std::int64_t window_out(const Node& n, const char* dim, std::int64_t in, std::int64_t k, std::int64_t s,
                        std::int64_t p, std::int64_t d) {
  check_window_param(n, "kernel", k);
  check_window_param(n, "stride", s);
  check_window_param(n, "pad", p);
  check_window_param(n, "dilation", d);
  std::int64_t span = d * (k - 1) + 1;
  if (in + 2 * p < span)
    fail(n, fmt::format("kernel {} (dilation {}) spans {} but the padded input {} is only {}", k, d, span,
                        dim, in + 2 * p));
  return (in + 2 * p - span) / s + 1;
}

}  // namespace

int Graph::find(const std::string& node_name) const {
  auto it = index_.find(node_name);
  return it == index_.end() ? -1 : it->second;
}

void Graph::set_input_bit_density(int node, std::vector<double> density) {
  for (double d : density)
    if (!(d >= 0.0 && d <= 1.0))
      throw common::InputError(fmt::format("node '{}': input bit density {} is out of range: allowed [0, 1]",
                                           nodes_.at(std::size_t(node)).name, d));
  nodes_.at(std::size_t(node)).input_bit_density = std::move(density);
}

const Node& Graph::operand(int x, const Node& n) const {
  if (x < 0 || x >= size())
    fail(n, fmt::format("input index {} does not name an existing node (the graph has {} nodes)", x, size()));
  return nodes_[static_cast<std::size_t>(x)];
}

int Graph::push(Node n) {
  if (index_.count(n.name))
    fail(n, fmt::format("a node named '{}' already exists (index {})", n.name, index_.at(n.name)));
  for (int in : n.inputs) operand(in, n);  // builders check too; this keeps the order invariant local
  check_sizes(n);
  int id = size();
  index_.emplace(n.name, id);
  nodes_.push_back(std::move(n));
  return id;
}

// Empty names become "<op><index>", made unique if a user already took that name.
static std::string auto_name(const Graph& g, std::string name, const char* op) {
  if (!name.empty()) return name;
  std::string base = fmt::format("{}{}", op, g.size());
  std::string cand = base;
  for (int k = 1; g.find(cand) >= 0; ++k) cand = fmt::format("{}_{}", base, k);
  return cand;
}

int Graph::input(std::vector<std::int64_t> shape, std::string name) {
  Node n = make(OpKind::Input, auto_name(*this, std::move(name), "input"));
  check_dims(n, shape, "input shape");
  n.out = std::move(shape);
  return push(std::move(n));
}

int Graph::parameter(std::vector<std::int64_t> shape, std::int64_t stored_elements, std::string name) {
  Node n = make(OpKind::Input, auto_name(*this, std::move(name), "parameter"));
  n.learned_params = 1;  // so that errors below label it "parameter"
  check_dims(n, shape, "parameter shape");
  // The stored table may be larger (a position table of which some rows are read) or smaller (a
  // 2-row token-type table read once per token) than what the network reads.
  if (stored_elements < 0) fail(n, fmt::format("stored element count {} is negative", stored_elements));
  n.learned_params = stored_elements == 0 ? elements_of(shape) : stored_elements;
  n.out = std::move(shape);
  return push(std::move(n));
}

int Graph::conv(int x, std::int64_t out_channels, std::int64_t kernel, std::int64_t stride, std::int64_t pad,
                std::int64_t groups, std::int64_t dilation, bool bias, std::string name) {
  Node a;
  a.out_channels = out_channels;
  a.kernel_h = a.kernel_w = kernel;
  a.stride_h = a.stride_w = stride;
  if (pad < -1) {
    Node n = make(OpKind::Conv2d, auto_name(*this, name, "conv"));
    fail(n, fmt::format("pad {} is invalid: use >= 0, or -1 for \"same\"", pad));
  }
  std::int64_t p = pad == -1 ? (kernel - 1) / 2 * dilation : pad;
  a.pad_h = a.pad_w = p;
  a.dilation_h = a.dilation_w = dilation;
  a.groups = groups;
  a.bias = bias;
  return conv2d(x, a, std::move(name));
}

int Graph::conv2d(int x, const Node& attrs, std::string name) {
  Node n = attrs;
  n.op = OpKind::Conv2d;
  n.name = auto_name(*this, std::move(name), "conv");
  n.inputs = {x};
  const Node& in = operand(x, n);
  if (in.out.size() != 3)
    fail(n, fmt::format("needs a [C,H,W] input, found {} from '{}'", shape_str(in.out), in.name));
  std::int64_t cin = in.out[0];
  if (attrs.in_channels != 0 && attrs.in_channels != cin)
    fail(n, fmt::format("declares {} input channels but '{}' has {} ({})", attrs.in_channels, in.name, cin,
                        shape_str(in.out)));
  n.in_channels = cin;
  if (n.out_channels < 1) fail(n, fmt::format("out_channels {} must be >= 1", n.out_channels));
  if (n.kernel_h < 1 || n.kernel_w < 1)
    fail(n, fmt::format("kernel {}x{} must be >= 1", n.kernel_h, n.kernel_w));
  if (n.stride_h < 1 || n.stride_w < 1)
    fail(n, fmt::format("stride {}x{} must be >= 1", n.stride_h, n.stride_w));
  if (n.pad_h < 0 || n.pad_w < 0) fail(n, fmt::format("pad {}x{} must be >= 0", n.pad_h, n.pad_w));
  if (n.dilation_h < 1 || n.dilation_w < 1)
    fail(n, fmt::format("dilation {}x{} must be >= 1", n.dilation_h, n.dilation_w));
  if (n.groups < 1) fail(n, fmt::format("groups {} must be >= 1", n.groups));
  if (cin % n.groups != 0 || n.out_channels % n.groups != 0)
    fail(n, fmt::format("groups {} must divide both input channels {} and out_channels {}", n.groups, cin,
                        n.out_channels));
  std::int64_t ho = window_out(n, "height", in.out[1], n.kernel_h, n.stride_h, n.pad_h, n.dilation_h);
  std::int64_t wo = window_out(n, "width", in.out[2], n.kernel_w, n.stride_w, n.pad_w, n.dilation_w);
  n.out = {n.out_channels, ho, wo};
  return push(std::move(n));
}

int Graph::linear(int x, std::int64_t out_features, bool bias, std::string name) {
  Node n = make(OpKind::Linear, auto_name(*this, std::move(name), "linear"));
  n.inputs = {x};
  const Node& in = operand(x, n);
  if (out_features < 1) fail(n, fmt::format("out_features {} must be >= 1", out_features));
  n.in_features = in.out.back();
  n.out_features = out_features;
  n.bias = bias;
  n.out = in.out;
  n.out.back() = out_features;
  return push(std::move(n));
}

int Graph::matmul(int a, int b, std::string name) {
  Node n = make(OpKind::MatMul, auto_name(*this, std::move(name), "matmul"));
  n.inputs = {a, b};
  const Node& A = operand(a, n);
  const Node& B = operand(b, n);
  if (A.out.size() < 2 || A.out.size() != B.out.size())
    fail(n, fmt::format("needs [..,M,K] x [..,K,N] of equal rank >= 2, found {} ('{}') and {} ('{}')",
                        shape_str(A.out), A.name, shape_str(B.out), B.name));
  std::size_t r = A.out.size();
  bool lead_ok = std::equal(A.out.begin(), A.out.end() - 2, B.out.begin());
  if (!lead_ok || A.out[r - 1] != B.out[r - 2])
    fail(n, fmt::format("shapes {} ('{}') and {} ('{}') do not multiply: need equal leading dims and K == K",
                        shape_str(A.out), A.name, shape_str(B.out), B.name));
  n.in_features = A.out[r - 1];
  n.out = A.out;
  n.out[r - 1] = B.out[r - 1];
  return push(std::move(n));
}

// Shared by maxpool and avgpool: checks the window and sets the output shape.
static void pool_shape(Node& n, const Node& in, std::int64_t kernel, std::int64_t stride, std::int64_t pad) {
  if (in.out.size() != 3)
    fail(n, fmt::format("needs a [C,H,W] input, found {} from '{}'", shape_str(in.out), in.name));
  if (kernel < 1 || stride < 1 || pad < 0)
    fail(n, fmt::format("kernel {} and stride {} must be >= 1, pad {} >= 0", kernel, stride, pad));
  if (2 * pad > kernel) fail(n, fmt::format("pad {} must be at most half the kernel {}", pad, kernel));
  n.in_channels = n.out_channels = in.out[0];
  n.kernel_h = n.kernel_w = kernel;
  n.stride_h = n.stride_w = stride;
  n.pad_h = n.pad_w = pad;
  std::int64_t ho = window_out(n, "height", in.out[1], kernel, stride, pad, 1);
  std::int64_t wo = window_out(n, "width", in.out[2], kernel, stride, pad, 1);
  n.out = {in.out[0], ho, wo};
}

int Graph::maxpool(int x, std::int64_t kernel, std::int64_t stride, std::int64_t pad, std::string name) {
  Node n = make(OpKind::MaxPool, auto_name(*this, std::move(name), "maxpool"));
  n.inputs = {x};
  pool_shape(n, operand(x, n), kernel, stride, pad);
  return push(std::move(n));
}

int Graph::avgpool(int x, std::int64_t kernel, std::int64_t stride, std::int64_t pad, std::string name) {
  Node n = make(OpKind::AvgPool, auto_name(*this, std::move(name), "avgpool"));
  n.inputs = {x};
  pool_shape(n, operand(x, n), kernel, stride, pad);
  return push(std::move(n));
}

int Graph::global_avgpool(int x, std::string name) {
  Node n = make(OpKind::GlobalAvgPool, auto_name(*this, std::move(name), "global_avgpool"));
  n.inputs = {x};
  const Node& in = operand(x, n);
  if (in.out.size() != 3)
    fail(n, fmt::format("needs a [C,H,W] input, found {} from '{}'", shape_str(in.out), in.name));
  n.kernel_h = in.out[1];
  n.kernel_w = in.out[2];
  n.out = {in.out[0], 1, 1};
  return push(std::move(n));
}

int Graph::add(int a, int b, std::string name) {
  Node n = make(OpKind::Add, auto_name(*this, std::move(name), "add"));
  n.inputs = {a, b};
  const Node& A = operand(a, n);
  const Node& B = operand(b, n);
  if (A.out != B.out)
    fail(n, fmt::format("needs equal shapes, found {} ('{}') and {} ('{}')", shape_str(A.out), A.name,
                        shape_str(B.out), B.name));
  n.out = A.out;
  return push(std::move(n));
}

int Graph::mul(int a, int b, std::string name) {
  Node n = make(OpKind::Mul, auto_name(*this, std::move(name), "mul"));
  n.inputs = {a, b};
  const Node& A = operand(a, n);
  const Node& B = operand(b, n);
  // Squeeze-excite scaling: [C,1,1] broadcast over [C,H,W], in either order.
  auto broadcasts = [](const std::vector<std::int64_t>& s, const std::vector<std::int64_t>& big) {
    return s.size() == 3 && big.size() == 3 && s[0] == big[0] && s[1] == 1 && s[2] == 1;
  };
  if (A.out == B.out || broadcasts(B.out, A.out)) {
    n.out = A.out;
  } else if (broadcasts(A.out, B.out)) {
    n.out = B.out;
  } else {
    fail(n, fmt::format("needs equal shapes or [C,1,1] with [C,H,W], found {} ('{}') and {} ('{}')",
                        shape_str(A.out), A.name, shape_str(B.out), B.name));
  }
  return push(std::move(n));
}

int Graph::concat(const std::vector<int>& xs, int axis, std::string name) {
  Node n = make(OpKind::Concat, auto_name(*this, std::move(name), "concat"));
  n.inputs = xs;
  if (xs.size() < 2) fail(n, fmt::format("needs at least 2 inputs, found {}", xs.size()));
  const Node& first = operand(xs[0], n);
  int ax = norm_axis(n, axis, first.out.size());
  n.axis = ax;
  n.out = first.out;
  n.out[static_cast<std::size_t>(ax)] = 0;
  for (int x : xs) {
    const Node& in = operand(x, n);
    bool ok = in.out.size() == first.out.size();
    for (std::size_t d = 0; ok && d < in.out.size(); ++d)
      ok = d == static_cast<std::size_t>(ax) || in.out[d] == first.out[d];
    if (!ok)
      fail(n, fmt::format("along axis {} needs equal other dims, found {} ('{}') and {} ('{}')", ax,
                          shape_str(first.out), first.name, shape_str(in.out), in.name));
    n.out[static_cast<std::size_t>(ax)] += in.out[static_cast<std::size_t>(ax)];
  }
  return push(std::move(n));
}

int Graph::activation(int x, ActKind act, std::string name) {
  Node n = make(OpKind::Activation, auto_name(*this, std::move(name), to_string(act)));
  n.act = act;
  n.inputs = {x};
  n.out = operand(x, n).out;
  return push(std::move(n));
}

int Graph::batchnorm(int x, std::string name) {
  return affine(x, 0, std::move(name));
}

int Graph::affine(int x, int axis, std::string name) {
  Node n = make(OpKind::BatchNorm, auto_name(*this, std::move(name), "batchnorm"));
  n.inputs = {x};
  n.out = operand(x, n).out;
  n.axis = norm_axis(n, axis, n.out.size());
  return push(std::move(n));
}

int Graph::layernorm(int x, std::string name) {
  Node n = make(OpKind::LayerNorm, auto_name(*this, std::move(name), "layernorm"));
  n.inputs = {x};
  n.out = operand(x, n).out;
  n.axis = static_cast<int>(n.out.size()) - 1;
  return push(std::move(n));
}

int Graph::softmax(int x, std::string name) {
  Node n = make(OpKind::Softmax, auto_name(*this, std::move(name), "softmax"));
  n.inputs = {x};
  n.out = operand(x, n).out;
  n.axis = static_cast<int>(n.out.size()) - 1;
  return push(std::move(n));
}

int Graph::reshape(int x, std::vector<std::int64_t> shape, std::string name) {
  Node n = make(OpKind::Reshape, auto_name(*this, std::move(name), "reshape"));
  n.move = MoveKind::Reshape;
  n.inputs = {x};
  const Node& in = operand(x, n);
  // One dimension may be -1: inferred from the element count.
  std::int64_t known = 1;
  int infer = -1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1 && infer < 0) {
      infer = static_cast<int>(i);
    } else if (shape[i] < 1) {
      fail(n, fmt::format("target shape {} may hold one -1 and otherwise dims >= 1", shape_str(shape)));
    } else {
      known *= shape[i];
    }
  }
  std::int64_t total = elements_of(in.out);
  if (infer >= 0) {
    if (shape.empty() || total % known != 0)
      fail(n, fmt::format("cannot infer the -1 in {} from {} elements of {} ('{}')", shape_str(shape), total,
                          shape_str(in.out), in.name));
    shape[static_cast<std::size_t>(infer)] = total / known;
  }
  if (shape.empty() || elements_of(shape) != total)
    fail(n, fmt::format("target shape {} has {} elements but the input {} ('{}') has {}", shape_str(shape),
                        shape.empty() ? 0 : elements_of(shape), shape_str(in.out), in.name, total));
  n.out = std::move(shape);
  return push(std::move(n));
}

int Graph::flatten(int x, std::string name) {
  return reshape(x, {-1}, auto_name(*this, std::move(name), "flatten"));
}

int Graph::permute(int x, std::vector<int> perm, std::string name) {
  Node n = make(OpKind::Reshape, auto_name(*this, std::move(name), "permute"));
  n.move = MoveKind::Permute;
  n.inputs = {x};
  const Node& in = operand(x, n);
  std::vector<int> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  bool ok = perm.size() == in.out.size();
  for (std::size_t i = 0; ok && i < sorted.size(); ++i) ok = sorted[i] == static_cast<int>(i);
  if (!ok)
    fail(n, fmt::format("perm [{}] is not a permutation of the {} axes of {} ('{}')", fmt::join(perm, ","),
                        in.out.size(), shape_str(in.out), in.name));
  n.out.resize(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) n.out[i] = in.out[static_cast<std::size_t>(perm[i])];
  n.perm = std::move(perm);
  return push(std::move(n));
}

int Graph::transpose_last2(int x, std::string name) {
  name = auto_name(*this, std::move(name), "transpose");
  Node probe = make(OpKind::Reshape, name);
  probe.move = MoveKind::Permute;
  const Node& in = operand(x, probe);
  if (in.out.size() < 2)
    fail(probe, fmt::format("needs a rank >= 2 input, found {} ('{}')", shape_str(in.out), in.name));
  std::vector<int> perm(in.out.size());
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int>(i);
  std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
  return permute(x, std::move(perm), std::move(name));
}

int Graph::slice(int x, int axis, std::int64_t start, std::int64_t length, std::int64_t step,
                 std::string name) {
  Node n = make(OpKind::Reshape, auto_name(*this, std::move(name), "slice"));
  n.move = MoveKind::Slice;
  n.inputs = {x};
  const Node& in = operand(x, n);
  n.axis = norm_axis(n, axis, in.out.size());
  std::int64_t dim = in.out[static_cast<std::size_t>(n.axis)];
  if (start < 0 || length < 1 || step < 1 || start + (length - 1) * step >= dim)
    fail(n, fmt::format("start {}, length {}, step {} do not fit axis {} of size {} of {} ('{}')", start,
                        length, step, n.axis, dim, shape_str(in.out), in.name));
  n.start = start;
  n.step = step;
  n.out = in.out;
  n.out[static_cast<std::size_t>(n.axis)] = length;
  return push(std::move(n));
}

int Graph::pad(int x, int axis, std::int64_t before, std::int64_t after, std::string name) {
  Node n = make(OpKind::Reshape, auto_name(*this, std::move(name), "pad"));
  n.move = MoveKind::Pad;
  n.inputs = {x};
  const Node& in = operand(x, n);
  n.axis = norm_axis(n, axis, in.out.size());
  if (before < 0 || after < 0)
    fail(n, fmt::format("padding {} before and {} after must be >= 0", before, after));
  check_window_param(n, "padding before", before);
  check_window_param(n, "padding after", after);
  n.pad_before = before;
  n.out = in.out;
  n.out[static_cast<std::size_t>(n.axis)] += before + after;
  return push(std::move(n));
}

}  // namespace imc::workloads
