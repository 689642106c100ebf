// imcsim_supernet_validate: is the supernet's ranking of subnets the ranking stand-alone training
// gives? (issue 16 item 3). For the largest / smallest / random subnets of a search config's space:
//   supernet    inherited weights, batch-norm recalibrated (evaluate_subnet, quantized accuracy);
//   finetuned   the same after --finetune-epochs on the full training set (finetune_subnet);
//   standalone  the network trained from scratch, quantization-aware, full data (--standalone-epochs),
//               read from / appended to the --standalone-csv cache, so a retrained supernet is
//               compared again without training the subnets again.
// Prints JSON with every subnet's figures, Kendall tau-b (supernet vs stand-alone, fine-tuned vs
// stand-alone) and the mean absolute gaps; --out writes the per-subnet table as CSV.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "common/config.h"
#include "nas/accuracy/dataset.h"
#include "nas/accuracy/score.h"
#include "nas/accuracy/train.h"
#include "nas/supernet/evaluate.h"
#include "nas/supernet/train.h"
#include "nas/supernet/validate.h"

using namespace imc;
using namespace imc::nas::supernet;
using imc::nas::accuracy::Precision;
namespace fs = std::filesystem;

namespace {

// The subnets to compare: the named ones (--include), then distinct random ones.
std::vector<std::pair<std::string, Subnet>> subnets_to_compare(const SupernetSpace& space,
                                                               const std::vector<std::string>& include,
                                                               int random, std::uint64_t seed) {
  std::vector<std::pair<std::string, Subnet>> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& name, const Subnet& s) {
    if (seen.insert(to_string(s)).second) out.emplace_back(name, s);
  };
  for (const std::string& name : include) {
    if (name == "largest") {
      add(name, space.largest());
    } else if (name == "smallest") {
      add(name, space.smallest());
    } else if (name == "largest-plain") {
      Subnet s = space.largest();
      s.net.residual = false;
      add(name, s);
    } else {
      throw common::InputError(
          fmt::format("--include: '{}' is not one of largest, smallest, largest-plain", name));
    }
  }
  std::mt19937_64 rng(seed);
  for (int tries = 0; int(out.size()) < int(include.size()) + random && tries < 100 * (random + 1); ++tries)
    add(fmt::format("random{}", out.size() - include.size()), space.sample(rng));
  return out;
}

