// Problem formulations ([formulation]): what the optimizer minimizes, the load-time checks, and whole
// hardware-only runs under a weighted sum and a constrained single objective.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/config.h"
#include "nas/search/config.h"
#include "nas/search/formulation.h"
#include "nas/search/run.h"

using namespace imc::nas::search;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::temp_directory_path() / ("imcsim_formulation_" + std::to_string(getpid()));

// hw_only.toml's space with the given objectives, optimizer and extra sections.
std::string write_config(const std::string& name, const std::string& objectives, const std::string& optimizer,
                         const std::string& extra) {
  fs::create_directories(kDir);
  const fs::path p = kDir / (name + ".toml");
  std::ofstream(p) << "base_arch = \"" << fs::absolute("configs/arch/rram_default.toml").string() << "\"\n"
                   << "objectives = " << objectives << "\n"
                   << extra << "\n[search]\nfinalists = 0\nworkers = 2\n"
                   << "[constraints]\narea_mm2_max = 7\n"
                   << "[optimizer]\nname = \"" << optimizer << "\"\npopulation = 8\nseed = 3\n"
                   << "[network]\nstages = [2, 3]\nbase_channels = [8, 16]\nweight_bits = [2, 4, 8]\n"
                   << "[hardware]\ncrossbar.rows = [64, 128, 256]\ncrossbar.cols = [64, 128]\n"
                   << "tile.pes = [2, 4, 8]\nnoc.routers = [1, 2, 4]\n";
  return p.string();
}

