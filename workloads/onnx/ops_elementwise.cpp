// Element-wise operators. Between two activations: Graph add/mul. Between an activation and a
// constant: a learned full-size tensor (position embeddings) becomes a parameter node read by the
// add/mul; a broadcast constant (bias, scale, mask) is folded into its neighbours and adds no node,
// as it folds into the preceding layer's weights or the ADC scale on the hardware. Between
// constants: evaluated (shape arithmetic of torch exports) when the values are known.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "workloads/onnx/import_context.h"

namespace imc::workloads::onnx {

namespace {

using ::onnx::NodeProto;

// out[i] = f(inputs at the broadcast position of i), for constants whose values are all known.
template <typename F>
std::vector<double> eval(const std::vector<const Value*>& ins, const Shape& out, F f) {
  const std::size_t r = out.size();
  std::vector<std::vector<std::int64_t>> strides;
  for (const Value* v : ins) {
    std::vector<std::int64_t> s(r, 0);
    std::int64_t acc = 1;
    for (std::size_t k = 0; k < v->shape.size(); ++k) {
      std::size_t d = v->shape.size() - 1 - k, o = r - 1 - k;
      s[o] = v->shape[d] == 1 ? 0 : acc;
      acc *= v->shape[d];
    }
    strides.push_back(std::move(s));
  }
  const std::int64_t n = numel(out);
  std::vector<double> res(static_cast<std::size_t>(n));
  std::vector<std::int64_t> idx(r, 0);
  std::vector<double> args(ins.size());
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < ins.size(); ++j) {
      std::int64_t off = 0;
      for (std::size_t k = 0; k < r; ++k) off += idx[k] * strides[j][k];
      args[j] = ins[j]->data[static_cast<std::size_t>(off)];
    }
    res[static_cast<std::size_t>(i)] = f(args);
    for (std::size_t k = r; k-- > 0;) {
      if (++idx[k] < out[k]) break;
      idx[k] = 0;
    }
  }
  return res;
}

// Folds an operator over constants: the result's shape always, its values when all are known.
template <typename F>
Value fold(const std::vector<const Value*>& ins, const Shape& out, bool is_float, F f) {
  Value v;
  v.shape = out;
  v.is_float = is_float;
  bool all = true;
  for (const Value* x : ins) {
    all = all && x->has_data;
    v.runtime = v.runtime || x->runtime;
    v.stored = std::max(v.stored, x->stored);
  }
  if (all && numel(out) <= kMaxConstValues) {
    v.data = eval(ins, out, f);
    v.has_data = true;
  }
  return v;
}

double trunc_if_int(double x, bool is_float) {
  return is_float ? x : std::trunc(x);
}

enum class Combine { Add, Mul, None };

// An activation combined with a constant (Add/Sub/Mul/Div/Max/Min/Where).
void act_with_const(Importer& c, const NodeProto& n, const Value& a, const Value& k, Combine how) {
  auto out = broadcast(a.shape, k.shape);
  if (!out || *out != a.shape)
    c.fail(n, fmt::format("the constant operand {} would broadcast the activation {} to a larger shape",
                          shape_text(k.shape), shape_text(a.shape)));
  // A learned tensor as large as the activation (a position-embedding table) is read by the op;
  // one that varies along a single axis is a bias or scale (folded).
  int varying = 0;
  for (auto d : k.shape) varying += d > 1;
  bool learned =
      how != Combine::None && k.stored > 0 && !k.runtime && numel(k.shape) == numel(a.shape) && varying >= 2;
  if (!learned) {
    c.output(n, 0, a);  // folded: bias, scale, mask
    return;
  }
  std::string nm = c.name(n);
  Graph& g = c.graph();
  Shape gs = Importer::graph_shape(a);
  int x = c.node_of(a, nm), p = c.node_as(k, gs, nm);
  int y = how == Combine::Add ? g.add(x, p, nm) : g.mul(x, p, nm);
  c.output(n, 0, c.act(y, a.shape, a.batched, nm));
}

