// Pattern fusion before conversion: the element-wise pieces of a decomposed LayerNorm or GELU have
// no meaning on their own in a workload graph (Pow, Sqrt and Erf of activations are not operators
// of Graph), so the chains torch.onnx.export emits for them are recognised and replaced by one node
// of the "imc.fused" domain. A pattern matches only when its intermediate tensors are read by the
// pattern alone; otherwise the nodes are left as they are (and converted one by one).
#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "workloads/onnx/import_context.h"

namespace imc::workloads::onnx {

namespace {

using ::onnx::NodeProto;

class Matcher {
 public:
  explicit Matcher(const ::onnx::GraphProto& g) : nodes_(g.node().begin(), g.node().end()) {
    for (const auto& t : g.initializer()) consts_.emplace(t.name(), &t);
    for (const auto& o : g.output()) graph_outputs_.insert(o.name());
    removed_.assign(nodes_.size(), false);
    for (int i = 0; i < size(); ++i) {
      const NodeProto& n = nodes_[static_cast<std::size_t>(i)];
      for (const auto& o : n.output()) producer_[o] = i;
      std::unordered_set<std::string> seen;
      for (const auto& in : n.input())
        if (!in.empty() && seen.insert(in).second) consumers_[in].push_back(i);
      // torch deduplicates identical initializers through Identity nodes: see through them.
      if (n.op_type() == "Identity" && n.input_size() == 1 && n.output_size() == 1) {
        if (auto it = consts_.find(n.input(0)); it != consts_.end()) consts_.emplace(n.output(0), it->second);
        if (auto it = scalars_.find(n.input(0)); it != scalars_.end())
          scalars_.emplace(n.output(0), it->second);
      }
      if (n.op_type() == "Constant" && n.domain().empty() && n.output_size() == 1) {
        for (const auto& a : n.attribute())
          if (a.name() == "value")
            consts_.emplace(n.output(0), &a.t());
          else if (a.name() == "value_float")
            scalars_[n.output(0)] = a.f();
          else if (a.name() == "value_int")
            scalars_[n.output(0)] = static_cast<double>(a.i());
      }
    }
  }

  int size() const { return static_cast<int>(nodes_.size()); }
  const NodeProto& node(int i) const { return nodes_[static_cast<std::size_t>(i)]; }

  bool is(int i, const char* op) const {
    return i >= 0 && !removed_[static_cast<std::size_t>(i)] && node(i).op_type() == op &&
           (node(i).domain().empty() || node(i).domain() == "ai.onnx");
  }
  int producer(const std::string& t) const {
    auto it = producer_.find(t);
    return it == producer_.end() ? -1 : it->second;
  }
  // The single node reading `t` (and `t` is not a model output), or -1.
  int sole_consumer(const std::string& t) const {
    if (graph_outputs_.count(t)) return -1;
    auto it = consumers_.find(t);
    if (it == consumers_.end() || it->second.size() != 1) return -1;
    return it->second[0];
  }
  std::vector<int> consumers(const std::string& t) const {
    auto it = consumers_.find(t);
    return it == consumers_.end() ? std::vector<int>{} : it->second;
  }
  bool is_output(const std::string& t) const { return graph_outputs_.count(t) != 0; }
  bool is_const(const std::string& t) const { return consts_.count(t) || scalars_.count(t); }
  std::optional<Shape> const_shape(const std::string& t) const {
    if (scalars_.count(t)) return Shape{};
    auto it = consts_.find(t);
    if (it == consts_.end()) return std::nullopt;
    return Shape(it->second->dims().begin(), it->second->dims().end());
  }
  std::optional<double> scalar(const std::string& t) const {
    if (auto it = scalars_.find(t); it != scalars_.end()) return it->second;
    auto it = consts_.find(t);
    if (it == consts_.end()) return std::nullopt;
    try {
      Value v = const_from_tensor(*it->second);
      if (v.has_data && v.data.size() == 1) return v.data[0];
    } catch (...) {
      // A malformed constant is reported when it is converted, not here.
    }
    return std::nullopt;
  }
  bool scalar_is(const std::string& t, double want, double tol = 1e-3) const {
    auto s = scalar(t);
    return s && std::fabs(*s - want) <= tol * std::max(1.0, std::fabs(want));
  }
  // For a binary node with `t` as one input: the other input ("" if `t` is not an input).
  std::string other(int i, const std::string& t) const {
    const NodeProto& n = node(i);
    if (n.input_size() != 2) return "";
    if (n.input(0) == t) return n.input(1);
    if (n.input(1) == t) return n.input(0);
    return "";
  }