std::string load_error(const std::string& config) {
  try {
    load_search_config(config);
  } catch (const imc::common::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("formulate: weighted sum, weighted product, constrained, pareto") {
  SearchConfig c;
  c.objectives = {Objective::kEnergy, Objective::kLatency, Objective::kArea};
  const std::vector<double> raw = {2.0, 50.0, 4.0};
  CHECK(formulate(c, raw) == raw);
  CHECK(formulated_columns(c) == std::vector<std::string>{"energy_uj", "latency_us", "area_mm2"});
  c.formulation.kind = FormulationKind::kWeightedSum;
  c.formulation.weights = {1.0, 0.1, 0.5};
  CHECK(formulate(c, raw).at(0) == doctest::Approx(2.0 + 5.0 + 2.0));
  CHECK(formulated_columns(c) == std::vector<std::string>{"weighted_sum"});
  c.formulation.kind = FormulationKind::kWeightedProduct;
  c.formulation.weights = {1.0, 1.0, 0.5};
  CHECK(formulate(c, raw).at(0) == doctest::Approx(2.0 * 50.0 * 2.0));
  // Scale-free ranking: multiplying one objective by 1000 (a unit change) multiplies every value alike.
  const std::vector<double> other = {3.0, 40.0, 4.0};
  const double ratio = formulate(c, raw).at(0) / formulate(c, other).at(0);
  const double ratio_scaled =
      formulate(c, {2000.0, 50.0, 4.0}).at(0) / formulate(c, {3000.0, 40.0, 4.0}).at(0);
  CHECK(ratio == doctest::Approx(ratio_scaled));
  c.formulation.kind = FormulationKind::kConstrained;
  c.formulation.primary = Objective::kLatency;
  CHECK(formulate(c, raw) == std::vector<double>{50.0});
  CHECK(formulated_columns(c) == std::vector<std::string>{"latency_us"});
}

TEST_CASE("bad formulations are load errors naming the key and what is allowed") {
  const std::string three = "[\"energy\", \"latency\", \"area\"]";
  CHECK(load_error(write_config("kind", three, "sga", "[formulation]\nkind = \"lexicographic\""))
            .find("expected one of \"pareto\", \"weighted_sum\", \"weighted_product\", \"constrained\"") !=
        std::string::npos);
  CHECK(load_error(
            write_config("count", three, "sga", "[formulation]\nkind = \"weighted_sum\"\nweights = [1, 2]"))
            .find("must be a list of 3 numbers") != std::string::npos);
  CHECK(load_error(
            write_config("neg", three, "sga", "[formulation]\nkind = \"weighted_sum\"\nweights = [1, -2, 1]"))
            .find("weights are finite and > 0") != std::string::npos);
  CHECK(load_error(write_config("nan", three, "sga",
                                "[formulation]\nkind = \"weighted_sum\"\nweights = [1, nan, 1]"))
            .find("finite") != std::string::npos);
  CHECK(load_error(write_config("tops", "[\"energy\", \"tops_per_w\"]", "sga",
                                "[formulation]\nkind = \"weighted_product\"\nweights = [1, 1]"))
            .find("'tops_per_w' is negated") != std::string::npos);
  CHECK(load_error(write_config("noprim", three, "sga", "[formulation]\nkind = \"constrained\""))
            .find("primary") != std::string::npos);
  CHECK(load_error(write_config("prim", three, "sga",
                                "[formulation]\nkind = \"constrained\"\nprimary = \"accuracy\""))
            .find("is not one of the objectives") != std::string::npos);
  CHECK(load_error(write_config("nsga", three, "nsga2",
                                "[formulation]\nkind = \"constrained\"\nprimary = \"energy\""))
            .find("needs several") != std::string::npos);
  CHECK(load_error(write_config("key", three, "sga", "[formulation]\nkind = \"pareto\"\nweight = [1]"))
            .find("unknown key") != std::string::npos);
  CHECK(load_error(
            write_config(
                "ref", three, "sga",
                "reference_point = [1, 2, 3]\n[formulation]\nkind = \"weighted_sum\"\nweights = [1, 1, 1]"))
            .find("one per minimized column (weighted_sum)") != std::string::npos);
}

TEST_CASE("a weighted-sum run minimizes the sum; a constrained run its primary within the limits") {
  auto run = [](const std::string& config, const std::string& out) {
    RunOptions o;
    o.config_path = config;
    o.out_dir = (kDir / out).string();
    o.generations = 3;
    o.progress = nullptr;
    const nlohmann::json summary = run_search(o);
    std::ifstream in(kDir / out / "evaluations.json");
    return std::make_pair(summary, nlohmann::json::parse(in));
  };
  const auto [ws, ws_all] =
      run(write_config("ws", "[\"energy\", \"latency\", \"area\"]", "sga",
                       "[formulation]\nkind = \"weighted_sum\"\nweights = [1.0, 0.05, 0.2]"),
          "ws");
  CHECK(ws["objectives"] == nlohmann::json::array({"weighted_sum"}));
  double best = INFINITY;
  std::size_t feasible = 0;
  for (const auto& c : ws_all) {
    if (!c["feasible"].get<bool>()) continue;
    ++feasible;
    const auto& parts = c["extra"]["objectives"];
    const double sum = parts["energy_uj"].get<double>() + 0.05 * parts["latency_us"].get<double>() +
                       0.2 * parts["area_mm2"].get<double>();
    CHECK(c["objectives"]["weighted_sum"].get<double>() == doctest::Approx(sum));
    CHECK(parts["energy_uj"].get<double>() == doctest::Approx(c["extra"]["energy_uj"].get<double>()));
    best = std::min(best, sum);
  }
  REQUIRE(feasible > 0);
  REQUIRE(ws["front"].size() >= 1);
  CHECK(ws["front"][0]["objectives"]["weighted_sum"].get<double>() == doctest::Approx(best));

  const auto [cs, cs_all] = run(write_config("cs", "[\"latency\", \"area\"]", "sa",
                                             "[formulation]\nkind = \"constrained\"\nprimary = \"latency\""),
                                "cs");
  CHECK(cs["objectives"] == nlohmann::json::array({"latency_us"}));
  for (const auto& f : cs["front"]) CHECK(f["metrics"]["area_mm2"].get<double>() <= 7.0);
  fs::remove_all(kDir);
}
