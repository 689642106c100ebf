// The checks both supernet families' tests run the same way (tests/supernet/test_supernet.cpp for
// the CNN supernet, tests/vit/test_vit_supernet.cpp for the ViT one): the Fashion-MNIST data, one
// torch thread, an exported subnet computing the supernet's forward, an ideal chip reproducing the
// supernet's quantized logits, the sandwich step lowering the loss, and save/load round-trips.
// Include after tests/accuracy/torch_doctest.h.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "arch/load.h"
#include "nas/accuracy/dataset.h"
#include "nas/accuracy/hardware.h"
#include "nas/accuracy/train.h"

namespace imc::test_supernet {

using nas::accuracy::Precision;

inline const nas::accuracy::Dataset& data() {
  static const nas::accuracy::Dataset d = nas::accuracy::load_fashion_mnist();
  return d;
}

struct OneThread {
  OneThread() { torch::set_num_threads(1); }
};

// Moves every parameter of `net` off its initial value, so a test sees the slicing (and cropping,
// transforms, LayerNorm ones and zeros) rather than values that hide a wrong order.
template <class ModuleHolder>
void perturb_parameters(ModuleHolder& net) {
  torch::NoGradGuard ng;
  for (auto& p : net->parameters()) p.add_(torch::randn_like(p) * 0.05);
}

// For each subnet and precision: after recalibration on `calib`, the exported GraphNet computes the
// supernet's forward on `x`, and a fresh GraphNet of the same graph does not (inherited weights
// matter). `also(subnet, exported)` adds a family's own checks of the export.
template <class ModuleHolder, class SubnetT, class Also>
void check_exported_forward(ModuleHolder& net, const std::vector<SubnetT>& subnets, const torch::Tensor& x,
                            const torch::Tensor& calib, std::int64_t batch, const Also& also) {
  for (const SubnetT& s : subnets) {
    CAPTURE(to_string(s));
    for (Precision p : {Precision::Float, Precision::Quantized}) {
      net->recalibrate(s, calib, p, batch);
      net->eval();
      torch::NoGradGuard ng;
      const torch::Tensor mine = net->forward(x, s, p);
      auto e = net->export_subnet(s);
      also(s, e);
      const torch::Tensor theirs = e.net->forward(x, p);
      CHECK(torch::allclose(mine, theirs, 1e-5, 1e-5));
      CHECK(torch::equal(mine.argmax(1), theirs.argmax(1)));
      nas::accuracy::GraphNet fresh(e.graph, nas::accuracy::QuantBits{s.weight_bits, s.activation_bits});
      fresh->eval();
      CHECK(!torch::allclose(mine, fresh->forward(x, Precision::Float), 1e-3, 1e-3));
    }
  }
}

// `count` random subnets (from `rng`), recalibrated on training images [images, 64): the exported
// GraphNet through the crossbar model of an ideal chip gives the supernet's quantized logits on the
// first `images` training images.
template <class ModuleHolder>
void check_ideal_chip(ModuleHolder& net, std::mt19937_64 rng, int count, std::int64_t images) {
  const torch::Tensor x = nas::accuracy::image_tensor(data().train, 0, images);
  for (int i = 0; i < count; ++i) {
    const auto s = net->space().sample(rng);
    CAPTURE(to_string(s));
    net->recalibrate(s, nas::accuracy::image_tensor(data().train, images, 64), Precision::Quantized, 64);
    net->eval();
    torch::NoGradGuard ng;
    auto e = net->export_subnet(s);
    nas::accuracy::HardwareBackend hw(arch::load_arch("configs/arch/ideal.toml"), e.net, 1);
    CHECK(torch::allclose(net->forward(x, s, Precision::Quantized),
                          e.net->forward(x, Precision::Quantized, &hw), 1e-4, 1e-4));
  }
}

// 6 epochs of sandwich steps (`step(images, labels, rng)`, batches of 64 of the first 256 training
// images, subnets sampled from a generator seeded 4) lower the largest subnet's loss by 20 % and the
// smallest's by 0.05.
template <class ModuleHolder, class Step>
void check_sandwich_lowers_loss(ModuleHolder& net, const Step& step) {
  const torch::Tensor x = nas::accuracy::image_tensor(data().train, 0, 256);
  const torch::Tensor y = nas::accuracy::label_tensor(data().train, 0, 256);
  auto loss_of = [&](const auto& s) {
    torch::NoGradGuard ng;
    net->train();  // batch statistics / running input ranges, as training sees them
    return torch::cross_entropy_loss(net->forward(x, s, Precision::Quantized), y).template item<double>();
  };
  const auto& space = net->space();
  const double big0 = loss_of(space.largest()), small0 = loss_of(space.smallest());
  std::mt19937_64 rng(4);
  for (int epoch = 0; epoch < 6; ++epoch)
    for (std::int64_t b = 0; b < 256; b += 64) step(x.slice(0, b, b + 64), y.slice(0, b, b + 64), rng);
  const double big1 = loss_of(space.largest()), small1 = loss_of(space.smallest());
  CAPTURE(big0);
  CAPTURE(big1);
  CAPTURE(small0);
  CAPTURE(small1);
  CHECK(big1 < 0.8 * big0);
  // The smallest learns from the largest's soft labels, which start near uniform: it moves less, but it
  // moves.
  CHECK(small1 < small0 - 0.05);
}

// A fresh folder (removed first): nothing loads from it; `save(dir)` returns the saved file;
// `load(dir)` then gives a supernet whose largest subnet computes what `net`'s does.
template <class ModuleHolder, class Save, class Load>
void check_save_load(ModuleHolder& net, const std::string& folder_prefix, const Save& save,
                     const Load& load) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / (folder_prefix + std::to_string(::getpid()));
  fs::remove_all(dir);
  CHECK(!load(dir));
  const torch::Tensor x = nas::accuracy::image_tensor(data().train, 0, 16);
  const auto s = net->space().largest();
  net->recalibrate(s, x, Precision::Quantized, 16);
  net->eval();
  const std::string path = save(dir);
  CHECK(fs::exists(path));
  auto loaded = load(dir);
  REQUIRE(loaded);
  torch::NoGradGuard ng;
  CHECK(
      torch::equal(net->forward(x, s, Precision::Quantized), (*loaded)->forward(x, s, Precision::Quantized)));
  fs::remove_all(dir);
}

