#include <doctest/doctest.h>

#include "common/config.h"
#include "workloads/family.h"

using namespace imc::workloads;

TEST_CASE("the CNN family builds plain, residual and inverted-bottleneck networks") {
  CnnFamilyParams p;
  const Graph plain = build_cnn_family(p);
  p.residual = true;
  const Graph res = build_cnn_family(p);
  p.expansion = 4;
  const Graph mb = build_cnn_family(p);
  CHECK(plain.total_macs() > 0);
  CHECK(res.total_macs() > plain.total_macs());
  bool has_depthwise = false;
  for (int i = 0; i < mb.size(); ++i)
    has_depthwise |= mb.node(i).op == OpKind::Conv2d && mb.node(i).groups > 1;
  CHECK(has_depthwise);
  CHECK(plain.node(plain.size() - 1).out == std::vector<std::int64_t>{10});
}

TEST_CASE("pruning removes channels and MACs; more stages halve the resolution") {
  CnnFamilyParams p;
  p.base_channels = 32;
  const auto full = build_cnn_family(p).total_macs();
  p.prune = 0.5;
  const auto half = build_cnn_family(p).total_macs();
  CHECK(half < full / 2);
  p.stages = 6;
  CHECK_THROWS_WITH_AS(build_cnn_family(p), doctest::Contains("stages"), imc::common::InputError);
}
