#include "workloads/family.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/config.h"

namespace imc::workloads {
namespace {

std::int64_t pruned(std::int64_t channels, double prune) {
  return std::max<std::int64_t>(1, std::int64_t(std::llround(double(channels) * (1.0 - prune))));
}

int conv_bn_relu(Graph& g, int x, std::int64_t out, std::int64_t k, std::int64_t stride, std::int64_t groups,
                 bool relu, const std::string& name) {
  x = g.conv(x, out, k, stride, -1, groups, 1, false, name + ".conv");
  x = g.batchnorm(x, name + ".bn");
  return relu ? g.activation(x, ActKind::ReLU, name + ".relu") : x;
}

}  // namespace

Graph build_cnn_family(const CnnFamilyParams& p, const std::string& name) {
  auto bad = [&](const char* field, const std::string& what) {
    throw common::InputError(fmt::format("network family: {}: {}", field, what));
  };
  if (p.input.size() != 3) bad("input", "expected [C, H, W]");
  if (p.stages < 1 || p.stages > 6) bad("stages", fmt::format("{} not in [1, 6]", p.stages));
  if (p.blocks_per_stage < 1 || p.blocks_per_stage > 8)
    bad("blocks", fmt::format("{} not in [1, 8]", p.blocks_per_stage));
  if (p.base_channels < 1 || p.base_channels > 1024)
    bad("channels", fmt::format("{} not in [1, 1024]", p.base_channels));
  if (p.kernel < 1 || p.kernel > 7 || p.kernel % 2 == 0)
    bad("kernel", fmt::format("{} not one of 1, 3, 5, 7", p.kernel));
  if (p.expansion < 1 || p.expansion > 8) bad("expansion", fmt::format("{} not in [1, 8]", p.expansion));
  if (!(p.prune >= 0 && p.prune < 0.95)) bad("prune", fmt::format("{} not in [0, 0.95)", p.prune));
  if ((std::min(p.input[1], p.input[2]) >> (p.stages - 1)) < 2)
    bad("stages", fmt::format("{} stages halve a {}x{} input below 2x2", p.stages, p.input[1], p.input[2]));

  Graph g(name);
  int x = g.input(p.input, "input");
  std::int64_t channels = p.input[0];
  for (int s = 0; s < p.stages; ++s) {
    const std::int64_t width = pruned(std::int64_t(p.base_channels) << s, p.prune);
    for (int b = 0; b < p.blocks_per_stage; ++b) {
      const std::string blk = fmt::format("s{}.b{}", s, b);
      const std::int64_t stride = (s > 0 && b == 0) ? 2 : 1;
      const int in = x;
      int y;
      if (p.expansion > 1) {
        const std::int64_t hidden = pruned(std::int64_t(width) * p.expansion, p.prune);
        y = conv_bn_relu(g, x, hidden, 1, 1, 1, true, blk + ".expand");
        y = conv_bn_relu(g, y, hidden, p.kernel, stride, hidden, true, blk + ".dw");
        y = conv_bn_relu(g, y, width, 1, 1, 1, false, blk + ".project");
      } else {
        y = conv_bn_relu(g, x, width, p.kernel, stride, 1, !p.residual, blk + ".conv1");
        if (p.residual)
          y = conv_bn_relu(g, g.activation(y, ActKind::ReLU, blk + ".relu1"), width, p.kernel, 1, 1, false,
                           blk + ".conv2");
      }
      if (p.residual) {
        int shortcut = in;
        if (channels != width || stride != 1)
          shortcut = conv_bn_relu(g, in, width, 1, stride, 1, false, blk + ".proj");
        y = g.activation(g.add(y, shortcut, blk + ".add"), ActKind::ReLU, blk + ".out");
      } else if (p.expansion > 1) {
        y = g.activation(y, ActKind::ReLU, blk + ".out");
      }
      x = y;
      channels = width;
    }
  }
  x = g.global_avgpool(x, "pool");
  x = g.flatten(x, "flatten");
  if (p.fc_hidden > 0) x = g.activation(g.linear(x, p.fc_hidden, true, "fc1"), ActKind::ReLU, "fc1.relu");
  g.linear(x, p.classes, true, "classifier");
  return g;
}

}  // namespace imc::workloads
