// Graph builders: output shapes, shape errors naming node and mismatch, metrics, weight matrices.
#include <doctest/doctest.h>

#include <string>

#include "common/config.h"
#include "workloads/graph.h"

using namespace imc::workloads;
using imc::common::InputError;

namespace {
// The InputError message of `f`, or "" if it did not throw.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("conv output size follows floor((H + 2p - d(k-1) - 1)/s) + 1") {
  Graph g;
  int x = g.input({3, 224, 224});
  int c = g.conv(x, 64, 11, 4, 2);  // AlexNet conv1
  CHECK(g.node(c).out == std::vector<std::int64_t>{64, 55, 55});
  int y = g.input({8, 7, 7}, "in2");
  Node a;
  a.out_channels = 8;
  a.kernel_h = 3;
  a.kernel_w = 1;
  a.stride_h = 2;
  a.stride_w = 1;
  a.pad_h = 1;
  a.pad_w = 0;
  a.dilation_h = 2;
  int d = g.conv2d(y, a, "dilated");
  // H: floor((7 + 2 - 2*2 - 1)/2) + 1 = 3; W: floor((7 - 0 - 1)/1) + 1 = 7.
  CHECK(g.node(d).out == std::vector<std::int64_t>{8, 3, 7});
  CHECK(g.macs(d) == 8 * 3 * 7 * 8 * 3);
  // "same" padding default keeps the size at stride 1, halves it (ceil) at stride 2.
  CHECK(g.node(g.conv(x, 16, 3)).out == std::vector<std::int64_t>{16, 224, 224});
  CHECK(g.node(g.conv(x, 16, 5, 2)).out == std::vector<std::int64_t>{16, 112, 112});
}

TEST_CASE("pooling, global pooling, flatten and linear shapes") {
  Graph g;
  int x = g.input({64, 112, 112});
  int p = g.maxpool(x, 3, 2, 1);
  CHECK(g.node(p).out == std::vector<std::int64_t>{64, 56, 56});
  CHECK(g.digital_ops(p) == 64 * 56 * 56 * 9);
  int gp = g.global_avgpool(p);
  CHECK(g.node(gp).out == std::vector<std::int64_t>{64, 1, 1});
  CHECK(g.digital_ops(gp) == 64 * 56 * 56);
  int f = g.flatten(gp);
  CHECK(g.node(f).out == std::vector<std::int64_t>{64});
  int l = g.linear(f, 10);
  CHECK(g.node(l).out == std::vector<std::int64_t>{10});
  CHECK(g.macs(l) == 640);
  CHECK(g.params(l) == 650);
  CHECK(g.weights(l) == 640);
}

TEST_CASE("linear applies per token and matmul multiplies per head") {
  Graph g;
  int x = g.input({197, 768});
  int q = g.linear(x, 2304, true, "qkv");
  CHECK(g.node(q).out == std::vector<std::int64_t>{197, 2304});
  CHECK(g.macs(q) == 197LL * 768 * 2304);
  WeightMatrix m = g.weight_matrix(q);
  CHECK(m.rows == 768);
  CHECK(m.cols == 2304);
  CHECK(m.groups == 1);
  CHECK(m.vectors == 197);
  int a = g.input({12, 197, 64}, "a");
  int b = g.input({12, 64, 197}, "b");
  int s = g.matmul(a, b);
  CHECK(g.node(s).out == std::vector<std::int64_t>{12, 197, 197});
  CHECK(g.macs(s) == 12LL * 197 * 197 * 64);
  CHECK(g.weights(s) == 0);
  CHECK_FALSE(g.is_weight_stationary(s));
  CHECK_THROWS_AS(g.weight_matrix(s), std::invalid_argument);
}

TEST_CASE("weight_matrix of a depthwise conv: one small matrix per channel") {
  Graph g;
  int x = g.input({72, 56, 56});
  int dw = g.conv(x, 72, 5, 2, -1, 72, 1, false, "dw");
  CHECK(g.node(dw).out == std::vector<std::int64_t>{72, 28, 28});
  WeightMatrix m = g.weight_matrix(dw);
  CHECK(m.rows == 25);  // Cin/groups * Kh * Kw = 1 * 5 * 5
  CHECK(m.cols == 1);   // Cout/groups
  CHECK(m.groups == 72);
  CHECK(m.vectors == 28 * 28);
  CHECK(g.weights(dw) == 72 * 25);
  CHECK(g.macs(dw) == m.rows * m.cols * m.groups * m.vectors);
  // Grouped (not depthwise) conv.
  int gc = g.conv(x, 144, 3, 1, -1, 4, 1, true, "grouped");
  WeightMatrix n = g.weight_matrix(gc);
  CHECK(n.rows == 18 * 9);
  CHECK(n.cols == 36);
  CHECK(n.groups == 4);
  CHECK(g.params(gc) == 144 * 18 * 9 + 144);
}

