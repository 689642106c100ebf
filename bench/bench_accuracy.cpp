// Throughput of the accuracy evaluator on the reference CNN (fmnist_small, kReferenceCnn):
// training images/s (quantization-aware, libtorch) and hardware-aware inference images/s
// (sim/functional), on `--threads` cores (default 2). Targets: 5,000 and 2,000 images/s on 2 cores.
// Each figure is also given per CPU second (process CPU time), which a machine shared with other
// work affects far less than the wall-clock rate; the load average is printed alongside.
// `--full E` also trains the network on all 60,000 images for E epochs and reports test accuracy.
//
//   bench_accuracy [--workload fmnist_small] [--arch configs/arch/rram_default.toml] [--threads 2]
//                  [--train-images 8192] [--infer-images 2000] [--batch-size 64] [--full 0]
//                  [--cache-dir DIR (for --full)]
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

#include "arch/load.h"
#include "nas/accuracy/accuracy.h"
#include "nas/accuracy/hardware.h"
#include "nas/accuracy/train.h"
#include "workloads/zoo.h"

using namespace imc;
using namespace imc::nas::accuracy;

namespace {
std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string one;
  return f >> one ? one : std::string("?");
}
}  // namespace

int main(int argc, char** argv) {
  // libgomp reads OMP_WAIT_POLICY when it is loaded, before main. Its default spins idle threads,
  // which on a machine shared with other work makes 2-thread training ten times slower (a thread
  // spins while its partner waits for a core): run again with PASSIVE unless the user chose.
  // OpenBLAS (the system BLAS libtorch may load) likewise sizes its own thread pool at load time;
  // torch's parallelism is OpenMP's, so one BLAS thread, unless the user chose.
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    execv("/proc/self/exe", argv);  // returns only on failure: then go on as we are
  }
  std::string arch_file = "configs/arch/rram_default.toml", cache_dir, workload = kReferenceCnn;
  int threads = 2, full_epochs = 0, batch = 64;
  std::int64_t train_images = 8192, infer_images = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--arch")
      arch_file = v;
    else if (k == "--threads")
      threads = std::stoi(v);
    else if (k == "--train-images")
      train_images = std::stoll(v);
    else if (k == "--infer-images")
      infer_images = std::stoll(v);
    else if (k == "--full")
      full_epochs = std::stoi(v);
    else if (k == "--cache-dir")
      cache_dir = v;
    else if (k == "--workload")
      workload = v;
    else if (k == "--batch-size")
      batch = std::stoi(v);
    else {
      fmt::print(stderr, "unknown option {}\n", k);
      return 2;
    }
  }
  try {
    configure_threads(threads);
    const arch::ArchSpec spec = arch::load_arch(arch_file);
    const workloads::Graph g = workloads::zoo_network(workload);
    const Dataset data = load_fashion_mnist();
    fmt::print("{}: {:.2f} M MACs/image; {} threads; arch {}; OMP_WAIT_POLICY={}; load average {}\n",
               workload, double(g.total_macs()) / 1e6, threads, spec.chip.name,
               std::getenv("OMP_WAIT_POLICY") ? std::getenv("OMP_WAIT_POLICY") : "unset", load_average());

    torch::manual_seed(1);
    GraphNet net(g, QuantBits{spec.precision.weight_bits, spec.precision.input_bits});
    TrainOptions o;
    o.epochs = 1;
    o.train_subset = train_images;
    o.batch_size = batch;
    std::clock_t c0 = std::clock();
    const TrainStats st = train(net, data.train, o);
    double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    fmt::print(
        "training (QAT, batch {}): {} images in {:.2f} s = {:.0f} images/s (target 5000); "
        "{:.2f} CPU s = {:.0f} images per CPU second\n",
        o.batch_size, st.images, st.seconds, double(st.images) / st.seconds, cpu, double(st.images) / cpu);

    const torch::Tensor x = image_tensor(data.test, 0, infer_images);
    auto t0 = std::chrono::steady_clock::now();
    predict(net, x, Precision::Quantized);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("quantized software inference: {:.0f} images/s\n", double(infer_images) / s);
    t0 = std::chrono::steady_clock::now();
    HardwareBackend hw(spec, net, 1);
    const double program_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    t0 = std::chrono::steady_clock::now();
    c0 = std::clock();
    predict(net, x, Precision::Quantized, &hw);
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    std::int64_t cell_macs = 0;
    for (int node : net->crossbar_nodes()) {
      const auto& t = hw.layer(node).tiling();
      const auto wm = g.weight_matrix(node);
      cell_macs += wm.vectors * t.groups * t.rows * t.phys_cols * t.input_slices;
    }
    fmt::print(
        "hardware-aware inference: {} images in {:.2f} s = {:.0f} images/s (target 2000); "
        "{:.2f} CPU s = {:.0f} images per CPU second; programming {:.2f} s; "
        "{:.0f} M cell-MACs/image = {:.1f} G cell-MACs/s\n",
        infer_images, s, double(infer_images) / s, cpu, double(infer_images) / cpu, program_s,
        double(cell_macs) / 1e6, double(cell_macs) * double(infer_images) / s / 1e9);

    if (full_epochs > 0) {
      AccuracyOptions a;
      a.train.epochs = full_epochs;
      a.train.batch_size = batch;
      a.draws = 0;
      a.threads = threads;
      a.cache_dir = cache_dir;
      a.log = [](const std::string& line) { fmt::print("  {}\n", line); };
      c0 = std::clock();
      const AccuracyResult r = evaluate_accuracy(spec, g, a);
      cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
      fmt::print(
          "full training ({} epochs x {} images): {:.0f} s (load average {}); {:.0f} CPU s with the test "
          "predictions; test accuracy float {:.2f} %, quantized {:.2f} %\n",
          full_epochs, r.train_images, r.train_seconds, load_average(), cpu, 100 * r.float_accuracy,
          100 * r.quantized_accuracy);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_accuracy: {}\n", e.what());
    return 2;
  }
  return 0;
}
