// export_onnx: every Graph node becomes the ONNX operator(s) torch.onnx.export would emit for it,
// with a batch dimension of 1 in front of every tensor, so that import_onnx reads the file back
// into the same graph (same layers, shapes, MACs and parameters).
#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <unordered_set>

#include "common/config.h"
#include "workloads/onnx/export_weights.h"
#include "workloads/onnx/onnx_io.h"

namespace imc::workloads::onnx {

namespace {

using ::onnx::NodeProto;
using Dims = std::vector<std::int64_t>;

class Exporter {
 public:
  Exporter(const Graph& g, const std::string& path, const ExportOptions& o, WeightData mode)
      : g_(g), o_(o), w_(path, mode, o.seed) {
    m_.set_ir_version(o.opset >= 15 ? 8 : 7);
    m_.set_producer_name("imcsim");
    m_.set_producer_version("0.1");
    m_.set_doc_string(fmt::format("workload graph '{}' exported by imcsim; {} weights (seed {})", g.name(),
                                  mode == WeightData::Zeros ? "zero" : "random", o.seed));
    auto* op = m_.add_opset_import();
    op->set_domain("");
    op->set_version(o.opset);
    gp_ = m_.mutable_graph();
    gp_->set_name(g.name());
  }

  ::onnx::ModelProto& run() {
    for (int i = 0; i < g_.size(); ++i) emit(i);
    auto consumers = g_.consumers();
    for (int i = 0; i < g_.size(); ++i)
      if (consumers[static_cast<std::size_t>(i)].empty() && g_.node(i).op != OpKind::Input)
        value_info(gp_->add_output(), g_.node(i).name, batched(i));
    w_.finish();
    return m_;
  }

 private:
  Dims batched(int i) const {
    Dims d = {1};
    const auto& out = g_.node(i).out;
    d.insert(d.end(), out.begin(), out.end());
    return d;
  }
  const std::string& in(int i, int k = 0) const {
    return g_.node(g_.node(i).inputs.at(static_cast<std::size_t>(k))).name;
  }
  const Node& in_node(int i, int k = 0) const {
    return g_.node(g_.node(i).inputs.at(static_cast<std::size_t>(k)));
  }

  static void value_info(::onnx::ValueInfoProto* v, const std::string& name, const Dims& dims,
                         int type = ::onnx::TensorProto::FLOAT) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(type);
    auto* s = t->mutable_shape();
    for (auto d : dims) s->add_dim()->set_dim_value(d);
  }

  // A fresh tensor name for an auxiliary value (never equal to a graph node's name).
  std::string aux(const std::string& base, const char* what) {
    std::string n = base + "/" + what;
    for (int k = 2; used_.count(n) || g_.find(n) >= 0; ++k) n = fmt::format("{}/{}_{}", base, what, k);
    used_.insert(n);
    return n;
  }

