// imcsim accuracy: train a network on Fashion-MNIST (libtorch, quantization-aware), then report its
// float, quantized and hardware-aware accuracy (mean ± std over K chip draws through sim/functional).
#include <fmt/format.h>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "arch/load.h"
#include "cli/command.h"
#include "cli/output.h"
#include "common/config.h"
#include "workloads/load.h"
#if IMCSIM_HAS_ACCURACY
#include "nas/accuracy/accuracy.h"
#endif

namespace imc::cli {
namespace {

std::string default_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/imcsim/accuracy";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/imcsim/accuracy";
  return ".imcsim-cache/accuracy";
}

const Command kAccuracy{
    "accuracy", "Train on Fashion-MNIST, then float / quantized / hardware-aware (crossbar) test accuracy",
    60, [](CLI::App& sub) -> Action {
      struct Args {
        std::string arch, workload, json, cache_dir = default_cache_dir();
        bool no_cache = false, verbose = false;
#if IMCSIM_HAS_ACCURACY
        nas::accuracy::AccuracyOptions o;
#endif
      };
      auto a = std::make_shared<Args>();
#if IMCSIM_HAS_ACCURACY
      auto& o = a->o;
      o.train.epochs = 5;
      sub.add_option("--arch", a->arch, "arch TOML file (configs/arch/*.toml)")->required();
      sub.add_option("--workload", a->workload,
                     "zoo name or workload file (fmnist_cnn, fmnist_small, *.toml, *.onnx)")
          ->required();
      sub.add_option("--epochs", o.train.epochs, "training epochs")->capture_default_str();
      sub.add_option("--train-subset", o.train.train_subset, "first N training images (0 = all 60000)")
          ->capture_default_str();
      sub.add_option("--test-subset", o.test_subset, "first N test images (0 = all 10000)")
          ->capture_default_str();
      sub.add_option("--batch-size", o.train.batch_size, "training batch size")->capture_default_str();
      sub.add_option("--optimizer", o.train.optimizer, "adam | sgd")->capture_default_str();
      sub.add_option("--lr", o.train.learning_rate, "learning rate (0 = 1e-3 adam, 0.05 sgd)")
          ->capture_default_str();
      sub.add_option("--noise-sigma", o.train.noise_sigma, "relative weight noise injected in training")
          ->capture_default_str();
      sub.add_flag("!--no-qat", o.train.quantization_aware, "train in float (quantize only for inference)");
      sub.add_option("--weight-bits", o.weight_bits, "weight bits (0 = the arch's precision)")
          ->capture_default_str();
      sub.add_option("--input-bits", o.input_bits, "activation bits (0 = the arch's precision)")
          ->capture_default_str();
      sub.add_option("--draws", o.draws, "hardware draws (chip instances) K")->capture_default_str();
      sub.add_option("--seed", o.seed, "seed of the training and of the hardware draws")
          ->capture_default_str();
      sub.add_option("--adc-range", o.adc_range, "full | calibrated")->capture_default_str();
      sub.add_option("--threads", o.threads, "threads (0 = all cores)")->capture_default_str();
      sub.add_option("--cache-dir", a->cache_dir, "trained-weight cache folder")->capture_default_str();
      sub.add_flag("--no-cache", a->no_cache, "always train, store nothing");
      sub.add_option("--json", a->json, "write the result as JSON to this file");
      sub.add_flag("-v,--verbose", a->verbose, "print training progress");
      return [a]() {
        const arch::ArchSpec spec = arch::load_arch(a->arch);
        const workloads::Graph graph = workloads::load_workload(a->workload);
        nas::accuracy::AccuracyOptions o = a->o;
        o.train.seed = o.seed;
        o.cache_dir = a->no_cache ? "" : a->cache_dir;
        if (a->verbose) o.log = [](const std::string& s) { fmt::print(stderr, "{}\n", s); };
        const auto r = nas::accuracy::evaluate_accuracy(spec, graph, o);
        fmt::print("{} on {} ({}-bit weights, {}-bit inputs), {} test images\n", r.workload, spec.chip.name,
                   r.weight_bits, r.input_bits, r.test_images);
        fmt::print("training: {} images x {} epochs, {}\n", r.train_images, o.train.epochs,
                   r.from_cache ? "weights from the cache " + r.weights_file
                                : fmt::format("{:.1f} s", r.train_seconds));
        fmt::print("float accuracy       {:.2f} %\n", 100 * r.float_accuracy);
        fmt::print("quantized accuracy   {:.2f} %\n", 100 * r.quantized_accuracy);
        if (o.draws > 0)
          fmt::print(
              "hardware accuracy    {:.2f} ± {:.2f} % over {} draws (agrees with quantized on {:.2f} %; "
              "{:.3f} % of ADC conversions clipped; {:.1f} s)\n",
              100 * r.hardware_accuracy_mean, 100 * r.hardware_accuracy_std, o.draws,
              100 * r.hardware_agreement,
              r.adc_conversions ? 100.0 * double(r.adc_clipped) / double(r.adc_conversions) : 0.0,
              r.hardware_seconds);
        if (!a->json.empty()) {
          nlohmann::json j = nas::accuracy::to_json(r);
          j["arch"] = spec.chip.name;
          j["arch_file"] = a->arch;
          j["epochs"] = o.train.epochs;
          j["draws"] = o.draws;
          j["seed"] = o.seed;
          j["adc_range"] = o.adc_range;
          write_json(a->json, j);
        }
        return 0;
      };
#else
      sub.allow_extras();
      return []() -> int {
        throw common::InputError("accuracy: this imcsim was built without libtorch (-DIMCSIM_WITH_TORCH=OFF)");
      };
#endif
    }};

}  // namespace
}  // namespace imc::cli
