// Training on a slice of Fashion-MNIST and inference through simulated crossbars (label: slow).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "arch/load.h"
#include "nas/accuracy/accuracy.h"
#include "nas/accuracy/hardware.h"
#include "nas/accuracy/train.h"
#include "tests/accuracy/torch_doctest.h"  // first: see there
#include "workloads/zoo.h"

using namespace imc;
using namespace imc::nas::accuracy;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kTest = 1000;  // test images used by these checks

const Dataset& data() {
  static Dataset d = load_fashion_mnist();
  return d;
}

// The CI-sized run: the reference CNN (fmnist_small), 10,000 training images, one epoch. Trained once.
GraphNet& trained() {
  static GraphNet net = [] {
    configure_threads(0);
    torch::manual_seed(1);
    GraphNet n(workloads::zoo_network(kReferenceCnn), QuantBits{8, 8});
    TrainOptions o;
    o.epochs = 1;
    o.train_subset = 10000;
    const auto t0 = std::chrono::steady_clock::now();
    const TrainStats st = train(n, data().train, o);
    MESSAGE("trained " << std::string(kReferenceCnn) << ": " << st.images << " images in " << st.seconds
                       << " s (" << double(st.images) / st.seconds << " images/s)");
    (void)t0;
    return n;
  }();
  return net;
}

double hw_accuracy(const arch::ArchSpec& spec, std::uint64_t seed, const torch::Tensor& x,
                   const torch::Tensor& y) {
  HardwareBackend hw(spec, trained(), seed);
  return accuracy_of(predict(trained(), x, Precision::Quantized, &hw), y);
}

}  // namespace

TEST_CASE("CI-sized run: one epoch on 10,000 images reaches 75 %") {
  const torch::Tensor x = image_tensor(data().test, 0, kTest), y = label_tensor(data().test, 0, kTest);
  const double f = accuracy_of(predict(trained(), x, Precision::Float), y);
  const double q = accuracy_of(predict(trained(), x, Precision::Quantized), y);
  MESSAGE("float " << f << ", quantized " << q);
  CHECK(f >= 0.75);
  CHECK(q >= 0.75);
}

TEST_CASE("ideal hardware gives the quantized software predictions on >= 99.5 % of test images") {
  const torch::Tensor x = image_tensor(data().test, 0, kTest);
  const arch::ArchSpec ideal = arch::load_arch("configs/arch/ideal.toml");
  HardwareBackend hw(ideal, trained(), 1);
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<int> h = predict(trained(), x, Precision::Quantized, &hw);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::vector<int> q = predict(trained(), x, Precision::Quantized);
  std::int64_t same = 0;
  for (std::size_t i = 0; i < q.size(); ++i) same += h[i] == q[i];
  MESSAGE("agreement " << same << "/" << q.size() << ", hardware inference " << double(kTest) / s
                       << " images/s");
  CHECK(double(same) / double(q.size()) >= 0.995);
  CHECK(hw.stats().clipped_high == 0);
}

TEST_CASE("accuracy falls as ADC bits go 8 -> 3 and as variation grows") {
  const std::int64_t n = 500;
  const torch::Tensor x = image_tensor(data().test, 0, n), y = label_tensor(data().test, 0, n);
  arch::ArchSpec spec = arch::load_arch("configs/arch/ideal.toml");
  std::vector<double> by_bits;
  for (int bits : {8, 5, 3}) {
    spec.adc.bits = bits;
    by_bits.push_back(hw_accuracy(spec, 1, x, y));
    MESSAGE("adc.bits " << bits << ": " << by_bits.back());
  }
  const double noise = 0.02;  // 10 images of 500
  CHECK(by_bits[1] <= by_bits[0] + noise);
  CHECK(by_bits[2] <= by_bits[1] + noise);
  CHECK(by_bits[2] < by_bits[0] - 0.05);  // 3 bits of a 768-level range lose most partial sums

  spec = arch::load_arch("configs/arch/ideal.toml");
  std::vector<double> by_sigma;
  for (double sigma : {0.0, 0.1, 0.5}) {
    spec.device.variation_sigma = sigma;
    by_sigma.push_back(hw_accuracy(spec, 1, x, y));
    MESSAGE("variation_sigma " << sigma << ": " << by_sigma.back());
  }
  CHECK(by_sigma[1] <= by_sigma[0] + noise);
  CHECK(by_sigma[2] <= by_sigma[1] + noise);
  CHECK(by_sigma[2] < by_sigma[0] - 0.05);
}

TEST_CASE("evaluate_accuracy: figures, draws, cache reuse") {
  const fs::path cache = fs::temp_directory_path() / ("imcsim-acc-cache-" + std::to_string(::getpid()));
  fs::remove_all(cache);
  AccuracyOptions o;
  o.train.epochs = 1;
  o.train.train_subset = 2000;
  o.test_subset = 200;
  o.draws = 2;
  o.cache_dir = cache.string();
  const arch::ArchSpec spec = arch::load_arch("configs/arch/rram_default.toml");
  const workloads::Graph g = workloads::zoo_network(kReferenceCnn);
  const AccuracyResult a = evaluate_accuracy(spec, g, o);
  CHECK_FALSE(a.from_cache);
  CHECK(fs::exists(a.weights_file));
  CHECK(a.hardware_accuracy.size() == 2);
  CHECK(a.hardware_accuracy_std >= 0);
  CHECK(a.quantized_accuracy > 0.3);  // 2,000 images, one epoch: well above chance (0.1)
  MESSAGE("rram_default: float " << a.float_accuracy << " quantized " << a.quantized_accuracy << " hardware "
                                 << a.hardware_accuracy_mean << " +- " << a.hardware_accuracy_std);
  const AccuracyResult b = evaluate_accuracy(spec, g, o);
  CHECK(b.from_cache);
  CHECK(b.quantized_accuracy == a.quantized_accuracy);
  CHECK(b.hardware_accuracy == a.hardware_accuracy);  // same seeds, same chips
  o.adc_range = AdcRange::kCalibrated;
  const AccuracyResult c = evaluate_accuracy(spec, g, o);
  MESSAGE("rram_default, calibrated ADC range: hardware " << c.hardware_accuracy_mean);
  fs::remove_all(cache);
}

TEST_CASE("imcsim accuracy writes the JSON keys") {
  const char* bin = std::getenv("IMCSIM_BIN");
  if (!bin || !fs::exists(bin)) return;  // built without the CLI
  const fs::path out = fs::temp_directory_path() / ("imcsim-acc-" + std::to_string(::getpid()) + ".json");
  const std::string cmd = std::string(bin) +
                          " accuracy --arch configs/arch/ideal.toml --workload fmnist_small --epochs 1 "
                          "--train-subset 2000 --test-subset 200 --draws 2 --no-cache --json " +
                          out.string() + " > /dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(out);
  const auto j = nlohmann::json::parse(in);
  for (const char* k :
       {"float_accuracy", "quantized_accuracy", "hardware_accuracy_mean", "hardware_accuracy_std"})
    CHECK(j.contains(k));
  CHECK(j["hardware_accuracy_std"].get<double>() == 0.0);  // an ideal chip has no draw-to-draw spread
  fs::remove(out);
  const std::string bad = std::string(bin) +
                          " accuracy --arch configs/arch/ideal.toml --workload resnet20 --no-cache"
                          " > /dev/null 2>&1";
  CHECK(WEXITSTATUS(std::system(bad.c_str())) == 2);  // 3x32x32 input: not a Fashion-MNIST network
}
