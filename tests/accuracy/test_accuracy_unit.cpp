// The accuracy evaluator's parts that need no training: dataset reading, the torch module built from
// a graph, the hardware path on an ideal chip, the weight cache.
#include <zlib.h>

#include <filesystem>
#include <random>

#include "arch/load.h"
#include "common/config.h"
#include "nas/accuracy/activity_measure.h"
#include "nas/accuracy/cache.h"
#include "nas/accuracy/dataset.h"
#include "nas/accuracy/hardware.h"
#include "nas/accuracy/kernels.h"
#include "nas/accuracy/train.h"
#include "tests/accuracy/torch_doctest.h"  // first: see there

using namespace imc;
using namespace imc::nas::accuracy;
namespace fs = std::filesystem;

namespace {

// A graph exercising every op family the trainer supports on images.
workloads::Graph mixed_graph() {
  using workloads::ActKind;
  workloads::Graph g("mixed");
  int x = g.input({1, 28, 28});
  int a = g.activation(g.batchnorm(g.conv(x, 8, 3)), ActKind::ReLU);
  int b = g.activation(g.batchnorm(g.conv(a, 8, 3, 1, -1, 8)), ActKind::HardSwish);  // depthwise
  int c = g.add(a, b);
  int d = g.activation(g.conv(c, 16, 1, 1, 0, 2, 1, true), ActKind::ReLU6);  // grouped, with bias
  int e = g.concat({c, d}, 0);
  int p = g.avgpool(g.maxpool(e, 2, 2), 2, 2);
  int s = g.mul(p, g.activation(g.global_avgpool(p), ActKind::Sigmoid));  // squeeze-excite style
  int f = g.flatten(s);
  int h = g.activation(g.linear(f, 32), ActKind::GELU);
  g.linear(h, 10);
  return g;
}

fs::path temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("imcsim-test-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

void write_gz(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
}

}  // namespace

TEST_CASE("a missing dataset names the Debian package") {
  try {
    load_fashion_mnist("/nonexistent/fmnist");
    FAIL("no error");
  } catch (const common::InputError& e) {
    CHECK(std::string(e.what()).find("dataset-fashion-mnist") != std::string::npos);
  }
}

TEST_CASE("IDX files are read through zlib and checked") {
  const fs::path dir = temp_dir("idx");
  std::vector<std::uint8_t> img{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3};
  for (int i = 0; i < 12; ++i) img.push_back(std::uint8_t(i * 20));
  write_gz(dir / "img.gz", img);
  const ImageSet s = read_idx_images((dir / "img.gz").string());
  CHECK(s.count == 2);
  CHECK(s.rows == 2);
  CHECK(s.cols == 3);
  CHECK(s.pixels[11] == 220);
  write_gz(dir / "lab.gz", {0, 0, 8, 1, 0, 0, 0, 2, 7, 3});
  CHECK(read_idx_labels((dir / "lab.gz").string()) == std::vector<std::uint8_t>{7, 3});
  img.pop_back();  // truncated
  write_gz(dir / "bad.gz", img);
  CHECK_THROWS_AS(read_idx_images((dir / "bad.gz").string()), common::InputError);
  CHECK_THROWS_AS(read_idx_labels((dir / "img.gz").string()), common::InputError);  // wrong magic
  fs::remove_all(dir);
}

TEST_CASE("graphs that are not Fashion-MNIST classifiers are rejected by name") {
  workloads::Graph g("wrong");
  g.linear(g.flatten(g.input({3, 32, 32})), 10);
  CHECK_THROWS_AS(check_fmnist_graph(g), common::InputError);
  workloads::Graph h("wrong_out");
  h.linear(h.flatten(h.input({1, 28, 28})), 7);
  CHECK_THROWS_AS(check_fmnist_graph(h), common::InputError);
}

TEST_CASE("a torch module from a graph: every op trains and keeps the graph's shapes") {
  configure_threads(2);
  torch::manual_seed(3);
  GraphNet net(mixed_graph(), QuantBits{6, 6});
  const torch::Tensor x = torch::rand({4, 784});
  const torch::Tensor y = torch::tensor({1, 2, 3, 4}, torch::kInt64);
  net->train();
  torch::optim::Adam opt(net->parameters(), 1e-2);
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    opt.zero_grad();
    auto loss = torch::cross_entropy_loss(net->forward(x, Precision::Quantized), y);
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  CHECK(last < first);  // the straight-through estimator passes gradients
  net->eval();
  CHECK(net->forward(x, Precision::Float).sizes() == torch::IntArrayRef({4, 10}));
  CHECK(net->crossbar_nodes().size() == 5);
  CHECK_FALSE(net->signed_inputs(net->crossbar_nodes()[0]));  // the image
}

TEST_CASE("ideal hardware reproduces the quantized network exactly, layer by layer") {
  configure_threads(2);
  torch::manual_seed(5);
  GraphNet net(mixed_graph(), QuantBits{8, 8});
  net->train();
  {
    torch::NoGradGuard ng;
    net->forward(torch::rand({16, 784}), Precision::Quantized);
  }  // input ranges
  net->eval();
  const torch::Tensor x = torch::rand({8, 784});
  torch::NoGradGuard ng;
  const arch::ArchSpec ideal = arch::load_arch("configs/arch/ideal.toml");
  HardwareBackend hw(ideal, net, 1);
  ExactBackend ex(net);
  const torch::Tensor sw = net->forward(x, Precision::Quantized);
  const torch::Tensor via_exact = net->forward(x, Precision::Quantized, &ex);
  const torch::Tensor via_hw = net->forward(x, Precision::Quantized, &hw);
  CHECK(torch::equal(via_exact, via_hw));  // bit-identical integer products
  CHECK(torch::allclose(sw, via_hw, 1e-4, 1e-4));
  // A noisy chip gives other logits.
  arch::ArchSpec noisy = ideal;
  noisy.device.variation_sigma = 0.2;
  HardwareBackend hw2(noisy, net, 1);
  CHECK_FALSE(torch::allclose(sw, net->forward(x, Precision::Quantized, &hw2), 1e-3, 1e-3));
}

TEST_CASE("activity: 1-bit densities per bit position of the integers a layer's DACs see") {
  torch::manual_seed(5);
  GraphNet net(mixed_graph(), QuantBits{8, 8});
  ExactBackend ex(net);
  ActivityBackend measured(net, ex);
  const int fc = net->crossbar_nodes().back();  // the last linear layer: 32 inputs
  const std::int64_t offset = net->signed_inputs(fc) ? 128 : 0;
  // Two vectors of 32 inputs: values v - offset so that the DAC integers are v = 0, 1, 2, 3, ...
  torch::Tensor x = torch::arange(64, torch::kFloat32).remainder(32).reshape({2, 32}) - double(offset);
  const torch::Tensor y = measured.matmul(fc, x.contiguous(), 0);
  CHECK(torch::equal(y, ex.matmul(fc, x.contiguous(), 0)));  // the products pass through
  const auto d = measured.densities().at(net->graph().node(fc).name);
  REQUIRE(d.size() == 8);
  // 0..31 twice: bits 0-4 are set in half of the values, bits 5-7 never.
  for (int b = 0; b < 5; ++b) CHECK(d[std::size_t(b)] == doctest::Approx(0.5));
  for (int b = 5; b < 8; ++b) CHECK(d[std::size_t(b)] == 0.0);
}

TEST_CASE("cache keys follow structure and settings; saved weights load back") {
  workloads::Graph g = mixed_graph();
  TrainOptions o;
  const std::string k = training_key(g, 8, 8, o);
  CHECK(k.size() == 16);
  CHECK(training_key(g, 8, 8, o) == k);
  CHECK(training_key(g, 4, 8, o) != k);
  TrainOptions o2 = o;
  o2.epochs = 2;
  CHECK(training_key(g, 8, 8, o2) != k);
  workloads::Graph renamed = g;
  renamed.set_name("other");
  CHECK(training_key(renamed, 8, 8, o) == k);  // names do not change the network
  workloads::Graph wider("mixed");
  wider.linear(wider.flatten(wider.input({1, 28, 28})), 10);
  CHECK(training_key(wider, 8, 8, o) != k);

  const fs::path dir = temp_dir("cache");
  torch::manual_seed(1);
  GraphNet a(g, QuantBits{8, 8});
  a->train();
  {
    torch::NoGradGuard ng;
    a->forward(torch::rand({8, 784}), Precision::Quantized);
  }
  a->eval();
  save_cached(a, dir.string(), k, nlohmann::json{{"note", "test"}});
  torch::manual_seed(2);
  GraphNet b(g, QuantBits{8, 8});
  auto rec = load_cached(b, dir.string(), k);
  REQUIRE(rec.has_value());
  CHECK((*rec)["note"] == "test");
  const torch::Tensor x = torch::rand({3, 784});
  torch::NoGradGuard ng;
  CHECK(torch::equal(a->forward(x, Precision::Quantized), b->forward(x, Precision::Quantized)));
  CHECK_FALSE(load_cached(b, dir.string(), training_key(g, 8, 8, o2)).has_value());
  fs::remove_all(dir);
}

TEST_CASE("the training kernels: max pooling and fake quantization match torch's composed ops") {
  torch::manual_seed(3);
  // Pooling: odd sizes, overlapping windows, padding; ties (ReLU zeros and repeated values).
  struct Pool {
    std::int64_t kh, kw, sh, sw, ph, pw;
  };
  for (const Pool p : {Pool{2, 2, 2, 2, 0, 0}, Pool{3, 3, 2, 2, 1, 1}, Pool{3, 2, 1, 2, 1, 0}}) {
    torch::Tensor base = torch::relu(torch::randn({3, 4, 9, 11})).mul(4).round();  // many ties
    base[0][0][0][1] = base[0][0][1][0] = std::nanf("");  // two NaN in one window: the last one wins
    base[1][2][4][4] = std::nanf("");
    {
      torch::NoGradGuard ng;  // inference path (no argmax kept)
      CHECK(torch::equal(max_pool2d(base, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw).nan_to_num(-1),
                         torch::max_pool2d(base, {p.kh, p.kw}, {p.sh, p.sw}, {p.ph, p.pw}).nan_to_num(-1)));
    }
    const torch::Tensor a = base.clone().requires_grad_(true), b = base.clone().requires_grad_(true);
    const torch::Tensor ya = max_pool2d(a, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw);
    const torch::Tensor yb = torch::max_pool2d(b, {p.kh, p.kw}, {p.sh, p.sw}, {p.ph, p.pw});
    REQUIRE(ya.sizes() == yb.sizes());
    CHECK(torch::equal(ya.nan_to_num(-1), yb.nan_to_num(-1)));
    const torch::Tensor g = torch::randn(ya.sizes());
    ya.backward(g);
    yb.backward(g);
    CHECK(torch::allclose(a.grad(), b.grad()));
  }
  // Fake quantization: values inside, at and beyond both ends of the range.
  for (const double lo : {0.0, -127.0}) {
    const double s = 0.037, hi = lo < 0 ? 127 : 255;
    const torch::Tensor base = torch::randn({1000}) * 6;
    const torch::Tensor a = base.clone().requires_grad_(true), b = base.clone().requires_grad_(true);
    const torch::Tensor ya = fake_quant(a, s, lo, hi);
    const torch::Tensor bc = b.clamp(lo * s, hi * s);
    const torch::Tensor yb = (bc / s).round() * s;
    CHECK(torch::allclose(ya, yb.detach(), 0, 1e-6));
    const torch::Tensor steps = (ya.detach() / s).round();
    CHECK(steps.min().item<double>() >= lo);
    CHECK(steps.max().item<double>() <= hi);
    ya.backward(torch::ones_like(ya));
    bc.backward(torch::ones_like(bc));  // clamp's gradient: the straight-through estimator's
    CHECK(torch::equal(a.grad(), b.grad()));
  }
}

namespace {
ImageSet synthetic_images(std::int64_t count, std::uint64_t seed) {
  ImageSet s;
  s.count = count, s.rows = 28, s.cols = 28;
  std::mt19937_64 rng(seed);
  for (std::int64_t i = 0; i < count * 784; ++i) s.pixels.push_back(std::uint8_t(rng() % 256));
  for (std::int64_t i = 0; i < count; ++i) s.labels.push_back(std::uint8_t(rng() % 10));
  return s;
}

bool same_state(GraphNet& a, GraphNet& b) {
  const auto pa = a->named_parameters(), pb = b->named_parameters();
  for (const auto& p : pa)
    if (!torch::equal(p.value(), pb[p.key()])) return false;
  const auto ba = a->named_buffers(), bb = b->named_buffers();
  for (const auto& p : ba)
    if (!torch::equal(p.value(), bb[p.key()])) return false;
  return true;
}
}  // namespace

TEST_CASE("training: the same weights on one or two threads, whatever mode the module was left in") {
  const ImageSet data = synthetic_images(200, 11);  // 3 batches of 64 and one of 8 (not split)
  TrainOptions o;
  o.epochs = 1;
  o.noise_sigma = 0.05;  // injected noise: per-shard generators
  torch::manual_seed(9);
  GraphNet one(mixed_graph(), QuantBits{6, 6});
  torch::manual_seed(9);
  GraphNet two(mixed_graph(), QuantBits{6, 6});
  REQUIRE(same_state(one, two));
  two->eval();  // as predict() leaves it: training must still train
  configure_threads(1);
  const TrainStats s1 = train(one, data, o);
  configure_threads(2);
  const TrainStats s2 = train(two, data, o);
  CHECK(s1.final_loss == s2.final_loss);
  CHECK(same_state(one, two));
  torch::manual_seed(9);
  GraphNet untrained(mixed_graph(), QuantBits{6, 6});
  CHECK_FALSE(same_state(one, untrained));

  // Prediction through a noisy chip, several batches: the same on one or two threads.
  arch::ArchSpec noisy = arch::load_arch("configs/arch/ideal.toml");
  noisy.device.read_noise_sigma = 0.05;
  noisy.device.variation_sigma = 0.1;
  const torch::Tensor x = image_tensor(data, 0, 40);
  HardwareBackend hw(noisy, one, 3);
  configure_threads(1);
  const std::vector<int> p1 = predict(one, x, Precision::Quantized, &hw, 7);
  const auto conversions = hw.stats().conversions;
  configure_threads(2);
  const std::vector<int> p2 = predict(one, x, Precision::Quantized, &hw, 7);
  CHECK(p1 == p2);
  CHECK(hw.stats().conversions == 2 * conversions);  // counted from both threads
}
