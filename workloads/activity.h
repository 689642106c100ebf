// Data-dependent activity of a layer's input activations (issue 14, item 2).
//
// Definition: for a weight-stationary layer, input_bit_density[b] is the fraction of the layer's
// input elements (quantized to unsigned integers, b = 0 the least significant bit) whose bit b is
// 1. A crossbar row is driven in an input slice only when the slice (dac_bits consecutive bits) of
// its input is non-zero, so the lowering counts row drives and cell reads from the probability that
// a slice is non-zero. Slices are taken as independent bits: P(slice s != 0) = 1 - prod(1 - d_b)
// over the slice's bits. An empty vector means every row is driven on every slice (the worst case,
// today's count).
//
// Activity files (--activity FILE, written by `imcsim accuracy --activity-out FILE`) are JSON:
//   { "conv1": [d_0, d_1, ..., d_7], "fc1": 0.25, ... }
// keyed by layer (node) name; a number sets the same density on every bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/graph.h"

namespace imc::workloads {

// Mean over the input slices of P(slice != 0), for `input_bits`-bit inputs driven `dac_bits` bits
// per slice. 1 for an empty density. A density whose length is neither 1 nor input_bits (measured at
// another precision) applies its mean to every bit.
double mean_slice_activity(const std::vector<double>& input_bit_density, int input_bits, int dac_bits);

// A count scaled by an activity in [0, 1]: exactly `count` at activity 1, otherwise rounded to the
// nearest integer, halves away from zero (std::llround), so every model derives the same integer.
std::int64_t scale_count(std::int64_t count, double activity);

// Reads an activity file and sets the named layers' densities. InputError naming the file and key
// for an unknown layer, a value outside [0, 1] or a malformed entry.
void apply_activity_file(Graph& graph, const std::string& path);

}  // namespace imc::workloads
