// The first difference between two reports of the same program, for tests and checks that hold
// two evaluations equal (the analytical walk against the Program path): identity, actions,
// cycles and busy cycles must match exactly; energies and times in ns to a relative tolerance.
#pragma once

#include <string>

#include "sim/report.h"

namespace imc::sim {

// "" when equal; otherwise what differs first, e.g. "layer 3 (conv1): adc_conversion 10 vs 12".
std::string report_difference(const Report& a, const Report& b, double rel_tol = 1e-9);

}  // namespace imc::sim
