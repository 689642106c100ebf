// Networks as graphs of shaped operators. No hardware knowledge lives here.
//
// Tensors carry no batch dimension: CNN activations are [C, H, W], transformer activations are
// [tokens, features] (or [heads, tokens, features] inside attention). Nodes are stored in a
// topological order (every input index < the node's own index); the builder methods check shapes
// and compute each output shape, so a Graph that exists is well formed.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace imc::workloads {

enum class OpKind {
  Input,   // the network input
  Conv2d,  // weights: [Cout, Cin/groups, Kh, Kw]; depthwise when groups == Cin == Cout
  Linear,  // weights: [out_features, in_features], applied to every token (all leading dims)
  MatMul,  // dynamic: both operands are activations, [.., M, K] x [.., K, N] -> [.., M, N]
  MaxPool,
  AvgPool,
  GlobalAvgPool,  // [C, H, W] -> [C, 1, 1]
  Add,            // element-wise, same shapes (residuals)
  Mul,            // element-wise, same shapes, or [C,1,1] broadcast over [C,H,W] (squeeze-excite)
  Concat,         // along `axis`
  Activation,     // `act`
  BatchNorm,      // per channel (dim 0 for [C,H,W]); folded into the previous conv for mapping
  LayerNorm,      // over the last dim
  Softmax,        // over the last dim
  Reshape,        // pure data movement (flatten, reshape, transpose, split of heads): no arithmetic
};

enum class ActKind { ReLU, ReLU6, GELU, Sigmoid, HardSigmoid, HardSwish, Tanh, SiLU };

// What a Reshape node does to the data (all of it pure data movement, no arithmetic).
enum class MoveKind {
  Reshape,  // same elements, new shape (flatten, split/merge of heads)
  Permute,  // axes reordered by `perm` (transpose)
  Slice,    // along `axis`: out[axis] elements starting at `start`, every `step`-th
  Pad,      // along `axis`: `pad_before` zeros, the input, then zeros up to out[axis]
};

const char* to_string(OpKind op);
const char* to_string(ActKind act);
const char* to_string(MoveKind move);

struct Node {
  std::string name;
  OpKind op = OpKind::Input;
  std::vector<int> inputs;        // indices of producer nodes
  std::vector<std::int64_t> out;  // output shape (no batch)

  // Conv2d / pooling attributes (pooling uses kernel, stride, pad).
  std::int64_t in_channels = 0, out_channels = 0;
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_h = 0, pad_w = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;
  // Linear attributes.
  std::int64_t in_features = 0, out_features = 0;
  bool bias = false;
  // Activation / Concat / Softmax.
  ActKind act = ActKind::ReLU;
  int axis = 0;

  // Added attributes (not in the first version of this header):
  // MatMul: in_features holds the reduction length K of [.., M, K] x [.., K, N].
  // BatchNorm: `axis` is the normalized (channel) dim: 0 for [C, H, W]; the last dim for a
  //   per-feature affine on [tokens, features] (MobileBERT's NoNorm), made by Graph::affine().
  // Reshape: what kind of data movement (see MoveKind) and its parameters.
  MoveKind move = MoveKind::Reshape;
  std::vector<int> perm;        // Permute: out dim i = input dim perm[i]
  std::int64_t start = 0;       // Slice
  std::int64_t step = 1;        // Slice
  std::int64_t pad_before = 0;  // Pad (pad after = out[axis] - in[axis] - pad_before)
  // Input made by Graph::parameter(): a learned tensor the network reads rather than computes
  // (ViT class token and position embeddings, GPT-2 position table, an embedding table).
  // `learned_params` is how many elements are stored (may exceed the elements read, e.g. a
  // 512-entry position table of which 128 rows are used); 0 for the network's real input.
  std::int64_t learned_params = 0;
  // Weight-stationary layers: density of 1-bits of the layer's input per bit position (LSB first);
  // empty = every row driven on every slice (worst case). See workloads/activity.h.
  std::vector<double> input_bit_density;
};

// The op name used by the TOML workload format and the layer table ("conv", "relu", "slice", ...).
std::string op_label(const Node& n);

// The weight matrix a weight-stationary layer (Conv2d, Linear) presents to a crossbar:
// `groups` independent matrices of rows x cols, each multiplied by `vectors` input vectors per
// inference (output pixels for a conv, tokens for a linear layer).
struct WeightMatrix {
  std::int64_t rows = 0;  // Cin/groups * Kh * Kw, or in_features
  std::int64_t cols = 0;  // Cout/groups, or out_features
  std::int64_t groups = 1;
  std::int64_t vectors = 0;  // matrix-vector products per inference
};

