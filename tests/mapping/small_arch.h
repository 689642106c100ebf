// Small hand-checkable chips for the mapping and model tests.
#pragma once

#include <string>

#include "arch/load.h"

namespace imc::test {

// 128x128 crossbars, 2-bit cells, 8-bit weights and inputs, 1-bit DAC, differential pairs
// (8 columns per weight -> 16 weights across a crossbar), 1 GHz clock, 10 ns reads (10 cycles),
// 8 columns per ADC at 1 GS/s (8 cycles), 16 shift-adders per PE (8 cycles for 128 columns).
inline std::string small_arch_toml(int mesh_x, int mesh_y, int pes, int xbars) {
  return "[chip]\nclock_ghz = 1.0\nnode_nm = 32\n"
         "[precision]\nweight_bits = 8\ninput_bits = 8\naccumulator_bits = 24\n"
         "[device]\nbits_per_cell = 2\nread_pulse_ns = 10\n"
         "[crossbar]\nrows = 128\ncols = 128\nsigned_scheme = \"differential\"\n"
         "[dac]\nbits = 1\n"
         "[adc]\nbits = 6\ncols_per_adc = 8\nrate_gsps = 1.0\n"
         "[pe]\ncrossbars = " +
         std::to_string(xbars) +
         "\nshift_add_units = 16\n"
         "[tile]\npes = " +
         std::to_string(pes) +
         "\nbuffer = { capacity_bytes = 65536, width_bits = 256, technology = \"sram\" }\n"
         "[noc]\nmesh_x = " +
         std::to_string(mesh_x) + "\nmesh_y = " + std::to_string(mesh_y) +
         "\ntiles_per_router = 1\nports = 5\nflit_bits = 32\n"
         "[offchip]\nkind = \"lpddr4\"\nlinks = 1\n";
}

inline arch::ArchSpec small_arch(int mesh_x = 1, int mesh_y = 1, int pes = 1, int xbars = 1) {
  return arch::load_arch_string(small_arch_toml(mesh_x, mesh_y, pes, xbars), "small.toml", "configs/arch");
}

}  // namespace imc::test
