// The zoo against published MAC and parameter figures, exact counts derived from the reference
// implementations, structural features of each architecture, and graph invariants.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "common/config.h"
#include "workloads/graph.h"
#include "workloads/zoo.h"

using namespace imc::workloads;

namespace {

int count_op(const Graph& g, OpKind op) {
  int c = 0;
  for (const auto& n : g.nodes()) c += n.op == op;
  return c;
}

int count_act(const Graph& g, ActKind a) {
  int c = 0;
  for (const auto& n : g.nodes()) c += n.op == OpKind::Activation && n.act == a;
  return c;
}

double rel_err(double measured, double published) {
  return std::abs(measured - published) / published;
}

}  // namespace

// Published figures. Sources:
//  - torchvision model documentation, "Table of all available classification weights" (Params,
//    GFLOPS = GMAC, at 224x224): resnet18 11.7 M / 1.81, resnet50 25.6 M / 4.09, vgg16 138.4 M / 15.47,
//    alexnet 61.1 M / 0.71, mobilenet_v3_large 5.5 M / 0.22, densenet201 20.0 M / 4.29,
//    vit_b_16 86.6 M / 17.56. The figures (1.82/11.7, 4.1/25.6, 15.5/138, 0.71/61, 0.22/5.4,
//    17.6/86, 4.3/20.0) are checked within 2%.
//  - ResNet-20 (CIFAR-10): He et al., "Deep Residual Learning for Image Recognition", CVPR 2016,
//    Sec. 4.2 / Table 6: 0.27 M params; 41 MMAC as commonly quoted (convs + fc at 32x32).
//  - GPT-2 medium: 355 M params (Hugging Face gpt2-medium, tied input/output embeddings counted once;
//    Radford et al. 2019 list it as "345M" with an earlier counting).
TEST_CASE("zoo networks match published MACs and params within 2%") {
  struct Published {
    const char* name;
    double macs;
    double params;
  };
  const Published table[] = {
      {"resnet18", 1.82e9, 11.7e6},   {"resnet50", 4.1e9, 25.6e6},          {"vgg16", 15.5e9, 138e6},
      {"alexnet", 0.71e9, 61e6},      {"mobilenetv3_large", 0.22e9, 5.4e6}, {"vit_b16", 17.6e9, 86e6},
      {"densenet201", 4.3e9, 20.0e6}, {"resnet20", 41e6, 0.27e6},
  };
  for (const auto& p : table) {
    CAPTURE(p.name);
    Graph g = zoo_network(p.name);
    CAPTURE(g.total_macs());
    CAPTURE(g.total_params());
    CHECK(rel_err(static_cast<double>(g.total_macs()), p.macs) < 0.02);
    CHECK(rel_err(static_cast<double>(g.total_params()), p.params) < 0.02);
  }
  CHECK(rel_err(static_cast<double>(zoo_network("gpt2_medium").total_params()), 355e6) < 0.02);
}

// torchvision's exact parameter counts (the `num_params` of each weights entry).
TEST_CASE("zoo parameter counts equal torchvision's exactly") {
  CHECK(zoo_network("resnet18").total_params() == 11689512);
  CHECK(zoo_network("resnet50").total_params() == 25557032);
  CHECK(zoo_network("vgg16").total_params() == 138357544);
  CHECK(zoo_network("alexnet").total_params() == 61100840);
  CHECK(zoo_network("mobilenetv3_large").total_params() == 5483032);
  CHECK(zoo_network("densenet201").total_params() == 20013928);
  CHECK(zoo_network("vit_b16").total_params() == 86567656);
  // akamaster/pytorch_resnet_cifar10 resnet20 (option A shortcuts): 269,722.
  CHECK(zoo_network("resnet20").total_params() == 269722);
}

// GPT-2 medium, sequence length 256: D = 1024, L = 24, V = 50257, 1024 positions.
// Params (HF GPT2LMHeadModel, tied wte = lm_head): V*D + 1024*D + L*(12 D^2 + 13 D) + 2 D.
// MACs: every token through every projection (12 L D^2, as in Kaplan et al. 2020, Table 1), QK^T
// and AV over the full 256x256 score matrix (2 L T D per token), and the LM head on every token.
TEST_CASE("gpt2_medium: exact count at sequence length 256") {
  const std::int64_t D = 1024, L = 24, V = 50257, T = 256, P = 1024;
  Graph g = zoo_network("gpt2_medium");
  CHECK(g.total_params() == V * D + P * D + L * (12 * D * D + 13 * D) + 2 * D);
  CHECK(g.total_params() == 354823168);
  CHECK(g.total_macs() == T * (12 * L * D * D + 2 * L * T * D + D * V));
  CHECK(count_op(g, OpKind::MatMul) == 2 * L);
  CHECK(count_act(g, ActKind::GELU) == L);
  CHECK(g.node(g.size() - 1).out == std::vector<std::int64_t>{T, V});
  const Node& qk = g.node(g.find("h0.attn.qk"));
  CHECK(qk.out == std::vector<std::int64_t>{16, T, T});
  CHECK(g.macs(g.find("h0.attn.qk")) == 16 * T * T * 64);
}

