// What each component costs: energy and latency of one action, area and leakage of every component.
// Both performance models take their numbers from here (so their formulas cannot drift apart).
// Compute a CostTable once per ArchSpec; it is cheap to query in the hot path.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "arch/actions.h"
#include "arch/spec.h"

namespace imc::arch::cost {

// Per-component figures of one instance.
struct ComponentCost {
  double area_um2 = 0;
  double peak_power_mw = 0;  // dynamic at its highest action rate + leakage
  double leakage_mw = 0;
};

// One row of the chip inventory: `count` instances at `level` (pe, tile, chip); area and power are
// totals over the instances. Counts can be fractional (a tile's share of a router).
struct InventoryRow {
  std::string level;
  std::string component;
  double count = 0;
  double area_mm2 = 0;
  double peak_power_w = 0;
  double leakage_w = 0;
};

struct LevelTotals {
  double area_mm2 = 0;
  double peak_power_w = 0;
  double leakage_w = 0;
};

struct CostTable {
  std::array<double, kActionCount> energy_pj{};  // per action (per bit for *_bits actions)

  // Service times.
  double clock_ghz = 1;
  double xbar_read_ns = 0;       // one analog read
  double adc_conversion_ns = 0;  // one conversion of one ADC
  int adcs_per_crossbar = 1;
  int xbar_read_cycles = 1;  // ceil(read / cycle)
  // One MVM step of one crossbar (one input slice): the read, then every ADC converting its
  // columns; with sample-and-hold the next read overlaps the conversions.
  int adc_cycles(int columns_per_adc) const;  // conversions of `columns_per_adc` columns, in cycles
  bool sample_hold = true;

  // Leakage of the whole chip (mW) while it is powered, and its parts for power gating:
  // chip_leakage_mw = tiles x tile_leakage_mw + routers x router_leakage_mw + ungated_leakage_mw.
  double chip_leakage_mw = 0;
  double tile_leakage_mw = 0;     // one tile (PEs, buffers, units), without its router share
  double router_leakage_mw = 0;   // one router
  double ungated_leakage_mw = 0;  // chip level: global buffer, off-chip / host interface

  // Inventory and level totals.
  std::vector<InventoryRow> inventory;
  LevelTotals pe, tile, chip;
  double peak_tops = 0;  // at spec precision, 1 MAC = 2 ops
};

CostTable build(const ArchSpec& spec);

// Energy of the counted actions in pJ, and its breakdown by component (sums to the total).
double energy_pj(const ActionCounts& counts, const CostTable& costs);
std::map<std::string, double> energy_breakdown_pj(const ActionCounts& counts, const CostTable& costs);

// A macro's figures at the scope published silicon reports (one PE: its crossbars with their row
// drivers, sample-and-holds, ADCs, shift-adds and PE buffers), for one MVM of every crossbar over
// all input slices at full precision. The actions are counted as the lowering counts a full
// crossbar (mapping/lowering_ops.h), with `row_activity` the fraction of rows driven per slice.
struct MacroFigures {
  double ops = 0;  // 2 x MACs at spec precision
  double energy_pj = 0;
  double time_ns = 0;
  double area_mm2 = 0;
  std::map<std::string, double> energy_breakdown_pj;  // by component, sums to energy_pj
  std::map<std::string, double> area_breakdown_mm2;   // by inventory component, sums to area_mm2
  double tops_per_w() const { return ops / energy_pj; }
  double tops() const { return ops / time_ns * 1e-3; }
  double tops_per_mm2() const { return tops() / area_mm2; }
  double energy_share(const std::string& component) const;
  double area_share(const std::string& component) const;
};
MacroFigures macro_figures(const ArchSpec& spec, double row_activity = 1.0);

// Individual models, exposed for tests and studies.
double adc_energy_pj(const ArchSpec& spec);  // one conversion at spec.adc bits, rate, type, node, supply
double adc_area_um2(const ArchSpec& spec);
double buffer_energy_fj_per_bit(const ArchSpec& spec, const BufferSpec& b);
double buffer_area_um2(const ArchSpec& spec, const BufferSpec& b);
double cell_read_energy_fj(const ArchSpec& spec);
double row_drive_energy_pj(const ArchSpec& spec);    // one row driven with one input slice
double dac_area_um2(const ArchSpec& spec);           // one row's driver / DAC
double voltage_energy_factor(const ArchSpec& spec);  // (V / V_nominal)^2

}  // namespace imc::arch::cost
