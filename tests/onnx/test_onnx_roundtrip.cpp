// Export -> import round trips: every zoo network comes back with the same MACs, parameters and
// weight-stationary layers; exported weights are seeded and deterministic; files pass onnx.checker.
#include <doctest/doctest.h>
#include <onnx/checker.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/config.h"
#include "workloads/graph.h"
#include "workloads/onnx/onnx_io.h"
#include "workloads/zoo.h"

using namespace imc::workloads;
namespace wo = imc::workloads::onnx;  // (the protobuf classes live in ::onnx)
namespace fs = std::filesystem;

namespace {

std::string tmp(const std::string& file) {
  return (fs::temp_directory_path() / file).string();
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Layer {
  std::string name;
  std::vector<std::int64_t> out;
  WeightMatrix m;
};

std::vector<Layer> weight_layers(const Graph& g) {
  std::vector<Layer> v;
  for (int i = 0; i < g.size(); ++i)
    if (g.is_weight_stationary(i)) v.push_back({g.node(i).name, g.node(i).out, g.weight_matrix(i)});
  return v;
}

std::int64_t total_weights(const Graph& g) {
  std::int64_t w = 0;
  for (int i = 0; i < g.size(); ++i) w += g.weights(i);
  return w;
}

void check_same(const Graph& a, const Graph& b) {
  CHECK(b.total_macs() == a.total_macs());
  CHECK(b.total_params() == a.total_params());
  CHECK(total_weights(b) == total_weights(a));
  auto la = weight_layers(a), lb = weight_layers(b);
  REQUIRE(la.size() == lb.size());
  for (std::size_t i = 0; i < la.size(); ++i) {
    CAPTURE(la[i].name);
    CHECK(lb[i].name == la[i].name);
    CHECK(lb[i].out == la[i].out);
    CHECK(lb[i].m.rows == la[i].m.rows);
    CHECK(lb[i].m.cols == la[i].m.cols);
    CHECK(lb[i].m.groups == la[i].m.groups);
    CHECK(lb[i].m.vectors == la[i].m.vectors);
  }
  // Every node of the original comes back under its own name with its shape (the importer may add
  // data-movement views, never drop a node).
  for (const auto& n : a.nodes()) {
    int j = b.find(n.name);
    CAPTURE(n.name);
    REQUIRE(j >= 0);
    CHECK(b.node(j).op == n.op);
    CHECK(b.node(j).out == n.out);
    if (n.op == OpKind::Activation) CHECK(b.node(j).act == n.act);
  }
}

}  // namespace

TEST_CASE("onnx round trip: every zoo network (zero-weight export, opset 17)") {
  wo::ExportOptions o;
  o.weights = wo::WeightData::Zeros;
  for (const auto& name : zoo_names()) {
    CAPTURE(name);
    Graph g = zoo_network(name);
    std::string path = tmp("imc_onnx_rt_" + name + ".onnx");
    wo::export_onnx(g, path, o);
    CHECK(fs::file_size(path) < 4u << 20);  // no weight values inside
    CHECK(fs::file_size(path + ".data") >= static_cast<std::uintmax_t>(total_weights(g)) * 4);
    fs::remove(path + ".data");  // import never reads weight values
    Graph back = wo::import_onnx(path);
    CHECK(back.name() == g.name());
    check_same(g, back);
  }
}

TEST_CASE("onnx round trip at opset 13: decomposed LayerNorm and HardSwish come back fused") {
  wo::ExportOptions o;
  o.weights = wo::WeightData::Zeros;
  o.opset = 13;
  for (const char* name : {"vit_b16", "mobilenetv3_large", "mobilebert", "gpt2_medium"}) {
    CAPTURE(name);
    Graph g = zoo_network(name);
    std::string path = tmp(std::string("imc_onnx_rt13_") + name + ".onnx");
    wo::export_onnx(g, path, o);
    fs::remove(path + ".data");
    check_same(g, wo::import_onnx(path));
  }
}

TEST_CASE("onnx export: seeded random weights, embedded or external, checked by onnx.checker") {
  Graph g = zoo_network("fmnist_small");
  wo::ExportOptions o;
  o.weights = wo::WeightData::Embedded;
  std::string a = tmp("imc_onnx_w_a.onnx"), b = tmp("imc_onnx_w_b.onnx"), c = tmp("imc_onnx_w_c.onnx");
  wo::export_onnx(g, a, o);
  wo::export_onnx(g, b, o);
  o.seed = 2;
  wo::export_onnx(g, c, o);
  CHECK(bytes_of(a) == bytes_of(b));  // same seed, same bytes
  CHECK(bytes_of(a) != bytes_of(c));
  CHECK(fs::file_size(a) >= static_cast<std::uintmax_t>(g.total_params()) * 4);
  CHECK_NOTHROW(::onnx::checker::check_model(a));
  check_same(g, wo::import_onnx(a));

  // External data: the weights go to "<model>.data", the model keeps only their locations.
  Graph r = zoo_network("resnet20");
  std::string e = tmp("imc_onnx_w_ext.onnx");
  o.weights = wo::WeightData::External;
  wo::export_onnx(r, e, o);
  REQUIRE(fs::exists(e + ".data"));
  // Weights and biases plus the BN running statistics (2 per channel, buffers, not parameters).
  std::int64_t bn_channels = 0;
  for (const auto& n : r.nodes())
    if (n.op == OpKind::BatchNorm) bn_channels += n.out[0];
  CHECK(fs::file_size(e + ".data") == static_cast<std::uintmax_t>(r.total_params() + 2 * bn_channels) * 4);
  CHECK(fs::file_size(e) < 200u << 10);
  CHECK_NOTHROW(::onnx::checker::check_model(e));
  check_same(r, wo::import_onnx(e));
  fs::remove(e + ".data");
}

TEST_CASE("onnx export: bad options and unwritable paths are input errors") {
  Graph g = zoo_network("fmnist_small");
  wo::ExportOptions o;
  o.opset = 11;
  CHECK_THROWS_AS(wo::export_onnx(g, tmp("imc_onnx_bad.onnx"), o), imc::common::InputError);
  CHECK_THROWS_AS(wo::export_onnx(g, "/nonexistent/dir/m.onnx"), imc::common::InputError);
}

TEST_CASE("onnx round trip: parameters read by compute layers or as bias-like vectors") {
  Graph g("params");
  int x = g.input({8}, "x");
  int y = g.add(x, g.parameter({8}, 0, "bias_like"), "add_bias");  // would fold as a bias
  g.linear(y, 4, true, "head");
  int proj = g.linear(g.parameter({4, 8}, 0, "queries"), 8, false, "proj");  // a Linear reads it
  g.add(g.input({4, 8}, "z"), proj, "add_proj");
  int cls = g.parameter({1, 8}, 0, "cls");
  g.concat({cls, g.input({3, 8}, "tokens")}, 0, "cat");
  std::string path = tmp("imc_onnx_rt_params.onnx");
  wo::export_onnx(g, path);
  check_same(g, wo::import_onnx(path));
}