double mean_abs_gap(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += std::abs(a[i] - b[i]);
  return a.empty() ? 0 : s / double(a.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (!std::getenv("OMP_WAIT_POLICY")) {  // as imcsim_supernet: passive OpenMP threads on a shared machine
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    execv("/proc/self/exe", argv);
  }
  CLI::App app{"Compare a supernet's subnet accuracies with stand-alone training (Kendall tau-b, gaps)"};
  std::string config, cache_dir, standalone_csv, out_csv;
  nas::accuracy::AccuracyOptions o;
  SupernetTrainOptions& t = o.supernet.train;
  t.batch_size = 128, t.learning_rate = 0.003, t.random_subnets = 1;  // fmnist_demo.toml's settings
  int threads = 2, random = 20;
  std::uint64_t sample_seed = 7;
  std::vector<std::string> include;
  nas::accuracy::TrainOptions alone;
  alone.epochs = 2, alone.batch_size = 128, alone.learning_rate = 0.003;
  o.supernet.finetune_epochs = 1;
  o.test_subset = 0;
  app.add_option("--config", config, "search config (its [network] genes)")->required();
  app.add_option("--epochs", t.epochs, "supernet: epochs");
  app.add_option("--batch-size", t.batch_size, "supernet: images per step");
  app.add_option("--lr", t.learning_rate, "supernet: Adam learning rate");
  app.add_option("--random-subnets", t.random_subnets, "supernet: random subnets per sandwich step");
  app.add_option("--label-weight", t.label_weight,
                 "supernet: weight of the labels in the other subnets' loss");
  app.add_option("--seed", t.seed, "supernet: seed");
  app.add_option("--noise-sigma", t.supernet.noise_sigma, "supernet: weight noise in training");
  app.add_option("--cache-dir", cache_dir, "supernet cache (trained there when neither shipped nor cached)");
  app.add_option("--include", include, "named subnets first: largest, smallest, largest-plain")
      ->delimiter(',');
  app.add_option("--subnets", random, "distinct random subnets after the named ones");
  app.add_option("--sample-seed", sample_seed, "seed of the random subnets");
  app.add_option("--standalone-epochs", alone.epochs, "stand-alone training epochs (full data)");
  app.add_option("--standalone-lr", alone.learning_rate, "stand-alone Adam learning rate (cosine)");
  app.add_option("--standalone-batch", alone.batch_size, "stand-alone images per step");
  app.add_option("--standalone-csv", standalone_csv, "stand-alone results: read, and new ones appended")
      ->required();
  app.add_option("--finetune-epochs", o.supernet.finetune_epochs, "fine-tuning epochs (0 = skip)");
  app.add_option("--recalibration-images", o.supernet.recalibration_images, "BN recalibration images");
  app.add_option("--test-subset", o.test_subset, "first N test images (0 = all 10,000)");
  app.add_option("--threads", threads, "torch threads");
  app.add_option("--out", out_csv, "per-subnet table (CSV)");
  bool standalone_only = false;
  app.add_flag("--standalone-only", standalone_only,
               "only train the missing stand-alone subnets into the CSV (no supernet needed)");
  CLI11_PARSE(app, argc, argv);
  try {
    nas::accuracy::configure_threads(threads);
    o.threads = threads;
    o.draws = 0;  // software accuracy: the comparison is about the weights, not the chip
    o.cache_dir = cache_dir;
    o.supernet.shipped_dir = (fs::path(config).parent_path() / "supernets").string();
    o.train = alone;  // finetune_subnet: this batch size and optimizer, a tenth of this learning rate
    o.log = [](const std::string& line) { std::cerr << line << std::endl; };
    const nas::SearchSpace search =
        nas::SearchSpace::load(config, {"base_arch", "objectives", "cache_dir", "reference_point", "search",
                                        "constraints", "accuracy", "optimizer"});
    const SupernetSpace space = SupernetSpace::from_search_space(search);
    const nlohmann::json prepared = standalone_only ? nlohmann::json() : prepare_supernet(space, o);
    const std::string file = standalone_only ? "" : prepared.at("file").get<std::string>();
    const nas::accuracy::Dataset& data = nas::accuracy::cached_dataset("");
    const std::int64_t test_images = o.test_subset > 0 ? o.test_subset : data.test.count;
    const torch::Tensor x = nas::accuracy::image_tensor(data.test, 0, test_images);
    const torch::Tensor y = nas::accuracy::label_tensor(data.test, 0, test_images);
    std::vector<StandaloneRecord> cached = read_standalone_csv(standalone_csv);
    const arch::ArchSpec no_chip;  // draws = 0: never read

    nlohmann::json out{{"config", config}, {"supernet", prepared}, {"subnets", nlohmann::json::array()}};
    std::vector<double> sup, fine, solo;
    std::ofstream table;
    if (!out_csv.empty()) {
      table.open(out_csv);
      table << "name,subnet,supernet_accuracy,finetuned_accuracy,standalone_accuracy,standalone_epochs,"
               "finetune_epochs\n";
    }
    for (const auto& [name, s] : subnets_to_compare(space, include, random, sample_seed)) {
      nlohmann::json row{{"name", name}, {"subnet", to_string(s)}};
      nas::accuracy::AccuracyResult r;
      if (!standalone_only) r = evaluate_subnet(no_chip, space, s, file, o);
      row["supernet_quantized"] = r.quantized_accuracy;
      if (o.supernet.finetune_epochs > 0 && !standalone_only) {
        const auto f = finetune_subnet(no_chip, space, s, file, o);
        row["finetuned_quantized"] = f.quantized_accuracy;
        row["finetune_seconds"] = f.train_seconds;
      }
      StandaloneRecord want;
      want.subnet = to_string(s), want.epochs = alone.epochs, want.batch_size = alone.batch_size;
      want.learning_rate = alone.learning_rate, want.seed = alone.seed, want.test_images = test_images;
      const StandaloneRecord* have = find_standalone(cached, want);
      if (!have) {
        torch::manual_seed(alone.seed);  // the initial weights
        nas::accuracy::GraphNet g(workloads::build_cnn_family(s.net, "standalone"),
                                  nas::accuracy::QuantBits{s.weight_bits, s.activation_bits});
        const auto st = nas::accuracy::train(g, data.train, alone, o.log);
        want.train_seconds = st.seconds;
        want.float_accuracy = nas::accuracy::accuracy_of(nas::accuracy::predict(g, x, Precision::Float), y);
        want.quantized_accuracy =
            nas::accuracy::accuracy_of(nas::accuracy::predict(g, x, Precision::Quantized), y);
        append_standalone_csv(standalone_csv, want);
        cached.push_back(want);
        have = &cached.back();
      }
      row["standalone_quantized"] = have->quantized_accuracy;
      row["standalone_train_seconds"] = have->train_seconds;
      std::cerr << row.dump() << std::endl;
      sup.push_back(r.quantized_accuracy);
      solo.push_back(have->quantized_accuracy);
      if (row.contains("finetuned_quantized")) fine.push_back(row["finetuned_quantized"].get<double>());
      if (table.is_open())
        table << fmt::format("{},{},{:.4f},{},{:.4f},{},{}\n", name, to_string(s), r.quantized_accuracy,
                             row.contains("finetuned_quantized")
                                 ? fmt::format("{:.4f}", row["finetuned_quantized"].get<double>())
                                 : std::string(),
                             have->quantized_accuracy, alone.epochs, o.supernet.finetune_epochs);
      out["subnets"].push_back(row);
    }
    if (sup.size() >= 2 && !standalone_only) {
      out["kendall_tau_b_supernet"] = kendall_tau_b(sup, solo);
      out["mean_abs_gap_supernet"] = mean_abs_gap(sup, solo);
      if (!fine.empty()) {
        out["kendall_tau_b_finetuned"] = kendall_tau_b(fine, solo);
        out["mean_abs_gap_finetuned"] = mean_abs_gap(fine, solo);
      }
    }
    std::cout << out.dump(2) << std::endl;
  } catch (const common::InputError& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 2;
  }
  return 0;
}
