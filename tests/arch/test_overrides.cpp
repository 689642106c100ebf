#include <doctest/doctest.h>

#include "arch/load.h"
#include "arch/overrides.h"
#include "common/config.h"

using namespace imc::arch;

TEST_CASE("hardware genes set arch keys by name, within their declared ranges") {
  ArchSpec s = load_arch("configs/arch/rram_default.toml");
  apply_overrides(s, {{"crossbar.rows", 64.0}, {"adc.bits", 5.0}, {"device.type", std::string("pcm")}},
                  "configs/arch");
  CHECK(s.crossbar.rows == 64);
  CHECK(s.adc.bits == 5);
  CHECK(s.device.type == DeviceType::Pcm);
  CHECK_THROWS_WITH_AS(apply_overrides(s, {{"adc.bits", 40.0}}, "configs/arch"),
                       doctest::Contains("out of range"), imc::common::InputError);
  CHECK_THROWS_WITH_AS(apply_overrides(s, {{"adc.bitz", 4.0}}, "configs/arch"),
                       doctest::Contains("unknown hardware key"), imc::common::InputError);
  CHECK_THROWS_WITH_AS(apply_overrides(s, {{"device.type", std::string("mram")}}, "configs/arch"),
                       doctest::Contains("allowed: rram, sram, pcm, fefet"), imc::common::InputError);
}

TEST_CASE("derived keys: routers, crossbars per tile, cycle time, global buffer in MB") {
  ArchSpec s = load_arch("configs/arch/rram_default.toml");
  apply_overrides(
      s,
      {{"noc.routers", 12.0}, {"tile.crossbars", 32.0}, {"chip.cycle_ns", 2.0}, {"global.capacity_mb", 0.5}},
      "configs/arch");
  CHECK(s.noc.mesh_x * s.noc.mesh_y == 12);
  CHECK(s.noc.mesh_y == 3);
  CHECK(s.tile.pes * s.pe.crossbars == 32);
  CHECK(s.chip.clock_ghz == doctest::Approx(0.5));
  CHECK(s.global.buffer.capacity_bytes == 524288);
  CHECK_THROWS_AS(apply_overrides(s, {{"tile.crossbars", 12.0}}, "configs/arch"), imc::common::InputError);
}

TEST_CASE("derived key noc.router_tiles sizes the router with the tiles it serves") {
  ArchSpec s = load_arch("configs/arch/rram_default.toml");
  apply_overrides(s, {{"noc.router_tiles", 16.0}}, "configs/arch");
  CHECK(s.noc.tiles_per_router == 16);
  CHECK(s.noc.ports == 20);
  CHECK(check_arch(s).empty());
  apply_overrides(s, {{"noc.router_tiles", 64.0}}, "configs/arch");
  CHECK(s.noc.ports == 68);
  // 128 tiles would need 132 ports, above noc.ports' declared range (128).
  CHECK_THROWS_WITH_AS(apply_overrides(s, {{"noc.router_tiles", 128.0}}, "configs/arch"),
                       doctest::Contains("noc.ports"), imc::common::InputError);
  const auto keys = overridable_keys();
  CHECK(std::find(keys.begin(), keys.end(), "noc.router_tiles") != keys.end());
}

TEST_CASE("changing the node reloads and scales the tech table") {
  ArchSpec s = load_arch("configs/arch/rram_default.toml");
  const double e22 = s.tech.dac_energy_fj_1bit;
  apply_overrides(s, {{"chip.node_nm", 11.0}}, "configs/arch");
  CHECK(s.tech.node_nm == 11);
  CHECK(s.tech.dac_energy_fj_1bit == doctest::Approx(e22 * 0.5));
}

TEST_CASE("every declared key is overridable") {
  const auto keys = overridable_keys();
  CHECK(std::find(keys.begin(), keys.end(), "noc.flit_bits") != keys.end());
  CHECK(std::find(keys.begin(), keys.end(), "pe.input_buffer.capacity_bytes") != keys.end());
}