  NodeProto* node(const char* op, const std::string& name, std::vector<std::string> ins,
                  const std::string& out) {
    auto* n = gp_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto& s : ins) n->add_input(s);
    n->add_output(out);
    return n;
  }
  static void attr(NodeProto* n, const char* name, std::int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(NodeProto* n, const char* name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr(NodeProto* n, const char* name, const Dims& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }
  std::string weight(const std::string& base, const char* what, const Dims& dims, Fill f) {
    std::string n = aux(base, what);
    w_.weight(*gp_, n, dims, f);
    return n;
  }
  std::string ints(const std::string& base, const char* what, const Dims& v) {
    std::string n = aux(base, what);
    WeightWriter::ints(*gp_, n, v);
    return n;
  }
  std::string scalar(const std::string& base, const char* what, float v) {
    std::string n = aux(base, what);
    WeightWriter::scalar(*gp_, n, v);
    return n;
  }

  void emit(int i);
  bool read_with_activations(int i) const;
  void emit_input(int i);
  void emit_linear(int i);
  void emit_activation(int i);
  void emit_norm(int i);
  void emit_move(int i);

  const Graph& g_;
  ExportOptions o_;
  WeightWriter w_;
  ::onnx::ModelProto m_;
  ::onnx::GraphProto* gp_ = nullptr;
  std::unordered_set<std::string> used_;
};

// Whether import_onnx reads a parameter exported as a plain initializer back as a parameter node:
// true when every reader combines it with an activation through Concat, or through Add/Mul as a
// tensor varying along >= 2 axes (a bias-like one would be folded into its neighbour). Otherwise the
// parameter is exported as a lookup, which always imports as a parameter node.
bool Exporter::read_with_activations(int i) const {
  int varying = 0;
  for (auto d : g_.node(i).out) varying += d > 1;
  auto consumers = g_.consumers();
  if (consumers[static_cast<std::size_t>(i)].empty()) return false;
  for (int c : consumers[static_cast<std::size_t>(i)]) {
    const Node& r = g_.node(c);
    bool other_act = false;
    for (int in : r.inputs)
      if (in != i && !(g_.node(in).op == OpKind::Input && g_.node(in).learned_params > 0)) other_act = true;
    bool ok = other_act &&
              (r.op == OpKind::Concat || ((r.op == OpKind::Add || r.op == OpKind::Mul) && varying >= 2));
    if (!ok) return false;
  }
  return true;
}

void Exporter::emit_input(int i) {
  const Node& n = g_.node(i);
  if (n.learned_params == 0) return value_info(gp_->add_input(), n.name, batched(i));
  const std::int64_t read = elements_of(n.out), stored = n.learned_params;
  if (stored == read && read_with_activations(i)) {  // a learned tensor read whole: an initializer
    w_.weight(*gp_, n.name, batched(i), Fill::around(0, 0.02));
    used_.insert(n.name);
    return;
  }
  // A table of which some rows are read (or a tensor the importer would otherwise take for a
  // foldable constant): a Gather by index, as torch exports nn.Embedding.
  std::int64_t row = elements_of(Dims(n.out.begin() + 1, n.out.end()));
  bool rows = stored % row == 0;
  Dims table = rows ? Dims{stored / row} : Dims{stored};
  if (rows) table.insert(table.end(), n.out.begin() + 1, n.out.end());
  std::string t = weight(n.name, "table", table, Fill::around(0, 0.02));
  std::string ids = aux(n.name, "ids");
  value_info(gp_->add_input(), ids, {1, rows ? n.out[0] : read}, ::onnx::TensorProto::INT64);
  auto* gth = node("Gather", n.name, {t, ids}, rows ? n.name : aux(n.name, "rows"));
  attr(gth, "axis", std::int64_t{0});
  if (!rows) node("Reshape", n.name + "/view", {gth->output(0), ints(n.name, "shape", batched(i))}, n.name);
}

void Exporter::emit_linear(int i) {
  const Node& n = g_.node(i);
  const double bound = 1.0 / std::sqrt(static_cast<double>(n.in_features));
  if (in_node(i).out.size() == 1) {  // [1, K] rows: Gemm with the torch layout W [N, K]
    std::vector<std::string> ins = {
        in(i), weight(n.name, "weight", {n.out_features, n.in_features}, Fill::uniform(bound))};
    if (n.bias) ins.push_back(weight(n.name, "bias", {n.out_features}, Fill::uniform(bound)));
    attr(node("Gemm", n.name, ins, n.name), "transB", std::int64_t{1});
    return;
  }
  // Tokens: MatMul by W^T [K, N], then the bias Add (what torch emits for nn.Linear on 3-D input).
  std::string w = weight(n.name, "weight_t", {n.in_features, n.out_features}, Fill::uniform(bound));
  if (!n.bias) {
    node("MatMul", n.name, {in(i), w}, n.name);
    return;
  }
  std::string mm = aux(n.name, "matmul");
  node("MatMul", n.name, {in(i), w}, mm);
  node("Add", n.name + "/bias_add", {mm, weight(n.name, "bias", {n.out_features}, Fill::uniform(bound))},
       n.name);
}

void Exporter::emit_activation(int i) {
  const Node& n = g_.node(i);
  const std::string& x = in(i);
  auto gated = [&](const char* gate) {  // x * gate(x)
    std::string s = aux(n.name, "gate");
    auto* h = node(gate, n.name, {x}, s);
    if (std::string(gate) == "HardSigmoid") attr(h, "alpha", 1.0f / 6), attr(h, "beta", 0.5f);
    node("Mul", n.name + "/mul", {x, s}, n.name);
  };
  switch (n.act) {
    case ActKind::ReLU:
      node("Relu", n.name, {x}, n.name);
      break;
    case ActKind::ReLU6:
      node("Clip", n.name, {x, scalar(n.name, "min", 0), scalar(n.name, "max", 6)}, n.name);
      break;
    case ActKind::Sigmoid:
      node("Sigmoid", n.name, {x}, n.name);
      break;
    case ActKind::Tanh:
      node("Tanh", n.name, {x}, n.name);
      break;
    case ActKind::HardSigmoid: {
      auto* h = node("HardSigmoid", n.name, {x}, n.name);
      attr(h, "alpha", 1.0f / 6), attr(h, "beta", 0.5f);
      break;
    }
    case ActKind::HardSwish:
      if (o_.opset >= 14)
        node("HardSwish", n.name, {x}, n.name);
      else
        gated("HardSigmoid");
      break;
    case ActKind::SiLU:
      gated("Sigmoid");
      break;
    case ActKind::GELU: {
      // x * 0.5 * (1 + erf(x / sqrt(2))), as torch exports nn.GELU below opset 20.
      std::string d = aux(n.name, "scaled"), e = aux(n.name, "erf"), a = aux(n.name, "one_plus"),
                  m = aux(n.name, "x_mul");
      node("Div", n.name, {x, scalar(n.name, "sqrt2", static_cast<float>(std::sqrt(2.0)))}, d);
      node("Erf", n.name + "/erf", {d}, e);
      node("Add", n.name + "/add", {e, scalar(n.name, "one", 1.0f)}, a);
      node("Mul", n.name + "/mul", {x, a}, m);
      node("Mul", n.name + "/half", {m, scalar(n.name, "half", 0.5f)}, n.name);
      break;
    }
  }
}

void Exporter::emit_norm(int i) {
  const Node& n = g_.node(i);
  const std::string& x = in(i);
  if (n.op == OpKind::BatchNorm) {
    const std::int64_t c = n.out[static_cast<std::size_t>(n.axis)];
    if (n.axis == 0) {
      auto* b = node("BatchNormalization", n.name,
                     {x, weight(n.name, "weight", {c}, Fill::around(1, 0.1)),
                      weight(n.name, "bias", {c}, Fill::around(0, 0.1)),
                      weight(n.name, "running_mean", {c}, Fill::around(0, 0.1)),
                      weight(n.name, "running_var", {c}, Fill::around(1, 0.5))},
                     n.name);
      attr(b, "epsilon", 1e-5f);
      return;
    }
    // A per-feature affine along another axis (MobileBERT's NoNorm): Mul then Add.
    Dims d(n.out.size() - static_cast<std::size_t>(n.axis), 1);
    d[0] = c;
    std::string m = aux(n.name, "scaled");
    node("Mul", n.name, {x, weight(n.name, "weight", d, Fill::around(1, 0.1))}, m);
    node("Add", n.name + "/shift", {m, weight(n.name, "bias", d, Fill::around(0, 0.1))}, n.name);
    return;
  }
  const std::int64_t dim = n.out.back();
  std::string gamma = weight(n.name, "weight", {dim}, Fill::around(1, 0.1));
  std::string beta = weight(n.name, "bias", {dim}, Fill::around(0, 0.1));
  if (o_.opset >= 17) {
    auto* l = node("LayerNormalization", n.name, {x, gamma, beta}, n.name);
    attr(l, "axis", std::int64_t{-1}), attr(l, "epsilon", 1e-5f);
    return;
  }
  // The decomposition torch emits below opset 17.
  std::string mean = aux(n.name, "mean"), diff = aux(n.name, "diff"), sq = aux(n.name, "sq"),
              var = aux(n.name, "var"), ve = aux(n.name, "var_eps"), sd = aux(n.name, "std"),
              nz = aux(n.name, "normalized"), sc = aux(n.name, "scaled");
  attr(node("ReduceMean", n.name, {x}, mean), "axes", Dims{-1});
  node("Sub", n.name + "/sub", {x, mean}, diff);
  node("Pow", n.name + "/pow", {diff, scalar(n.name, "two", 2.0f)}, sq);
  attr(node("ReduceMean", n.name + "/var", {sq}, var), "axes", Dims{-1});
  node("Add", n.name + "/add_eps", {var, scalar(n.name, "eps", 1e-5f)}, ve);
  node("Sqrt", n.name + "/sqrt", {ve}, sd);
  node("Div", n.name + "/div", {diff, sd}, nz);
  node("Mul", n.name + "/gamma", {nz, gamma}, sc);
  node("Add", n.name + "/beta", {sc, beta}, n.name);
}

void Exporter::emit_move(int i) {
  const Node& n = g_.node(i);
  const std::string& x = in(i);
  const std::int64_t axis = n.axis + 1;  // ONNX tensors carry the batch in front
  switch (n.move) {
    case MoveKind::Reshape:
      node("Reshape", n.name, {x, ints(n.name, "shape", batched(i))}, n.name);
      break;
    case MoveKind::Permute: {
      Dims perm = {0};
      for (int p : n.perm) perm.push_back(p + 1);
      attr(node("Transpose", n.name, {x}, n.name), "perm", perm);
      break;
    }
    case MoveKind::Slice: {
      const std::int64_t len = n.out[static_cast<std::size_t>(n.axis)];
      node("Slice", n.name,
           {x, ints(n.name, "starts", {n.start}), ints(n.name, "ends", {n.start + (len - 1) * n.step + 1}),
            ints(n.name, "axes", {axis}), ints(n.name, "steps", {n.step})},
           n.name);
      break;
    }
    case MoveKind::Pad: {
      const std::size_t r = n.out.size() + 1;
      Dims pads(2 * r, 0);
      const std::int64_t grow =
          n.out[static_cast<std::size_t>(n.axis)] - in_node(i).out[static_cast<std::size_t>(n.axis)];
      pads[static_cast<std::size_t>(axis)] = n.pad_before;
      pads[r + static_cast<std::size_t>(axis)] = grow - n.pad_before;
      node("Pad", n.name, {x, ints(n.name, "pads", pads)}, n.name);
      break;
    }
  }
}

void Exporter::emit(int i) {
  const Node& n = g_.node(i);
  used_.insert(n.name);
  switch (n.op) {
    case OpKind::Input:
      return emit_input(i);
    case OpKind::Conv2d: {
      const std::int64_t fan_in = (n.in_channels / n.groups) * n.kernel_h * n.kernel_w;
      const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
      std::vector<std::string> ins = {
          in(i), weight(n.name, "weight", {n.out_channels, n.in_channels / n.groups, n.kernel_h, n.kernel_w},
                        Fill::uniform(bound))};
      if (n.bias) ins.push_back(weight(n.name, "bias", {n.out_channels}, Fill::uniform(bound)));
      auto* c = node("Conv", n.name, ins, n.name);
      attr(c, "kernel_shape", Dims{n.kernel_h, n.kernel_w});
      attr(c, "strides", Dims{n.stride_h, n.stride_w});
      attr(c, "pads", Dims{n.pad_h, n.pad_w, n.pad_h, n.pad_w});
      attr(c, "dilations", Dims{n.dilation_h, n.dilation_w});
      attr(c, "group", n.groups);
      break;
    }
    case OpKind::Linear:
      emit_linear(i);
      break;
    case OpKind::MatMul:
      node("MatMul", n.name, {in(i, 0), in(i, 1)}, n.name);
      break;
    case OpKind::MaxPool:
    case OpKind::AvgPool: {
      auto* p = node(n.op == OpKind::MaxPool ? "MaxPool" : "AveragePool", n.name, {in(i)}, n.name);
      attr(p, "kernel_shape", Dims{n.kernel_h, n.kernel_w});
      attr(p, "strides", Dims{n.stride_h, n.stride_w});
      attr(p, "pads", Dims{n.pad_h, n.pad_w, n.pad_h, n.pad_w});
      break;
    }
    case OpKind::GlobalAvgPool:
      node("GlobalAveragePool", n.name, {in(i)}, n.name);
      break;
    case OpKind::Add:
      node("Add", n.name, {in(i, 0), in(i, 1)}, n.name);
      break;
    case OpKind::Mul:
      node("Mul", n.name, {in(i, 0), in(i, 1)}, n.name);
      break;
    case OpKind::Concat: {
      std::vector<std::string> ins;
      for (int k = 0; k < static_cast<int>(n.inputs.size()); ++k) ins.push_back(in(i, k));
      attr(node("Concat", n.name, ins, n.name), "axis", static_cast<std::int64_t>(n.axis + 1));
      break;
    }
    case OpKind::Activation:
      emit_activation(i);
      break;
    case OpKind::BatchNorm:
    case OpKind::LayerNorm:
      emit_norm(i);
      break;
    case OpKind::Softmax:
      attr(node("Softmax", n.name, {in(i)}, n.name), "axis", std::int64_t{-1});
      break;
    case OpKind::Reshape:
      emit_move(i);
      break;
  }
  if (n.op != OpKind::Input) value_info(gp_->add_value_info(), n.name, batched(i));
}

// Strict shape inference (every shape we declare is the one ONNX infers) and onnx::checker on the
// model in memory, or, when the weights live in an external file, on the written file so that the
// checker also verifies the external data references.
void validate(::onnx::ModelProto& m, bool external_weights, const std::string& written_path) {
  try {
    if (written_path.empty()) {
      ::onnx::ShapeInferenceOptions opts{true, 1, true};  // check types, throw on error, data propagation
      ::onnx::shape_inference::InferShapes(m, ::onnx::OpSchemaRegistry::Instance(), opts);
      if (!external_weights) ::onnx::checker::check_model(m);
    } else {
      ::onnx::checker::check_model(written_path);
    }
  } catch (const std::exception& e) {
    throw std::logic_error(fmt::format("export_onnx produced an invalid model: {}", e.what()));
  }
}

}  // namespace

void export_onnx(const Graph& graph, const std::string& path) {
  export_onnx(graph, path, ExportOptions{});
}

void export_onnx(const Graph& graph, const std::string& path, const ExportOptions& options) {
  if (options.opset < 13 || options.opset > 17)
    throw common::InputError(
        fmt::format("{}: ONNX export opset {} is not supported (13 to 17)", path, options.opset));
  WeightData mode = options.weights;
  if (mode == WeightData::Auto)
    mode = graph.total_params() * 4 <= (std::int64_t{1} << 30) ? WeightData::Embedded : WeightData::External;
  Exporter ex(graph, path, options, mode);
  ::onnx::ModelProto& m = ex.run();
  const bool external = mode != WeightData::Embedded;
  validate(m, external, "");
  if (m.ByteSizeLong() > static_cast<std::size_t>(INT32_MAX))
    throw common::InputError(
        fmt::format("{}: the model exceeds protobuf's 2 GiB limit: export its weights as "
                    "external data (WeightData::External)",
                    path));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
      throw common::InputError(fmt::format("{}: cannot write ONNX model: {}", path, std::strerror(errno)));
    if (!m.SerializeToOstream(&out) || !out.flush())
      throw common::InputError(
          fmt::format("{}: writing the ONNX model failed: {}", path, std::strerror(errno)));
  }
  if (external) validate(m, true, path);
}

}  // namespace imc::workloads::onnx
