// imcsim arch: the chip's inventory, area, leakage and peak power per component and level, peak
// throughput and efficiency — the way published component tables (ISAAC Table 6) sum them.
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "arch/cost.h"
#include "arch/load.h"
#include "cli/arch_summary.h"
#include "cli/command.h"
#include "cli/output.h"
#include "common/config.h"

namespace imc::cli {
namespace {

void print_summary(const arch::ArchSpec& spec, const arch::cost::CostTable& c) {
  fmt::print("{} ({}; tech {}, {:g} nm, {:g} V, {:g} GHz)\n", spec.chip.name, spec.source, spec.tech.file,
             spec.chip.node_nm, spec.supply_v(), spec.chip.clock_ghz);
  fmt::print("{} tiles x {} PEs x {} crossbars of {}x{} = {} crossbars\n\n", spec.tiles(), spec.tile.pes,
             spec.pe.crossbars, spec.crossbar.rows, spec.crossbar.cols, spec.crossbars());
  fmt::print("{:<6} {:<22} {:>10} {:>12} {:>14} {:>12}\n", "level", "component", "count", "area mm2",
             "peak power mW", "leakage mW");
  std::string last;
  for (const auto& r : c.inventory) {
    if (!last.empty() && r.level != last) fmt::print("\n");
    last = r.level;
    fmt::print("{:<6} {:<22} {:>10g} {:>12.6f} {:>14.4f} {:>12.4f}\n", r.level, r.component, r.count,
               r.area_mm2, r.peak_power_w * 1e3, r.leakage_w * 1e3);
  }
  fmt::print("\n{:<8} {:>12} {:>14}\n", "total", "area mm2", "peak power");
  fmt::print("{:<8} {:>12.5f} {:>11.3f} mW\n", "pe", c.pe.area_mm2, c.pe.peak_power_w * 1e3);
  fmt::print("{:<8} {:>12.4f} {:>11.2f} mW\n", "tile", c.tile.area_mm2, c.tile.peak_power_w * 1e3);
  fmt::print("{:<8} {:>12.2f} {:>12.3f} W\n", "chip", c.chip.area_mm2, c.chip.peak_power_w);
  fmt::print("\npeak {:.2f} TOPS at {}-bit weights / {}-bit inputs (1 MAC = 2 ops)\n", c.peak_tops,
             spec.precision.weight_bits, spec.precision.input_bits);
  fmt::print("peak efficiency {:.1f} GOPS/W, {:.1f} GOPS/s/mm2; leakage {:.3f} W\n",
             1e3 * c.peak_tops / c.chip.peak_power_w, 1e3 * c.peak_tops / c.chip.area_mm2, c.chip.leakage_w);
}

const Command kArch{"arch", "Inventory, area, power and peak efficiency of a chip described in TOML", 10,
                    [](CLI::App& sub) -> Action {
                      auto arch_file = std::make_shared<std::string>();
                      auto json_out = std::make_shared<std::string>();
                      auto keys = std::make_shared<bool>(false);
                      sub.add_option("--arch", *arch_file, "arch TOML file (configs/arch/*.toml)");
                      sub.add_option("--json", *json_out, "write the summary as JSON to this file");
                      sub.add_flag("--keys", *keys,
                                   "print every arch and tech key with unit, default, range");
                      return [=]() {
                        if (*keys) {
                          fmt::print("## Arch keys\n\n{}\n## Tech keys\n\n{}", arch::document_arch_keys(),
                                     arch::document_tech_keys());
                          return 0;
                        }
                        if (arch_file->empty()) throw common::InputError("arch: --arch FILE is required");
                        const arch::ArchSpec spec = arch::load_arch(*arch_file);
                        const arch::cost::CostTable costs = arch::cost::build(spec);
                        print_summary(spec, costs);
                        if (!json_out->empty()) write_json(*json_out, arch_summary_json(spec, costs));
                        return 0;
                      };
                    }};

}  // namespace
}  // namespace imc::cli
