// Internal to the ONNX importer: the table of ONNX tensor values and the helpers every operator
// converter uses. Not part of the public API (see onnx_io.h).
//
// Every ONNX tensor name maps to a Value, which is either
//   - an activation: a Graph node, plus the ONNX shape (with the batch dimension, taken as 1), or
//   - a constant: an ONNX shape with, when small enough, its values. Constants cover initializers,
//     Constant nodes, everything computed from them and from Shape (torch exports compute reshape
//     targets that way), and tensors derived from integer model inputs (token ids, attention masks)
//     whose values are unknown at import time ("runtime" constants).
// Weight values are never needed; weight *shapes* come from the initializers' dims.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "workloads/graph.h"
#include "workloads/onnx/onnx_io.h"

namespace imc::workloads::onnx {

using Shape = std::vector<std::int64_t>;

// Constants with at most this many elements keep their values (shape arithmetic, scalars of fused
// patterns, Slice/Gather indices); larger ones (weights, mask buffers) keep only their shape.
constexpr std::int64_t kMaxConstValues = 1 << 16;

struct Value {
  bool is_act = false;
  // Activation.
  int node = -1;         // the Graph node holding it
  bool batched = false;  // dim 0 of `shape` is the batch, absent from the Graph node's shape
  Shape shape;           // ONNX shape (batch included when batched)
  // Constant.
  bool has_data = false;
  std::vector<double> data;  // row-major values when has_data
  bool runtime = false;      // depends on an integer model input: values unknown at import
  std::int64_t stored = 0;   // elements of the learned float tensor(s) it was read from (0: none)
  bool is_float = true;      // floating-point element type
  std::string source;        // initializer it was read from (through data movement), if any
  int id = -1;               // identity of a constant (aliases share it); set by Importer::define
};

// The importer's state while converting one model.
class Importer {
 public:
  Importer(std::string file, const ImportOptions& options);

  const std::string& file() const { return file_; }
  Graph& graph() { return graph_; }
  std::int64_t opset() const { return opset_; }
  void set_opset(std::int64_t v) { opset_ = v; }
  const ImportOptions& options() const { return options_; }

  // Tensor table.
  bool defined(const std::string& tensor) const { return values_.count(tensor) != 0; }
  const Value& value(const std::string& tensor) const;
  void define(const std::string& tensor, Value v);

  // Inputs and outputs of the node being converted (input i absent or "" = optional input omitted).
  bool has_input(const ::onnx::NodeProto& n, int i) const;
  const Value& input(const ::onnx::NodeProto& n, int i) const;
  void output(const ::onnx::NodeProto& n, int i, Value v);

  // The Graph node of an activation value viewed with `graph_shape` (a Reshape node is inserted when
  // the producer's shape differs but holds the same elements). A constant operand becomes a
  // Graph::parameter node (a learned tensor the network reads) the first time it is needed.
  int node_as(const Value& v, const Shape& graph_shape, const std::string& hint);
  int node_of(const Value& v, const std::string& hint) { return node_as(v, graph_shape(v), hint); }
  // An activation Value for Graph node `node` whose ONNX shape is `shape`; checks that the node's
  // shape is `shape` without the batch (or reshapes it when only the layout differs).
  Value act(int node, Shape shape, bool batched, const std::string& hint);
  static Shape graph_shape(const Value& v);

  // A unique Graph node name derived from the ONNX node (its name, or "<op>_<index>") + suffix.
  std::string name(const ::onnx::NodeProto& n, const std::string& suffix = "");
  std::string name_for(const std::string& base) const;  // `base`, made unique in the graph
  // While set, activation inputs are seen as constants of the same shape (no values): the node is
  // converted only for the shape of its outputs, which only Shape/Size nodes read.
  void set_shape_only(bool on) { shape_only_ = on; }
  void set_node_index(int i) { node_index_ = i; }

  // Values of a constant as integers/reals (error naming the node if unknown at import time).
  std::vector<std::int64_t> ints(const ::onnx::NodeProto& n, const Value& v, const char* what) const;
  double real(const ::onnx::NodeProto& n, const Value& v, const char* what) const;

  // Embedding tables (initializers) also used as a weight elsewhere (tied LM heads): a lookup into
  // them becomes a plain network input, as the zoo counts the tied table once, at its Linear.
  std::unordered_set<std::string> tied_tables;

  [[noreturn]] void fail(const ::onnx::NodeProto& n, const std::string& what) const;

 private:
  std::string file_;
  ImportOptions options_;
  Graph graph_;
  std::int64_t opset_ = 13;
  int node_index_ = 0;
  int next_id_ = 0;  // identities of constants
  std::unordered_map<std::string, Value> values_;
  std::unordered_map<int, int> materialized_;  // constant id -> parameter node
  bool shape_only_ = false;
  mutable std::deque<Value> stand_ins_;  // shape-only views of activations (stable addresses)
};

// Node attributes.
const ::onnx::AttributeProto* find_attr(const ::onnx::NodeProto& n, const char* name);
std::int64_t attr_int(const ::onnx::NodeProto& n, const char* name, std::int64_t def);
float attr_float(const ::onnx::NodeProto& n, const char* name, float def);
std::string attr_string(const ::onnx::NodeProto& n, const char* name, const std::string& def);
std::vector<std::int64_t> attr_ints(const ::onnx::NodeProto& n, const char* name);
bool has_attr(const ::onnx::NodeProto& n, const char* name);

// A constant Value from a TensorProto (dims, element type, and the values of small tensors).
Value const_from_tensor(const ::onnx::TensorProto& t);
bool is_float_type(int onnx_dtype);

// Shape helpers.
std::int64_t numel(const Shape& s);
std::string shape_text(const Shape& s);
// numpy broadcasting; nullopt if the shapes do not broadcast.
std::optional<Shape> broadcast(const Shape& a, const Shape& b);
// Normalizes a possibly negative axis; nullopt when out of range.
std::optional<int> norm_axis(std::int64_t axis, std::size_t rank);

// Operator converters, registered by op type (default ONNX domain, plus our fused patterns in the
// "imc.fused" domain, see fuse.cpp).
using Converter = std::function<void(Importer&, const ::onnx::NodeProto&)>;
using Registry = std::map<std::string, Converter>;
void register_nn_ops(Registry& r);           // ops_nn.cpp: conv, gemm, matmul, pooling, norms, activations
void register_elementwise_ops(Registry& r);  // ops_elementwise.cpp: Add/Sub/Mul/Div, Where, constant math
void register_movement_ops(Registry& r);     // ops_movement.cpp: reshape, transpose, slice, concat, ...
void register_constant_ops(Registry& r);     // ops_constant.cpp: Constant, Shape, Range, ScatterND, ...

constexpr const char* kFusedDomain = "imc.fused";

// Rewrites decomposed patterns (fuse.cpp) into single nodes of kFusedDomain, keeping topological
// order: LayerNorm (ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div[/Mul/Add]), Gelu (erf and tanh forms),
// SiLU (x * Sigmoid(x)), HardSwish (x * HardSigmoid(x)), Linear (MatMul + bias Add) and Affine
// (Mul by a per-channel constant + Add of one: MobileBERT's NoNorm).
std::vector<::onnx::NodeProto> fuse_patterns(const ::onnx::GraphProto& g);

}  // namespace imc::workloads::onnx