TEST_CASE("params count biases and norm parameters; digital ops of element-wise nodes") {
  Graph g;
  int x = g.input({16, 8, 8});
  int c = g.conv(x, 32, 3, 1, -1, 1, 1, true);
  int bn = g.batchnorm(c);
  CHECK(g.params(c) == 32 * 16 * 9 + 32);
  CHECK(g.params(bn) == 2 * 32);  // weight + bias; running stats are buffers
  CHECK(g.digital_ops(bn) == 2 * 32 * 8 * 8);
  int r = g.activation(bn, ActKind::ReLU);
  CHECK(g.digital_ops(r) == 32 * 64);
  int t = g.input({10, 20}, "tokens");
  int ln = g.layernorm(t);
  CHECK(g.params(ln) == 40);
  CHECK(g.digital_ops(ln) == 7 * 200);
  int sm = g.softmax(t);
  CHECK(g.digital_ops(sm) == 5 * 200);
  int af = g.affine(t, 1, "nonorm");
  CHECK(g.params(af) == 40);
  int p = g.parameter({4, 20}, 100, "table");
  CHECK(g.params(p) == 100);
  CHECK(g.weights(p) == 0);
  CHECK(g.total_params() == g.params(c) + g.params(bn) + 40 + 40 + 100);
}

TEST_CASE("data movement nodes: permute, slice, pad, concat, mul broadcast") {
  Graph g;
  int x = g.input({16, 32, 32});
  int s = g.slice(x, 1, 0, 16, 2, "rows");
  CHECK(g.node(s).out == std::vector<std::int64_t>{16, 16, 32});
  int p = g.pad(s, 0, 8, 8, "pad");
  CHECK(g.node(p).out == std::vector<std::int64_t>{32, 16, 32});
  int t = g.permute(p, {2, 0, 1});
  CHECK(g.node(t).out == std::vector<std::int64_t>{32, 32, 16});
  int t2 = g.transpose_last2(t);
  CHECK(g.node(t2).out == std::vector<std::int64_t>{32, 16, 32});
  int cat = g.concat({p, t2}, -3);
  CHECK(g.node(cat).out == std::vector<std::int64_t>{64, 16, 32});
  CHECK(g.node(cat).axis == 0);
  int se = g.global_avgpool(cat);
  int m = g.mul(cat, se);
  CHECK(g.node(m).out == g.node(cat).out);
  int m2 = g.mul(se, cat);
  CHECK(g.node(m2).out == g.node(cat).out);
  for (int i : {s, p, t, t2, cat}) {
    CHECK(g.macs(i) == 0);
    CHECK(g.digital_ops(i) == 0);
  }
  CHECK(g.node(g.reshape(cat, {64, -1})).out == std::vector<std::int64_t>{64, 512});
}