  // Replaces the pattern `members` by `fused`, placed where the last member was.
  void replace(const std::vector<int>& members, NodeProto fused) {
    int last = -1;
    for (int m : members) last = std::max(last, m);
    for (int m : members) removed_[static_cast<std::size_t>(m)] = true;
    replacement_[last] = std::move(fused);
  }

  std::vector<NodeProto> result() const {
    std::vector<NodeProto> out;
    out.reserve(nodes_.size());
    for (int i = 0; i < size(); ++i) {
      if (auto it = replacement_.find(i); it != replacement_.end())
        out.push_back(it->second);
      else if (!removed_[static_cast<std::size_t>(i)])
        out.push_back(node(i));
    }
    return out;
  }

 private:
  std::vector<NodeProto> nodes_;
  std::unordered_map<std::string, const ::onnx::TensorProto*> consts_;
  std::unordered_map<std::string, double> scalars_;
  std::unordered_set<std::string> graph_outputs_;
  std::unordered_map<std::string, int> producer_;
  std::unordered_map<std::string, std::vector<int>> consumers_;
  std::vector<bool> removed_;
  std::unordered_map<int, NodeProto> replacement_;
};

NodeProto fused(const Matcher& m, const char* op, int name_from, std::vector<std::string> inputs,
                const std::string& output) {
  NodeProto f;
  f.set_op_type(op);
  f.set_domain(kFusedDomain);
  f.set_name(m.node(name_from).name());
  for (auto& in : inputs) f.add_input(in);
  f.add_output(output);
  return f;
}

// ReduceMean(x) -> Sub(x, mean) -> Pow(., 2) | Mul(., .) -> ReduceMean -> Add(eps) -> Sqrt ->
// Div(diff, std) [-> Mul(gamma) [-> Add(beta)]].
void layernorm(Matcher& m, int r1) {
  const NodeProto& R1 = m.node(r1);
  if (R1.input_size() < 1) return;
  const std::string x = R1.input(0);
  int s = m.sole_consumer(R1.output(0));
  if (!m.is(s, "Sub") || m.node(s).input(0) != x || m.node(s).input(1) != R1.output(0)) return;
  const std::string diff = m.node(s).output(0);
  auto readers = m.consumers(diff);
  if (readers.size() != 2 || m.is_output(diff)) return;
  int p = -1, dv = -1;
  for (int r : readers) {
    if (m.is(r, "Div"))
      dv = r;
    else if ((m.is(r, "Pow") && m.node(r).input(0) == diff && m.scalar_is(m.node(r).input(1), 2.0)) ||
             (m.is(r, "Mul") && m.node(r).input(0) == diff && m.node(r).input(1) == diff))
      p = r;
  }
  if (p < 0 || dv < 0 || m.node(dv).input(0) != diff) return;
  int r2 = m.sole_consumer(m.node(p).output(0));
  if (!m.is(r2, "ReduceMean")) return;
  int a = m.sole_consumer(m.node(r2).output(0));
  if (!m.is(a, "Add") || !m.scalar(m.other(a, m.node(r2).output(0)))) return;
  int q = m.sole_consumer(m.node(a).output(0));
  if (!m.is(q, "Sqrt") || m.sole_consumer(m.node(q).output(0)) != dv ||
      m.node(dv).input(1) != m.node(q).output(0))
    return;
  std::vector<int> members = {r1, s, p, r2, a, q, dv};
  std::string out = m.node(dv).output(0);
  int g = m.sole_consumer(out);
  if (m.is(g, "Mul") && m.is_const(m.other(g, out))) {
    members.push_back(g);
    out = m.node(g).output(0);
    int b = m.sole_consumer(out);
    if (m.is(b, "Add") && m.is_const(m.other(b, out))) {
      members.push_back(b);
      out = m.node(b).output(0);
    }
  }
  std::vector<std::string> ins = {x};
  if (R1.input_size() > 1) ins.push_back(R1.input(1));  // opset 18: axes as an input
  NodeProto f = fused(m, "LayerNorm", r1, ins, out);
  for (const auto& at : R1.attribute())
    if (at.name() == "axes") *f.add_attribute() = at;
  m.replace(members, std::move(f));
}

// The tail shared by both GELU forms: Add(inner, 1) followed by the product with x and 0.5, in any
// of the orders exporters produce. Returns false if it does not match.
bool gelu_tail(const Matcher& m, int a, const std::string& x, std::vector<int>& members, std::string& out) {
  const std::string one_plus = m.node(a).output(0);
  int m1 = m.sole_consumer(one_plus);
  if (!m.is(m1, "Mul")) return false;
  std::string f = m.other(m1, one_plus);
  members.push_back(m1);
  if (f == x || m.scalar_is(f, 0.5)) {
    // (x * (1 + erf)) * 0.5  or  ((1 + erf) * 0.5) * x
    int m2 = m.sole_consumer(m.node(m1).output(0));
    if (!m.is(m2, "Mul")) return false;
    std::string g = m.other(m2, m.node(m1).output(0));
    if (!((f == x && m.scalar_is(g, 0.5)) || (f != x && g == x))) return false;
    members.push_back(m2);
    out = m.node(m2).output(0);
    return true;
  }
  // (0.5 * x) * (1 + erf)
  int h = m.producer(f);
  if (h < 0 || m.sole_consumer(f) != m1) return false;
  bool half = (m.is(h, "Mul") && m.scalar_is(m.other(h, x), 0.5)) ||
              (m.is(h, "Div") && m.node(h).input(0) == x && m.scalar_is(m.node(h).input(1), 2.0));
  if (!half) return false;
  members.push_back(h);
  out = m.node(m1).output(0);
  return true;
}

// Erf(x / sqrt(2)) (or x * (1/sqrt(2))), + 1, times x and 0.5: torch's GELU below opset 20.
void gelu_erf(Matcher& m, int e) {
  int d = m.producer(m.node(e).input(0));
  if (d < 0 || m.sole_consumer(m.node(d).output(0)) != e) return;
  std::string x;
  if (m.is(d, "Div") && m.scalar_is(m.node(d).input(1), std::sqrt(2.0)))
    x = m.node(d).input(0);
  else if (m.is(d, "Mul") && m.scalar_is(m.node(d).input(1), 1 / std::sqrt(2.0)))
    x = m.node(d).input(0);
  else if (m.is(d, "Mul") && m.scalar_is(m.node(d).input(0), 1 / std::sqrt(2.0)))
    x = m.node(d).input(1);
  else
    return;
  int a = m.sole_consumer(m.node(e).output(0));
  if (!m.is(a, "Add") || !m.scalar_is(m.other(a, m.node(e).output(0)), 1.0)) return;
  std::vector<int> members = {d, e, a};
  std::string out;
  if (!gelu_tail(m, a, x, members, out)) return;
  int first = *std::min_element(members.begin(), members.end());
  m.replace(members, fused(m, "Gelu", first, {x}, out));
}

// Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)), + 1, times x and 0.5: the "gelu_new" of GPT-2 and BERT.
void gelu_tanh(Matcher& m, int t) {
  int u = m.producer(m.node(t).input(0));
  if (!m.is(u, "Mul") || m.sole_consumer(m.node(u).output(0)) != t) return;
  const double c = std::sqrt(2.0 / std::numbers::pi);
  std::string v_out = m.scalar_is(m.node(u).input(1), c)   ? m.node(u).input(0)
                      : m.scalar_is(m.node(u).input(0), c) ? m.node(u).input(1)
                                                           : "";
  int v = m.producer(v_out);
  if (!m.is(v, "Add") || m.sole_consumer(v_out) != u) return;
  for (int side = 0; side < 2; ++side) {
    std::string x = m.node(v).input(side), w_out = m.node(v).input(1 - side);
    int w = m.producer(w_out);
    if (!m.is(w, "Mul") || m.sole_consumer(w_out) != v) continue;
    std::string p_out = m.scalar_is(m.node(w).input(1), 0.044715)   ? m.node(w).input(0)
                        : m.scalar_is(m.node(w).input(0), 0.044715) ? m.node(w).input(1)
                                                                    : "";
    int p = m.producer(p_out);
    if (!m.is(p, "Pow") || m.node(p).input(0) != x || !m.scalar_is(m.node(p).input(1), 3.0) ||
        m.sole_consumer(p_out) != w)
      continue;
    int a = m.sole_consumer(m.node(t).output(0));
    if (!m.is(a, "Add") || !m.scalar_is(m.other(a, m.node(t).output(0)), 1.0)) return;
    std::vector<int> members = {p, w, v, u, t, a};
    std::string out;
    if (!gelu_tail(m, a, x, members, out)) return;
    int first = *std::min_element(members.begin(), members.end());
    m.replace(members, fused(m, "Gelu", first, {x}, out));
    return;
  }
}

// x * Sigmoid(x) (SiLU / Swish) and x * HardSigmoid(x) (HardSwish before opset 14).
void gated(Matcher& m, int s, const char* op) {
  const std::string x = m.node(s).input(0), y = m.node(s).output(0);
  if (std::string(op) == "HardSwish") {
    float alpha = attr_float(m.node(s), "alpha", 0.2f), beta = attr_float(m.node(s), "beta", 0.5f);
    if (std::fabs(alpha - 1.0f / 6) > 1e-4 || std::fabs(beta - 0.5f) > 1e-4) return;
  }
  int g = m.sole_consumer(y);
  if (!m.is(g, "Mul") || m.other(g, y) != x) return;
  m.replace({s, g}, fused(m, op, s, {x}, m.node(g).output(0)));
}

// MatMul(x, W) + b with a bias constant of shape [N] or [1,..,1,N].
void linear_bias(Matcher& m, int mm) {
  const NodeProto& M = m.node(mm);
  if (M.input_size() != 2 || !m.is_const(M.input(1))) return;
  auto w = m.const_shape(M.input(1));
  if (!w || w->size() != 2) return;
  int a = m.sole_consumer(M.output(0));
  if (!m.is(a, "Add")) return;
  std::string b = m.other(a, M.output(0));
  auto bs = m.const_shape(b);
  if (!bs || bs->empty() || bs->back() != (*w)[1] || numel(*bs) != (*w)[1]) return;
  m.replace({mm, a}, fused(m, "Linear", mm, {M.input(0), M.input(1), b}, m.node(a).output(0)));
}

// Mul(x, g) + b with g and b constants holding one value per channel of one axis (NoNorm).
void affine(Matcher& m, int mu) {
  const NodeProto& M = m.node(mu);
  if (M.input_size() != 2) return;
  int ci = m.is_const(M.input(1)) ? 1 : m.is_const(M.input(0)) ? 0 : -1;
  if (ci < 0) return;
  auto gs = m.const_shape(M.input(ci));
  if (!gs || numel(*gs) < 2) return;
  int a = m.sole_consumer(M.output(0));
  if (!m.is(a, "Add")) return;
  std::string b = m.other(a, M.output(0));
  auto bs = m.const_shape(b);
  if (!bs || *bs != *gs) return;
  int non_one = 0;
  for (auto d : *gs) non_one += d != 1;
  if (non_one != 1) return;
  m.replace({mu, a}, fused(m, "Affine", mu, {M.input(1 - ci), M.input(ci), b}, m.node(a).output(0)));
}

}  // namespace

std::vector<NodeProto> fuse_patterns(const ::onnx::GraphProto& g) {
  Matcher m(g);
  // Order matters: LayerNorm and GELU own their trailing Mul/Add before Linear and Affine look.
  for (int i = 0; i < m.size(); ++i)
    if (m.is(i, "ReduceMean")) layernorm(m, i);
  for (int i = 0; i < m.size(); ++i) {
    if (m.is(i, "Erf"))
      gelu_erf(m, i);
    else if (m.is(i, "Tanh"))
      gelu_tanh(m, i);
  }
  for (int i = 0; i < m.size(); ++i) {
    if (m.is(i, "Sigmoid"))
      gated(m, i, "SiLU");
    else if (m.is(i, "HardSigmoid"))
      gated(m, i, "HardSwish");
  }
  for (int i = 0; i < m.size(); ++i)
    if (m.is(i, "MatMul")) linear_bias(m, i);
  for (int i = 0; i < m.size(); ++i)
    if (m.is(i, "Mul")) affine(m, i);
  return m.result();
}

}  // namespace imc::workloads::onnx
