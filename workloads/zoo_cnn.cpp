// Plain and residual CNNs of the zoo: ResNet-18/50, VGG-16, AlexNet (torchvision), VGG-8 and
// ResNet-20 at CIFAR-10 shapes, and two small Fashion-MNIST CNNs.
#include <fmt/format.h>

#include "workloads/zoo_nets.h"

namespace imc::workloads::zoo {

int conv_bn(Graph& g, int x, std::int64_t out_channels, std::int64_t kernel, std::int64_t stride,
            const std::string& prefix, std::int64_t groups) {
  x = g.conv(x, out_channels, kernel, stride, -1, groups, 1, false, prefix + ".conv");
  return g.batchnorm(x, prefix + ".bn");
}

int conv_bn_act(Graph& g, int x, std::int64_t out_channels, std::int64_t kernel, std::int64_t stride,
                ActKind act, const std::string& prefix, std::int64_t groups) {
  x = conv_bn(g, x, out_channels, kernel, stride, prefix, groups);
  return g.activation(x, act, prefix + "." + to_string(act));
}

namespace {

// torchvision.models.resnet BasicBlock (expansion 1) and Bottleneck (expansion 4, stride on the
// 3x3 conv: "ResNet v1.5"). Downsample = 1x1 conv + BN when the shape changes.
int resnet_block(Graph& g, int x, std::int64_t planes, std::int64_t stride, bool bottleneck,
                 const std::string& p) {
  const std::int64_t expansion = bottleneck ? 4 : 1;
  const std::int64_t in_ch = g.node(x).out[0];
  int y = x;
  if (bottleneck) {
    y = conv_bn_act(g, y, planes, 1, 1, ActKind::ReLU, p + ".1");
    y = conv_bn_act(g, y, planes, 3, stride, ActKind::ReLU, p + ".2");
    y = conv_bn(g, y, planes * expansion, 1, 1, p + ".3");
  } else {
    y = conv_bn_act(g, y, planes, 3, stride, ActKind::ReLU, p + ".1");
    y = conv_bn(g, y, planes, 3, 1, p + ".2");
  }
  int identity = x;
  if (stride != 1 || in_ch != planes * expansion)
    identity = conv_bn(g, x, planes * expansion, 1, stride, p + ".downsample");
  y = g.add(y, identity, p + ".add");
  return g.activation(y, ActKind::ReLU, p + ".relu");
}

Graph resnet_imagenet(const std::string& name, const int (&blocks)[4], bool bottleneck) {
  Graph g(name);
  int x = g.input({3, 224, 224}, "input");
  x = conv_bn_act(g, x, 64, 7, 2, ActKind::ReLU, "stem");
  x = g.maxpool(x, 3, 2, 1, "stem.maxpool");
  const std::int64_t planes[4] = {64, 128, 256, 512};
  for (int s = 0; s < 4; ++s)
    for (int b = 0; b < blocks[s]; ++b)
      x = resnet_block(g, x, planes[s], (s > 0 && b == 0) ? 2 : 1, bottleneck,
                       fmt::format("layer{}.{}", s + 1, b));
  x = g.global_avgpool(x, "avgpool");
  x = g.flatten(x, "flatten");
  g.linear(x, 1000, true, "fc");
  return g;
}

}  // namespace

// torchvision resnet18: 1.82 GMAC, 11.69 M params at 3x224x224.
Graph resnet18() {
  const int blocks[4] = {2, 2, 2, 2};
  return resnet_imagenet("resnet18", blocks, false);
}

// torchvision resnet50 (v1.5): 4.09 GMAC, 25.56 M params at 3x224x224.
Graph resnet50() {
  const int blocks[4] = {3, 4, 6, 3};
  return resnet_imagenet("resnet50", blocks, true);
}

// torchvision vgg16 (configuration D, no batchnorm, biased convs). The adaptive 7x7 average pool is
// the identity at 224x224 input and is left out.
Graph vgg16() {
  Graph g("vgg16");
  int x = g.input({3, 224, 224}, "input");
  const int convs[5] = {2, 2, 3, 3, 3};
  const std::int64_t widths[5] = {64, 128, 256, 512, 512};
  for (int s = 0; s < 5; ++s) {
    for (int c = 0; c < convs[s]; ++c) {
      x = g.conv(x, widths[s], 3, 1, 1, 1, 1, true, fmt::format("conv{}_{}", s + 1, c + 1));
      x = g.activation(x, ActKind::ReLU, fmt::format("relu{}_{}", s + 1, c + 1));
    }
    x = g.maxpool(x, 2, 2, 0, fmt::format("pool{}", s + 1));
  }
  x = g.flatten(x, "flatten");
  x = g.activation(g.linear(x, 4096, true, "fc6"), ActKind::ReLU, "relu6");
  x = g.activation(g.linear(x, 4096, true, "fc7"), ActKind::ReLU, "relu7");
  g.linear(x, 1000, true, "fc8");
  return g;
}

// torchvision alexnet (the one-GPU variant with 64/192/384/256/256 channels). The adaptive 6x6
// average pool is the identity at 224x224 input; dropout is not an inference op.
Graph alexnet() {
  Graph g("alexnet");
  int x = g.input({3, 224, 224}, "input");
  struct C {
    std::int64_t out, k, s, p;
    bool pool;
  };
  const C convs[5] = {{64, 11, 4, 2, true},
                      {192, 5, 1, 2, true},
                      {384, 3, 1, 1, false},
                      {256, 3, 1, 1, false},
                      {256, 3, 1, 1, true}};
  for (int i = 0; i < 5; ++i) {
    x = g.conv(x, convs[i].out, convs[i].k, convs[i].s, convs[i].p, 1, 1, true, fmt::format("conv{}", i + 1));
    x = g.activation(x, ActKind::ReLU, fmt::format("relu{}", i + 1));
    if (convs[i].pool) x = g.maxpool(x, 3, 2, 0, fmt::format("pool{}", i + 1));
  }
  x = g.flatten(x, "flatten");
  x = g.activation(g.linear(x, 4096, true, "fc6"), ActKind::ReLU, "relu6");
  x = g.activation(g.linear(x, 4096, true, "fc7"), ActKind::ReLU, "relu7");
  g.linear(x, 1000, true, "fc8");
  return g;
}

// VGG-8 for CIFAR-10 as in DNN+NeuroSim (Peng et al., IEDM 2019; Inference_pytorch/models/VGG.py):
// conv128-conv128-pool-conv256-conv256-pool-conv512-conv512-pool-fc1024-fc10, 3x3 "same" convs,
// no bias, no batchnorm. 12.97 M weights, 0.62 GMAC.
Graph vgg8() {
  Graph g("vgg8");
  int x = g.input({3, 32, 32}, "input");
  const std::int64_t widths[3] = {128, 256, 512};
  for (int s = 0; s < 3; ++s) {
    for (int c = 0; c < 2; ++c) {
      x = g.conv(x, widths[s], 3, 1, 1, 1, 1, false, fmt::format("conv{}", 2 * s + c + 1));
      x = g.activation(x, ActKind::ReLU, fmt::format("relu{}", 2 * s + c + 1));
    }
    x = g.maxpool(x, 2, 2, 0, fmt::format("pool{}", s + 1));
  }
  x = g.flatten(x, "flatten");
  x = g.activation(g.linear(x, 1024, false, "fc1"), ActKind::ReLU, "relu7");
  g.linear(x, 10, false, "fc2");
  return g;
}

// ResNet-20 for CIFAR-10 (He et al. 2016, Sec. 4.2): 3 stages x 3 basic blocks of 16/32/64 channels,
// option A shortcuts (stride-2 subsampling and zero-padded channels: no parameters), as in
// akamaster/pytorch_resnet_cifar10. 0.27 M params, 41 MMAC.
Graph resnet20() {
  Graph g("resnet20");
  int x = g.input({3, 32, 32}, "input");
  x = conv_bn_act(g, x, 16, 3, 1, ActKind::ReLU, "stem");
  const std::int64_t planes[3] = {16, 32, 64};
  for (int s = 0; s < 3; ++s)
    for (int b = 0; b < 3; ++b) {
      std::string p = fmt::format("layer{}.{}", s + 1, b);
      std::int64_t stride = (s > 0 && b == 0) ? 2 : 1;
      int y = conv_bn_act(g, x, planes[s], 3, stride, ActKind::ReLU, p + ".1");
      y = conv_bn(g, y, planes[s], 3, 1, p + ".2");
      int identity = x;
      if (stride != 1) {
        identity = g.slice(identity, 1, 0, g.node(x).out[1] / 2, 2, p + ".shortcut.rows");
        identity = g.slice(identity, 2, 0, g.node(x).out[2] / 2, 2, p + ".shortcut.cols");
        std::int64_t extra = planes[s] - g.node(x).out[0];
        identity = g.pad(identity, 0, extra / 2, extra - extra / 2, p + ".shortcut.pad");
      }
      y = g.add(y, identity, p + ".add");
      x = g.activation(y, ActKind::ReLU, p + ".relu");
    }
  x = g.global_avgpool(x, "avgpool");
  x = g.flatten(x, "flatten");
  g.linear(x, 10, true, "fc");
  return g;
}

// A larger Fashion-MNIST CNN (1x28x28): conv32-bn-relu-pool, conv64-bn-relu-pool, fc128-relu, fc10.
// 4.24 M MACs; 91.7 % test accuracy after 3 epochs of 8-bit QAT (docs/accuracy.md). The accuracy
// benchmark's reference is fmnist_small, which is fifteen times cheaper to train and simulate.
Graph fmnist_cnn() {
  Graph g("fmnist_cnn");
  int x = g.input({1, 28, 28}, "input");
  x = conv_bn_act(g, x, 32, 3, 1, ActKind::ReLU, "block1");
  x = g.maxpool(x, 2, 2, 0, "block1.pool");
  x = conv_bn_act(g, x, 64, 3, 1, ActKind::ReLU, "block2");
  x = g.maxpool(x, 2, 2, 0, "block2.pool");
  x = g.flatten(x, "flatten");
  x = g.activation(g.linear(x, 128, true, "fc1"), ActKind::ReLU, "fc1.relu");
  g.linear(x, 10, true, "fc2");
  return g;
}

// The reference Fashion-MNIST CNN of the accuracy evaluator (1x28x28): conv8-bn-relu-pool,
// conv16-bn-relu-pool, fc10. ~9 k params, 0.29 M MACs; 90.5 % test accuracy after 10 epochs of
// 8-bit QAT (docs/accuracy.md), at a fifteenth of fmnist_cnn's cost.
Graph fmnist_small() {
  Graph g("fmnist_small");
  int x = g.input({1, 28, 28}, "input");
  x = conv_bn_act(g, x, 8, 3, 1, ActKind::ReLU, "block1");
  x = g.maxpool(x, 2, 2, 0, "block1.pool");
  x = conv_bn_act(g, x, 16, 3, 1, ActKind::ReLU, "block2");
  x = g.maxpool(x, 2, 2, 0, "block2.pool");
  x = g.flatten(x, "flatten");
  g.linear(x, 10, true, "fc");
  return g;
}

}  // namespace imc::workloads::zoo