// A shipped supernet's largest and smallest subnets score, quantized, as the record beside its
// weights (`record_path`, .json) documents, within 0.3 points. `export_subnet(net, subnet)` returns
// a struct whose `net` is the exported GraphNet.
template <class Net, class Space, class Export>
void check_documented_scores(Net& net, const Space& space, const std::filesystem::path& record_path,
                             std::int64_t recalibration_images, Export export_subnet) {
  std::ifstream record_file(record_path);
  REQUIRE(record_file.good());
  const nlohmann::json record = nlohmann::json::parse(record_file);
  const torch::Tensor calib = nas::accuracy::image_tensor(data().train, 0, recalibration_images);
  const std::int64_t n = record.at("test_images").get<std::int64_t>();
  const torch::Tensor x = nas::accuracy::image_tensor(data().test, 0, n);
  const torch::Tensor y = nas::accuracy::label_tensor(data().test, 0, n);
  for (const auto& [s, documented] :
       {std::pair{space.largest(), record.at("largest_quantized_accuracy").get<double>()},
        std::pair{space.smallest(), record.at("smallest_quantized_accuracy").get<double>()}}) {
    net->recalibrate(s, calib, Precision::Quantized);
    auto e = export_subnet(net, s);
    const double acc = nas::accuracy::accuracy_of(nas::accuracy::predict(e.net, x, Precision::Quantized), y);
    CAPTURE(to_string(s));
    CAPTURE(acc);
    CHECK(std::abs(acc - documented) <= 0.003);
  }
}

}  // namespace imc::test_supernet
