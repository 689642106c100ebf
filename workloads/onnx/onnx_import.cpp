// import_onnx: reads the model, defines its inputs and initializers, fuses decomposed patterns and
// converts node by node through the operator registry.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/config.h"
#include "workloads/onnx/import_context.h"
#include "workloads/onnx/onnx_io.h"

namespace imc::workloads::onnx {

namespace {

using common::InputError;

const Registry& registry() {
  static const Registry r = [] {
    Registry x;
    register_nn_ops(x);
    register_elementwise_ops(x);
    register_movement_ops(x);
    register_constant_ops(x);
    return x;
  }();
  return r;
}

std::string supported_list() {
  std::vector<std::string> ops;
  for (const auto& [k, v] : registry())
    if (k.find(':') == std::string::npos) ops.push_back(k);
  return fmt::format("{} (plus decomposed LayerNorm, GELU, SiLU and HardSwish patterns)",
                     fmt::join(ops, ", "));
}

::onnx::ModelProto read_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open ONNX model: {}", path, std::strerror(errno)));
  ::onnx::ModelProto m;
  if (!m.ParseFromIstream(&in))
    throw InputError(fmt::format(
        "{}: not a valid ONNX model (the protobuf does not parse: corrupt or truncated file)", path));
  if (!m.has_graph() || m.graph().node_size() == 0)
    throw InputError(fmt::format("{}: not a valid ONNX model (no graph or no nodes)", path));
  return m;
}

std::int64_t default_opset(const std::string& path, const ::onnx::ModelProto& m) {
  for (const auto& o : m.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      if (o.version() < 7 || o.version() > 18)
        throw InputError(
            fmt::format("{}: opset {} is not supported (7 to 18 are; torch.onnx.export "
                        "opset_version=13..17 is what we test)",
                        path, o.version()));
      return o.version();
    }
  throw InputError(fmt::format("{}: not a valid ONNX model (no opset_import for the default domain)", path));
}

// Model inputs: float tensors become Graph inputs (batch dropped); integer tensors (token ids,
// masks) become runtime constants whose shapes are known but values are not.
void define_inputs(Importer& c, const ::onnx::GraphProto& g) {
  for (const auto& in : g.input()) {
    if (c.defined(in.name())) continue;  // old IR versions also list initializers as inputs
    if (!in.type().has_tensor_type()) throw InputError(fmt::format("input '{}' is not a tensor", in.name()));
    const auto& tt = in.type().tensor_type();
    if (!tt.has_shape())
      throw InputError(fmt::format("input '{}' has no shape: export with a fixed input shape", in.name()));
    Shape shape;
    for (int i = 0; i < tt.shape().dim_size(); ++i) {
      const auto& d = tt.shape().dim(i);
      if (i == 0 && tt.shape().dim_size() >= 2) {
        shape.push_back(1);  // the batch: one inference
      } else if (d.has_dim_value() && d.dim_value() > 0) {
        shape.push_back(d.dim_value());
      } else if (auto it = c.options().symbolic_dims.find(d.dim_param());
                 it != c.options().symbolic_dims.end()) {
        shape.push_back(it->second);
      } else {
        throw InputError(
            fmt::format("input '{}' dimension {} is symbolic ('{}'): export with a fixed size "
                        "(no dynamic_axes for it) or give its value in ImportOptions::symbolic_dims",
                        in.name(), i, d.dim_param()));
      }
    }
    Value v;
    v.shape = shape;
    if (is_float_type(tt.elem_type())) {
      v.is_act = true;
      v.batched = shape.size() >= 2;
      v.node = c.graph().input(Importer::graph_shape(v), c.name_for(in.name()));
    } else {
      v.runtime = true;
      v.is_float = false;
    }
    c.define(in.name(), v);
  }
}

// True if `w` holds the same float values as `t` ([V, D]), either as [V, D] or transposed as
// [D, V]. torch.onnx.export constant-folds the transpose of a tied LM head into a copy of the
// embedding table, so tying is only visible in the values.
bool same_values(const ::onnx::TensorProto& t, const ::onnx::TensorProto& w) {
  if (t.dims_size() != 2 || w.dims_size() != 2 || t.data_type() != ::onnx::TensorProto::FLOAT ||
      w.data_type() != ::onnx::TensorProto::FLOAT || !t.has_raw_data() || !w.has_raw_data() ||
      t.raw_data().size() != w.raw_data().size())
    return false;
  const std::int64_t v = t.dims(0), d = t.dims(1);
  const char* a = t.raw_data().data();
  const char* b = w.raw_data().data();
  if (w.dims(0) == v && w.dims(1) == d && std::memcmp(a, b, t.raw_data().size()) == 0) return true;
  if (w.dims(0) != d || w.dims(1) != v) return false;
  for (std::int64_t i = 0; i < v; ++i)
    for (std::int64_t j = 0; j < d; ++j)
      if (std::memcmp(a + (i * d + j) * 4, b + (j * v + i) * 4, 4) != 0) return false;
  return true;
}

// Embedding tables that are also read as a weight elsewhere (tied LM head): by name, or by value
// when the exporter folded the head's transpose into a separate initializer.
void find_tied_tables(Importer& c, const ::onnx::GraphProto& g) {
  std::map<std::string, const ::onnx::TensorProto*> inits;
  for (const auto& t : g.initializer()) inits.emplace(t.name(), &t);
  std::set<std::string> gathered, other, weights;
  for (const auto& n : g.node())
    for (int i = 0; i < n.input_size(); ++i) {
      if (!inits.count(n.input(i))) continue;
      if (n.op_type() == "Gather" && i == 0)
        gathered.insert(n.input(i));
      else
        other.insert(n.input(i));
      if ((n.op_type() == "MatMul" || n.op_type() == "Gemm") && i == 1) weights.insert(n.input(i));
    }
  for (const auto& t : gathered) {
    bool tied = other.count(t) != 0;
    for (auto it = weights.begin(); !tied && it != weights.end(); ++it)
      tied = same_values(*inits.at(t), *inits.at(*it));
    if (tied) c.tied_tables.insert(t);
  }
}

// Which nodes to convert. Nodes whose outputs reach no model output are dropped. Nodes whose
// outputs are only read by Shape/Size (torch computes reshape targets from the shapes of tensors
// it otherwise never uses, e.g. a transpose of the keys) are converted "for their shape only": no
// workload node is made for them.
struct LiveNode {
  ::onnx::NodeProto node;
  bool shape_only = false;
};

std::vector<LiveNode> live_nodes(std::vector<::onnx::NodeProto> nodes, const ::onnx::GraphProto& g) {
  std::vector<LiveNode> out;
  if (g.output_size() == 0) {
    for (auto& n : nodes) out.push_back({std::move(n), false});
    return out;
  }
  std::set<std::string> value, shape;  // tensors needed for their values / only for their shapes
  for (const auto& o : g.output()) value.insert(o.name());
  std::vector<int> mode(nodes.size(), 0);  // 0 dead, 1 shape only, 2 value
  for (std::size_t i = nodes.size(); i-- > 0;) {
    for (const auto& o : nodes[i].output()) {
      if (value.count(o))
        mode[i] = 2;
      else if (shape.count(o) && mode[i] == 0)
        mode[i] = 1;
    }
    if (mode[i] == 0) continue;
    const bool reads_shape = nodes[i].op_type() == "Shape" || nodes[i].op_type() == "Size";
    for (int k = 0; k < nodes[i].input_size(); ++k) {
      const std::string& in = nodes[i].input(k);
      // The data input of a Shape, or anything a shape-only node reads positionally (its data
      // input; its other inputs are constants in practice), is needed for its shape only.
      if (reads_shape || (mode[i] == 1 && k == 0))
        shape.insert(in);
      else
        value.insert(in);
    }
  }
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (mode[i] > 0) out.push_back({std::move(nodes[i]), mode[i] == 1});
  return out;
}

// Operators that can run on shape-only stand-ins (they fold constants without making nodes).
const std::set<std::string>& shape_foldable() {
  static const std::set<std::string> s = [] {
    Registry r;
    register_movement_ops(r);
    register_elementwise_ops(r);
    register_constant_ops(r);
    std::set<std::string> k;
    for (const auto& [name, f] : r) k.insert(name);
    return k;
  }();
  return s;
}

}  // namespace

