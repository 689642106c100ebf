// imcsim_vit_supernet: trains the ViT supernet of a search config's ViT genes on Fashion-MNIST (or
// loads it from the cache), then reports the float and quantized test accuracy of its largest,
// smallest and some random subnets after input-range recalibration, and with --arch their hardware-aware
// accuracy through sim/functional on that chip (calibrated ADC ranges, one draw).
#include <filesystem>

#include "arch/load.h"
#include "arch/overrides.h"
#include "nas/accuracy/score.h"
#include "nas/supernet/trainer_cli.h"
#include "nas/vit_supernet/train.h"

using namespace imc;
using namespace imc::nas::vit_supernet;
using imc::nas::accuracy::Precision;
using imc::nas::supernet::TrainerArgs;

int main(int argc, char** argv) {
  nas::supernet::restart_with_passive_omp(argv);
  CLI::App app{"Train (or load) the weight-sharing ViT supernet of a search config's ViT genes"};
  TrainerArgs a;
  nas::supernet::add_trainer_options(
      app, a,
      {"search config (its [network] ViT genes)", "Adam learning rate (warm-up, then cosine decay)",
       "training images for input-range recalibration"});
  const nas::supernet::SupernetTrainOptions& o = a.train;
  std::string arch_file;
  std::vector<std::string> arch_overrides;
  app.add_option("--arch", arch_file, "also score each subnet hardware-aware on this chip (sim/functional)");
  app.add_option("--set", arch_overrides, "arch overrides for --arch, key=value (e.g. adc.bits=8)");
  CLI11_PARSE(app, argc, argv);
  return nas::supernet::run_trainer([&] {
    nas::accuracy::configure_threads(a.threads);
    const nas::SearchSpace search = nas::SearchSpace::load(
        a.config, {"base_arch", "objectives", "cache_dir", "reference_point", "search", "constraints",
                   "accuracy", "optimizer", "formulation", "estimator", "lut_file", "learned_file"});
    const VitSupernetSpace space = VitSupernetSpace::from_search_space(search);
    const std::string key = vit_supernet_key(space, o);
    const nas::accuracy::Dataset data = nas::accuracy::load_fashion_mnist();
    nlohmann::json out{{"config", a.config}, {"key", key}, {"space", space.canonical()}};
    std::optional<VitSupernet> cached =
        a.cache_dir.empty()
            ? std::nullopt
            : load_vit_supernet(space, o.supernet.noise_sigma,
                                (std::filesystem::path(a.cache_dir) / vit_supernet_file_name(key)).string());
    const nas::supernet::TrainerFamily<VitSupernet> family{
        [&] { return VitSupernet(space, o.supernet.noise_sigma); },
        [&](VitSupernet& net, const auto& log) { return train_vit_supernet(net, data.train, o, log); },
        [&](VitSupernet& net) { return save_vit_supernet(net, a.cache_dir, key); }};
    VitSupernet net = nas::supernet::trained_or_cached(cached, family, a, out);
    const torch::Tensor calib = nas::accuracy::image_tensor(data.train, 0, a.calibration_images);
    const torch::Tensor x = nas::accuracy::image_tensor(data.test, 0, a.test_subset);
    const torch::Tensor y = nas::accuracy::label_tensor(data.test, 0, a.test_subset);
    const auto report = nas::supernet::reported_subnets(space, a);
    nas::supernet::report_accuracies(net, report, calib, x, y, out,
                                     [](const std::string&, const VitSubnet&) {});
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
      ao.test_subset = a.test_subset;
      ao.adc_range = nas::accuracy::AdcRange::kCalibrated;
      ao.threads = a.threads;
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
  });
}
