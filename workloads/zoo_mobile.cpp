// MobileNetV3-Large (depthwise convs, squeeze-excite, hard-swish) and DenseNet-201 (dense blocks
// with concatenation), both as in torchvision at 3x224x224.
#include <fmt/format.h>

#include "workloads/zoo_nets.h"

namespace imc::workloads::zoo {

namespace {

// torchvision.models._utils._make_divisible: round to a multiple of 8, never more than 10% down.
std::int64_t make_divisible(std::int64_t v, std::int64_t divisor = 8) {
  std::int64_t nv = std::max(divisor, (v + divisor / 2) / divisor * divisor);
  if (10 * nv < 9 * v) nv += divisor;
  return nv;
}

// torchvision.ops.SqueezeExcitation with hard-sigmoid gate: global pool, 1x1 conv (bias) + ReLU,
// 1x1 conv (bias) + hard-sigmoid, channel-wise scale of the input.
int squeeze_excite(Graph& g, int x, const std::string& p) {
  std::int64_t c = g.node(x).out[0];
  std::int64_t squeeze = make_divisible(c / 4);
  int s = g.global_avgpool(x, p + ".pool");
  s = g.conv(s, squeeze, 1, 1, 0, 1, 1, true, p + ".fc1");
  s = g.activation(s, ActKind::ReLU, p + ".relu");
  s = g.conv(s, c, 1, 1, 0, 1, 1, true, p + ".fc2");
  s = g.activation(s, ActKind::HardSigmoid, p + ".hardsigmoid");
  return g.mul(x, s, p + ".scale");
}

}  // namespace

// torchvision mobilenet_v3_large: 0.22 GMAC, 5.48 M params.
Graph mobilenetv3_large() {
  struct Bneck {
    std::int64_t kernel, expanded, out;
    bool se;
    bool hardswish;
    std::int64_t stride;
  };
  // (kernel, expanded channels, output channels, SE, activation HS?, stride): torchvision's table.
  const Bneck cfg[15] = {
      {3, 16, 16, false, false, 1}, {3, 64, 24, false, false, 2}, {3, 72, 24, false, false, 1},
      {5, 72, 40, true, false, 2},  {5, 120, 40, true, false, 1}, {5, 120, 40, true, false, 1},
      {3, 240, 80, false, true, 2}, {3, 200, 80, false, true, 1}, {3, 184, 80, false, true, 1},
      {3, 184, 80, false, true, 1}, {3, 480, 112, true, true, 1}, {3, 672, 112, true, true, 1},
      {5, 672, 160, true, true, 2}, {5, 960, 160, true, true, 1}, {5, 960, 160, true, true, 1},
  };
  Graph g("mobilenetv3_large");
  int x = g.input({3, 224, 224}, "input");
  x = conv_bn_act(g, x, 16, 3, 2, ActKind::HardSwish, "stem");
  for (int i = 0; i < 15; ++i) {
    const Bneck& b = cfg[i];
    std::string p = fmt::format("bneck{}", i + 1);
    ActKind act = b.hardswish ? ActKind::HardSwish : ActKind::ReLU;
    std::int64_t in_ch = g.node(x).out[0];
    int y = x;
    if (b.expanded != in_ch) y = conv_bn_act(g, y, b.expanded, 1, 1, act, p + ".expand");
    y = conv_bn_act(g, y, b.expanded, b.kernel, b.stride, act, p + ".dw", b.expanded);
    if (b.se) y = squeeze_excite(g, y, p + ".se");
    y = conv_bn(g, y, b.out, 1, 1, p + ".project");
    if (b.stride == 1 && in_ch == b.out) y = g.add(y, x, p + ".add");
    x = y;
  }
  x = conv_bn_act(g, x, 960, 1, 1, ActKind::HardSwish, "last");
  x = g.global_avgpool(x, "avgpool");
  x = g.flatten(x, "flatten");
  x = g.activation(g.linear(x, 1280, true, "classifier.fc1"), ActKind::HardSwish, "classifier.hardswish");
  g.linear(x, 1000, true, "classifier.fc2");
  return g;
}

// torchvision densenet201: growth rate 32, blocks (6, 12, 48, 32), bottleneck 4*32 = 128 channels,
// compression 0.5. Each dense layer reads the concatenation of all earlier features of its block
// (BN-ReLU-conv1x1-BN-ReLU-conv3x3) and its 32 new channels are concatenated on. 4.29 GMAC, 20.01 M.
Graph densenet201() {
  const int blocks[4] = {6, 12, 48, 32};
  const std::int64_t growth = 32, bottleneck = 4 * growth;
  Graph g("densenet201");
  int x = g.input({3, 224, 224}, "input");
  x = conv_bn_act(g, x, 64, 7, 2, ActKind::ReLU, "stem");
  x = g.maxpool(x, 3, 2, 1, "stem.pool");
  for (int b = 0; b < 4; ++b) {
    for (int l = 0; l < blocks[b]; ++l) {
      std::string p = fmt::format("block{}.layer{}", b + 1, l + 1);
      int y = g.batchnorm(x, p + ".bn1");
      y = g.activation(y, ActKind::ReLU, p + ".relu1");
      y = g.conv(y, bottleneck, 1, 1, 0, 1, 1, false, p + ".conv1");
      y = g.batchnorm(y, p + ".bn2");
      y = g.activation(y, ActKind::ReLU, p + ".relu2");
      y = g.conv(y, growth, 3, 1, 1, 1, 1, false, p + ".conv2");
      x = g.concat({x, y}, 0, p + ".concat");
    }
    if (b < 3) {
      std::string p = fmt::format("transition{}", b + 1);
      x = g.batchnorm(x, p + ".bn");
      x = g.activation(x, ActKind::ReLU, p + ".relu");
      x = g.conv(x, g.node(x).out[0] / 2, 1, 1, 0, 1, 1, false, p + ".conv");
      x = g.avgpool(x, 2, 2, 0, p + ".pool");
    }
  }
  x = g.batchnorm(x, "final.bn");
  x = g.activation(x, ActKind::ReLU, "final.relu");
  x = g.global_avgpool(x, "avgpool");
  x = g.flatten(x, "flatten");
  g.linear(x, 1000, true, "classifier");
  return g;
}

}  // namespace imc::workloads::zoo
