// A search with the accuracy objective on a tiny budget (1,000 images, 2 epochs): every feasible candidate
// gets float, quantized and hardware-aware accuracy from real training; a second run reuses the trained
// weights and gives the same figures.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nas/search/run.h"

using namespace imc::nas::search;
namespace fs = std::filesystem;

TEST_CASE("accuracy objective: trained, cached, deterministic") {
  const fs::path dir = fs::temp_directory_path() / ("imcsim_search_acc_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string arch = fs::absolute("configs/arch/rram_default.toml").string();
  const fs::path cfg = dir / "acc.toml";
  std::ofstream(cfg) << "base_arch = \"" << arch << "\"\n"
                     << "objectives = [\"accuracy\", \"energy\"]\n"
                     << "cache_dir = \"" << (dir / "cache").string() << "\"\n"
                     << "conditions = [\"hardware.device.bits_per_cell <= network.weight_bits\"]\n"
                     << "[search]\nfinalists = 0\nworkers = 2\n"
                     << "[accuracy]\nepochs = 2\ntrain_subset = 1000\ntest_subset = 100\nbatch_size = "
                        "32\nlearning_rate = 0.01\n"
                     << "calibration_images = 64\n"
                     << "[optimizer]\npopulation = 8\n"
                     << "[network]\nbase_channels = [8, 16]\nweight_bits = [4, 8]\n"
                     << "[hardware]\nadc.bits = [4, 8]\ndevice.bits_per_cell = [1, 2]\n";
  auto run = [&](const std::string& out) {
    RunOptions o;
    o.config_path = cfg.string();
    o.out_dir = (dir / out).string();
    o.generations = 1;
    o.progress = nullptr;
    run_search(o);
    return nlohmann::json::parse(std::ifstream(dir / out / "evaluations.json"));
  };
  const nlohmann::json first = run("r1");
  std::size_t trained = 0, feasible = 0;
  double float_sum = 0;
  for (const auto& c : first) {
    if (!c["feasible"].get<bool>()) continue;
    const auto& m = c["extra"];
    const double err = c["objectives"]["hw_error_pct"].get<double>();
    CHECK(err >= 0);
    CHECK(err <= 100);
    CHECK(err == doctest::Approx(100 * (1 - m["hardware_accuracy"].get<double>())));
    float_sum += m["float_accuracy"].get<double>();
    ++feasible;
    trained += m["from_cache"].get<bool>() ? 0 : 1;
  }
  CHECK(trained >= 1);
  REQUIRE(feasible > 0);
  CHECK(float_sum / double(feasible) > 0.25);  // trained: well above chance (0.1) on a 1,000-image budget
  const nlohmann::json second = run("r2");
  REQUIRE(second.size() == first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    CHECK(second[i]["objectives"] == first[i]["objectives"]);
    if (second[i]["feasible"].get<bool>()) CHECK(second[i]["extra"]["from_cache"].get<bool>());
  }
  fs::remove_all(dir);
}
