// The TOML workload format: good files, every kind of error with its file, line and key, and the
// writer/reader round trip over the whole zoo.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/config.h"
#include "workloads/load.h"
#include "workloads/toml_format.h"
#include "workloads/zoo.h"

using namespace imc::workloads;
using imc::common::InputError;

namespace {

std::string root() {
  const char* r = std::getenv("IMCSIM_ROOT");
  return r ? r : ".";
}

// The error message of parsing `text` as "bad.toml", or "" if it parsed.
std::string parse_error(const std::string& text) {
  try {
    parse_toml_workload(text, "bad.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const char* kHead = R"([network]
name = "t"
input = [3, 8, 8]
)";  // lines 1-3

}  // namespace

TEST_CASE("example workload files load with the expected shapes and totals") {
  Graph g = load_toml_workload(root() + "/configs/workloads/small_resnet.toml");
  CHECK(g.name() == "small_resnet");
  CHECK(g.node(0).out == std::vector<std::int64_t>{3, 32, 32});
  CHECK(g.node(g.find("b1_add")).inputs == std::vector<int>{g.find("b1_conv2"), g.find("stem_relu")});
  CHECK(g.node(g.find("down_cat")).out == std::vector<std::int64_t>{64, 16, 16});
  WeightMatrix dw = g.weight_matrix(g.find("dw"));
  CHECK(dw.groups == 64);
  CHECK(dw.rows == 9);
  CHECK(dw.cols == 1);
  CHECK(g.node(g.find("pw")).bias);
  CHECK_FALSE(g.node(g.find("stem")).bias);
  CHECK(g.node(g.size() - 1).out == std::vector<std::int64_t>{10});
  // stem 3->32 3x3 at 32x32; two 32->32 3x3 at 32x32; strided 32->32 3x3 at 16x16; dw 64 3x3 and
  // pw 64->128 at 16x16; fc 128->10.
  CHECK(g.total_macs() == 32 * 32 * 32 * 27LL + 2 * 32 * 32 * 32 * 288LL + 16 * 16 * 32 * 288LL +
                              16 * 16 * 64 * 9LL + 16 * 16 * 128 * 64LL + 1280);

  Graph t = load_toml_workload(root() + "/configs/workloads/tiny_transformer.toml");
  CHECK(t.node(t.find("k_split")).out == std::vector<std::int64_t>{64, 4, 32});
  CHECK(t.node(t.find("scores")).out == std::vector<std::int64_t>{4, 64, 64});
  CHECK(t.macs(t.find("scores")) == 4 * 64 * 64 * 32);
  CHECK(t.node(t.size() - 1).out == std::vector<std::int64_t>{64, 128});
}

TEST_CASE("TOML attribute defaults and forms") {
  Graph g = parse_toml_workload(std::string(kHead) + R"(
[[layer]]
op = "conv"
out_channels = 4
kernel = [3, 1]
stride = [2, 1]

[[layer]]
name = "p"
op = "avgpool"
kernel = 2
)",
                                "defaults.toml");
  const Node& c = g.node(1);
  CHECK(c.kernel_h == 3);
  CHECK(c.kernel_w == 1);
  CHECK(c.pad_h == 1);  // "same"
  CHECK(c.pad_w == 0);
  CHECK(c.out == std::vector<std::int64_t>{4, 4, 8});
  CHECK(g.node(g.find("p")).stride_h == 2);  // stride defaults to the kernel
}

TEST_CASE("TOML errors name the file, line, key and the allowed values") {
  // Unknown op: lists the ops.
  std::string e = parse_error(std::string(kHead) + "\n[[layer]]\nop = \"convv\"\n");
  CHECK(has(e, "bad.toml:6: key 'layer[0].op': unknown op \"convv\""));
  CHECK(has(e, "allowed ops: input, parameter, conv, linear, matmul"));

  // Unknown key: lists the keys of that op.
  e = parse_error(std::string(kHead) + "\n[[layer]]\nop = \"conv\"\nout_channels = 4\nkernal = 3\n");
  CHECK(has(e, "bad.toml:8: key 'layer[0].kernal': unknown key for op \"conv\""));
  CHECK(has(e, "allowed keys: name, op, inputs, out_channels, kernel, stride, pad, dilation, groups, bias"));

  // Missing required key.
  e = parse_error(std::string(kHead) + "\n[[layer]]\nop = \"linear\"\n");
  CHECK(has(e, "bad.toml:5: key 'layer[0]': op \"linear\" requires key 'out_features'"));

  // Unknown input name: lists the layers defined so far.
  e = parse_error(
      std::string(kHead) +
      "\n[[layer]]\nname = \"c1\"\nop = \"relu\"\n\n[[layer]]\nop = \"add\"\ninputs = [\"c1\", \"nope\"]\n");
  CHECK(has(e, "bad.toml:11: key 'layer[1].inputs[1]': unknown layer \"nope\""));
  CHECK(has(e, "input, c1"));

  // Shape mismatch: both shapes and the node, at the layer.
  e = parse_error(std::string(kHead) +
                  "\n[[layer]]\nname = \"c1\"\nop = \"conv\"\nout_channels = 4\nkernel = 3\nstride = 2\n"
                  "\n[[layer]]\nname = \"sum\"\nop = \"add\"\ninputs = [\"c1\", \"input\"]\n");
  CHECK(has(e, "bad.toml:12: key 'layer[1]': node 'sum' (add)"));
  CHECK(has(e, "[4,4,4]"));
  CHECK(has(e, "[3,8,8]"));

  // Wrong number of inputs.
  e = parse_error(std::string(kHead) + "\n[[layer]]\nop = \"matmul\"\n");
  CHECK(has(e, "bad.toml:5: key 'layer[0]': op \"matmul\" takes 2 input(s), found 1"));

  // Wrong type and out-of-range values.
  e = parse_error(std::string(kHead) + "\n[[layer]]\nop = \"conv\"\nout_channels = 4\nkernel = \"3\"\n");
  CHECK(
      has(e, "bad.toml:8: key 'layer[0].kernel': expected an integer >= 1 or [height, width], found string"));
  e = parse_error(std::string(kHead) +
                  "\n[[layer]]\nop = \"conv\"\nout_channels = 4\nkernel = 3\nstride = 0\n");
  CHECK(has(e, "bad.toml:9: key 'layer[0].stride': 0 is out of range: allowed >= 1"));
  e = parse_error(std::string(kHead) + "\n[[layer]]\nop = \"linear\"\nout_features = 10\nbias = 1\n");
  CHECK(has(e, "bad.toml:8: key 'layer[0].bias': expected true or false"));

  // Duplicate layer names.
  e = parse_error(std::string(kHead) + "\n[[layer]]\nname = \"input\"\nop = \"relu\"\n");
  CHECK(has(e, "bad.toml:5: key 'layer[0]': node 'input' (relu): a node named 'input' already exists"));

  // Document structure.
  e = parse_error("[network]\ninput = [3, 8, 8]\n");
  CHECK(has(e, "missing required key 'layer'"));
  e = parse_error("[[layer]]\nop = \"relu\"\n");
  CHECK(has(e, "missing required key 'network'"));
  e = parse_error("layers = 3\n" + std::string(kHead));
  CHECK(has(e, "bad.toml:1: key 'layers': unknown top-level key; allowed: [network], [[layer]]"));
  e = parse_error("[network]\ninput = [3, 8, 8]\nbatch = 4\n[[layer]]\nop = \"relu\"\n");
  CHECK(has(e, "bad.toml:3: key 'network.batch': unknown key; allowed keys here: name, input"));
  e = parse_error("[network]\n\n[[layer]]\nop = \"relu\"\n");
  CHECK(has(e, "bad.toml:3: key 'layer[0]': op \"relu\" needs inputs and there is no previous layer"));
  e = parse_error(std::string(kHead) + "\n[[layer]]\nop = \"conv\n");
  CHECK(has(e, "bad.toml:6: TOML syntax error"));
}

TEST_CASE("errors from a file on disk carry its path") {
  auto dir = std::filesystem::temp_directory_path() / "imcsim_test_workloads";
  std::filesystem::create_directories(dir);
  auto path = (dir / "bad_input.toml").string();
  {
    std::ofstream f(path);
    f << "[network]\ninput = [3, 8, 8]\n\n[[layer]]\nop = \"reshape\"\nshape = [5, -1]\n";
  }
  try {
    load_workloads(path);
    FAIL("expected an error");
  } catch (const InputError& e) {
    std::string m = e.what();
    CHECK(has(m, path + ":4: key 'layer[0]': node 'reshape1' (reshape): cannot infer the -1"));
  }
  std::filesystem::remove_all(dir);
  CHECK_THROWS_AS(load_toml_workload("/nonexistent/dir/net.toml"), InputError);
}

TEST_CASE("every zoo network survives to_toml -> parse_toml_workload node for node") {
  for (const auto& name : zoo_names()) {
    CAPTURE(name);
    Graph a = zoo_network(name);
    Graph b = parse_toml_workload(to_toml(a), name + ".toml");
    REQUIRE(a.size() == b.size());
    CHECK(a.name() == b.name());
    for (int i = 0; i < a.size(); ++i) {
      const Node& x = a.node(i);
      const Node& y = b.node(i);
      CAPTURE(x.name);
      bool same = x.name == y.name && x.op == y.op && x.inputs == y.inputs && x.out == y.out &&
                  x.in_channels == y.in_channels && x.out_channels == y.out_channels &&
                  x.kernel_h == y.kernel_h && x.kernel_w == y.kernel_w && x.stride_h == y.stride_h &&
                  x.stride_w == y.stride_w && x.pad_h == y.pad_h && x.pad_w == y.pad_w &&
                  x.dilation_h == y.dilation_h && x.dilation_w == y.dilation_w && x.groups == y.groups &&
                  x.in_features == y.in_features && x.out_features == y.out_features && x.bias == y.bias &&
                  x.axis == y.axis && x.move == y.move && x.perm == y.perm && x.start == y.start &&
                  x.step == y.step && x.pad_before == y.pad_before && x.learned_params == y.learned_params &&
                  (x.op != OpKind::Activation || x.act == y.act);
      CHECK(same);
    }
    CHECK(a.total_macs() == b.total_macs());
    CHECK(a.total_params() == b.total_params());
  }
}

TEST_CASE("input_bit_density: per-layer activity in the TOML format") {
  const std::string text =
      std::string(kHead) +
      "\n[[layer]]\nname = \"c\"\nop = \"conv\"\nout_channels = 4\nkernel = 3\n"
      "input_bit_density = [0.5, 0.25, 0, 1]\n"
      "\n[[layer]]\nname = \"f\"\nop = \"flatten\"\n"
      "\n[[layer]]\nname = \"fc\"\nop = \"linear\"\nout_features = 2\ninput_bit_density = 0.3\n";
  const Graph g = parse_toml_workload(text, "act.toml");
  CHECK(g.node(g.find("c")).input_bit_density == std::vector<double>{0.5, 0.25, 0, 1});
  CHECK(g.node(g.find("fc")).input_bit_density == std::vector<double>{0.3});
  const Graph back = parse_toml_workload(to_toml(g), "back.toml");
  CHECK(back.node(back.find("c")).input_bit_density == g.node(g.find("c")).input_bit_density);
  CHECK(back.node(back.find("fc")).input_bit_density == g.node(g.find("fc")).input_bit_density);
  const std::string e =
      parse_error(std::string(kHead) +
                  "\n[[layer]]\nop = \"linear\"\nout_features = 2\ninput_bit_density = [0.5, 1.5]\n");
  CHECK(has(e, "bad.toml:8: key 'layer[0].input_bit_density[1]': 1.5 is out of range: allowed [0, 1]"));
}
