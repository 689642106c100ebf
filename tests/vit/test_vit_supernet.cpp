// The ViT supernet: a subnet's forward with inherited weights equals the same ViT built stand-alone
// (a GraphNet of build_vit_family's graph) with those weights copied in; it reaches the crossbar
// model; the forward matches the workloads graph's shapes and MACs; the sandwich step trains;
// save/load round-trips.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "arch/load.h"
#include "common/config.h"
#include "nas/accuracy/dataset.h"
#include "nas/accuracy/hardware.h"
#include "nas/accuracy/train.h"
#include "nas/search/config.h"
#include "nas/vit_supernet/train.h"
#include "nas/vit_supernet/vit_supernet.h"
#include "tests/accuracy/torch_doctest.h"  // first: see there
#include "tests/supernet/supernet_checks.h"

using namespace imc;
using namespace imc::nas::vit_supernet;
using imc::nas::accuracy::Precision;
using namespace imc::test_supernet;
using workloads::OpKind;
namespace fs = std::filesystem;

namespace {

// Every elastic dimension: two patch sizes, depth, width, heads, MLP ratio, bits.
VitSupernetSpace small_space() {
  VitSupernetSpace s;
  s.patch = {7, 14};
  s.depth = {1, 2};
  s.embed = {8, 16};
  s.heads = {1, 2, 4};
  s.mlp_ratio = {1, 2};
  s.weight_bits = {4, 8};
  s.activation_bits = {4, 8};
  return s;
}

}  // namespace

TEST_CASE(
    "a ViT subnet with inherited weights computes what the stand-alone ViT with those weights computes") {
  OneThread one;
  torch::manual_seed(5);
  VitSupernet net(small_space());
  const torch::Tensor x = nas::accuracy::image_tensor(data().train, 0, 32);
  const torch::Tensor calib = nas::accuracy::image_tensor(data().train, 32, 96);
  perturb_parameters(net);
  std::mt19937_64 rng(11);
  std::vector<VitSubnet> subnets{net->space().largest(), net->space().smallest()};
  for (int i = 0; i < 5; ++i) subnets.push_back(net->space().sample(rng));
  // The same ViT built stand-alone from the workloads graph, the inherited weights copied in.
  check_exported_forward(net, subnets, x, calib, 32, [](const VitSubnet& s, const ExportedVit& e) {
    CHECK(e.graph.total_macs() == workloads::build_vit_family(s.net).total_macs());
  });
}

TEST_CASE("a ViT subnet runs through the crossbar model: an ideal chip gives the supernet's logits") {
  OneThread one;
  torch::manual_seed(6);
  VitSupernet net(small_space());
  check_ideal_chip(net, std::mt19937_64(8), 2, 8);
}

TEST_CASE("the ViT forward matches the workloads graph's shapes and MACs") {
  OneThread one;
  torch::manual_seed(3);
  VitSupernet net(small_space());
  const VitSubnet s = net->space().largest();
  ExportedVit e = net->export_subnet(s);
  const workloads::Graph& g = e.graph;
  // GraphNet's forward checks every node's torch shape against the graph's (an InputError otherwise).
  torch::NoGradGuard ng;
  CHECK_NOTHROW(e.net->forward(nas::accuracy::image_tensor(data().test, 0, 4), Precision::Float));
  // MACs from the weight tensors the forward multiplies by and the vectors they are applied to.
  auto params = e.net->named_parameters();
  std::int64_t macs = 0;
  for (int i = 0; i < g.size(); ++i) {
    const workloads::Node& n = g.node(i);
    if (n.op == OpKind::Linear) {
      const torch::Tensor w = params[fmt::format("n{}_weight", i)];
      const std::int64_t vectors = workloads::elements_of(g.node(n.inputs[0]).out) / w.size(1);
      macs += vectors * w.numel();
    } else if (n.op == OpKind::Conv2d) {
      const torch::Tensor w = params[fmt::format("n{}_weight", i)];
      macs += n.out[1] * n.out[2] * w.numel();
    } else if (n.op == OpKind::MatMul) {  // [H, M, K] x [H, K, N]
      const auto& a = g.node(n.inputs[0]).out;
      const auto& b = g.node(n.inputs[1]).out;
      macs += a[0] * a[1] * a[2] * b[2];
    }
  }
  CHECK(macs == g.total_macs());
  // Patch 7 gives 17 tokens of width 16: the class token's output feeds the 10-way head.
  CHECK(g.node(g.find("tokens")).out == std::vector<std::int64_t>{17, 16});
  CHECK(params[fmt::format("n{}_weight", g.find("head"))].sizes() == torch::IntArrayRef({10, 16}));
}

