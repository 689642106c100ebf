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
#include "nas/accuracy/torch_plugin.h"
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
        std::string arch, workload, json, activity_out, cache_dir = default_cache_dir();
        bool no_cache = false, verbose = false;
#if IMCSIM_HAS_ACCURACY
        nas::accuracy::AccuracyOptions o;
        struct Flag {
          const char* flag;
          const char* key;  // in nas::accuracy::describe
          std::string value;
        };
        std::vector<Flag> flags = {{"--epochs", "epochs", ""},
                                   {"--train-subset", "train_subset", ""},
                                   {"--test-subset", "test_subset", ""},
                                   {"--batch-size", "batch_size", ""},
                                   {"--optimizer", "optimizer", ""},
                                   {"--lr", "learning_rate", ""},
                                   {"--noise-sigma", "noise_sigma", ""},
                                   {"--draws", "draws", ""},
                                   {"--seed", "seed", ""},
                                   {"--adc-range", "adc_range", ""},
                                   {"--calibration-images", "calibration_images", ""}};
#endif
      };
      auto a = std::make_shared<Args>();
#if IMCSIM_HAS_ACCURACY
      auto& base = a->o;  // the defaults; the flags below set it directly
      // The training and inference settings are those of a search's [accuracy] section (one
      // declaration: nas/accuracy/options.h), with this command's defaults (a full training run);
      // each flag's value is checked against that declaration when applied.
      sub.add_option("--arch", a->arch, "arch TOML file (configs/arch/*.toml)")->required();
      sub.add_option("--workload", a->workload,
                     "zoo name or workload file (fmnist_cnn, fmnist_small, *.toml, *.onnx)")
          ->required();
      for (auto& f : a->flags)
        sub.add_option(f.flag, f.value,
                       common::field_help(
                           [](common::Fields& fl) {
                             nas::accuracy::AccuracyOptions d;
                             nas::accuracy::describe(fl, d, d);
                           },
                           f.key));
      sub.add_flag("!--no-qat", base.train.quantization_aware,
                   "train in float (quantize only for inference)");
      sub.add_option("--weight-bits", base.weight_bits, "weight bits (0 = the arch's precision)")
          ->check(CLI::Range(0, 32))
          ->capture_default_str();
      sub.add_option("--input-bits", base.input_bits, "activation bits (0 = the arch's precision)")
          ->check(CLI::Range(0, 32))
          ->capture_default_str();
      // Bounded: each thread holds its own copy of the crossbar state; more threads than cores only
      // costs memory.
      sub.add_option("--threads", base.threads, "threads (0 = all cores; at most 1024)")
          ->check(CLI::Range(0, 1024))
          ->capture_default_str();
      sub.add_option("--cache-dir", a->cache_dir, "trained-weight cache folder")->capture_default_str();
      sub.add_flag("--no-cache", a->no_cache, "always train, store nothing");
      sub.add_option("--json", a->json, "write the result as JSON to this file");
      sub.add_option("--activity-out", a->activity_out,
                     "measure each crossbar layer's input bit densities on the test images and write "
                     "them as an activity file (JSON by layer, for estimate/simulate --activity)");
      sub.add_flag("-v,--verbose", a->verbose, "print training progress");
      return [a]() {
        const arch::ArchSpec spec = arch::load_arch(a->arch);
        const workloads::Graph graph = workloads::load_workload(a->workload);
        nas::accuracy::AccuracyOptions o = a->o;
        for (const auto& f : a->flags)
          if (!f.value.empty())
            common::set_field([&](common::Fields& fl) { nas::accuracy::describe(fl, o, a->o); }, f.key,
                              f.value, f.flag);
        o.cache_dir = a->no_cache ? "" : a->cache_dir;
        o.measure_activity = !a->activity_out.empty();
        if (a->verbose) o.log = [](const std::string& s) { fmt::print(stderr, "{}\n", s); };
        const nas::accuracy::TorchPlugin& torch = nas::accuracy::torch_plugin();  // loads libtorch
        const auto r = torch.evaluate_accuracy(spec, graph, o);
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
        if (!a->activity_out.empty()) {
          nlohmann::json j = nlohmann::json::object();
          for (const auto& [layer, d] : r.input_bit_density) {
            j[layer] = d;
            double mean = 0;
            for (double x : d) mean += x;
            fmt::print("activity {:<10} {:.3f} mean 1-bit density; per bit (LSB first):", layer,
                       d.empty() ? 0.0 : mean / double(d.size()));
            for (double x : d) fmt::print(" {:.3f}", x);
            fmt::print("\n");
          }
          write_json(a->activity_out, j);
        }
        if (!a->json.empty()) {
          nlohmann::json j = torch.to_json(r);
          j["arch"] = spec.chip.name;
          j["arch_file"] = a->arch;
          j["epochs"] = o.train.epochs;
          j["draws"] = o.draws;
          j["seed"] = o.seed;
          j["adc_range"] = nas::accuracy::to_string(o.adc_range);
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