void act_with_act(Importer& c, const NodeProto& n, const Value& a, const Value& b, Combine how) {
  if (how == Combine::None) c.fail(n, "this operator between two activations is not supported");
  auto out = broadcast(a.shape, b.shape);
  if (!out)
    c.fail(n, fmt::format("shapes {} and {} do not broadcast", shape_text(a.shape), shape_text(b.shape)));
  std::string nm = c.name(n);
  Graph& g = c.graph();
  const Value& big = numel(a.shape) >= numel(b.shape) ? a : b;
  const Value& small = &big == &a ? b : a;
  if (*out != big.shape)
    c.fail(n, fmt::format("broadcasting both operands ({} and {}) to a larger shape is not supported",
                          shape_text(a.shape), shape_text(b.shape)));
  Shape gs = Importer::graph_shape(big);
  int x = c.node_of(big, nm);
  int y;
  if (numel(small.shape) == numel(big.shape)) {
    int z = c.node_as(small, gs, nm + "/rhs");
    y = how == Combine::Add ? g.add(x, z, nm) : g.mul(x, z, nm);
  } else if (how == Combine::Mul && gs.size() == 3 && numel(small.shape) == gs[0]) {
    // Squeeze-excite: per-channel scale [C,1,1] over [C,H,W].
    y = g.mul(x, c.node_as(small, {gs[0], 1, 1}, nm + "/scale"), nm);
  } else {
    c.fail(n, fmt::format("broadcasting {} over {} between two activations is not supported",
                          shape_text(small.shape), shape_text(big.shape)));
  }
  c.output(n, 0, c.act(y, big.shape, big.batched, nm));
}

template <typename F>
void binary(Importer& c, const NodeProto& n, Combine how, bool result_float_if_any, F f) {
  const Value& a = c.input(n, 0);
  const Value& b = c.input(n, 1);
  if (a.is_act && b.is_act) return act_with_act(c, n, a, b, how);
  if (a.is_act || b.is_act) {
    if (how == Combine::None)
      c.fail(n, "this operator on an activation is not supported (it is only evaluated on constants)");
    return a.is_act ? act_with_const(c, n, a, b, how) : act_with_const(c, n, b, a, how);
  }
  auto out = broadcast(a.shape, b.shape);
  if (!out)
    c.fail(n, fmt::format("shapes {} and {} do not broadcast", shape_text(a.shape), shape_text(b.shape)));
  bool fl = result_float_if_any ? (a.is_float || b.is_float) : false;
  c.output(n, 0, fold({&a, &b}, *out, fl, [&](const std::vector<double>& v) {
             return trunc_if_int(f(v[0], v[1]), fl);
           }));
}

template <typename F>
void unary(Importer& c, const NodeProto& n, F f) {
  const Value& x = c.input(n, 0);
  if (x.is_act)
    c.fail(n, fmt::format(
                  "{} of an activation is not supported: element-wise math is evaluated on constants and "
                  "recognised inside decomposed LayerNorm/GELU patterns only",
                  n.op_type()));
  c.output(n, 0, fold({&x}, x.shape, x.is_float, [&](const std::vector<double>& v) { return f(v[0]); }));
}

void cast(Importer& c, const NodeProto& n) {
  Value v = c.input(n, 0);
  if (!v.is_act) {
    v.id = -1;
    v.is_float = is_float_type(static_cast<int>(attr_int(n, "to", ::onnx::TensorProto::FLOAT)));
    if (!v.is_float)
      for (auto& d : v.data) d = std::trunc(d);
  }
  c.output(n, 0, v);
}

void neg(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  if (x.is_act) return c.output(n, 0, x);  // a sign flip folds into the neighbouring layer
  c.output(n, 0, fold({&x}, x.shape, x.is_float, [](const std::vector<double>& v) { return -v[0]; }));
}

