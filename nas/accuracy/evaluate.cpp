#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/config.h"
#include "nas/accuracy/accuracy.h"
#include "nas/accuracy/activity_measure.h"
#include "nas/accuracy/cache.h"
#include "nas/accuracy/hardware.h"
#include "nas/accuracy/score.h"
#include "nas/accuracy/train.h"

namespace imc::nas::accuracy {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// The dataset is read once per process (the search evaluates many candidates).
const Dataset& cached_dataset(const std::string& dir) {
  static std::mutex mu;
  static std::map<std::string, Dataset> loaded;
  std::lock_guard<std::mutex> lock(mu);
  auto it = loaded.find(dir);
  if (it == loaded.end()) it = loaded.emplace(dir, load_fashion_mnist(dir)).first;
  return it->second;
}

AccuracyResult evaluate_accuracy(const arch::ArchSpec& spec, const workloads::Graph& graph,
                                 const AccuracyOptions& o) {
  check_options(o);
  check_fmnist_graph(graph);
  configure_threads(o.threads);
  auto log = [&](const std::string& s) {
    if (o.log) o.log(s);
  };
  AccuracyResult r;
  r.workload = graph.name();
  r.weight_bits = o.weight_bits ? o.weight_bits : spec.precision.weight_bits;
  r.input_bits = o.input_bits ? o.input_bits : spec.precision.input_bits;
  const Dataset& data = cached_dataset(o.dataset_dir);
  r.key = training_key(graph, r.weight_bits, r.input_bits, o.train);

  torch::manual_seed(o.train.seed);  // initialization
  GraphNet net(graph, QuantBits{r.weight_bits, r.input_bits}, o.train.noise_sigma);
  r.train_images = o.train.train_subset > 0 ? std::min<std::int64_t>(o.train.train_subset, data.train.count)
                                            : data.train.count;
  if (auto rec = load_cached(net, o.cache_dir, r.key)) {
    r.from_cache = true;
    r.weights_file = cache_path(o.cache_dir, graph.name(), r.key, "pt");
    log(fmt::format("trained weights from the cache: {}", r.weights_file));
  } else {
    log(fmt::format("training {} on {} images x {} epochs ({}-bit weights, {}-bit inputs)", graph.name(),
                    r.train_images, o.train.epochs, r.weight_bits, r.input_bits));
    const TrainStats st = train(net, data.train, o.train, o.log);
    r.train_seconds = st.seconds;
    if (!o.cache_dir.empty()) {
      nlohmann::json record{{"workload", graph.name()},
                            {"key", r.key},
                            {"weight_bits", r.weight_bits},
                            {"input_bits", r.input_bits},
                            {"epochs", o.train.epochs},
                            {"train_subset", o.train.train_subset},
                            {"batch_size", o.train.batch_size},
                            {"optimizer", to_string(o.train.optimizer)},
                            {"learning_rate", o.train.learning_rate},
                            {"seed", o.train.seed},
                            {"quantization_aware", o.train.quantization_aware},
                            {"noise_sigma", o.train.noise_sigma},
                            {"train_images_processed", st.images},
                            {"train_seconds", st.seconds},
                            {"final_loss", st.final_loss}};
      r.weights_file = save_cached(net, o.cache_dir, r.key, record);
    }
  }

  score_network(spec, net, data, o, r);
  return r;
}

void score_network(const arch::ArchSpec& spec, GraphNet& net, const Dataset& data, const AccuracyOptions& o,
                   AccuracyResult& r) {
  auto log = [&](const std::string& s) {
    if (o.log) o.log(s);
  };
  const std::int64_t n_test = o.test_subset > 0 ? o.test_subset : data.test.count;
  const torch::Tensor images = image_tensor(data.test, 0, n_test),
                      labels = label_tensor(data.test, 0, n_test);
  r.test_images = n_test;
  r.float_accuracy = accuracy_of(predict(net, images, Precision::Float), labels);
  const std::vector<int> quantized = predict(net, images, Precision::Quantized);
  r.quantized_accuracy = accuracy_of(quantized, labels);
  log(fmt::format("float {:.4f}, quantized {:.4f} on {} test images", r.float_accuracy, r.quantized_accuracy,
                  n_test));

  if (o.measure_activity) {
    ExactBackend exact(net);
    ActivityBackend measured(net, exact);
    predict(net, images, Precision::Quantized, &measured);  // the products are exact: only the inputs count
    r.input_bit_density = measured.densities();
  }

  const auto t0 = std::chrono::steady_clock::now();
  double agree_sum = 0;
  for (int k = 0; k < o.draws; ++k) {
    HardwareBackend hw(spec, net, o.seed + std::uint64_t(k));
    if (o.adc_range == AdcRange::kCalibrated)
      hw.calibrate(net, image_tensor(data.train, 0, std::min(o.calibration_images, data.train.count)));
    const std::vector<int> pred = predict(net, images, Precision::Quantized, &hw);
    r.hardware_accuracy.push_back(accuracy_of(pred, labels));
    std::int64_t same = 0;
    for (std::size_t i = 0; i < pred.size(); ++i) same += pred[i] == quantized[i];
    agree_sum += double(same) / double(pred.size());
    const auto st = hw.stats();
    r.adc_conversions += st.conversions;
    r.adc_clipped += st.clipped_high + st.clipped_low;
    log(fmt::format("hardware draw {}/{}: {:.4f} ({:.1f} s)", k + 1, o.draws, r.hardware_accuracy.back(),
                    seconds_since(t0)));
  }
  r.hardware_seconds = seconds_since(t0);
  if (!r.hardware_accuracy.empty()) {
    double s = 0;
    for (double a : r.hardware_accuracy) s += a;
    r.hardware_accuracy_mean = s / double(r.hardware_accuracy.size());
    double v = 0;
    for (double a : r.hardware_accuracy) v += (a - r.hardware_accuracy_mean) * (a - r.hardware_accuracy_mean);
    r.hardware_accuracy_std =
        r.hardware_accuracy.size() > 1 ? std::sqrt(v / double(r.hardware_accuracy.size() - 1)) : 0;
    r.hardware_agreement = agree_sum / double(r.hardware_accuracy.size());
  }
}

nlohmann::json to_json(const AccuracyResult& r) {
  return nlohmann::json{{"workload", r.workload},
                        {"key", r.key},
                        {"weights_file", r.weights_file},
                        {"from_cache", r.from_cache},
                        {"weight_bits", r.weight_bits},
                        {"input_bits", r.input_bits},
                        {"train_images", r.train_images},
                        {"test_images", r.test_images},
                        {"train_seconds", r.train_seconds},
                        {"float_accuracy", r.float_accuracy},
                        {"quantized_accuracy", r.quantized_accuracy},
                        {"hardware_accuracy", r.hardware_accuracy},
                        {"hardware_accuracy_mean", r.hardware_accuracy_mean},
                        {"hardware_accuracy_std", r.hardware_accuracy_std},
                        {"hardware_agreement", r.hardware_agreement},
                        {"hardware_seconds", r.hardware_seconds},
                        {"adc_conversions", r.adc_conversions},
                        {"adc_clipped", r.adc_clipped},
                        {"input_bit_density", r.input_bit_density}};
}

}  // namespace imc::nas::accuracy