TEST_CASE("builder shape errors name the node and the mismatch") {
  Graph g("t");
  int x = g.input({64, 56, 56});
  int y = g.input({64, 28, 28}, "small");
  std::string e = error_of([&] { g.add(x, y, "res"); });
  CHECK(e.find("node 'res' (add)") != std::string::npos);
  CHECK(e.find("[64,56,56]") != std::string::npos);
  CHECK(e.find("[64,28,28]") != std::string::npos);

  e = error_of([&] { g.conv(x, 30, 3, 1, -1, 4, 1, false, "gc"); });
  CHECK(e.find("node 'gc' (conv)") != std::string::npos);
  CHECK(e.find("groups 4 must divide") != std::string::npos);

  e = error_of([&] { g.conv(y, 8, 31, 1, 0, 1, 1, false, "big"); });
  CHECK(e.find("node 'big'") != std::string::npos);
  CHECK(e.find("kernel 31") != std::string::npos);

  int t = g.input({10, 20}, "tok");
  e = error_of([&] { g.conv(t, 8, 3, 1, -1, 1, 1, false, "c2"); });
  CHECK(e.find("needs a [C,H,W] input, found [10,20]") != std::string::npos);

  int u = g.input({10, 21}, "tok2");
  e = error_of([&] { g.matmul(t, u, "mm"); });
  CHECK(e.find("node 'mm' (matmul)") != std::string::npos);
  CHECK(e.find("[10,20]") != std::string::npos);
  CHECK(e.find("[10,21]") != std::string::npos);

  e = error_of([&] { g.concat({x, t}, 0, "cat"); });
  CHECK(e.find("node 'cat' (concat)") != std::string::npos);

  e = error_of([&] { g.reshape(x, {64, 100}, "rs"); });
  CHECK(e.find("node 'rs' (reshape)") != std::string::npos);
  CHECK(e.find("6400 elements") != std::string::npos);

  e = error_of([&] { g.mul(x, g.input({32, 1, 1}, "se")); });
  CHECK(e.find("[C,1,1] with [C,H,W]") != std::string::npos);

  e = error_of([&] { g.input({3, 0, 5}, "zero"); });
  CHECK(e.find("node 'zero' (input)") != std::string::npos);

  e = error_of([&] { g.activation(x, ActKind::ReLU, "small"); });
  CHECK(e.find("a node named 'small' already exists") != std::string::npos);

  e = error_of([&] { g.activation(1000, ActKind::ReLU, "dangling"); });
  CHECK(e.find("node 'dangling'") != std::string::npos);
  CHECK(e.find("input index 1000") != std::string::npos);

  e = error_of([&] { g.permute(x, {0, 0, 1}, "perm"); });
  CHECK(e.find("not a permutation") != std::string::npos);

  e = error_of([&] { g.slice(x, 1, 50, 10, 1, "sl"); });
  CHECK(e.find("node 'sl' (slice)") != std::string::npos);

  e = error_of([&] { g.maxpool(x, 2, 2, 2, "mp"); });
  CHECK(e.find("at most half the kernel") != std::string::npos);

  e = error_of([&] { g.linear(x, 0, true, "lin0"); });
  CHECK(e.find("out_features 0") != std::string::npos);
}

TEST_CASE("auto-generated names are unique and findable; consumers are deduplicated") {
  Graph g;
  int x = g.input({4, 8, 8});
  int a = g.activation(x, ActKind::ReLU);
  int b = g.activation(x, ActKind::ReLU);
  CHECK(g.node(a).name != g.node(b).name);
  CHECK(g.find(g.node(b).name) == b);
  CHECK(g.find("no such node") == -1);
  int c = g.concat({a, a, b});
  auto cons = g.consumers();
  CHECK(cons[static_cast<std::size_t>(x)] == std::vector<int>{a, b});
  CHECK(cons[static_cast<std::size_t>(a)] == std::vector<int>{c});
  CHECK(cons[static_cast<std::size_t>(c)].empty());
  CHECK(g.node(c).out == std::vector<std::int64_t>{12, 8, 8});
}

TEST_CASE("sizes whose arithmetic would overflow int64 are errors naming the node") {
  using imc::workloads::Graph;
  Graph g("limits");
  CHECK_THROWS_WITH_AS(g.input({4294967296, 4294967296, 4294967296}), doctest::Contains("above 2^31"),
                       imc::common::InputError);
  const int x = g.input({3, 32, 32});
  CHECK_THROWS_WITH_AS(g.conv(x, 8, 3, 1, 9000000000000000000LL, 1, 1, false, "padded"),
                       doctest::Contains("'padded'"), imc::common::InputError);
  CHECK_THROWS_WITH_AS(g.pad(x, 1, 9000000000000000000LL, 0, "p"), doctest::Contains("2^31"),
                       imc::common::InputError);
  // Elements above 2^40: 2^21 x 2^20 x 1 passes the per-dimension limit but not the element limit.
  CHECK_THROWS_WITH_AS(g.input({2097152, 1048576, 1}, "wide"), doctest::Contains("2^40"),
                       imc::common::InputError);
  // MACs above 2^56 (a 2^16-channel 2^12 x 2^12 map, a 3x3 conv to 2^16 channels).
  const int big = g.input({65536, 4096, 4096}, "big");  // 2^40 elements exactly: allowed
  CHECK_THROWS_WITH_AS(g.conv(big, 65536, 3, 1, -1, 1, 1, false, "huge_conv"), doctest::Contains("2^56"),
                       imc::common::InputError);
}
