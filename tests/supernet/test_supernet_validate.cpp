// The validation tool's pieces: Kendall tau-b (checked against values scipy.stats.kendalltau gives)
// and the stand-alone results CSV (round trip, lookup by subnet and settings, bad lines).
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "common/config.h"
#include "nas/supernet/validate.h"

using namespace imc::nas::supernet;
namespace fs = std::filesystem;

TEST_CASE("Kendall tau-b: perfect, reversed, independent and tied rankings") {
  CHECK(kendall_tau_b({1, 2, 3, 4}, {10, 20, 30, 40}) == doctest::Approx(1.0));
  CHECK(kendall_tau_b({1, 2, 3, 4}, {4, 3, 2, 1}) == doctest::Approx(-1.0));
  // 5 concordant, 1 discordant pair of 6: (5 - 1) / 6.
  CHECK(kendall_tau_b({1, 2, 3, 4}, {1, 3, 2, 4}) == doctest::Approx(4.0 / 6.0));
  // scipy.stats.kendalltau([1, 2, 2, 3], [1, 2, 3, 3]) = 0.8 (tau-b with ties in both samples):
  // concordant 4, discordant 0, pairs 6, one tie in each: 4 / sqrt(5 * 5).
  CHECK(kendall_tau_b({1, 2, 2, 3}, {1, 2, 3, 3}) == doctest::Approx(0.8));
  // scipy.stats.kendalltau([0.9, 0.8, 0.85, 0.7, 0.75], [0.88, 0.79, 0.86, 0.75, 0.7]) = 0.8
  CHECK(kendall_tau_b({0.9, 0.8, 0.85, 0.7, 0.75}, {0.88, 0.79, 0.86, 0.75, 0.7}) == doctest::Approx(0.8));
  CHECK(kendall_tau_b({1, 1, 1}, {1, 2, 3}) == 0.0);  // a constant sample ranks nothing
  CHECK_THROWS_AS(kendall_tau_b({1, 2}, {1, 2, 3}), std::invalid_argument);
  CHECK_THROWS_AS(kendall_tau_b({1}, {1}), std::invalid_argument);
}

TEST_CASE("the stand-alone CSV round-trips and is looked up by subnet and settings") {
  const fs::path p = fs::temp_directory_path() / ("imcsim-standalone-" + std::to_string(::getpid()) + ".csv");
  fs::remove(p);
  CHECK(read_standalone_csv(p.string()).empty());
  StandaloneRecord a;
  a.subnet = "stages=2 blocks=1 ch=8 k=3 plain e1 p0 fc0 w4a4";
  a.epochs = 2, a.batch_size = 128, a.learning_rate = 0.003, a.seed = 1, a.test_images = 10000;
  a.float_accuracy = 0.6512, a.quantized_accuracy = 0.6422, a.train_seconds = 24.1;
  StandaloneRecord b = a;
  b.subnet = "stages=3 blocks=1 ch=16 k=5 plain e1 p0 fc0 w8a8";
  b.quantized_accuracy = 0.8748;
  append_standalone_csv(p.string(), a);
  append_standalone_csv(p.string(), b);
  const std::vector<StandaloneRecord> back = read_standalone_csv(p.string());
  REQUIRE(back.size() == 2);
  const StandaloneRecord* found = find_standalone(back, b);
  REQUIRE(found);
  CHECK(found->quantized_accuracy == doctest::Approx(0.8748));
  CHECK(find_standalone(back, a)->quantized_accuracy == doctest::Approx(0.6422));
  StandaloneRecord other = b;
  other.epochs = 3;  // other settings: not the same result
  CHECK(find_standalone(back, other) == nullptr);
  other = b;
  other.test_images = 2000;
  CHECK(find_standalone(back, other) == nullptr);

  std::ofstream(p, std::ios::app) << "stages=2,2,128\n";
  CHECK_THROWS_AS(read_standalone_csv(p.string()), imc::common::InputError);
  fs::remove(p);
}