// MobileBERT (Sun et al., ACL 2020, Table 3: 25.3 M params, 5.7 GFLOPs at sequence length 128) as
// built by Hugging Face MobileBertModel for google/mobilebert-uncased, which has 24,581,888
// parameters (no pooler dense: classifier_activation = false). The paper's 25.3 M is 2.9% above the
// released architecture's count, so the paper figure is checked at 3% and the exact HF count below.
TEST_CASE("mobilebert: exact Hugging Face count at sequence length 128") {
  const std::int64_t T = 128, H = 512, I = 128, F = 512, E = 128, L = 24, V = 30522, P = 512;
  Graph g = zoo_network("mobilebert");
  auto lin = [](std::int64_t in, std::int64_t out) { return in * out + out; };
  std::int64_t embeddings = V * E + lin(3 * E, H) + P * H + 2 * H + 2 * H;
  std::int64_t layer = 2 * (lin(H, I) + 2 * I)      // input and attention bottlenecks + NoNorm
                       + 2 * lin(I, I) + lin(H, I)  // query, key (from the shared bottleneck), value
                       + lin(I, I) + 2 * I          // attention output + NoNorm
                       + 4 * (lin(I, F) + lin(F, I) + 2 * I)  // 3 stacked FFNs + intermediate/output
                       + lin(I, H) + 2 * H;                   // output bottleneck + NoNorm
  CHECK(g.total_params() == embeddings + L * layer);
  CHECK(g.total_params() == 24581888);
  CHECK(rel_err(static_cast<double>(g.total_params()), 25.3e6) < 0.03);
  std::int64_t per_token_layer = 2 * H * I + 2 * I * I + H * I + I * I + 4 * 2 * I * F + I * H;
  CHECK(g.total_macs() == T * (3 * E * H + L * per_token_layer + L * 2 * T * I));
  // 2.69 GMAC = 5.39 GFLOP, 5.5% under the paper's 5.7 GFLOPs, which also counts non-MAC work.
  CHECK(rel_err(2.0 * static_cast<double>(g.total_macs()), 5.7e9) < 0.06);
  CHECK(count_op(g, OpKind::MatMul) == 2 * L);
  CHECK(g.node(g.find("layer0.attn.qk")).out == std::vector<std::int64_t>{4, T, T});
  CHECK(g.node(g.size() - 1).out == std::vector<std::int64_t>{T, H});
  CHECK(g.node(g.find("embeddings.trigram")).out == std::vector<std::int64_t>{T, 3 * E});
}

// VGG-8 from DNN+NeuroSim's Inference_pytorch/models/VGG.py (CIFAR-10, no bias): closed form.
TEST_CASE("vgg8, resnet20 and the Fashion-MNIST CNNs: closed-form counts") {
  Graph v = zoo_network("vgg8");
  std::int64_t conv_macs = 32 * 32 * (128LL * 27 + 128LL * 1152) + 16 * 16 * (256LL * 1152 + 256LL * 2304) +
                           8 * 8 * (512LL * 2304 + 512LL * 4608);
  CHECK(v.total_macs() == conv_macs + 8192LL * 1024 + 1024LL * 10);
  CHECK(v.total_params() == 3456 + 147456 + 294912 + 589824 + 1179648 + 2359296 + 8388608 + 10240);
  CHECK(v.node(v.size() - 1).out == std::vector<std::int64_t>{10});

  Graph r = zoo_network("resnet20");
  // conv1 + 3 stages of 6 convs (the first of stages 2, 3 strided) + fc.
  std::int64_t macs = 32 * 32 * 16 * 27LL + 6 * 32 * 32 * 16 * 144LL + 16 * 16 * 32 * (144LL + 5 * 288) +
                      8 * 8 * 64 * (288LL + 5 * 576) + 640;
  CHECK(r.total_macs() == macs);
  CHECK(count_op(r, OpKind::Add) == 9);

  Graph f = zoo_network("fmnist_cnn");
  CHECK(f.node(0).out == std::vector<std::int64_t>{1, 28, 28});
  CHECK(f.total_params() == (9 * 32) + 64 + (32 * 9 * 64) + 128 + (3136 * 128 + 128) + (128 * 10 + 10));
  CHECK(f.total_macs() == 28 * 28 * 32 * 9LL + 14 * 14 * 64 * 288LL + 3136 * 128LL + 1280);
  Graph s = zoo_network("fmnist_small");
  CHECK(s.total_params() < f.total_params() / 10);
  CHECK(s.node(s.size() - 1).out == std::vector<std::int64_t>{10});
}

