// The settings of the accuracy objective (proxy training and hardware-aware inference), declared
// once: `imcsim accuracy`'s flags, the search's [accuracy] section and the checks before training
// all read describe(Fields&, AccuracyOptions&, defaults). This header and options.cpp do not need
// libtorch (the search's config loader uses them in every build).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/config.h"
#include "nas/supernet/options.h"

namespace imc::nas::accuracy {

enum class TrainOptimizer { kAdam, kSgd };  // sgd: momentum 0.9, Nesterov, weight decay 5e-4
// Where a candidate's weights come from: its own proxy training, or inherited from the search
// space's weight-sharing supernet (nas/supernet, docs/supernet.md).
enum class AccuracyMethod { kTrain, kSupernet };
enum class AdcRange {
  kFull,        // the ADC covers the largest possible column sum of a read
  kCalibrated,  // the largest one seen on calibration images
};
const std::vector<std::pair<const char*, TrainOptimizer>>& train_optimizer_names();  // "adam", "sgd"
const std::vector<std::pair<const char*, AdcRange>>& adc_range_names();              // "full", "calibrated"
const std::vector<std::pair<const char*, AccuracyMethod>>& accuracy_method_names();  // "train", "supernet"
std::string to_string(TrainOptimizer o);
std::string to_string(AdcRange r);
std::string to_string(AccuracyMethod m);

// method = "supernet": how the supernet is trained (once per space and settings, cached) and how a
// candidate is scored from it.
struct SupernetEvalOptions {
  supernet::SupernetTrainOptions train;
  std::int64_t recalibration_images = 500;  // training images re-measuring a subnet's BN statistics
  std::int64_t final_test_subset = 0;       // test images for the final front (0 = all 10,000)
  int finetune_epochs = 0;                  // final front: fine-tune the inherited weights (0 = off)
  int standalone_epochs = 0;                // final front: train from scratch (0 = off)
  int train_threads = 2;                    // torch threads while the supernet trains
  std::string shipped_dir;  // trained supernets shipped with the project, looked up before the cache
};

struct TrainOptions {
  int epochs = 5;
  std::int64_t train_subset = 0;  // first N training images; 0 = all 60,000
  int batch_size = 64;
  TrainOptimizer optimizer = TrainOptimizer::kAdam;
  double learning_rate = 0;        // 0 = 1e-3 (adam) or 0.05 (sgd); cosine decay to 0 over the run
  std::uint64_t seed = 1;          // initialization, shuffling, injected noise
  bool quantization_aware = true;  // fake-quantize weights and crossbar inputs while training
  double noise_sigma = 0;          // relative Gaussian weight noise injected while training (0 = off)
};

struct AccuracyOptions {
  AccuracyMethod method = AccuracyMethod::kTrain;
  SupernetEvalOptions supernet;  // method = supernet
  TrainOptions train;
  int weight_bits = 0;           // 0 = the arch's precision.weight_bits
  int input_bits = 0;            // 0 = the arch's precision.input_bits
  std::int64_t test_subset = 0;  // first N test images; 0 = all 10,000
  int draws = 1;                 // hardware draws (chip instances); 0 = skip hardware inference
  std::uint64_t seed = 1;        // hardware draws: draw k uses seed + k
  AdcRange adc_range = AdcRange::kFull;
  std::int64_t calibration_images = 256;  // training images used by adc_range = calibrated
  std::string cache_dir;                  // trained weights; "" = no cache (always train)
  std::string dataset_dir;                // "" = $IMCSIM_FMNIST_DIR or /usr/share/datasets/fashion-mnist
  int threads = 0;                        // 0 = all hardware threads
  // Measure each crossbar layer's input bit densities on the test images (one more exact-product
  // pass): AccuracyResult::input_bit_density, the data-dependent activity of workloads/activity.h.
  bool measure_activity = false;
  std::function<void(const std::string&)> log;  // progress lines (optional)
};

// Every declared setting (keys: method, the [accuracy.supernet] subsection, epochs, train_subset,
// test_subset, batch_size, optimizer, learning_rate, quantization_aware, noise_sigma, draws, adc_range,
// calibration_images, seed; `seed` sets both the training and the draw seed). `defaults` gives the defaults
// (the search's proxy budget and the command's full run differ); ranges, units and docs are the same for
// every caller.
void describe(common::Fields& f, AccuracyOptions& o, const AccuracyOptions& defaults);
// The defaults of the search's [accuracy] section: a proxy budget (one epoch on 2000 images, 500
// test images, calibrated ADC ranges).
AccuracyOptions search_proxy_defaults();

// Checks every declared setting against its declaration, and the bits; InputError "accuracy: ..."
// naming the setting and the allowed range.
void check_options(const AccuracyOptions& options);
void check_train_options(const TrainOptions& options);

}  // namespace imc::nas::accuracy
