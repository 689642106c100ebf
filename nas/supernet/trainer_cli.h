// What the two supernet trainer programs share (nas/supernet/train_main.cpp, imcsim_supernet, and
// nas/vit_supernet/train_main.cpp, imcsim_vit_supernet): the restart with a passive OpenMP wait
// policy, the training options, training or loading the supernet with the JSON figures of it, and
// the float / quantized test accuracy of the reported subnets. Header-only: each program links
// CLI11 and nlohmann-json itself.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/config.h"
#include "nas/accuracy/dataset.h"
#include "nas/accuracy/train.h"
#include "nas/supernet/options.h"
#include "nas/supernet/sandwich.h"

namespace imc::nas::supernet {

// libgomp reads OMP_WAIT_POLICY when it loads: spinning idle threads starve a shared machine
// (docs/accuracy.md), so set it and start again, as imcsim does.
inline void restart_with_passive_omp(char** argv) {
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    execv("/proc/self/exe", argv);
  }
}

struct TrainerArgs {
  std::string config, cache_dir;
  SupernetTrainOptions train;
  int threads = 1;
  std::int64_t test_subset = 0, calibration_images = 500;
  int random_report = 0;
};

// The help texts that differ between the families.
struct TrainerHelp {
  std::string config;       // --config
  std::string lr;           // --lr
  std::string calibration;  // --calibration-images
};

inline void add_trainer_options(CLI::App& app, TrainerArgs& a, const TrainerHelp& help) {
  SupernetTrainOptions& o = a.train;
  app.add_option("--config", a.config, help.config)->required();
  app.add_option("--epochs", o.epochs, "epochs over the training subset");
  app.add_option("--train-subset", o.train_subset, "first N training images (0 = all 60,000)");
  app.add_option("--batch-size", o.batch_size, "images per step");
  app.add_option("--lr", o.learning_rate, help.lr);
  app.add_option("--random-subnets", o.random_subnets, "random subnets per sandwich step");
  app.add_option("--label-weight", o.label_weight,
                 "weight of the labels in the other subnets' loss (0 = distillation only)");
  app.add_option("--seed", o.seed, "initialization, shuffling, sampling");
  app.add_option("--noise-sigma", o.supernet.noise_sigma, "relative weight noise in training");
  app.add_option("--threads", a.threads, "torch threads");
  app.add_option("--test-subset", a.test_subset, "first N test images (0 = all 10,000)");
  app.add_option("--calibration-images", a.calibration_images, help.calibration);
  app.add_option("--report-random", a.random_report, "also score N random subnets (seeded by --seed)");
  app.add_option("--cache-dir", a.cache_dir, "where trained supernets are kept (\"\" = no cache)");
}

// How a family's trainer builds, trains and saves its supernet.
template <class ModuleHolder>
struct TrainerFamily {
  std::function<ModuleHolder()> make;  // a new supernet (initial weights from torch's seed)
  std::function<SupernetTrainStats(ModuleHolder&, const std::function<void(const std::string&)>& log)> train;
  std::function<std::string(ModuleHolder&)> save;  // into the cache folder; returns the file
};

// The cached supernet, or a new one (torch seeded with the training seed) trained now and saved
// when there is a cache folder; records train_seconds, epoch_seconds, epoch_loss_largest,
// weights_file and from_cache in `out`.
template <class ModuleHolder>
ModuleHolder trained_or_cached(std::optional<ModuleHolder> cached, const TrainerFamily<ModuleHolder>& family,
                               const TrainerArgs& a, nlohmann::json& out) {
  torch::manual_seed(a.train.seed);  // the initial weights
  ModuleHolder net = cached ? *cached : family.make();
  if (!cached) {
    const SupernetTrainStats st =
        family.train(net, [](const std::string& line) { std::cerr << line << std::endl; });
    out["train_seconds"] = st.seconds;
    out["epoch_seconds"] = st.epoch_seconds;
    out["epoch_loss_largest"] = st.epoch_loss_largest;
    if (!a.cache_dir.empty()) out["weights_file"] = family.save(net);
  }
  out["from_cache"] = bool(cached);
  return net;
}

// The subnets a trainer reports: "largest", "smallest", then "random0".. (seeded by seed + 1000).
template <class Space>
auto reported_subnets(const Space& space, const TrainerArgs& a) {
  std::vector<std::pair<std::string, decltype(space.largest())>> report{{"largest", space.largest()},
                                                                        {"smallest", space.smallest()}};
  std::mt19937_64 report_rng(a.train.seed + 1000);
  for (int k = 0; k < a.random_report; ++k)
    report.emplace_back(fmt::format("random{}", k), space.sample(report_rng));
  return report;
}

// out[name] = {"subnet", "float_accuracy", "quantized_accuracy"} on the test images (x, y), each
// precision with its own recalibration on `calib` (the statistics / ranges differ with quantization);
// then `more(name, subnet)` adds a family's own figures of the subnet, before the next subnet.
template <class ModuleHolder, class Report, class More>
void report_accuracies(ModuleHolder& net, const Report& report, const torch::Tensor& calib,
                       const torch::Tensor& x, const torch::Tensor& y, nlohmann::json& out,
                       const More& more) {
  using accuracy::Precision;
  for (const auto& [name, s] : report) {
    out[name] = {{"subnet", to_string(s)}};
    for (const auto& [figure, p] : {std::pair{"float_accuracy", Precision::Float},
                                    std::pair{"quantized_accuracy", Precision::Quantized}}) {
      net->recalibrate(s, calib, p);
      auto e = net->export_subnet(s, name);
      out[name][figure] = accuracy::accuracy_of(accuracy::predict(e.net, x, p), y);
    }
    more(name, s);
  }
}

// Runs a trainer's body: bad input is reported on stderr with exit code 2, as the CLI does.
inline int run_trainer(const std::function<void()>& body) {
  try {
    body();
  } catch (const common::InputError& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 2;
  }
  return 0;
}

}  // namespace imc::nas::supernet