void where(Importer& c, const NodeProto& n) {
  const Value& cond = c.input(n, 0);
  const Value& a = c.input(n, 1);
  const Value& b = c.input(n, 2);
  if (cond.is_act) c.fail(n, "a condition computed from activations is not supported");
  if (a.is_act && b.is_act) return act_with_act(c, n, a, b, Combine::Add);
  if (a.is_act || b.is_act) {
    // Masking (causal attention): the selected activation passes; the mask is folded.
    const Value& x = a.is_act ? a : b;
    auto out = broadcast(cond.shape, a.is_act ? b.shape : a.shape);
    if (!out || !broadcast(*out, x.shape) || *broadcast(*out, x.shape) != x.shape)
      c.fail(n, fmt::format("the mask would broadcast the activation {} to a larger shape",
                            shape_text(x.shape)));
    return c.output(n, 0, x);
  }
  auto ab = broadcast(a.shape, b.shape);
  auto out = ab ? broadcast(cond.shape, *ab) : std::nullopt;
  if (!out) c.fail(n, "the operand shapes do not broadcast");
  c.output(n, 0, fold({&cond, &a, &b}, *out, a.is_float || b.is_float, [](const std::vector<double>& v) {
             return v[0] != 0 ? v[1] : v[2];
           }));
}

}  // namespace

void register_elementwise_ops(Registry& r) {
  r["Add"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::Add, true, [](double x, double y) { return x + y; });
  };
  r["Sub"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::Add, true, [](double x, double y) { return x - y; });
  };
  r["Mul"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::Mul, true, [](double x, double y) { return x * y; });
  };
  r["Div"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::Mul, true, [](double x, double y) { return y == 0 ? 0.0 : x / y; });
  };
  r["Max"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::Add, true, [](double x, double y) { return std::max(x, y); });
  };
  r["Min"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::Add, true, [](double x, double y) { return std::min(x, y); });
  };
  r["Pow"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::None, true, [](double x, double y) { return std::pow(x, y); });
  };
  r["Mod"] = [](Importer& c, const NodeProto& n) {
    // fmod=0: the result takes the divisor's sign (Python's %); fmod=1: the dividend's (C's fmod).
    const bool c_style = attr_int(n, "fmod", 0) != 0;
    binary(c, n, Combine::None, true, [c_style](double x, double y) {
      if (y == 0) return 0.0;
      return c_style ? std::fmod(x, y) : x - y * std::floor(x / y);
    });
  };
  r["Equal"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::None, false, [](double x, double y) { return double(x == y); });
  };
  r["Less"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::None, false, [](double x, double y) { return double(x < y); });
  };
  r["LessOrEqual"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::None, false, [](double x, double y) { return double(x <= y); });
  };
  r["Greater"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::None, false, [](double x, double y) { return double(x > y); });
  };
  r["GreaterOrEqual"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::None, false, [](double x, double y) { return double(x >= y); });
  };
  r["And"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::None, false, [](double x, double y) { return double(x != 0 && y != 0); });
  };
  r["Or"] = [](Importer& c, const NodeProto& n) {
    binary(c, n, Combine::None, false, [](double x, double y) { return double(x != 0 || y != 0); });
  };
  r["Not"] = [](Importer& c, const NodeProto& n) { unary(c, n, [](double x) { return double(x == 0); }); };
  r["Sqrt"] = [](Importer& c, const NodeProto& n) { unary(c, n, [](double x) { return std::sqrt(x); }); };
  r["Exp"] = [](Importer& c, const NodeProto& n) { unary(c, n, [](double x) { return std::exp(x); }); };
  r["Log"] = [](Importer& c, const NodeProto& n) { unary(c, n, [](double x) { return std::log(x); }); };
  r["Erf"] = [](Importer& c, const NodeProto& n) { unary(c, n, [](double x) { return std::erf(x); }); };
  r["Reciprocal"] = [](Importer& c, const NodeProto& n) {
    unary(c, n, [](double x) { return x == 0 ? 0.0 : 1 / x; });
  };
  r["Abs"] = [](Importer& c, const NodeProto& n) { unary(c, n, [](double x) { return std::fabs(x); }); };
  r["Floor"] = [](Importer& c, const NodeProto& n) { unary(c, n, [](double x) { return std::floor(x); }); };
  r["Ceil"] = [](Importer& c, const NodeProto& n) { unary(c, n, [](double x) { return std::ceil(x); }); };
  r["Sin"] = [](Importer& c, const NodeProto& n) { unary(c, n, [](double x) { return std::sin(x); }); };
  r["Cos"] = [](Importer& c, const NodeProto& n) { unary(c, n, [](double x) { return std::cos(x); }); };
  r["Neg"] = neg;
  r["Cast"] = cast;
  r["Where"] = where;
}

}  // namespace imc::workloads::onnx
