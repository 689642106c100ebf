// [formulation] kind = "two_stage" on the hardware-only test space (no training): stage 1 searches
// the network genes on the base chip, stage 2 the hardware genes for stage 1's best network; one run
// directory with both stages; a resume after stage 1 gives the same stage 2 as the uninterrupted run;
// bad settings are rejected at load naming the key.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/config.h"
#include "nas/search/config.h"
#include "nas/search/run.h"

using namespace imc::nas::search;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::temp_directory_path() / ("imcsim_two_stage_" + std::to_string(getpid()));

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// hw_only.toml with `generations` and the [formulation] table `formulation` (text after the header).
std::string write_config(const std::string& name, const std::string& formulation, int generations = 4,
                         bool with_hardware = true) {
  fs::create_directories(kDir);
  std::string s = slurp("tests/search/data/hw_only.toml");
  s.replace(s.find("../../../"), 9, fs::absolute(".").string() + "/");
  s.replace(s.find("generations = 3"), 15, "generations = " + std::to_string(generations));
  s.replace(s.find("finalists = 2"), 13, "finalists = 0");
  if (!with_hardware) {
    s = s.substr(0, s.find("[hardware]"));
    s.replace(s.find("conditions = "), 0, "# ");
  }
  s += "\n[formulation]\n" + formulation + "\n";
  const fs::path p = kDir / (name + ".toml");
  std::ofstream(p) << s;
  return p.string();
}

std::string load_error(const std::string& config) {
  try {
    load_search_config(config);
    RunOptions o;
    o.config_path = config;
    o.dry_run = true;
    o.progress = nullptr;
    run_search(o);
  } catch (const imc::common::InputError& e) {
    return e.what();
  }
  return "";
}

nlohmann::json run(const std::string& config, const fs::path& out) {
  RunOptions o;
  o.config_path = config;
  o.out_dir = out.string();
  o.progress = nullptr;
  return run_search(o);
}

}  // namespace

TEST_CASE("two_stage: network first on the base chip, then the hardware for the best network") {
  const std::string cfg =
      write_config("two_stage", "kind = \"two_stage\"\nstage1_objectives = [\"energy\", \"latency\"]\n");
  const fs::path out = kDir / "run";
  const nlohmann::json summary = run(cfg, out);
  for (const char* f : {"stage1.toml", "stage2.toml", "two_stage.json", "summary.json", "stage1/front.json",
                        "stage2/front.json", "stage1/checkpoint.json", "stage2/checkpoint.json"}) {
    CAPTURE(f);
    CHECK(fs::exists(out / f));
  }
  const nlohmann::json state = nlohmann::json::parse(slurp(out / "two_stage.json"));
  CHECK(state.at("stage1_generations") == 2);
  CHECK(state.at("stage2_generations") == 2);
  const nlohmann::json network = state.at("network");
  CHECK(network.size() == 3);  // stages, base_channels, weight_bits
  // Stage 1: network genes only, two objectives.
  const nlohmann::json front1 = nlohmann::json::parse(slurp(out / "stage1/front.json")).at("front");
  REQUIRE(!front1.empty());
  for (const auto& d : front1) {
    for (const auto& [name, v] : d.at("genes").items()) CHECK(name.rfind("network.", 0) == 0);
    CHECK(d.at("objectives").size() == 2);
  }
  // Stage 2: every design carries stage 1's chosen network; the hardware varies; all three objectives.
  const nlohmann::json front2 = nlohmann::json::parse(slurp(out / "stage2/front.json")).at("front");
  REQUIRE(!front2.empty());
  std::set<std::string> chips;
  for (const auto& d : front2) {
    for (const auto& [name, v] : network.items()) CHECK(d.at("genes").at(name) == v);
    CHECK(d.at("objectives").size() == 3);
    nlohmann::json hw = nlohmann::json::object();
    for (const auto& [name, v] : d.at("genes").items())
      if (name.rfind("hardware.", 0) == 0) hw[name] = v;
    chips.insert(hw.dump());
  }
  CHECK(chips.size() >= 1);
  CHECK(summary.at("two_stage").at("network") == network);
  CHECK(summary.at("designs_evaluated") ==
        nlohmann::json::parse(slurp(out / "stage2/summary.json")).at("designs_evaluated"));

  SUBCASE("resume after stage 1 gives the same stage 2") {
    const fs::path cut = kDir / "cut";
    fs::remove_all(cut);
    fs::copy(out, cut, fs::copy_options::recursive);
    fs::remove_all(cut / "stage2");
    fs::remove(cut / "stage2.toml");
    fs::remove(cut / "summary.json");
    nlohmann::json s = state;
    s.erase("network");
    std::ofstream(cut / "two_stage.json") << s.dump(1);
    RunOptions o;
    o.resume_dir = cut.string();
    o.progress = nullptr;
    run_search(o);
    CHECK(slurp(cut / "stage2/front.json") == slurp(out / "stage2/front.json"));
    CHECK(slurp(cut / "stage2.toml") == slurp(out / "stage2.toml"));
    // Both stages complete: a further resume only rewrites the summary.
    run_search(o);
    CHECK(slurp(cut / "stage2/front.json") == slurp(out / "stage2/front.json"));
  }
}

TEST_CASE("two_stage: bad settings are rejected at load naming the key") {
  CHECK(
      load_error(write_config("share", "kind = \"two_stage\"\nstage1_share = 1.0\n")).find("stage1_share") !=
      std::string::npos);
  CHECK(load_error(write_config("objs", "kind = \"two_stage\"\nstage1_objectives = [\"accuracy\"]\n"))
            .find("\"accuracy\" is not one of the objectives") != std::string::npos);
  CHECK(load_error(write_config("pareto_share", "kind = \"pareto\"\nstage1_share = 0.5\n"))
            .find("only kind = \"two_stage\" takes this key") != std::string::npos);
  const std::string no_hw = load_error(write_config("no_hw", "kind = \"two_stage\"\n", 4, false));
  CHECK(no_hw.find("formulation.kind") != std::string::npos);
  CHECK(no_hw.find("free hardware genes") != std::string::npos);
  CHECK(load_error(write_config("one_obj", "kind = \"two_stage\"\nstage1_objectives = [\"energy\"]\n"))
            .find("formulation.stage1_objectives") != std::string::npos);
  CHECK(load_error(write_config("one_obj", "kind = \"two_stage\"\nstage1_objectives = [\"energy\"]\n"))
            .find("formulation.stage1_objectives") != std::string::npos);
  CHECK(load_error(write_config("one_gen", "kind = \"two_stage\"\n", 1)).find("search.generations") !=
        std::string::npos);
}
