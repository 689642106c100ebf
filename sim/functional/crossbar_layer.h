// A weight-stationary layer (conv or linear, any number of groups) programmed into crossbars as the
// mapping cuts it (mapping::tile_matrix), and run numerically: the integer result of
// x^T W as the hardware would compute it.
//
// What is modelled (docs/accuracy.md has the details and the reasoning):
//  - weights: signed integers of `weight_bits`, sliced LSB-first over ceil(weight_bits / bits_per_cell)
//    cells; signed_scheme "differential" stores |w| on a positive or a negative column, "offset"
//    stores w + 2^(weight_bits-1) on one column and subtracts the offset digitally;
//  - groups: `groups_per_crossbar` groups packed block-diagonally in one crossbar (the cells off the
//    diagonal blocks are programmed to level 0 and still conduct: their variation and faults count);
//  - cells: conductance levels between 1/r_off and 1/r_on, lognormal device-to-device variation,
//    stuck-on / stuck-off cells, power-law drift (sim/functional/cell_model.h); read noise per read;
//  - inputs: unsigned integers of `input_bits` (signed inputs get +2^(input_bits-1), removed
//    digitally), fed dac.bits per read;
//  - reads: rows_parallel rows (crossbar.active_rows()) per analog read; each column current, minus
//    the off-state current of the driven rows, is converted by the ADC;
//  - ADC: adc.bits, uniform steps that are a power of two in level units, covering either the largest
//    possible column sum of the read (full scale) or a calibrated maximum; codes clip at 0 and at
//    2^bits - 1;
//  - shift-add over input slices and weight slices, digital sum over reads and row blocks (exact).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arch/spec.h"
#include "mapping/mapping.h"
#include "workloads/graph.h"

namespace imc::sim::functional {

struct LayerOptions {
  int weight_bits = 8;
  int input_bits = 8;
  bool signed_inputs = false;  // inputs in [-(2^(b-1)-1), 2^(b-1)-1] instead of [0, 2^b - 1]
  std::uint64_t seed = 1;      // programming draws (variation, faults) and read noise
  // ADC full scale in level units (a partial sum of one read); 0 = the largest possible column sum of
  // the read: rows driven x (2^dac_bits - 1) x (2^bits_per_cell - 1).
  double adc_full_scale = 0;
};

struct LayerStats {
  std::int64_t conversions = 0;   // ADC conversions performed
  std::int64_t clipped_high = 0;  // codes clipped at 2^bits - 1
  std::int64_t clipped_low = 0;   // negative currents clipped at code 0
};

class CrossbarLayer {
 public:
  // `weights`: groups x rows x cols signed integers (row-major per group: w[g][r][c]), with
  // |w| <= 2^(weight_bits-1) - 1. The matrix shape comes from `m` (rows, cols, groups).
  CrossbarLayer(const arch::ArchSpec& spec, const workloads::WeightMatrix& m,
                const std::vector<std::int32_t>& weights, const LayerOptions& options);
  ~CrossbarLayer();
  CrossbarLayer(CrossbarLayer&&) noexcept;
  CrossbarLayer& operator=(CrossbarLayer&&) noexcept;

  // x: vectors x (groups * rows) integer-valued inputs, row-major (group g's inputs are columns
  // [g*rows, (g+1)*rows)); y: vectors x (groups * cols) estimates of sum_r x[r] w[g][r][c].
  // `call_id` keys the read-noise stream: calls with other ids draw other noise, deterministically.
  // Safe to call from several threads at once (the layer is read-only but for its statistics).
  void run(const float* x, std::int64_t vectors, float* y, std::uint64_t call_id = 0);
  std::vector<float> run(const std::vector<float>& x, std::int64_t vectors, std::uint64_t call_id = 0);

  // The largest ideal partial sum (level units) any single read produces for these inputs: what a
  // calibrated ADC range is set from.
  double max_partial_sum(const float* x, std::int64_t vectors) const;
  void set_adc_full_scale(double level_units);  // 0 = full scale of each read

  const mapping::CrossbarTiling& tiling() const;
  const LayerStats& stats() const;
  void reset_stats();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The ADC step (level units, a power of two >= 1) that covers `full_scale` with 2^bits - 1 codes.
double adc_step(double full_scale, int adc_bits);

}  // namespace imc::sim::functional
