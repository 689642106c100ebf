// imcsim_supernet: trains the supernet of a search config's [network] genes on Fashion-MNIST (or
// loads it from the cache), then reports the quantized test accuracy of its largest and smallest
// subnets after batch-norm recalibration. A command of its own until the search uses supernets.
#include "nas/supernet/train.h"
#include "nas/supernet/trainer_cli.h"

using namespace imc;
using namespace imc::nas::supernet;
using imc::nas::accuracy::Precision;

int main(int argc, char** argv) {
  restart_with_passive_omp(argv);
  CLI::App app{"Train (or load) the weight-sharing supernet of a search config's network genes"};
  TrainerArgs a;
  add_trainer_options(app, a,
                      {"search config (its [network] genes)", "Adam learning rate (cosine decay)",
                       "training images for batch-norm recalibration"});
  SupernetTrainOptions& o = a.train;
  app.add_flag("!--no-kernel-transform", o.supernet.kernel_transform,
               "plain centre crops for smaller kernels");
  double range_quantile = 1.0;
  app.add_option("--range-quantile", range_quantile, "recalibration: input range at this quantile (1 = max)");
  CLI11_PARSE(app, argc, argv);
  return run_trainer([&] {
    nas::accuracy::configure_threads(a.threads);
    const nas::SearchSpace search =
        nas::SearchSpace::load(a.config, {"base_arch", "objectives", "cache_dir", "reference_point", "search",
                                          "constraints", "accuracy", "optimizer"});
    const SupernetSpace space = SupernetSpace::from_search_space(search);
    const std::string key = supernet_key(space, o);
    const nas::accuracy::Dataset data = nas::accuracy::load_fashion_mnist();
    nlohmann::json out{{"config", a.config}, {"key", key}, {"space", space.canonical()}};
    const TrainerFamily<Supernet> family{
        [&] { return Supernet(space, o.supernet); },
        [&](Supernet& net, const auto& log) { return train_supernet(net, data.train, o, log); },
        [&](Supernet& net) { return save_supernet(net, a.cache_dir, key); }};
    Supernet net = trained_or_cached(load_supernet(space, o.supernet, a.cache_dir, key), family, a, out);
    net->set_range_quantile(range_quantile);
    const torch::Tensor calib = nas::accuracy::image_tensor(data.train, 0, a.calibration_images);
    const torch::Tensor x = nas::accuracy::image_tensor(data.test, 0, a.test_subset);
    const torch::Tensor y = nas::accuracy::label_tensor(data.test, 0, a.test_subset);
    // Then the batch statistics of the test batches themselves: separates training from recalibration.
    report_accuracies(net, reported_subnets(space, a), calib, x, y, out,
                      [&](const std::string& name, const Subnet& s) {
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
                      });
    std::cout << out.dump(2) << std::endl;
  });
}
