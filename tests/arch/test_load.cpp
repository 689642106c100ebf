// Loading arch TOML: a good file loads; each kind of bad file is rejected with a message naming the
// file, line, key and what is allowed.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "arch/load.h"
#include "common/config.h"

using imc::arch::ArchSpec;
using imc::arch::load_arch;
using imc::arch::load_arch_string;

namespace {

// The sections every arch file must have, appended (after the text, so its line numbers hold) when
// the text leaves them out: each test is about one problem.
std::string with_required_sections(std::string text) {
  for (const char* section : {"[chip]", "[device]", "[crossbar]"})
    if (text.find(section) == std::string::npos) text += std::string("\n") + section + "\n";
  return text;
}

std::string error_of(const std::string& text) {
  try {
    load_arch_string(with_required_sections(text), "bad.toml", "configs/arch");
  } catch (const imc::common::InputError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the shipped arch files load") {
  for (const char* f :
       {"configs/arch/isaac.toml", "configs/arch/rram_default.toml", "configs/arch/sram_default.toml"}) {
    CAPTURE(f);
    const ArchSpec s = load_arch(f);
    CHECK(s.tiles() > 0);
    CHECK(s.crossbars() > 0);
    CHECK(!s.tech.file.empty());
  }
}

TEST_CASE("defaults apply to absent keys and the file's values to present ones") {
  const ArchSpec s = load_arch_string("[chip]\n[device]\n[crossbar]\nrows = 256\n", "x.toml", "configs/arch");
  CHECK(s.crossbar.rows == 256);
  CHECK(s.crossbar.cols == 128);  // declared default
  CHECK(s.adc.bits == 8);
  CHECK(s.chip.tech == "32nm");
}

TEST_CASE("the sections that say what chip this is are required; an empty or directory file is refused") {
  // Without [device] the chip silently became RRAM; an empty file was a 168-tile default chip.
  for (const char* section : {"chip", "device", "crossbar"}) {
    std::string text = "[chip]\n[device]\n[crossbar]\n";
    const std::string header = std::string("[") + section + "]\n";
    text.erase(text.find(header), header.size());
    CAPTURE(section);
    try {
      load_arch_string(text, "partial.toml", "configs/arch");
      FAIL("loaded an arch without [" << section << "]");
    } catch (const imc::common::InputError& e) {
      CHECK(contains(e.what(), "partial.toml"));
      CHECK(contains(e.what(), std::string("missing required section [") + section + "]"));
    }
  }
  const std::string dir = std::filesystem::temp_directory_path().string();
  CHECK_THROWS_WITH_AS(load_arch(dir), doctest::Contains("is a directory"), imc::common::InputError);
  const std::string empty = dir + "/imcsim_empty_arch.toml";
  std::ofstream(empty) << "# nothing but a comment\n";
  CHECK_THROWS_WITH_AS(load_arch(empty), doctest::Contains("holds no keys"), imc::common::InputError);
  std::filesystem::remove(empty);
}

TEST_CASE("fault rates of the same cells sum to at most 1") {
  const std::string e = error_of("[device]\nstuck_on_rate = 0.9\nstuck_off_rate = 0.9\n");
  CHECK(contains(e, "device.stuck_off_rate"));
  CHECK(contains(e, "exceeds 1"));
  CHECK(error_of("[device]\nstuck_on_rate = 0.5\nstuck_off_rate = 0.5\n").empty());
}

TEST_CASE("a tech file without a section, or empty, is refused naming what is missing") {
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string path = dir + "/imcsim_tech_no_sram.toml";
  {
    std::ifstream in("configs/tech/32nm.toml");
    std::stringstream all;
    all << in.rdbuf();
    std::string text = all.str();
    const auto at = text.find("[sram]");
    REQUIRE(at != std::string::npos);
    const auto next = text.find("\n[", at + 1);
    text.erase(at, next == std::string::npos ? std::string::npos : next + 1 - at);
    std::ofstream(path) << text;
  }
  CHECK_THROWS_WITH_AS(imc::arch::load_tech(path, 32), doctest::Contains("missing required section [sram]"),
                       imc::common::InputError);
  std::ofstream(path, std::ios::trunc) << "\n";
  CHECK_THROWS_WITH_AS(imc::arch::load_tech(path, 32), doctest::Contains("holds no keys"),
                       imc::common::InputError);
  std::filesystem::remove(path);
}

TEST_CASE("an integer above 2^53 in a float key is range-checked, not an internal error") {
  const std::string e = error_of("[device]\nr_on_ohm = 9007199254740993\n");
  CHECK(contains(e, "device.r_on_ohm"));
  CHECK(contains(e, "out of range"));
  CHECK(contains(error_of("[device]\nread_pulse_ns = nan\n"), "finite"));
  CHECK(contains(error_of("[device]\nread_pulse_ns = inf\n"), "finite"));
}

TEST_CASE("an unknown key names the file, line, key and the allowed keys") {
  const std::string e = error_of("[crossbar]\nrows = 128\ncolums = 64\n");
  CHECK(contains(e, "bad.toml:3"));
  CHECK(contains(e, "crossbar.colums"));
  CHECK(contains(e, "unknown key"));
  CHECK(contains(e, "cols"));
}

TEST_CASE("an unknown section is an unknown key") {
  const std::string e = error_of("[crossbars]\nrows = 128\n");
  CHECK(contains(e, "crossbars"));
  CHECK(contains(e, "unknown key"));
}

TEST_CASE("a wrong type names the expected type") {
  const std::string e = error_of("[adc]\nbits = \"eight\"\n");
  CHECK(contains(e, "bad.toml:2"));
  CHECK(contains(e, "adc.bits"));
  CHECK(contains(e, "expected an integer"));
}

TEST_CASE("an out-of-range value names the allowed range and unit") {
  const std::string e = error_of("[adc]\nbits = 40\n");
  CHECK(contains(e, "adc.bits"));
  CHECK(contains(e, "out of range"));
  CHECK(contains(e, "[1, 16]"));
}

TEST_CASE("a value not among the choices lists them") {
  const std::string e = error_of("[device]\ntype = \"mram\"\n");
  CHECK(contains(e, "device.type"));
  CHECK(contains(e, "\"rram\", \"sram\", \"pcm\", \"fefet\""));
}

TEST_CASE("cross-field checks point at the offending key") {
  CHECK(contains(error_of("[adc]\ncols_per_adc = 256\n"), "adc.cols_per_adc"));
  CHECK(contains(error_of("[device]\ntype = \"sram\"\nbits_per_cell = 2\ncell_read_energy_fj = 1\n"),
                 "an SRAM cell stores 1 bit"));
  CHECK(contains(error_of("[precision]\nweight_bits = 1\n[device]\nbits_per_cell = 2\n"),
                 "device.bits_per_cell"));
  const std::string clock = error_of("[chip]\nclock_ghz = 5.0\n");
  CHECK(contains(clock, "chip.clock_ghz"));
  CHECK(contains(clock, "exceeds the highest clock"));
  const std::string r = error_of("[device]\nr_on_ohm = 1e6\nr_off_ohm = 1e5\n");
  CHECK(contains(r, "bad.toml:3"));
  CHECK(contains(r, "device.r_off_ohm"));
}

TEST_CASE("a syntax error names the line") {
  const std::string e = error_of("[crossbar]\nrows = = 3\n");
  CHECK(contains(e, "bad.toml:2"));
  CHECK(contains(e, "syntax"));
}

TEST_CASE("a missing tech file says where it looked") {
  const std::string e = error_of("[chip]\ntech = \"7nm\"\n");
  CHECK(contains(e, "chip.tech"));
  CHECK(contains(e, "7nm"));
  CHECK(contains(e, "looked at"));
}

TEST_CASE("a missing arch file is an input error") {
  CHECK_THROWS_AS(load_arch("configs/arch/does_not_exist.toml"), imc::common::InputError);
}

TEST_CASE("tech files declare every constant: a missing one is an error naming it") {
  CHECK_THROWS_WITH_AS(imc::arch::load_tech("tests/arch/data/tech_missing_key.toml", 32),
                       doctest::Contains("adc.walden_fom_fj"), imc::common::InputError);
}

TEST_CASE("a node without its own tech file scales by the documented rule") {
  const auto t32 = imc::arch::load_tech("configs/tech/32nm.toml", 32);
  const auto t16 = imc::arch::load_tech("configs/tech/32nm.toml", 16);
  CHECK(t16.dac_energy_fj_1bit == doctest::Approx(t32.dac_energy_fj_1bit * 0.5));
  // ADC figures follow their own exponents (32nm.toml: energy node-independent, area ^0.6).
  CHECK(t16.adc_area_per_step_um2 ==
        doctest::Approx(t32.adc_area_per_step_um2 * std::pow(0.5, t32.adc_area_node_exponent)));
  CHECK(t16.adc_walden_fom_fj ==
        doctest::Approx(t32.adc_walden_fom_fj * std::pow(0.5, t32.adc_energy_node_exponent)));
  CHECK(t16.fmax_nominal_ghz == doctest::Approx(t32.fmax_nominal_ghz * 2));
}

TEST_CASE("the key documentation lists every section") {
  const std::string d = imc::arch::document_arch_keys();
  for (const char* k : {"chip.clock_ghz", "device.drift_nu", "adc.cols_per_adc", "noc.routing",
                        "offchip.kind", "pe.input_buffer.capacity_bytes"})
    CHECK(contains(d, k));
}
