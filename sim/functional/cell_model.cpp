#include "sim/functional/cell_model.h"

#include <cmath>

namespace imc::sim::functional {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Rng::Rng(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& s : s_) s = x = mix64(x);
}

Rng::Rng(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c)
    : Rng(mix64(mix64(mix64(mix64(seed) ^ a) ^ b) ^ c)) {}

std::uint64_t Rng::next() {
  auto rotl = [](std::uint64_t v, int k) { return (v << k) | (v >> (64 - k)); };
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() {
  return double(next() >> 11) * 0x1.0p-53;
}

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = uniform();
  while (u1 <= 0) u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = r * std::sin(2 * M_PI * u2);
  has_spare_ = true;
  return r * std::cos(2 * M_PI * u2);
}

CellModel::CellModel(const arch::DeviceSpec& device) : d_(device) {
  levels_ = 1 << device.bits_per_cell;
  g_off_ = device.r_on_ohm / device.r_off_ohm;
  step_ = levels_ > 1 ? (1.0 - g_off_) / (levels_ - 1) : 1.0 - g_off_;
  // Lognormal factor exp(N(mu, s^2)) with mean 1 and std sigma: s^2 = ln(1 + sigma^2), mu = -s^2/2.
  const double s2 = std::log1p(device.variation_sigma * device.variation_sigma);
  log_sigma_ = std::sqrt(s2);
  log_mu_ = -s2 / 2;
  drift_factor_ = device.drift_time_s > 0 && device.drift_nu > 0
                      ? std::pow(device.drift_time_s / device.drift_t0_s, -device.drift_nu)
                      : 1.0;
}

bool CellModel::ideal() const {
  return d_.variation_sigma == 0 && d_.stuck_on_rate == 0 && d_.stuck_off_rate == 0 && drift_factor_ == 1.0;
}

CellModel::Fault CellModel::draw_fault(Rng& rng) const {
  if (ideal() || (d_.stuck_on_rate == 0 && d_.stuck_off_rate == 0)) return Fault::kNone;
  const double u = rng.uniform();
  if (u < d_.stuck_on_rate) return Fault::kStuckOn;
  if (u < d_.stuck_on_rate + d_.stuck_off_rate) return Fault::kStuckOff;
  return Fault::kNone;
}

float CellModel::conductance(int level, Fault fault, Rng& rng) const {
  if (ideal()) return float(level);
  // A stuck cell ignores programming (and its variation).
  double g = fault == Fault::kStuckOn ? 1.0 : fault == Fault::kStuckOff ? g_off_ : g_off_ + level * step_;
  if (fault == Fault::kNone && log_sigma_ > 0) g *= std::exp(log_mu_ + log_sigma_ * rng.normal());
  g *= drift_factor_;
  return float((g - g_off_) / step_);
}

float CellModel::program(int level, Rng& rng) const {
  // Faults first, then variation: the order of the draws is part of a chip instance's identity.
  return conductance(level, draw_fault(rng), rng);
}

}  // namespace imc::sim::functional
