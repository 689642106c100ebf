// imcsim_supernet: trains the supernet of a search config's [network] genes on Fashion-MNIST (or
// loads it from the cache), then reports the quantized test accuracy of its largest and smallest
// subnets after batch-norm recalibration. A command of its own until the search uses supernets.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/config.h"
#include "nas/accuracy/dataset.h"
#include "nas/accuracy/train.h"
#include "nas/supernet/train.h"

using namespace imc;
using namespace imc::nas::supernet;
using imc::nas::accuracy::Precision;

int main(int argc, char** argv) {
  // libgomp reads OMP_WAIT_POLICY when it loads: spinning idle threads starve a shared machine
  // (docs/accuracy.md), so set it and start again, as imcsim does.
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    execv("/proc/self/exe", argv);
  }
  CLI::App app{"Train (or load) the weight-sharing supernet of a search config's network genes"};
  std::string config, cache_dir;
  SupernetTrainOptions o;
  int threads = 1;
  std::int64_t test_subset = 0, calibration_images = 500;
  int random_report = 0;
  app.add_option("--config", config, "search config (its [network] genes)")->required();
  app.add_option("--epochs", o.epochs, "epochs over the training subset");
  app.add_option("--train-subset", o.train_subset, "first N training images (0 = all 60,000)");
  app.add_option("--batch-size", o.batch_size, "images per step");
  app.add_option("--lr", o.learning_rate, "Adam learning rate (cosine decay)");
  app.add_option("--random-subnets", o.random_subnets, "random subnets per sandwich step");
  app.add_option("--label-weight", o.label_weight,
                 "weight of the labels in the other subnets' loss (0 = distillation only)");
  app.add_option("--seed", o.seed, "initialization, shuffling, sampling");
  app.add_flag("!--no-kernel-transform", o.supernet.kernel_transform,
               "plain centre crops for smaller kernels");
  app.add_option("--noise-sigma", o.supernet.noise_sigma, "relative weight noise in training");
  app.add_option("--threads", threads, "torch threads");
  app.add_option("--test-subset", test_subset, "first N test images (0 = all 10,000)");
  app.add_option("--calibration-images", calibration_images, "training images for batch-norm recalibration");
  double range_quantile = 1.0;
  app.add_option("--range-quantile", range_quantile, "recalibration: input range at this quantile (1 = max)");
  app.add_option("--report-random", random_report, "also score N random subnets (seeded by --seed)");
  app.add_option("--cache-dir", cache_dir, "where trained supernets are kept (\"\" = no cache)");
  CLI11_PARSE(app, argc, argv);
  try {
    nas::accuracy::configure_threads(threads);
    const nas::SearchSpace search =
        nas::SearchSpace::load(config, {"base_arch", "objectives", "cache_dir", "reference_point", "search",
                                        "constraints", "accuracy", "optimizer"});
    const SupernetSpace space = SupernetSpace::from_search_space(search);
    const std::string key = supernet_key(space, o);
    const nas::accuracy::Dataset data = nas::accuracy::load_fashion_mnist();
    nlohmann::json out{{"config", config}, {"key", key}, {"space", space.canonical()}};
    std::optional<Supernet> cached =
        cache_dir.empty() ? std::nullopt : load_supernet(space, o.supernet, cache_dir, key);
    torch::manual_seed(o.seed);  // the initial weights
    Supernet net = cached ? *cached : Supernet(space, o.supernet);
    if (!cached) {
      const SupernetTrainStats st =
          train_supernet(net, data.train, o, [](const std::string& line) { std::cerr << line << std::endl; });
      out["train_seconds"] = st.seconds;
      out["epoch_seconds"] = st.epoch_seconds;
      out["epoch_loss_largest"] = st.epoch_loss_largest;
      if (!cache_dir.empty()) out["weights_file"] = save_supernet(net, cache_dir, key);
    }
    out["from_cache"] = bool(cached);
    net->set_range_quantile(range_quantile);
    const torch::Tensor calib = nas::accuracy::image_tensor(data.train, 0, calibration_images);
    const torch::Tensor x = nas::accuracy::image_tensor(data.test, 0, test_subset);
    const torch::Tensor y = nas::accuracy::label_tensor(data.test, 0, test_subset);
    std::vector<std::pair<std::string, Subnet>> report{{"largest", space.largest()},
                                                       {"smallest", space.smallest()}};
    std::mt19937_64 report_rng(o.seed + 1000);
    for (int k = 0; k < random_report; ++k)
      report.emplace_back(fmt::format("random{}", k), space.sample(report_rng));
    for (const auto& [name, s] : report) {
      // Each precision with its own recalibration: the statistics differ with quantization.
      out[name] = {{"subnet", to_string(s)}};
      for (const auto& [figure, p] : {std::pair{"float_accuracy", Precision::Float},
                                      std::pair{"quantized_accuracy", Precision::Quantized}}) {
        net->recalibrate(s, calib, p);
        auto e = net->export_subnet(s, name);
        out[name][figure] = nas::accuracy::accuracy_of(nas::accuracy::predict(e.net, x, p), y);
      }
      {  // batch statistics of the test batches themselves: separates training from recalibration
        torch::NoGradGuard ng;
        net->train();
        std::int64_t right = 0;
        for (std::int64_t b = 0; b < x.size(0); b += 250) {
          const torch::Tensor xb = x.slice(0, b, std::min(x.size(0), b + 250));
          right += net->forward(xb, s, Precision::Float)
                       .argmax(1)
                       .eq(y.slice(0, b, b + xb.size(0)))
                       .sum()
                       .item<std::int64_t>();
        }
        net->eval();
        out[name]["float_accuracy_batch_stats"] = double(right) / double(x.size(0));
      }
    }
    std::cout << out.dump(2) << std::endl;
  } catch (const common::InputError& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 2;
  }
  return 0;
}
