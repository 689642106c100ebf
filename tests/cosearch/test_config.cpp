// A bad cosearch config is a common::InputError naming the file, the key and what is allowed.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "common/config.h"
#include "nas/cosearch/config.h"

using namespace imc::nas::cosearch;
using imc::common::ConfigNode;
using imc::common::InputError;

namespace {

const std::string kGood = R"(
[cosearch]
base_arch = "configs/cosearch/rram_base.toml"
workloads = "cifar2"
[optimizer]
name = "sga"
population = 8
[hardware.crossbar]
rows = [64, 128]
[hardware.noc]
routers = [1, 2]
)";

// The message of the InputError parsing `text` throws ("" when it parses).
std::string error_of(const std::string& text) {
  try {
    parse_config(ConfigNode::parse_string(text, "bad.toml"), "bad.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the shipped configs load") {
  for (const char* p :
       {"configs/cosearch/rram4.toml", "configs/cosearch/sram9.toml", "configs/cosearch/tiny.toml"}) {
    CAPTURE(p);
    const Config c = load_config(p);
    CHECK(c.space.free_genes() >= 7);
    CHECK(c.stages.size() == 4);
    CHECK(c.optimizer.name == "sga");
  }
  const Config r = load_config("configs/cosearch/rram4.toml");
  CHECK(r.space.log10_candidates() == doctest::Approx(std::log10(8.0 * 6 * 8 * 5 * 5 * 6 * 5 * 6 * 7)));
  CHECK_FALSE(r.settings.weight_fetch);
  CHECK(load_config("configs/cosearch/sram9.toml").settings.weight_fetch);
}

TEST_CASE("defaults: sga for a scalar objective, nsga2 for multi, default stages by arch key") {
  const Config c = parse_config(ConfigNode::parse_string(kGood, "good.toml"), "good.toml");
  CHECK(c.settings.objective == Objective::kEla);
  CHECK(c.settings.area_mm2_max == 800);
  REQUIRE(c.stages.size() == 2);
  CHECK(c.stages[0].name == "circuit");
  CHECK(c.stages[0].genes == std::vector<std::string>{"hardware.crossbar.rows"});
  CHECK(c.stages[1].name == "system");
  std::string multi = kGood;
  multi.replace(multi.find("name = \"sga\"\n"), 13, "");
  multi.replace(multi.find("[optimizer]"), 11, "[optimizer]\nseed = 2");
  multi.insert(multi.find("workloads"), "objective = \"multi\"\n");
  CHECK(parse_config(ConfigNode::parse_string(multi, "m.toml"), "m.toml").optimizer.name == "nsga2");
}

TEST_CASE("bad configs name the file, the key and what is allowed") {
  CHECK(error_of(kGood) == "");
  auto with = [](std::string from, const std::string& text) {
    return error_of(from.insert(from.find("workloads"), text + "\n"));
  };
  std::string e = with(kGood, "colour = 3");
  CHECK(contains(e, "bad.toml:"));
  CHECK(contains(e, "colour"));
  CHECK(contains(e, "allowed keys here"));
  e = with(kGood, "objective = \"sum\"");
  CHECK(contains(e, "cosearch.objective"));
  CHECK(contains(e, "\"ela\", \"ela_mean\", \"ela_all\", \"edap_mean\", \"edap_product\", \"multi\""));
  e = with(kGood, "objective = \"max\"");  // the old name of ela: renamed, not kept
  CHECK(contains(e, "cosearch.objective"));
  CHECK(contains(e, "\"ela\""));
  e = with(kGood, "area_mm2_max = -1");
  CHECK(contains(e, "area_mm2_max"));
  CHECK(contains(e, "out of range"));
  e = error_of(std::string(kGood) + "[hardware.flux]\ncapacitor = [1, 2]\n");
  CHECK(contains(e, "bad.toml:"));
  CHECK(contains(e, "hardware.flux.capacitor"));
  CHECK(contains(e, "unknown hardware key"));
  e = error_of(std::string(kGood) + "[network]\nstages = [2, 3]\n");
  CHECK(contains(e, "network.stages"));
  CHECK(contains(e, "hardware-only"));
  e = error_of(std::string(kGood) +
               "[[stages]]\nname = \"device\"\ngenes = [\"hardware.device.bits_per_cell\"]\n");
  CHECK(contains(e, "unknown gene 'hardware.device.bits_per_cell'"));
  e = error_of(std::string(kGood) + "[whatever]\nx = 1\n");
  CHECK(contains(e, "whatever"));
  std::string nsga = kGood;
  nsga.replace(nsga.find("\"sga\""), 5, "\"nsga2\"");
  e = error_of(nsga);
  CHECK(contains(e, "bad.toml:"));
  CHECK(contains(e, "optimizer.name"));
  CHECK(contains(e, "needs several objectives"));
  std::string no_arch = kGood;
  no_arch.erase(no_arch.find("base_arch ="), no_arch.find("workloads") - no_arch.find("base_arch ="));
  CHECK(contains(error_of(no_arch), "cosearch.base_arch"));
  CHECK_THROWS_AS(load_config("configs/cosearch/no_such_file.toml"), InputError);
}

TEST_CASE("the search's spellings: arch and max_area_mm2 are deprecated aliases, with a warning") {
  std::vector<std::string> warnings;
  imc::common::set_warning_sink([&](const std::string& w) { warnings.push_back(w); });
  std::string old = kGood;
  old.replace(old.find("base_arch ="), 11, "arch =");
  old.insert(old.find("workloads"), "max_area_mm2 = 300\n");
  const Config c = parse_config(ConfigNode::parse_string(old, "old.toml"), "old.toml");
  CHECK(c.settings.base_arch == "configs/cosearch/rram_base.toml");
  CHECK(c.settings.area_mm2_max == 300);
  REQUIRE(warnings.size() == 2);
  CHECK(contains(warnings[0] + warnings[1], "old.toml:3:"));
  CHECK(contains(warnings[0] + warnings[1], "use 'cosearch.base_arch'"));
  CHECK(contains(warnings[0] + warnings[1], "use 'cosearch.area_mm2_max'"));
  // Both spellings at once: an error, not a silent choice.
  std::string both = kGood;
  both.insert(both.find("workloads"), "arch = \"x.toml\"\n");
  CHECK(contains(error_of(both), "both 'cosearch.base_arch'"));
  // The settled spellings load without warnings.
  warnings.clear();
  parse_config(ConfigNode::parse_string(kGood, "good.toml"), "good.toml");
  CHECK(warnings.empty());
  imc::common::set_warning_sink(nullptr);
}
