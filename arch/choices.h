// The string choices of an arch spec (device type, signed scheme, ADC type, buffer technology,
// routing, flow control, off-chip kind), parsed once at load into enums. Their spellings are
// declared here, once; arch/fields.cpp reads them (an unknown spelling is an InputError listing the
// allowed ones) and models compare enums, never strings.
//
// The ADC cost model (adc.model) stays a name: it selects an entry of a registry
// (arch/adc_models.cpp) that is looked up by that name.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/config.h"

namespace imc::arch {

enum class DeviceType { Rram, Sram, Pcm, Fefet };
enum class SignedScheme {
  Differential,  // two columns per weight (G+ - G-)
  Offset,        // one column, an offset subtracted digitally
};
enum class AdcType { Sar, Flash, Ramp, SenseAmp };
// How a multi-bit input slice reaches a row (dac.bits > 1).
enum class DacStyle {
  Pulse,    // a train of 2^(bits-1) one-bit pulses (read-word-line pulses, pulse width): energy ~ 2^bits
  Voltage,  // one analog level from a binary-weighted (R-2R) ladder per drive: energy ~ bits
};
enum class BufferTechnology { Sram, Edram, Regfile };
enum class Routing { Xy, Yx };
enum class FlowControl { Wormhole, Vct };
enum class OffchipKind {
  None,  // no off-chip memory: inputs and outputs cross the tech file's host interface
  HyperTransport,
  Lpddr4,
  Ddr4,
  Hbm2,
};

// Every value of each enum with its spelling in the TOML files (the tag argument picks the enum).
template <class E>
using Spellings = std::vector<std::pair<const char*, E>>;
const Spellings<DeviceType>& spellings(DeviceType);
const Spellings<SignedScheme>& spellings(SignedScheme);
const Spellings<AdcType>& spellings(AdcType);
const Spellings<DacStyle>& spellings(DacStyle);
const Spellings<BufferTechnology>& spellings(BufferTechnology);
const Spellings<Routing>& spellings(Routing);
const Spellings<FlowControl>& spellings(FlowControl);
const Spellings<OffchipKind>& spellings(OffchipKind);

// The spelling of a value, for messages and reports.
template <class E>
requires requires {
  spellings(E{});
}
std::string to_string(E value) {
  return common::name_of(value, spellings(E{}));
}

}  // namespace imc::arch
