// ONNX import of small models built here through the protobuf API, laid out the way
// torch.onnx.export writes CNNs and transformers; expected MACs and parameters worked out by hand.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "common/config.h"
#include "tests/onnx/model_builder.h"
#include "workloads/graph.h"
#include "workloads/onnx/onnx_io.h"

using imc::common::InputError;
using imc::test::ModelBuilder;
using namespace imc::workloads;
namespace wo = imc::workloads::onnx;  // (the protobuf classes live in ::onnx)

namespace {

using B = ModelBuilder;

const Node& by_name(const Graph& g, const std::string& name) {
  int i = g.find(name);
  REQUIRE_MESSAGE(i >= 0, "no node named " << name);
  return g.node(i);
}

int count(const Graph& g, OpKind op) {
  int c = 0;
  for (const auto& n : g.nodes()) c += n.op == op;
  return c;
}

std::string error_of(const std::string& path, const wo::ImportOptions& o = {}) {
  try {
    wo::import_onnx(path, o);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// conv 3->16 (bias) + BN + ReLU, maxpool, depthwise 3x3 + Clip(0,6), pointwise stride 2 with
// auto_pad SAME_UPPER, global average pool, flatten, Gemm 32->10.
ModelBuilder conv_net() {
  B b(13, "convnet");
  b.input("input", {-1, 3, 32, 32});
  auto& c1 = b.node("Conv", {"input", b.weight("conv1.weight", {16, 3, 3, 3}), b.weight("conv1.bias", {16})},
                    {"c1"}, "/conv1/Conv");
  B::attr(c1, "pads", std::vector<std::int64_t>{1, 1, 1, 1});
  B::attr(c1, "kernel_shape", std::vector<std::int64_t>{3, 3});
  b.node(
      "BatchNormalization",
      {"c1", b.weight("bn.w", {16}), b.weight("bn.b", {16}), b.weight("bn.m", {16}), b.weight("bn.v", {16})},
      {"bn"}, "/bn1/BatchNormalization");
  b.node("Relu", {"bn"}, {"r1"}, "/relu/Relu");
  auto& p = b.node("MaxPool", {"r1"}, {"p1"}, "/pool/MaxPool");
  B::attr(p, "kernel_shape", std::vector<std::int64_t>{2, 2});
  B::attr(p, "strides", std::vector<std::int64_t>{2, 2});
  auto& dw = b.node("Conv", {"p1", b.weight("dw.weight", {16, 1, 3, 3})}, {"dw"}, "/dw/Conv");
  B::attr(dw, "group", std::int64_t{16});
  B::attr(dw, "pads", std::vector<std::int64_t>{1, 1, 1, 1});
  b.node("Clip", {"dw", b.scalar("zero", 0), b.scalar("six", 6)}, {"r6"}, "/act/Clip");
  auto& pw = b.node("Conv", {"r6", b.weight("pw.weight", {32, 16, 1, 1})}, {"pw"}, "/pw/Conv");
  B::attr(pw, "strides", std::vector<std::int64_t>{2, 2});
  B::attr(pw, "auto_pad", "SAME_UPPER");
  b.node("GlobalAveragePool", {"pw"}, {"gap"}, "/gap/GlobalAveragePool");
  b.node("Flatten", {"gap"}, {"flat"}, "/flatten/Flatten");
  auto& fc = b.node("Gemm", {"flat", b.weight("fc.weight", {10, 32}), b.weight("fc.bias", {10})}, {"logits"},
                    "/fc/Gemm");
  B::attr(fc, "transB", std::int64_t{1});
  b.output("logits");
  return b;
}

}  // namespace

TEST_CASE("onnx import: a small CNN with BN, depthwise conv, Clip, SAME padding and Gemm") {
  Graph g = wo::import_onnx(conv_net().save("imc_onnx_convnet.onnx"));
  CHECK(g.name() == "convnet");
  CHECK(by_name(g, "input").out == std::vector<std::int64_t>{3, 32, 32});  // batch dropped
  const Node& c1 = by_name(g, "/conv1/Conv");
  CHECK(c1.op == OpKind::Conv2d);
  CHECK(c1.bias);
  CHECK(c1.out == std::vector<std::int64_t>{16, 32, 32});
  CHECK(by_name(g, "/bn1/BatchNormalization").op == OpKind::BatchNorm);
  CHECK(by_name(g, "/act/Clip").act == ActKind::ReLU6);
  CHECK(by_name(g, "/dw/Conv").groups == 16);
  CHECK(by_name(g, "/pw/Conv").out == std::vector<std::int64_t>{32, 8, 8});  // ceil(16 / 2)
  const Node& fc = by_name(g, "/fc/Gemm");
  CHECK(fc.op == OpKind::Linear);
  CHECK(fc.in_features == 32);
  CHECK(fc.out == std::vector<std::int64_t>{10});
  // MACs: 16*32*32*27 + 16*16*16*9 + 32*8*8*16 + 32*10.
  CHECK(g.total_macs() == 442368 + 36864 + 32768 + 320);
  // Params: conv1 432+16, BN 2*16, depthwise 144, pointwise 512, fc 320+10.
  CHECK(g.total_params() == 448 + 32 + 144 + 512 + 330);
}

TEST_CASE("onnx import: residual block, concat, squeeze-excite and pooling edge cases") {
  B b(13, "resblock");
  b.input("x", {1, 8, 16, 16});
  auto conv = [&](const std::string& in, const std::string& out, std::int64_t cin, std::int64_t cout,
                  std::int64_t k) {
    auto& c = b.node("Conv", {in, b.weight(out + ".w", {cout, cin, k, k})}, {out}, "/" + out + "/Conv");
    std::int64_t p = k / 2;
    B::attr(c, "pads", std::vector<std::int64_t>{p, p, p, p});
  };
  conv("x", "a", 8, 8, 3);
  b.node("Relu", {"a"}, {"ar"});
  conv("ar", "bconv", 8, 8, 3);
  b.node("Add", {"bconv", "x"}, {"sum"}, "/add/Add");
  b.node("Relu", {"sum"}, {"out1"});
  B::attr(b.node("Concat", {"out1", "x"}, {"cat"}, "/cat/Concat"), "axis", std::int64_t{1});
  conv("cat", "proj", 16, 4, 1);
  b.node("GlobalAveragePool", {"proj"}, {"se_pool"});
  auto& se = b.node("Conv", {"se_pool", b.weight("se.w", {4, 4, 1, 1}), b.weight("se.b", {4})}, {"se_fc"},
                    "/se/Conv");
  (void)se;
  b.node("HardSigmoid", {"se_fc"}, {"se_gate"}, "/se/HardSigmoid");
  b.node("Mul", {"proj", "se_gate"}, {"scaled"}, "/se/Mul");
  // ceil_mode 3x3/2 max pool on 16x16 (GoogLeNet style): 8 outputs instead of 7.
  auto& mp = b.node("MaxPool", {"scaled"}, {"mp"}, "/mp/MaxPool");
  B::attr(mp, "kernel_shape", std::vector<std::int64_t>{3, 3});
  B::attr(mp, "strides", std::vector<std::int64_t>{2, 2});
  B::attr(mp, "ceil_mode", std::int64_t{1});
  // Asymmetric explicit pads on an average pool: 8 + 0 + 1 - 2 + 1 = 8 outputs.
  auto& ap = b.node("AveragePool", {"mp"}, {"ap"}, "/ap/AveragePool");
  B::attr(ap, "kernel_shape", std::vector<std::int64_t>{2, 2});
  B::attr(ap, "pads", std::vector<std::int64_t>{0, 0, 1, 1});
  b.output("ap");
  Graph g = wo::import_onnx(b.save("imc_onnx_resblock.onnx"));

  const Node& add = by_name(g, "/add/Add");
  CHECK(add.op == OpKind::Add);
  CHECK(g.node(add.inputs[0]).name == "/bconv/Conv");
  CHECK(g.node(add.inputs[1]).name == "x");
  const Node& cat = by_name(g, "/cat/Concat");
  CHECK(cat.axis == 0);  // channel axis once the batch is dropped
  CHECK(cat.out == std::vector<std::int64_t>{16, 16, 16});
  const Node& mul = by_name(g, "/se/Mul");
  CHECK(mul.op == OpKind::Mul);
  CHECK(mul.out == std::vector<std::int64_t>{4, 16, 16});
  CHECK(by_name(g, "/se/HardSigmoid").act == ActKind::HardSigmoid);
  CHECK(by_name(g, "/mp/MaxPool").out == std::vector<std::int64_t>{4, 8, 8});
  CHECK(by_name(g, "/ap/AveragePool").out == std::vector<std::int64_t>{4, 8, 8});
  // MACs: two 3x3 convs 8->8 on 16x16, the 1x1 projection 16->4, the SE 1x1 4->4.
  CHECK(g.total_macs() == 2 * 8 * 16 * 16 * 72 + 4 * 16 * 16 * 16 + 16);
  CHECK(g.total_params() == 2 * 576 + 64 + 16 + 4);
}

// Pre-LN encoder block as torch exports it at opset 13: decomposed LayerNorm and GELU, packed QKV
// projection + Split, head split by Reshape (its target computed from Shape) + Transpose, scaled
// dot-product attention with two dynamic MatMuls, residual Adds.
TEST_CASE("onnx import: transformer block with dynamic MatMuls and decomposed LayerNorm/GELU") {
  const std::int64_t T = 8, D = 16, H = 2, Dh = 8, F = 32;
  B b(13, "encoder_block");
  b.input("x", {-1, T, D});
  auto layernorm = [&](const std::string& in, const std::string& p) {
    B::attr(b.node("ReduceMean", {in}, {p + ".mean"}, "/" + p + "/ReduceMean"), "axes",
            std::vector<std::int64_t>{-1});
    b.node("Sub", {in, p + ".mean"}, {p + ".diff"});
    b.node("Pow", {p + ".diff", b.scalar(p + ".two", 2)}, {p + ".sq"});
    B::attr(b.node("ReduceMean", {p + ".sq"}, {p + ".var"}), "axes", std::vector<std::int64_t>{-1});
    b.node("Add", {p + ".var", b.scalar(p + ".eps", 1e-5f)}, {p + ".ve"});
    b.node("Sqrt", {p + ".ve"}, {p + ".std"});
    b.node("Div", {p + ".diff", p + ".std"}, {p + ".norm"});
    b.node("Mul", {p + ".norm", b.weight(p + ".weight", {D})}, {p + ".scaled"});
    b.node("Add", {p + ".scaled", b.weight(p + ".bias", {D})}, {p});
  };
  auto linear = [&](const std::string& in, const std::string& out, std::int64_t k, std::int64_t n) {
    b.node("MatMul", {in, b.weight(out + ".w", {k, n})}, {out + ".mm"}, "/" + out + "/MatMul");
    b.node("Add", {out + ".mm", b.weight(out + ".b", {n})}, {out});
  };
  layernorm("x", "ln1");
  linear("ln1", "qkv", D, 3 * D);
  B::attr(b.node("Split", {"qkv", b.ints("split", {D, D, D})}, {"q", "k", "v"}), "axis", std::int64_t{2});
  // Reshape target [batch, T, H, Dh] assembled from Shape(x) as torch does for view(B, T, H, Dh).
  b.node("Shape", {"x"}, {"xs"});
  B::attr(b.node("Gather", {"xs", b.ints("i0", {0})}, {"bdim"}), "axis", std::int64_t{0});
  B::attr(b.node("Gather", {"xs", b.ints("i1", {1})}, {"tdim"}), "axis", std::int64_t{0});
  B::attr(b.node("Concat", {"bdim", "tdim", b.ints("hd", {H, Dh})}, {"heads_shape"}), "axis",
          std::int64_t{0});
  auto heads = [&](const std::string& t, std::vector<std::int64_t> perm) {
    b.node("Reshape", {t, "heads_shape"}, {t + ".4d"});
    B::attr(b.node("Transpose", {t + ".4d"}, {t + ".h"}), "perm", perm);
  };
  heads("q", {0, 2, 1, 3});
  heads("k", {0, 2, 3, 1});
  heads("v", {0, 2, 1, 3});
  b.node("MatMul", {"q.h", "k.h"}, {"scores"}, "/attn/MatMul_qk");
  b.node("Div", {"scores", b.scalar("sqrt_dh", 2.828427f)}, {"scores_s"});
  B::attr(b.node("Softmax", {"scores_s"}, {"att"}, "/attn/Softmax"), "axis", std::int64_t{-1});
  b.node("MatMul", {"att", "v.h"}, {"ctx"}, "/attn/MatMul_av");
  B::attr(b.node("Transpose", {"ctx"}, {"ctx_t"}), "perm", std::vector<std::int64_t>{0, 2, 1, 3});
  // The merge target takes D from the shape of a transpose nothing else reads (torch leaves such
  // nodes behind): it is converted for its shape only and makes no workload node.
  B::attr(b.node("Transpose", {"x"}, {"x_t"}, "/attn/Transpose_for_shape"), "perm",
          std::vector<std::int64_t>{0, 2, 1});
  b.node("Shape", {"x_t"}, {"x_t_shape"});
  B::attr(b.node("Gather", {"x_t_shape", b.ints("i1b", {1})}, {"d_dim"}), "axis", std::int64_t{0});
  B::attr(b.node("Concat", {b.ints("merge_head", {1, -1}), "d_dim"}, {"merge"}), "axis", std::int64_t{0});
  b.node("Relu", {"x"}, {"dead"}, "/dead/Relu");  // reaches no output: dropped
  b.node("Reshape", {"ctx_t", "merge"}, {"ctx_m"});
  linear("ctx_m", "out", D, D);
  b.node("Add", {"x", "out"}, {"res1"}, "/add1/Add");
  layernorm("res1", "ln2");
  linear("ln2", "fc1", D, F);
  b.node("Div", {"fc1", b.scalar("sqrt2", 1.4142135f)}, {"g.div"}, "/gelu/Div");
  b.node("Erf", {"g.div"}, {"g.erf"});
  b.node("Add", {"g.erf", b.scalar("one", 1)}, {"g.add"});
  b.node("Mul", {"fc1", "g.add"}, {"g.mul"});
  b.node("Mul", {"g.mul", b.scalar("half", 0.5f)}, {"gelu"});
  linear("gelu", "fc2", F, D);
  b.node("Add", {"res1", "fc2"}, {"y"}, "/add2/Add");
  b.output("y");
  Graph g = wo::import_onnx(b.save("imc_onnx_encoder.onnx"));

  CHECK(count(g, OpKind::LayerNorm) == 2);
  CHECK(g.find("/attn/Transpose_for_shape") < 0);
  CHECK(g.find("/dead/Relu") < 0);
  CHECK(count(g, OpKind::Activation) == 1);  // the GELU
  CHECK(count(g, OpKind::Linear) == 4);
  CHECK(count(g, OpKind::MatMul) == 2);
  CHECK(count(g, OpKind::Softmax) == 1);
  CHECK(count(g, OpKind::Add) == 2);  // the residuals; biases live in the Linear nodes
  CHECK(by_name(g, "/ln1/ReduceMean").op == OpKind::LayerNorm);
  CHECK(by_name(g, "/gelu/Div").act == ActKind::GELU);
  const Node& qkv = by_name(g, "/qkv/MatMul");
  CHECK(qkv.bias);
  CHECK(qkv.out == std::vector<std::int64_t>{T, 3 * D});
  const Node& qk = by_name(g, "/attn/MatMul_qk");
  CHECK(qk.out == std::vector<std::int64_t>{H, T, T});
  CHECK(qk.in_features == Dh);
  CHECK(by_name(g, "/add2/Add").out == std::vector<std::int64_t>{T, D});
  // Projections T*(D*3D + D*D + D*F + F*D), then QK^T and AV: H*T*T*Dh each.
  CHECK(g.total_macs() == T * (D * 3 * D + D * D + D * F + F * D) + 2 * H * T * T * Dh);
  CHECK(g.total_params() == (D * 3 * D + 3 * D) + (D * D + D) + (D * F + F) + (F * D + D) + 2 * 2 * D);
}

// GPT-2 as Hugging Face exports it: token ids (int64) looked up in a table tied to the LM head,
// position rows gathered from a larger table, Conv1D layers as Gemm on a 2-D view, q/k/v by Slice,
// a causal mask applied with Where, tanh-form GELU, opset 17 LayerNormalization.
TEST_CASE("onnx import: GPT-2 style decoder with token ids, tied head, Where mask and tanh GELU") {
  const std::int64_t T = 8, D = 16, V = 100, P = 32;
  B b(17, "gpt2_like");
  b.input("input_ids", {-1, T}, ::onnx::TensorProto::INT64);
  b.weight("wte", {V, D});
  b.node("Gather", {"wte", "input_ids"}, {"tok"}, "/wte/Gather");
  b.node("Range", {b.ints("r0", {0}), b.ints("rT", {T}), b.ints("r1", {1})}, {"pos_ids"});
  b.node("Unsqueeze", {"pos_ids", b.ints("ax0", {0})}, {"pos_ids2"});
  b.node("Gather", {b.weight("wpe", {P, D}), "pos_ids2"}, {"pos"}, "/wpe/Gather");
  b.node("Add", {"tok", "pos"}, {"h0"}, "/pos/Add");
  auto ln = [&](const std::string& in, const std::string& out) {
    b.node("LayerNormalization", {in, b.weight(out + ".g", {D}), b.weight(out + ".b", {D})}, {out},
           "/" + out + "/LayerNormalization");
  };
  auto conv1d = [&](const std::string& in, const std::string& out, std::int64_t k, std::int64_t n) {
    b.node("Reshape", {in, b.ints(out + ".2d", {-1, k})}, {out + ".in2d"});
    b.node("Gemm", {out + ".in2d", b.weight(out + ".w", {k, n}), b.weight(out + ".b", {n})}, {out + ".g"},
           "/" + out + "/Gemm");
    b.node("Reshape", {out + ".g", b.ints(out + ".3d", {1, T, n})}, {out});
  };
  ln("h0", "ln1");
  conv1d("ln1", "c_attn", D, 3 * D);
  for (int i = 0; i < 3; ++i) {
    std::string t = std::string(1, "qkv"[i]);
    b.node("Slice",
           {"c_attn", b.ints(t + ".s", {i * D}), b.ints(t + ".e", {(i + 1) * D}), b.ints(t + ".a", {2})},
           {t});
  }
  B::attr(b.node("Transpose", {"k"}, {"kt"}), "perm", std::vector<std::int64_t>{0, 2, 1});
  b.node("MatMul", {"q", "kt"}, {"w"}, "/attn/MatMul");
  // The causal mask: a slice of a bool buffer, then Where(mask, w, -inf).
  auto* mask = b.model().mutable_graph()->add_initializer();
  mask->set_name("bias_buffer");
  mask->set_data_type(::onnx::TensorProto::BOOL);
  for (auto d : {std::int64_t{1}, P, P}) mask->add_dims(d);
  mask->mutable_raw_data()->assign(P * P, '\1');
  b.node("Slice", {"bias_buffer", b.ints("m.s", {0, 0}), b.ints("m.e", {T, T}), b.ints("m.a", {1, 2})},
         {"causal"});
  b.node("Where", {"causal", "w", b.scalar("neg_inf", -1e30f)}, {"wm"}, "/attn/Where");
  b.node("Softmax", {"wm"}, {"att"});
  b.node("MatMul", {"att", "v"}, {"ctx"}, "/attn/MatMul_1");
  conv1d("ctx", "c_proj", D, D);
  b.node("Add", {"h0", "c_proj"}, {"h1"});
  ln("h1", "ln2");
  conv1d("ln2", "c_fc", D, 4 * D);
  // gelu_new: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
  b.node("Mul", {b.scalar("half", 0.5f), "c_fc"}, {"g.half"});
  b.node("Pow", {"c_fc", b.scalar("three", 3)}, {"g.cube"}, "/gelu/Pow");
  b.node("Mul", {b.scalar("k", 0.044715f), "g.cube"}, {"g.k"});
  b.node("Add", {"c_fc", "g.k"}, {"g.inner"});
  b.node("Mul", {b.scalar("c", 0.7978845608f), "g.inner"}, {"g.scaled"});
  b.node("Tanh", {"g.scaled"}, {"g.tanh"});
  b.node("Add", {b.scalar("one", 1), "g.tanh"}, {"g.one"});
  b.node("Mul", {"g.half", "g.one"}, {"gelu"});
  conv1d("gelu", "c_mlp", 4 * D, D);
  b.node("Add", {"h1", "c_mlp"}, {"h2"});
  B::attr(b.node("Transpose", {"wte"}, {"wte_t"}), "perm", std::vector<std::int64_t>{1, 0});
  b.node("MatMul", {"h2", "wte_t"}, {"logits"}, "/lm_head/MatMul");
  b.output("logits");
  Graph g = wo::import_onnx(b.save("imc_onnx_gpt2_like.onnx"));

  const Node& tok = by_name(g, "input_ids");  // the tied table's lookup: the network's input
  CHECK(tok.op == OpKind::Input);
  CHECK(tok.learned_params == 0);
  CHECK(tok.out == std::vector<std::int64_t>{T, D});
  const Node& wpe = by_name(g, "wpe");  // the position table: a parameter of which T rows are read
  CHECK(wpe.op == OpKind::Input);
  CHECK(wpe.learned_params == P * D);
  CHECK(wpe.out == std::vector<std::int64_t>{T, D});
  CHECK(by_name(g, "/pos/Add").op == OpKind::Add);
  CHECK(count(g, OpKind::LayerNorm) == 2);
  CHECK(count(g, OpKind::MatMul) == 2);
  int gelus = 0;
  for (const auto& n : g.nodes()) gelus += n.op == OpKind::Activation && n.act == ActKind::GELU;
  CHECK(gelus == 1);
  const Node& head = by_name(g, "/lm_head/MatMul");
  CHECK(head.op == OpKind::Linear);
  CHECK(head.out == std::vector<std::int64_t>{T, V});
  CHECK(g.total_macs() == T * (D * 3 * D + D * D + D * 4 * D + 4 * D * D + D * V) + 2 * T * T * D);
  CHECK(g.total_params() == P * D + (3 * D * D + 3 * D) + (D * D + D) + (4 * D * D + 4 * D) +
                                (4 * D * D + D) + 2 * 2 * D + D * V);
}

// torch.onnx.export folds the transpose of a tied LM head into a separate initializer: the tie is
// found by comparing values, and the lookup then is the network input (the table counted once).
TEST_CASE("onnx import: an LM head tied to the embedding table by value") {
  const std::int64_t T = 4, D = 3, V = 5;
  for (bool tied : {true, false}) {
    CAPTURE(tied);
    B b(13, "tied_head");
    b.input("ids", {1, T}, ::onnx::TensorProto::INT64);
    // table[i][j] = i*D + j, head = table^T (tied) or table^T + 0.5 (a head of its own).
    auto raw = [&](const std::string& name, std::int64_t r, std::int64_t c, bool transposed, float offset) {
      auto* t = b.model().mutable_graph()->add_initializer();
      t->set_name(name);
      t->set_data_type(::onnx::TensorProto::FLOAT);
      t->add_dims(r), t->add_dims(c);
      for (std::int64_t i = 0; i < r; ++i)
        for (std::int64_t j = 0; j < c; ++j) {
          float v = static_cast<float>(transposed ? j * r + i : i * c + j) + offset;
          t->mutable_raw_data()->append(reinterpret_cast<const char*>(&v), 4);
        }
    };
    raw("wte", V, D, false, 0);
    raw("onnx::MatMul_99", D, V, true, tied ? 0.0f : 0.5f);
    std::string head = "onnx::MatMul_99";
    b.node("Gather", {"wte", "ids"}, {"emb"}, "/wte/Gather");
    b.node("MatMul", {"emb", head}, {"logits"}, "/lm_head/MatMul");
    b.output("logits");
    Graph g = wo::import_onnx(b.save("imc_onnx_tied.onnx"));
    const Node& first = g.node(0);
    CHECK(first.op == OpKind::Input);
    CHECK(first.learned_params == (tied ? 0 : V * D));
    CHECK(g.total_params() == (tied ? 0 : V * D) + D * V);
  }
}

TEST_CASE("onnx import: SiLU / HardSwish patterns, LogSoftmax, Expand, Pad and a ViT class token") {
  const std::int64_t N = 4, D = 8;
  B b(13, "misc");
  b.input("patches", {1, N, D});
  b.node("Sigmoid", {"patches"}, {"sig"}, "/silu/Sigmoid");
  b.node("Mul", {"patches", "sig"}, {"silu"});
  B::attr(b.node("HardSigmoid", {"silu"}, {"hs"}, "/hswish/HardSigmoid"), "alpha", 1.0f / 6);
  b.node("Mul", {"silu", "hs"}, {"hswish"});
  // ViT: class token [1,1,D] expanded over the batch, concatenated in front of the patches,
  // plus a learned position embedding as large as the sequence.
  b.node("Expand", {b.weight("cls_token", {1, 1, D}), b.ints("cls_shape", {1, 1, D})}, {"cls"});
  B::attr(b.node("Concat", {"cls", "hswish"}, {"tokens"}, "/cat/Concat"), "axis", std::int64_t{1});
  b.node("Add", {"tokens", b.weight("pos_embedding", {1, N + 1, D})}, {"tokens_pos"}, "/pos/Add");
  b.node("Pad", {"tokens_pos", b.ints("pads", {0, 0, 0, 0, 1, 0})}, {"padded"}, "/pad/Pad");
  B::attr(b.node("LogSoftmax", {"padded"}, {"y"}, "/out/LogSoftmax"), "axis", std::int64_t{-1});
  b.output("y");
  Graph g = wo::import_onnx(b.save("imc_onnx_misc.onnx"));
  CHECK(by_name(g, "/silu/Sigmoid").act == ActKind::SiLU);
  CHECK(by_name(g, "/hswish/HardSigmoid").act == ActKind::HardSwish);
  const Node& cat = by_name(g, "/cat/Concat");
  CHECK(cat.out == std::vector<std::int64_t>{N + 1, D});
  CHECK(g.node(cat.inputs[0]).learned_params == D);  // the class token, a parameter node
  CHECK(by_name(g, "pos_embedding").learned_params == (N + 1) * D);
  const Node& pad = by_name(g, "/pad/Pad");
  CHECK(pad.move == MoveKind::Pad);
  CHECK(pad.out == std::vector<std::int64_t>{N + 2, D});
  CHECK(by_name(g, "/out/LogSoftmax").op == OpKind::Softmax);
  CHECK(g.total_params() == D + (N + 1) * D);
}

TEST_CASE("onnx import: errors name the file, the node, the op and what is supported") {
  SUBCASE("unsupported operator") {
    B b(13);
    b.input("x", {1, 4, 8});
    b.node("Relu", {"x"}, {"r"});
    b.node("LSTM", {"r", b.weight("W", {1, 16, 8}), b.weight("R", {1, 16, 4})}, {"y"}, "/rnn/LSTM");
    b.output("y");
    std::string path = b.save("imc_onnx_lstm.onnx");
    std::string msg = error_of(path);
    CHECK(msg.find(path) != std::string::npos);
    CHECK(msg.find("'/rnn/LSTM'") != std::string::npos);
    CHECK(msg.find("(LSTM)") != std::string::npos);
    CHECK(msg.find("unsupported operator") != std::string::npos);
    CHECK(msg.find("Conv") != std::string::npos);
    CHECK(msg.find("MatMul") != std::string::npos);
  }
  SUBCASE("corrupt, truncated and missing files") {
    std::string garbage = (std::filesystem::temp_directory_path() / "imc_onnx_garbage.onnx").string();
    {
      std::ofstream out(garbage, std::ios::binary);
      for (int i = 0; i < 256; ++i) out.put(static_cast<char>((i * 73 + 11) & 0xff));
    }
    std::string msg = error_of(garbage);
    CHECK(msg.find(garbage) != std::string::npos);
    CHECK(msg.find("not a valid ONNX model") != std::string::npos);

    std::string whole = conv_net().save("imc_onnx_whole.onnx");
    std::string cut = (std::filesystem::temp_directory_path() / "imc_onnx_truncated.onnx").string();
    {
      std::ifstream in(whole, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::ofstream out(cut, std::ios::binary);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
    }
    msg = error_of(cut);
    CHECK(msg.find(cut) != std::string::npos);
    CHECK(msg.find("not a valid ONNX model") != std::string::npos);

    msg = error_of("/nonexistent/model.onnx");
    CHECK(msg.find("/nonexistent/model.onnx: cannot open") != std::string::npos);
  }
  SUBCASE("symbolic sequence length: an error unless its value is given") {
    B b(13);
    b.input("x", {-1, 0, 8});
    b.model()
        .mutable_graph()
        ->mutable_input(0)
        ->mutable_type()
        ->mutable_tensor_type()
        ->mutable_shape()
        ->mutable_dim(1)
        ->set_dim_param("seq");
    b.node("MatMul", {"x", b.weight("w", {8, 4})}, {"y"}, "/fc/MatMul");
    b.output("y");
    std::string path = b.save("imc_onnx_symbolic.onnx");
    std::string msg = error_of(path);
    CHECK(msg.find("symbolic ('seq')") != std::string::npos);
    wo::ImportOptions o;
    o.symbolic_dims["seq"] = 5;
    Graph g = wo::import_onnx(path, o);
    CHECK(by_name(g, "/fc/MatMul").out == std::vector<std::int64_t>{5, 4});
  }
  SUBCASE("a graph-level shape error names the node") {
    B b(13);
    b.input("x", {1, 3, 8, 8});
    b.node("Conv", {"x", b.weight("w", {4, 5, 3, 3})}, {"y"}, "/bad/Conv");  // 5 != 3 input channels
    b.output("y");
    std::string msg = error_of(b.save("imc_onnx_badconv.onnx"));
    CHECK(msg.find("'/bad/Conv' (Conv)") != std::string::npos);
    CHECK(msg.find("input channels") != std::string::npos);
  }
}

TEST_CASE("onnx import: shapes whose products would overflow are an error naming the file and node") {
  // [1, 3, 2^40, 2^40] used to estimate to 0 energy (its element count wrapped around).
  B b(13, "huge");
  b.input("input", {1, 3, std::int64_t(1) << 40, std::int64_t(1) << 40});
  auto& r = b.node("Relu", {"input"}, {"r"}, "/relu/Relu");
  (void)r;
  b.output("r");
  CHECK_THROWS_WITH_AS(wo::import_onnx(b.save("imc_onnx_huge.onnx")), doctest::Contains("imc_onnx_huge.onnx"),
                       imc::common::InputError);
  CHECK_THROWS_WITH_AS(wo::import_onnx(b.save("imc_onnx_huge.onnx")), doctest::Contains("2^31"),
                       imc::common::InputError);
}