TEST_CASE("ViT subnets share weights: first channels, first Q/K/V rows, first hidden units, first blocks") {
  OneThread one;
  torch::manual_seed(2);
  VitSupernet net(small_space());
  VitSubnet big = net->space().largest();
  VitSubnet small = big;
  small.net.embed = 8, small.net.mlp_ratio = 1, small.net.depth = 1;
  ExportedVit a = net->export_subnet(big), b = net->export_subnet(small);
  auto w = [](ExportedVit& e, const char* node) {
    return e.net->named_parameters()[fmt::format("n{}_weight", e.graph.find(node))];
  };
  const torch::Tensor qkv16 = w(a, "block0.attn.qkv"), qkv8 = w(b, "block0.attn.qkv");
  REQUIRE(qkv16.sizes() == torch::IntArrayRef({48, 16}));
  REQUIRE(qkv8.sizes() == torch::IntArrayRef({24, 8}));
  for (int part = 0; part < 3; ++part)
    CHECK(torch::equal(qkv8.slice(0, part * 8, part * 8 + 8),
                       qkv16.slice(0, part * 16, part * 16 + 8).slice(1, 0, 8)));
  CHECK(torch::equal(w(b, "block0.mlp.fc1"), w(a, "block0.mlp.fc1").slice(0, 0, 8).slice(1, 0, 8)));
  CHECK(torch::equal(w(b, "block0.mlp.fc2"), w(a, "block0.mlp.fc2").slice(0, 0, 8).slice(1, 0, 8)));
  CHECK(torch::equal(w(b, "head"), w(a, "head").slice(1, 0, 8)));
  CHECK(b.graph.find("block1.attn.qkv") == -1);
  // Each patch size has its own patch embedding; the blocks are shared.
  VitSubnet coarse = big;
  coarse.net.patch = 14;
  ExportedVit c = net->export_subnet(coarse);
  CHECK(w(c, "patch_embed").sizes() == torch::IntArrayRef({16, 1, 14, 14}));
  CHECK(torch::equal(w(c, "block1.attn.proj"), w(a, "block1.attn.proj")));
  // Heads re-split the same channels: the weights are equal, the outputs are not.
  VitSubnet one_head = big;
  one_head.net.heads = 1;
  ExportedVit h1 = net->export_subnet(one_head);
  CHECK(torch::equal(w(a, "block0.attn.qkv"), w(h1, "block0.attn.qkv")));
  torch::NoGradGuard ng;
  const torch::Tensor x = nas::accuracy::image_tensor(data().train, 0, 8);
  CHECK(!torch::allclose(net->forward(x, big, Precision::Float), net->forward(x, one_head, Precision::Float),
                         1e-4, 1e-4));
  VitSubnet outside = big;
  outside.net.embed = 32;
  CHECK_THROWS_AS(net->forward(x, outside, Precision::Float), common::InputError);
}

TEST_CASE("the ViT sandwich step lowers the loss on a small slice") {
  OneThread one;
  torch::manual_seed(1);
  VitSupernetSpace space = small_space();
  VitSupernet net(space);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(5e-3));
  check_sandwich_lowers_loss(net, [&](const torch::Tensor& x, const torch::Tensor& y, std::mt19937_64& rng) {
    vit_sandwich_step(net, opt, x, y, 1, rng, 0.5);
  });
}

TEST_CASE("a saved ViT supernet loads and computes the same") {
  OneThread one;
  const VitSupernetSpace space = small_space();
  const std::string key = vit_supernet_key(space, {});
  torch::manual_seed(9);
  VitSupernet net(space);
  check_save_load(
      net, "imcsim-vit-cache-",
      [&](const fs::path& dir) { return save_vit_supernet(net, dir.string(), key); },
      [&](const fs::path& dir) {
        return load_vit_supernet(space, 0, (dir / vit_supernet_file_name(key)).string());
      });
}

// The supernet shipped for fmnist_vit.toml (configs/nas/supernets/, docs/vit.md "Measured"): it is the
// one the config's settings name (so the search loads it instead of training), it loads, and its
// largest and smallest subnets score as its record (vit-supernet-<key>.json) documents.
TEST_CASE("the shipped ViT supernet of fmnist_vit.toml loads and scores as documented") {
  OneThread one;
  const char* root_env = std::getenv("IMCSIM_ROOT");
  const std::string root = root_env ? root_env : ".";
  const nas::search::SearchConfig cfg =
      nas::search::load_search_config(root + "/configs/nas/fmnist_vit.toml");
  REQUIRE(cfg.accuracy.method == nas::accuracy::AccuracyMethod::kSupernet);
  const VitSupernetSpace space = VitSupernetSpace::from_search_space(cfg.space);
  const std::string key = vit_supernet_key(space, cfg.accuracy.supernet.train);
  CAPTURE(key);
  const fs::path dir = cfg.accuracy.supernet.shipped_dir;
  auto net = load_vit_supernet(space, cfg.accuracy.supernet.train.supernet.noise_sigma,
                               (dir / vit_supernet_file_name(key)).string());
  REQUIRE(net);
  check_documented_scores(*net, space, dir / ("vit-supernet-" + key + ".json"),
                          cfg.accuracy.supernet.recalibration_images,
                          [](auto& n, const auto& s) { return n->export_subnet(s, "shipped"); });
}
