// A search with the accuracy objective on a tiny budget (1,000 images, 2 epochs): every feasible candidate
// gets float, quantized and hardware-aware accuracy from real training; a second run reuses the trained
// weights and gives the same figures. Energies count each trained network's measured input activity
// (search.activity = "measured", the default); with "worst_case" they are the worst-case count.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
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
  auto run = [&](const std::string& out, const fs::path& config) {
    RunOptions o;
    o.config_path = config.string();
    o.out_dir = (dir / out).string();
    o.generations = 1;
    o.progress = nullptr;
    run_search(o);
    return nlohmann::json::parse(std::ifstream(dir / out / "evaluations.json"));
  };
  const nlohmann::json first = run("r1", cfg);
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
    // Measured activity: post-ReLU inputs are sparse, so the energy is below the worst case.
    CHECK(m["activity"] == "measured");
    CHECK(m["input_bit_density"].is_object());
    CHECK(m["energy_uj"].get<double>() < m["energy_uj_worst_case"].get<double>());
    CHECK(c["objectives"]["energy_uj"].get<double>() == m["energy_uj"].get<double>());
  }
  CHECK(trained >= 1);
  REQUIRE(feasible > 0);
  CHECK(float_sum / double(feasible) > 0.25);  // trained: well above chance (0.1) on a 1,000-image budget
  const nlohmann::json second = run("r2", cfg);
  REQUIRE(second.size() == first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    CHECK(second[i]["objectives"] == first[i]["objectives"]);
    if (second[i]["feasible"].get<bool>()) CHECK(second[i]["extra"]["from_cache"].get<bool>());
  }
  // The same search counting the worst case: the energies are the first run's worst-case figures.
  std::string text;
  {
    std::ifstream in(cfg);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string from = "[search]\n", to = "[search]\nactivity = \"worst_case\"\n";
  text.replace(text.find(from), from.size(), to);
  const fs::path worst_cfg = dir / "worst.toml";
  std::ofstream(worst_cfg) << text;
  const nlohmann::json worst = run("r3", worst_cfg);
  REQUIRE(worst.size() == first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    REQUIRE(worst[i].at("genes") == first[i].at("genes"));  // same seed, one generation: same candidates
    if (!worst[i]["feasible"].get<bool>()) continue;
    CHECK_FALSE(worst[i]["extra"].contains("activity"));
    CHECK(worst[i]["objectives"]["energy_uj"].get<double>() ==
          doctest::Approx(first[i]["extra"]["energy_uj_worst_case"].get<double>()));
  }
  fs::remove_all(dir);
}
