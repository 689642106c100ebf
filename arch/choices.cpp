#include "arch/choices.h"

namespace imc::arch {

const Spellings<DeviceType>& spellings(DeviceType) {
  static const Spellings<DeviceType> s = {{"rram", DeviceType::Rram},
                                          {"sram", DeviceType::Sram},
                                          {"pcm", DeviceType::Pcm},
                                          {"fefet", DeviceType::Fefet}};
  return s;
}

const Spellings<SignedScheme>& spellings(SignedScheme) {
  static const Spellings<SignedScheme> s = {{"differential", SignedScheme::Differential},
                                            {"offset", SignedScheme::Offset}};
  return s;
}

const Spellings<AdcType>& spellings(AdcType) {
  static const Spellings<AdcType> s = {{"sar", AdcType::Sar},
                                       {"flash", AdcType::Flash},
                                       {"ramp", AdcType::Ramp},
                                       {"sense_amp", AdcType::SenseAmp}};
  return s;
}

const Spellings<DacStyle>& spellings(DacStyle) {
  static const Spellings<DacStyle> s = {{"pulse", DacStyle::Pulse}, {"voltage", DacStyle::Voltage}};
  return s;
}

const Spellings<BufferTechnology>& spellings(BufferTechnology) {
  static const Spellings<BufferTechnology> s = {{"sram", BufferTechnology::Sram},
                                                {"edram", BufferTechnology::Edram},
                                                {"regfile", BufferTechnology::Regfile}};
  return s;
}

const Spellings<Routing>& spellings(Routing) {
  static const Spellings<Routing> s = {{"xy", Routing::Xy}, {"yx", Routing::Yx}};
  return s;
}

const Spellings<FlowControl>& spellings(FlowControl) {
  static const Spellings<FlowControl> s = {{"wormhole", FlowControl::Wormhole}, {"vct", FlowControl::Vct}};
  return s;
}

const Spellings<OffchipKind>& spellings(OffchipKind) {
  static const Spellings<OffchipKind> s = {{"none", OffchipKind::None},
                                           {"hypertransport", OffchipKind::HyperTransport},
                                           {"lpddr4", OffchipKind::Lpddr4},
                                           {"ddr4", OffchipKind::Ddr4},
                                           {"hbm2", OffchipKind::Hbm2}};
  return s;
}

}  // namespace imc::arch
