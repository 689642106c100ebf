// One crossbar cell as sim/functional sees it: a target conductance level turned into the
// conductance actually read, after device-to-device variation, stuck faults and drift.
//
// Conductances are normalized so that G_on = 1/r_on = 1 and G_off = r_on/r_off, and expressed
// above the off state in level steps: a cell at level l (0 .. 2^bits_per_cell - 1) ideally reads
// exactly l. A column's current minus the off-state current of the rows driven (a reference
// column of nominal G_off cells) divided by the level step is then the partial sum sum_r d_r l_r.
#pragma once

#include <cstdint>

#include "arch/spec.h"

namespace imc::sim::functional {

// Small, fast, seedable generator (xoshiro256**) plus a Gaussian draw. Random streams are keyed by
// (seed, purpose, position) so results do not depend on thread count or evaluation order.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  Rng(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0);
  std::uint64_t next();
  double uniform();  // [0, 1)
  double normal();   // N(0, 1), Box-Muller
 private:
  std::uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

std::uint64_t mix64(std::uint64_t x);  // splitmix64 finalizer

class CellModel {
 public:
  explicit CellModel(const arch::DeviceSpec& device);

  int levels() const { return levels_; }
  double g_off() const { return g_off_; }      // normalized off conductance
  double level_step() const { return step_; }  // normalized conductance between two levels
  // The conductance a cell programmed to `level` reads (normalized, above G_off, in level steps),
  // with this cell's draw of variation and faults taken from `rng`, and drift applied.
  float program(int level, Rng& rng) const;
  // program() in two steps, for a programmer that must know a weight's stuck cells before choosing its
  // levels: draw the cell's fault (one uniform, only when the device has stuck cells), then its read
  // conductance. program(l, rng) == conductance(l, draw_fault(rng), rng), draw for draw.
  enum class Fault { kNone, kStuckOn, kStuckOff };
  Fault draw_fault(Rng& rng) const;
  float conductance(int level, Fault fault, Rng& rng) const;
  // The level a stuck cell holds: G_on is the top level, G_off level 0.
  int stuck_level(Fault fault) const { return fault == Fault::kStuckOn ? levels_ - 1 : 0; }
  // Normalized absolute conductance (in units of G_on) of a programmed value from program().
  double absolute(float programmed) const { return programmed * step_ + g_off_; }
  bool ideal() const;  // no variation, faults or drift: program(l) == l exactly

 private:
  arch::DeviceSpec d_;
  int levels_;
  double g_off_, step_;
  double log_sigma_, log_mu_;  // lognormal with mean 1 and relative std variation_sigma
  double drift_factor_;        // (t/t0)^-nu, 1 without drift
};

}  // namespace imc::sim::functional
