#include "cli/arch_summary.h"

namespace imc::cli {

nlohmann::json arch_summary_json(const arch::ArchSpec& spec, const arch::cost::CostTable& c) {
  nlohmann::json j;
  j["arch"] = spec.chip.name;
  j["source"] = spec.source;
  j["tech_file"] = spec.tech.file;
  auto level = [](const arch::cost::LevelTotals& t) {
    return nlohmann::json{
        {"area_mm2", t.area_mm2}, {"peak_power_w", t.peak_power_w}, {"leakage_w", t.leakage_w}};
  };
  j["pe"] = level(c.pe);
  j["tile"] = level(c.tile);
  j["chip"] = level(c.chip);
  j["counts"] = {{"tiles", spec.tiles()},
                 {"pes", std::int64_t(spec.tiles()) * spec.tile.pes},
                 {"crossbars", spec.crossbars()},
                 {"cells", spec.crossbars() * spec.crossbar.rows * spec.crossbar.cols}};
  j["peak_tops"] = c.peak_tops;
  j["peak_tops_per_w"] = c.peak_tops / c.chip.peak_power_w;
  j["peak_tops_per_mm2"] = c.peak_tops / c.chip.area_mm2;
  j["clock_ghz"] = spec.chip.clock_ghz;
  j["supply_v"] = spec.supply_v();
  j["inventory"] = nlohmann::json::array();
  for (const auto& r : c.inventory)
    j["inventory"].push_back({{"level", r.level},
                              {"component", r.component},
                              {"count", r.count},
                              {"area_mm2", r.area_mm2},
                              {"peak_power_w", r.peak_power_w},
                              {"leakage_w", r.leakage_w}});
  return j;
}

}  // namespace imc::cli
