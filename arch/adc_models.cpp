// ADC models.
//
// "survey": the shape of the survey-fitted models (Murmann's ADC survey; the fit Accelergy's ADC
// plug-in uses, Andrulis et al. 2024, arXiv 2404.06553): energy per conversion is a floor plus a
// Walden figure of merit times 2^bits, so it grows slowly below ~8 bits and ~4x per 2 bits above;
// and both energy and area rise with the sample rate beyond a corner frequency, x (1 + fs/fs_corner).
// Flash and ramp ADCs scale that by per-type factors; a sense amplifier is a 1-bit comparator.
// Constants come from the tech file ([adc] section), calibrated there against ISAAC's 8-bit
// 1.28 GS/s ADC (2 mW, 0.0012 mm^2 at 32 nm).
//
// "walden": the same Walden FOM term with no floor and no rate penalty (E = FOM * 2^bits); the
// classic first-order model, useful to see how much the floor and rate terms matter.
#include "arch/adc_models.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "common/config.h"

namespace imc::arch::cost {
namespace {

double type_energy_factor(const ArchSpec& s) {
  if (s.adc.type == AdcType::Flash) return s.tech.adc_flash_energy_factor;
  if (s.adc.type == AdcType::Ramp) return s.tech.adc_ramp_energy_factor;
  return 1.0;
}
double type_area_factor(const ArchSpec& s) {
  if (s.adc.type == AdcType::Flash) return s.tech.adc_flash_area_factor;
  if (s.adc.type == AdcType::Ramp) return s.tech.adc_ramp_area_factor;
  return 1.0;
}

double survey_energy(const ArchSpec& s) {
  const TechSpec& t = s.tech;
  if (s.adc.type == AdcType::SenseAmp) return t.adc_sense_amp_energy_pj;
  const double steps = std::ldexp(1.0, s.adc.bits);
  const double base = t.adc_energy_floor_pj + t.adc_walden_fom_fj * 1e-3 * steps;
  return base * (1 + s.adc.rate_gsps / t.adc_rate_corner_gsps) * type_energy_factor(s);
}

double survey_area(const ArchSpec& s) {
  const TechSpec& t = s.tech;
  if (s.adc.type == AdcType::SenseAmp) return t.adc_sense_amp_area_um2;
  const double steps = std::ldexp(1.0, s.adc.bits);
  const double base = t.adc_area_floor_um2 + t.adc_area_per_step_um2 * steps;
  return base * (1 + s.adc.rate_gsps / t.adc_rate_corner_gsps) * type_area_factor(s);
}

double walden_energy(const ArchSpec& s) {
  if (s.adc.type == AdcType::SenseAmp) return s.tech.adc_sense_amp_energy_pj;
  return s.tech.adc_walden_fom_fj * 1e-3 * std::ldexp(1.0, s.adc.bits) * type_energy_factor(s);
}

double walden_area(const ArchSpec& s) {
  if (s.adc.type == AdcType::SenseAmp) return s.tech.adc_sense_amp_area_um2;
  return s.tech.adc_area_per_step_um2 * std::ldexp(1.0, s.adc.bits) * type_area_factor(s);
}

const AdcModel kModels[] = {
    {"survey", "floor + Walden FOM x 2^bits, x (1 + rate/corner), per-type factors", survey_energy,
     survey_area},
    {"walden", "Walden FOM x 2^bits only", walden_energy, walden_area},
};

}  // namespace

const AdcModel& adc_model(const std::string& name) {
  for (const auto& m : kModels)
    if (name == m.name) return m;
  throw common::InputError(
      fmt::format("unknown ADC model \"{}\": allowed {}", name, fmt::join(adc_model_names(), ", ")));
}

std::vector<std::string> adc_model_names() {
  std::vector<std::string> out;
  for (const auto& m : kModels) out.emplace_back(m.name);
  return out;
}

}  // namespace imc::arch::cost
