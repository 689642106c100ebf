// Setting arch parameters by their dotted key ("crossbar.rows", "adc.bits", "chip.voltage_v"), as
// the search decodes hardware genes. Values are checked against each key's declared range, and
// the tech table is reloaded when chip.tech or chip.node_nm change.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "arch/spec.h"

namespace imc::arch {

using ParamValue = std::variant<double, std::string>;

struct Override {
  std::string key;
  ParamValue value;
};

// Applies the overrides in order. Besides every declared key, these derived keys are accepted:
//   noc.routers          -> mesh_x x mesh_y, the most square factorization
//   noc.router_tiles     -> noc.tiles_per_router = value, noc.ports = value + 4 (a port per tile
//                           plus four mesh ports)
//   tile.crossbars       -> tile.pes = value / pe.crossbars (must divide)
//   chip.cycle_ns        -> chip.clock_ghz = 1 / value
//   global.capacity_mb   -> global.capacity_bytes = value * 2^20
// Throws common::InputError naming the key and what is allowed. Does not run check_arch().
void apply_overrides(ArchSpec& spec, const std::vector<Override>& overrides,
                     const std::string& tech_base_dir);

// Checks one override's value on its own (range and type of the key it sets, derived keys
// included), as a search config checks each gene value when it is loaded. InputError if bad.
void check_override_value(const Override& o);

// Every key apply_overrides() accepts (declared and derived).
std::vector<std::string> overridable_keys();

}  // namespace imc::arch
