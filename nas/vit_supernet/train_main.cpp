// imcsim_vit_supernet: trains the ViT supernet of a search config's ViT genes on Fashion-MNIST (or
// loads it from the cache), then reports the float and quantized test accuracy of its largest,
// smallest and some random subnets after input-range recalibration, and with --arch their hardware-aware
// accuracy through sim/functional on that chip (calibrated ADC ranges, one draw).
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "arch/load.h"
#include "arch/overrides.h"
#include "common/config.h"
#include "nas/accuracy/dataset.h"
#include "nas/accuracy/score.h"
#include "nas/accuracy/train.h"
#include "nas/vit_supernet/train.h"

using namespace imc;
using namespace imc::nas::vit_supernet;
using imc::nas::accuracy::Precision;

int main(int argc, char** argv) {
  // libgomp reads OMP_WAIT_POLICY when it loads: spinning idle threads starve a shared machine
  // (docs/accuracy.md), so set it and start again, as imcsim does.
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    execv("/proc/self/exe", argv);
  }
  CLI::App app{"Train (or load) the weight-sharing ViT supernet of a search config's ViT genes"};
  std::string config, cache_dir, arch_file;
  std::vector<std::string> arch_overrides;
  nas::supernet::SupernetTrainOptions o;
  int threads = 1, random_report = 0;
  std::int64_t test_subset = 0, calibration_images = 500;
  app.add_option("--config", config, "search config (its [network] ViT genes)")->required();
  app.add_option("--epochs", o.epochs, "epochs over the training subset");
  app.add_option("--train-subset", o.train_subset, "first N training images (0 = all 60,000)");
  app.add_option("--batch-size", o.batch_size, "images per step");
  app.add_option("--lr", o.learning_rate, "Adam learning rate (warm-up, then cosine decay)");
  app.add_option("--random-subnets", o.random_subnets, "random subnets per sandwich step");
  app.add_option("--label-weight", o.label_weight, "weight of the labels in the other subnets' loss");
  app.add_option("--seed", o.seed, "initialization, shuffling, sampling");
  app.add_option("--noise-sigma", o.supernet.noise_sigma, "relative weight noise in training");
  app.add_option("--threads", threads, "torch threads");
  app.add_option("--test-subset", test_subset, "first N test images (0 = all 10,000)");
  app.add_option("--calibration-images", calibration_images, "training images for input-range recalibration");
  app.add_option("--report-random", random_report, "also score N random subnets (seeded by --seed)");
  app.add_option("--arch", arch_file, "also score each subnet hardware-aware on this chip (sim/functional)");
  app.add_option("--set", arch_overrides, "arch overrides for --arch, key=value (e.g. adc.bits=8)");
  app.add_option("--cache-dir", cache_dir, "where trained supernets are kept (\"\" = no cache)");
  CLI11_PARSE(app, argc, argv);
  try {
    nas::accuracy::configure_threads(threads);
    const nas::SearchSpace search = nas::SearchSpace::load(
        config, {"base_arch", "objectives", "cache_dir", "reference_point", "search", "constraints",
                 "accuracy", "optimizer", "formulation", "estimator", "lut_file", "learned_file"});
    const VitSupernetSpace space = VitSupernetSpace::from_search_space(search);
    const std::string key = vit_supernet_key(space, o);
    const nas::accuracy::Dataset data = nas::accuracy::load_fashion_mnist();
    nlohmann::json out{{"config", config}, {"key", key}, {"space", space.canonical()}};
    std::optional<VitSupernet> cached =
        cache_dir.empty()
            ? std::nullopt
            : load_vit_supernet(space, o.supernet.noise_sigma,
                                (std::filesystem::path(cache_dir) / vit_supernet_file_name(key)).string());
    torch::manual_seed(o.seed);
    VitSupernet net = cached ? *cached : VitSupernet(space, o.supernet.noise_sigma);
    if (!cached) {
      const VitTrainStats st = train_vit_supernet(
          net, data.train, o, [](const std::string& line) { std::cerr << line << std::endl; });
      out["train_seconds"] = st.seconds;
      out["epoch_seconds"] = st.epoch_seconds;
      out["epoch_loss_largest"] = st.epoch_loss_largest;
      if (!cache_dir.empty()) out["weights_file"] = save_vit_supernet(net, cache_dir, key);
    }
    out["from_cache"] = bool(cached);
    const torch::Tensor calib = nas::accuracy::image_tensor(data.train, 0, calibration_images);
    const torch::Tensor x = nas::accuracy::image_tensor(data.test, 0, test_subset);
    const torch::Tensor y = nas::accuracy::label_tensor(data.test, 0, test_subset);
    std::vector<std::pair<std::string, VitSubnet>> report{{"largest", space.largest()},
                                                          {"smallest", space.smallest()}};
    std::mt19937_64 report_rng(o.seed + 1000);
    for (int k = 0; k < random_report; ++k)
      report.emplace_back(fmt::format("random{}", k), space.sample(report_rng));
    for (const auto& [name, s] : report) {
      out[name] = {{"subnet", to_string(s)}};
      for (const auto& [figure, p] : {std::pair{"float_accuracy", Precision::Float},
                                      std::pair{"quantized_accuracy", Precision::Quantized}}) {
        net->recalibrate(s, calib, p);
        auto e = net->export_subnet(s, name);
        out[name][figure] = nas::accuracy::accuracy_of(nas::accuracy::predict(e.net, x, p), y);
      }
    }
    if (!arch_file.empty()) {
      arch::ArchSpec spec = arch::load_arch(arch_file);
      std::vector<arch::Override> ov;
      for (const std::string& kv : arch_overrides) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos) throw common::InputError("--set " + kv + ": expected key=value");
        const std::string v = kv.substr(eq + 1);
        char* end = nullptr;
        const double num = std::strtod(v.c_str(), &end);
        ov.push_back({kv.substr(0, eq), end && *end == 0 ? arch::ParamValue(num) : arch::ParamValue(v)});
      }
      arch::apply_overrides(spec, ov, std::filesystem::path(arch_file).parent_path().string());
      nas::accuracy::AccuracyOptions ao;
      ao.test_subset = test_subset;
      ao.adc_range = nas::accuracy::AdcRange::kCalibrated;
      ao.threads = threads;
      for (const auto& [name, s] : report) {
        spec.precision.weight_bits = s.weight_bits, spec.precision.input_bits = s.activation_bits;
        net->recalibrate(s, calib, Precision::Quantized);
        auto e = net->export_subnet(s, name);
        nas::accuracy::AccuracyResult r;
        nas::accuracy::score_network(spec, e.net, data, ao, r);
        out[name]["hardware_accuracy"] = r.hardware_accuracy_mean;
        out[name]["hardware_quantized_accuracy"] = r.quantized_accuracy;
      }
    }
    std::cout << out.dump(2) << std::endl;
  } catch (const common::InputError& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 2;
  }
  return 0;
}