TEST_CASE("zoo architectures have their characteristic structure") {
  Graph r50 = zoo_network("resnet50");
  CHECK(count_op(r50, OpKind::Add) == 16);
  CHECK(count_op(r50, OpKind::Conv2d) == 53);  // 1 + 16*3 + 4 downsample

  Graph mb = zoo_network("mobilenetv3_large");
  CHECK(count_op(mb, OpKind::Mul) == 8);  // squeeze-excite blocks
  CHECK(count_act(mb, ActKind::HardSigmoid) == 8);
  CHECK(count_act(mb, ActKind::HardSwish) > 10);
  int depthwise = 0;
  for (int i = 0; i < mb.size(); ++i)
    if (mb.node(i).op == OpKind::Conv2d && mb.node(i).groups > 1) {
      ++depthwise;
      WeightMatrix m = mb.weight_matrix(i);
      CHECK(m.cols == 1);
      CHECK(m.groups == mb.node(i).out_channels);
      CHECK(m.rows == mb.node(i).kernel_h * mb.node(i).kernel_w);
    }
  CHECK(depthwise == 15);
  CHECK(mb.node(mb.find("bneck4.dw.conv")).kernel_h == 5);

  Graph d = zoo_network("densenet201");
  CHECK(count_op(d, OpKind::Concat) == 6 + 12 + 48 + 32);
  CHECK(d.node(d.find("final.bn")).out == std::vector<std::int64_t>{1920, 7, 7});

  Graph v = zoo_network("vit_b16");
  CHECK(v.node(v.find("tokens")).out == std::vector<std::int64_t>{197, 768});
  CHECK(count_op(v, OpKind::MatMul) == 24);
  CHECK(count_op(v, OpKind::LayerNorm) == 25);
  CHECK(count_op(v, OpKind::Softmax) == 12);
  CHECK(count_act(v, ActKind::GELU) == 12);
  CHECK(v.node(v.find("encoder.layer0.attn.qk")).out == std::vector<std::int64_t>{12, 197, 197});
  WeightMatrix qkv = v.weight_matrix(v.find("encoder.layer3.attn.in_proj"));
  CHECK(qkv.rows == 768);
  CHECK(qkv.cols == 2304);
  CHECK(qkv.vectors == 197);
  CHECK(v.node(v.size() - 1).out == std::vector<std::int64_t>{1, 1000});

  for (const char* name : {"resnet18", "resnet50", "vgg16", "alexnet", "mobilenetv3_large", "densenet201"}) {
    Graph g = zoo_network(name);
    CAPTURE(name);
    CHECK(g.node(0).out == std::vector<std::int64_t>{3, 224, 224});
    CHECK(g.node(g.size() - 1).out == std::vector<std::int64_t>{1000});
  }
}

TEST_CASE("every zoo network: topological order, unique names, MACs conserved by weight matrices") {
  for (const auto& name : zoo_names()) {
    CAPTURE(name);
    Graph g = zoo_network(name);
    CHECK(g.name() == name);
    CHECK(g.size() > 5);
    std::set<std::string> names;
    std::int64_t matrix_macs = 0, weights = 0;
    for (int i = 0; i < g.size(); ++i) {
      const Node& n = g.node(i);
      for (int in : n.inputs) {
        CHECK(in >= 0);
        CHECK(in < i);
      }
      CHECK(names.insert(n.name).second);
      CHECK(g.find(n.name) == i);
      CHECK(!n.out.empty());
      if (g.is_weight_stationary(i)) {
        WeightMatrix m = g.weight_matrix(i);
        matrix_macs += m.rows * m.cols * m.groups * m.vectors;
        weights += m.rows * m.cols * m.groups;
        CHECK(g.weights(i) == m.rows * m.cols * m.groups);
      } else if (n.op == OpKind::MatMul) {
        matrix_macs += g.macs(i);
      } else {
        CHECK(g.macs(i) == 0);
      }
    }
    // What the crossbars (weight matrices) and the digital matmul units execute is every MAC.
    CHECK(matrix_macs == g.total_macs());
    // Every node but the last feeds something (no dead branches).
    auto cons = g.consumers();
    for (int i = 0; i + 1 < g.size(); ++i) {
      CAPTURE(g.node(i).name);
      CHECK(!cons[static_cast<std::size_t>(i)].empty());
    }
  }
}

TEST_CASE("suites expand to zoo networks; unknown names list what exists") {
  CHECK(suite("imagenet4") == std::vector<std::string>{"resnet18", "vgg16", "alexnet", "mobilenetv3_large"});
  auto m9 = suite("mixed9");
  CHECK(m9.size() == 9);
  CHECK(std::vector<std::string>(m9.begin(), m9.begin() + 4) == suite("imagenet4"));
  for (const char* n : {"resnet50", "densenet201", "vit_b16", "mobilebert", "gpt2_medium"})
    CHECK(std::find(m9.begin(), m9.end(), n) != m9.end());
  CHECK(suite("all") == zoo_names());
  for (const auto& s : suite_names())
    for (const auto& n : suite(s)) CHECK(is_zoo_name(n));
  try {
    zoo_network("resnet19");
    FAIL("expected an error");
  } catch (const imc::common::InputError& e) {
    std::string m = e.what();
    CHECK(m.find("'resnet19'") != std::string::npos);
    CHECK(m.find("resnet18") != std::string::npos);
    CHECK(m.find("mixed9") != std::string::npos);
  }
  CHECK_THROWS_AS(suite("imagenet5"), imc::common::InputError);
}