class Graph {
 public:
  explicit Graph(std::string name = "net") : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  void set_name(std::string n) { name_ = std::move(n); }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& node(int i) const { return nodes_.at(static_cast<std::size_t>(i)); }
  int size() const { return static_cast<int>(nodes_.size()); }

  // Builders: each returns the new node's index; names must be unique; shape errors throw
  // common::InputError naming the node and the mismatch. Empty name = auto-generated.
  int input(std::vector<std::int64_t> shape, std::string name = "input");
  int conv(int x, std::int64_t out_channels, std::int64_t kernel, std::int64_t stride = 1,
           std::int64_t pad = -1 /* -1: "same" = (kernel-1)/2 * dilation */, std::int64_t groups = 1,
           std::int64_t dilation = 1, bool bias = false, std::string name = "");
  int conv2d(int x, const Node& attrs, std::string name = "");  // full control (kernel_h/w, stride_h/w, ...)
  int linear(int x, std::int64_t out_features, bool bias = true, std::string name = "");
  int matmul(int a, int b, std::string name = "");
  int maxpool(int x, std::int64_t kernel, std::int64_t stride, std::int64_t pad = 0, std::string name = "");
  int avgpool(int x, std::int64_t kernel, std::int64_t stride, std::int64_t pad = 0, std::string name = "");
  int global_avgpool(int x, std::string name = "");
  int add(int a, int b, std::string name = "");
  int mul(int a, int b, std::string name = "");
  int concat(const std::vector<int>& xs, int axis = 0, std::string name = "");
  int activation(int x, ActKind act, std::string name = "");
  int batchnorm(int x, std::string name = "");
  int layernorm(int x, std::string name = "");
  int softmax(int x, std::string name = "");
  int reshape(int x, std::vector<std::int64_t> shape, std::string name = "");  // element count kept
  int transpose_last2(int x, std::string name = "");                           // [.., A, B] -> [.., B, A]

  // Added builders. All of them make existing OpKinds (no new kinds).
  // Learned tensor read by the network (OpKind::Input with learned_params = stored_elements,
  // or the shape's element count when stored_elements == 0).
  int parameter(std::vector<std::int64_t> shape, std::int64_t stored_elements = 0, std::string name = "");
  int flatten(int x, std::string name = "");                         // -> [elements]
  int permute(int x, std::vector<int> perm, std::string name = "");  // Reshape/Permute
  int slice(int x, int axis, std::int64_t start, std::int64_t length, std::int64_t step = 1,
            std::string name = "");                                                          // Reshape/Slice
  int pad(int x, int axis, std::int64_t before, std::int64_t after, std::string name = "");  // zeros
  int affine(int x, int axis, std::string name = "");  // BatchNorm along `axis` (inference BN = affine)
  int find(const std::string& node_name) const;        // index, or -1 if no such node
  // Data-dependent activity of a node's input (workloads/activity.h); values in [0, 1].
  void set_input_bit_density(int node, std::vector<double> density);

  // Arithmetic and storage. MACs count multiply-accumulates of Conv2d, Linear and MatMul only
  // (the convention of published figures); params count weights + biases + norm parameters.
  std::int64_t macs(int node) const;
  std::int64_t params(int node) const;
  std::int64_t weights(int node) const;  // crossbar-resident weights only (Conv2d, Linear)
  std::int64_t total_macs() const;
  std::int64_t total_params() const;
  std::int64_t elements(int node) const;  // output elements
  // Digital operations of a non-MAC node (element-wise ops, pooling window reads, norm/softmax
  // element ops): what the vector units execute.
  std::int64_t digital_ops(int node) const;
  bool is_weight_stationary(int node) const;   // Conv2d or Linear
  WeightMatrix weight_matrix(int node) const;  // only for weight-stationary nodes
  std::vector<std::vector<int>> consumers() const;

 private:
  int push(Node n);
  const Node& operand(int x, const Node& n) const;  // checked input access for builders
  std::string name_;
  std::vector<Node> nodes_;
  std::unordered_map<std::string, int> index_;  // node name -> index
};

std::int64_t elements_of(const std::vector<std::int64_t>& shape);
std::string shape_str(const std::vector<std::int64_t>& shape);

}  // namespace imc::workloads
