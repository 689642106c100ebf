#include "nas/accuracy/options.h"

#include <fmt/format.h>

namespace imc::nas::accuracy {

using common::Fields;
using common::IntDecl;
using common::RealDecl;

const std::vector<std::pair<const char*, TrainOptimizer>>& train_optimizer_names() {
  static const std::vector<std::pair<const char*, TrainOptimizer>> names = {{"adam", TrainOptimizer::kAdam},
                                                                            {"sgd", TrainOptimizer::kSgd}};
  return names;
}

const std::vector<std::pair<const char*, AdcRange>>& adc_range_names() {
  static const std::vector<std::pair<const char*, AdcRange>> names = {{"full", AdcRange::kFull},
                                                                      {"calibrated", AdcRange::kCalibrated}};
  return names;
}

std::string to_string(TrainOptimizer o) {
  return common::name_of(o, train_optimizer_names());
}
std::string to_string(AdcRange r) {
  return common::name_of(r, adc_range_names());
}

namespace {
constexpr std::int64_t kTrainImages = 60000;  // Fashion-MNIST
constexpr std::int64_t kTestImages = 10000;

// The training settings alone (check_train_options reads only these).
void describe_train(Fields& f, TrainOptions& t, const TrainOptions& d) {
  f.integer("epochs", t.epochs, IntDecl{d.epochs, 1, 1000, "", "training epochs"});
  f.integer("train_subset", t.train_subset,
            IntDecl{d.train_subset, 0, kTrainImages, "images", "training images per epoch; 0 = all 60,000"});
  f.integer("batch_size", t.batch_size, IntDecl{d.batch_size, 1, kTrainImages, "images", "training batch"});
  f.choice("optimizer", t.optimizer, d.optimizer, train_optimizer_names(),
           "training optimizer (sgd: momentum 0.9, Nesterov, weight decay 5e-4)");
  f.real(
      "learning_rate", t.learning_rate,
      RealDecl{d.learning_rate, 0, 10, "", "0 = 1e-3 (adam) or 0.05 (sgd); cosine decay to 0 over the run"});
  f.boolean("quantization_aware", t.quantization_aware, d.quantization_aware,
            "fake-quantize weights and inputs while training");
  f.real("noise_sigma", t.noise_sigma,
         RealDecl{d.noise_sigma, 0, 2, "", "relative Gaussian weight noise injected while training"});
}

// The seed is one setting: training (initialization, shuffling, noise) and the hardware draws.
void describe_seed(Fields& f, std::uint64_t& seed, std::uint64_t& train_seed, std::uint64_t def) {
  std::int64_t s = std::int64_t(seed);
  f.integer("seed", s, IntDecl{std::int64_t(def), 0, std::int64_t(1) << 62, "", "training and draw seed"});
  seed = train_seed = std::uint64_t(s);
}
}  // namespace

void describe(Fields& f, AccuracyOptions& o, const AccuracyOptions& d) {
  describe_train(f, o.train, d.train);
  f.integer("test_subset", o.test_subset,
            IntDecl{d.test_subset, 0, kTestImages, "images", "test images; 0 = all 10,000"});
  f.integer(
      "draws", o.draws,
      IntDecl{d.draws, 0, 10000, "",
              "chip instances (draws of variation and faults); 0 = no hardware inference (a search needs "
              ">= 1)"});
  f.choice("adc_range", o.adc_range, d.adc_range, adc_range_names(),
           "ADC range: the full partial-sum range, or calibrated on training images");
  f.integer("calibration_images", o.calibration_images,
            IntDecl{d.calibration_images, 1, kTrainImages, "images", "for adc_range = calibrated"});
  describe_seed(f, o.seed, o.train.seed, d.seed);
}

AccuracyOptions search_proxy_defaults() {
  AccuracyOptions d;
  d.train.epochs = 1;
  d.train.train_subset = 2000;
  d.test_subset = 500;
  d.adc_range = AdcRange::kCalibrated;
  return d;
}

void check_train_options(const TrainOptions& o) {
  TrainOptions copy = o;  // the checker reads through the visitor's non-const references
  common::check_fields([&](Fields& f) { describe_train(f, copy, copy); }, "accuracy");
}

void check_options(const AccuracyOptions& o) {
  AccuracyOptions copy = o;
  copy.log = nullptr;
  common::check_fields([&](Fields& f) { describe(f, copy, copy); }, "accuracy");
  auto bits = [](const char* what, int v) {
    if (v != 0 && (v < 2 || v > 16))
      throw common::InputError(fmt::format("accuracy: {} = {}: allowed 0 (the arch's) or 2..16", what, v));
  };
  bits("weight_bits", o.weight_bits);
  bits("input_bits", o.input_bits);
}

}  // namespace imc::nas::accuracy
