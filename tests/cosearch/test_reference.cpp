// The study's reference designs beside ours (nas/cosearch/reference.h, bench_cosearch_reference).
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "common/config.h"
#include "nas/cosearch/reference.h"

using namespace imc::nas::cosearch;
using imc::common::InputError;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/imcsim_test_reference_" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE(
    "the shipped study figures load: one RRAM and one SRAM design, four networks each, cm2 read as mm2") {
  const auto designs = load_study_reference("configs/cosearch/study_reference.toml");
  REQUIRE(designs.size() == 2);
  CHECK(designs[0].name == "rram4");
  CHECK(designs[1].name == "sram4");
  for (const auto& d : designs) CHECK(d.networks.size() == 4);
  CHECK(designs[0].area_mm2 == doctest::Approx(452.92078566131195));
}

TEST_CASE("a study design re-created on our chip: every network evaluated, the table relative to vgg16") {
  auto designs = load_study_reference("configs/cosearch/study_reference.toml");
  StudyDesign& sram = designs.at(1);
  evaluate_reference(sram);
  CHECK(sram.ours_area_mm2 > 0);
  for (const auto& n : sram.networks) {
    CHECK(n.ours_energy_j > 0);
    CHECK(n.ours_latency_s > 0);
  }
  const std::string table = reference_table(sram);
  CHECK(table.find("| vgg16 |") != std::string::npos);
  // vgg16 is the reference: its relative latency and EDAP are 1 in both columns.
  CHECK(table.find("| vgg16 | 21.25 |") != std::string::npos);
  CHECK(table.find("| 1 | 1 |") != std::string::npos);
}

TEST_CASE("bad study figures name the file, line and key") {
  const std::string path = write_temp("bad.toml", R"([[design]]
name = "x"
config = "configs/cosearch/reference_sram4.toml"
key = "A"
source = "s"
area_cm2 = 1
networks = [ { name = "vgg16", energy_j = -1, latency_s = 1 } ]
)");
  try {
    load_study_reference(path);
    FAIL("no error");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find(path + ":7") != std::string::npos);
    CHECK(what.find("energy_j") != std::string::npos);
    CHECK(what.find("> 0") != std::string::npos);
  }
  std::remove(path.c_str());
}

TEST_CASE("a reference config with a searched gene is rejected") {
  auto designs = load_study_reference("configs/cosearch/study_reference.toml");
  StudyDesign d = designs.at(1);
  d.config = "configs/cosearch/sram4.toml";  // the whole space, not one design
  CHECK_THROWS_AS(evaluate_reference(d), InputError);
}
