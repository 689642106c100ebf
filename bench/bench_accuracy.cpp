// Throughput of the accuracy evaluator on the reference CNN (fmnist_cnn): training images/s
// (quantization-aware, libtorch) and hardware-aware inference images/s (sim/functional), on
// `--threads` cores (default 2). Targets: 5,000 and 2,000 images/s on 2 cores.
// `--full E` also trains fmnist_cnn on all 60,000 images for E epochs and reports test accuracy.
//
//   bench_accuracy [--arch configs/arch/rram_default.toml] [--threads 2] [--train-images 4096]
//                  [--infer-images 500] [--full 0] [--cache-dir DIR (for --full)]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "arch/load.h"
#include "nas/accuracy/accuracy.h"
#include "nas/accuracy/hardware.h"
#include "nas/accuracy/train.h"
#include "workloads/zoo.h"

using namespace imc;
using namespace imc::nas::accuracy;

int main(int argc, char** argv) {
  std::string arch_file = "configs/arch/rram_default.toml", cache_dir;
  int threads = 2, full_epochs = 0;
  std::int64_t train_images = 4096, infer_images = 500;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--arch") arch_file = v;
    else if (k == "--threads") threads = std::stoi(v);
    else if (k == "--train-images") train_images = std::stoll(v);
    else if (k == "--infer-images") infer_images = std::stoll(v);
    else if (k == "--full") full_epochs = std::stoi(v);
    else if (k == "--cache-dir") cache_dir = v;
    else {
      fmt::print(stderr, "unknown option {}\n", k);
      return 2;
    }
  }
  try {
    configure_threads(threads);
    const arch::ArchSpec spec = arch::load_arch(arch_file);
    const workloads::Graph g = workloads::zoo_network("fmnist_cnn");
    const Dataset data = load_fashion_mnist();
    fmt::print("fmnist_cnn: {:.2f} M MACs/image; {} threads; arch {}\n", double(g.total_macs()) / 1e6, threads,
               spec.chip.name);

    torch::manual_seed(1);
    GraphNet net(g, QuantBits{spec.precision.weight_bits, spec.precision.input_bits});
    TrainOptions o;
    o.epochs = 1;
    o.train_subset = train_images;
    const TrainStats st = train(net, data.train, o);
    fmt::print("training (QAT, batch {}): {} images in {:.2f} s = {:.0f} images/s (target 5000)\n", o.batch_size,
               st.images, st.seconds, double(st.images) / st.seconds);

    const torch::Tensor x = image_tensor(data.test, 0, infer_images);
    auto t0 = std::chrono::steady_clock::now();
    predict(net, x, Precision::Quantized);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("quantized software inference: {:.0f} images/s\n", double(infer_images) / s);
    t0 = std::chrono::steady_clock::now();
    HardwareBackend hw(spec, net, 1);
    const double program_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    t0 = std::chrono::steady_clock::now();
    predict(net, x, Precision::Quantized, &hw);
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::int64_t cell_macs = 0;
    for (int node : net->crossbar_nodes()) {
      const auto& t = hw.layer(node).tiling();
      const auto wm = g.weight_matrix(node);
      cell_macs += wm.vectors * t.groups * t.rows * t.phys_cols * t.input_slices;
    }
    fmt::print("hardware-aware inference: {} images in {:.2f} s = {:.0f} images/s (target 2000); programming {:.2f} s; "
               "{:.0f} M cell-MACs/image = {:.1f} G cell-MACs/s\n",
               infer_images, s, double(infer_images) / s, program_s, double(cell_macs) / 1e6,
               double(cell_macs) * double(infer_images) / s / 1e9);

    if (full_epochs > 0) {
      AccuracyOptions a;
      a.train.epochs = full_epochs;
      a.draws = 0;
      a.threads = threads;
      a.cache_dir = cache_dir;
      a.log = [](const std::string& line) { fmt::print("  {}\n", line); };
      const AccuracyResult r = evaluate_accuracy(spec, g, a);
      fmt::print("full training ({} epochs x {} images): {:.0f} s; test accuracy float {:.2f} %, quantized {:.2f} %\n",
                 full_epochs, r.train_images, r.train_seconds, 100 * r.float_accuracy, 100 * r.quantized_accuracy);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_accuracy: {}\n", e.what());
    return 2;
  }
  return 0;
}
