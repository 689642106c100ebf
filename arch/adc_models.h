// ADC cost models, chosen by name ([adc].model). Each returns energy per conversion and area of one
// ADC at the spec's bits, sample rate, type and node (before supply-voltage scaling).
#pragma once

#include <string>
#include <vector>

#include "arch/spec.h"

namespace imc::arch::cost {

struct AdcModel {
  const char* name;
  const char* doc;
  double (*energy_pj)(const ArchSpec&);
  double (*area_um2)(const ArchSpec&);
};

const AdcModel& adc_model(const std::string& name);  // throws InputError listing the models
std::vector<std::string> adc_model_names();

}  // namespace imc::arch::cost