Graph import_onnx(const std::string& path) {
  return import_onnx(path, ImportOptions{});
}

Graph import_onnx(const std::string& path, const ImportOptions& options) {
  ::onnx::ModelProto m = read_model(path);
  Importer c(path, options);
  c.set_opset(default_opset(path, m));
  const auto& g = m.graph();
  // torch names every graph "torch_jit" (older: "torch-jit-export", "main_graph"): the file says more.
  const std::string& gn = g.name();
  bool generic = gn.empty() || gn == "torch_jit" || gn == "torch-jit-export" || gn == "main_graph";
  std::string gname = generic ? std::filesystem::path(path).stem().string() : gn;
  c.graph().set_name(gname);
  try {
    for (const auto& t : g.initializer()) c.define(t.name(), const_from_tensor(t));
    define_inputs(c, g);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", path, e.what()));
  }
  find_tied_tables(c, g);
  std::vector<LiveNode> nodes = live_nodes(fuse_patterns(g), g);
  const Registry& reg = registry();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i].node;
    c.set_node_index(static_cast<int>(i));
    std::string label = n.name().empty() ? fmt::format("#{}", i) : n.name();
    std::string key = n.op_type();
    if (n.domain() == kFusedDomain)
      key = std::string(kFusedDomain) + ":" + n.op_type();
    else if (!n.domain().empty() && n.domain() != "ai.onnx")
      key = n.domain() + "." + n.op_type();
    auto it = reg.find(key);
    if (it == reg.end())
      throw InputError(fmt::format("{}: node '{}' ({}): unsupported operator; supported: {}", path, label,
                                   key, supported_list()));
    try {
      c.set_shape_only(nodes[i].shape_only && shape_foldable().count(key));
      it->second(c, n);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: node '{}' ({}): {}", path, label, n.op_type(), e.what()));
    }
  }
  if (c.graph().size() == 0)
    throw InputError(
        fmt::format("{}: the model computes nothing from its inputs (no node reads an activation)", path));
  return std::move(c.graph());
}

}  // namespace imc::workloads::onnx
