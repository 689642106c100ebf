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

const std::vector<std::pair<const char*, AccuracyMethod>>& accuracy_method_names() {
  static const std::vector<std::pair<const char*, AccuracyMethod>> names = {
      {"train", AccuracyMethod::kTrain}, {"supernet", AccuracyMethod::kSupernet}};
  return names;
}

std::string to_string(AccuracyMethod m) {
  return common::name_of(m, accuracy_method_names());
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

// [accuracy.supernet]: the supernet's training (its cache key reads every one) and the scoring of
// candidates from it.
void describe_supernet(Fields& f, SupernetEvalOptions& s, const SupernetEvalOptions& d) {
  supernet::SupernetTrainOptions& t = s.train;
  const supernet::SupernetTrainOptions& dt = d.train;
  f.integer("epochs", t.epochs, IntDecl{dt.epochs, 1, 1000, "", "supernet training epochs"});
  f.integer("train_subset", t.train_subset,
            IntDecl{dt.train_subset, 0, kTrainImages, "images", "supernet training images; 0 = all 60,000"});
  f.integer("batch_size", t.batch_size,
            IntDecl{dt.batch_size, 1, 4096, "images", "images per sandwich step"});
  f.real("learning_rate", t.learning_rate,
         RealDecl{dt.learning_rate, 1e-6, 10, "", "Adam, cosine decay to 0 over the run"});
  f.integer("random_subnets", t.random_subnets,
            IntDecl{dt.random_subnets, 0, 16, "",
                    "random subnets per sandwich step (beside largest and smallest)"});
  f.real("label_weight", t.label_weight,
         RealDecl{dt.label_weight, 0, 1, "", "other subnets' loss: (1 - w) distillation + w cross-entropy"});
  std::int64_t seed = std::int64_t(t.seed);
  f.integer(
      "seed", seed,
      IntDecl{std::int64_t(dt.seed), 0, std::int64_t(1) << 62, "", "initialization, shuffling, sampling"});
  t.seed = std::uint64_t(seed);
  f.boolean("kernel_transform", t.supernet.kernel_transform, dt.supernet.kernel_transform,
            "OFA's learned transform for kernels smaller than the largest");
  f.real(
      "noise_sigma", t.supernet.noise_sigma,
      RealDecl{dt.supernet.noise_sigma, 0, 2, "", "relative Gaussian weight noise injected while training"});
  f.integer("recalibration_images", s.recalibration_images,
            IntDecl{d.recalibration_images, 1, kTrainImages, "images",
                    "training images re-measuring a candidate's batch-norm statistics"});
  f.integer("final_test_subset", s.final_test_subset,
            IntDecl{d.final_test_subset, 0, kTestImages, "images",
                    "test images scoring the final front; 0 = all 10,000"});
  f.integer("finetune_epochs", s.finetune_epochs,
            IntDecl{d.finetune_epochs, 0, 100, "",
                    "final front: epochs fine-tuning the inherited weights; 0 = off"});
  f.integer("standalone_epochs", s.standalone_epochs,
            IntDecl{d.standalone_epochs, 0, 100, "",
                    "final front: epochs training each member from scratch; 0 = off"});
  f.integer("train_threads", s.train_threads,
            IntDecl{d.train_threads, 1, 256, "", "torch threads while the supernet trains"});
}

// The seed is one setting: training (initialization, shuffling, noise) and the hardware draws.
void describe_seed(Fields& f, std::uint64_t& seed, std::uint64_t& train_seed, std::uint64_t def) {
  std::int64_t s = std::int64_t(seed);
  f.integer("seed", s, IntDecl{std::int64_t(def), 0, std::int64_t(1) << 62, "", "training and draw seed"});
  seed = train_seed = std::uint64_t(s);
}
}  // namespace

void describe(Fields& f, AccuracyOptions& o, const AccuracyOptions& d) {
  f.choice("method", o.method, d.method, accuracy_method_names(),
           "train = each network trains its own weights (the proxy budget below); supernet = inherited "
           "from the space's weight-sharing supernet ([accuracy.supernet])");
  f.section("supernet", "method = supernet: the supernet's training and the scoring of candidates",
            [&](Fields& g) { describe_supernet(g, o.supernet, d.supernet); });
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
