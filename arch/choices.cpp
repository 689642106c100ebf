#include "arch/choices.h"

namespace imc::arch {

const Spellings<DeviceType>& spellings(DeviceType) {
  static const Spellings<DeviceType> s = {{DeviceType::Rram, "rram"},
                                          {DeviceType::Sram, "sram"},
                                          {DeviceType::Pcm, "pcm"},
                                          {DeviceType::Fefet, "fefet"}};
  return s;
}

const Spellings<SignedScheme>& spellings(SignedScheme) {
  static const Spellings<SignedScheme> s = {{SignedScheme::Differential, "differential"},
                                            {SignedScheme::Offset, "offset"}};
  return s;
}

const Spellings<AdcType>& spellings(AdcType) {
  static const Spellings<AdcType> s = {{AdcType::Sar, "sar"},
                                       {AdcType::Flash, "flash"},
                                       {AdcType::Ramp, "ramp"},
                                       {AdcType::SenseAmp, "sense_amp"}};
  return s;
}

const Spellings<BufferTechnology>& spellings(BufferTechnology) {
  static const Spellings<BufferTechnology> s = {{BufferTechnology::Sram, "sram"},
                                                {BufferTechnology::Edram, "edram"},
                                                {BufferTechnology::Regfile, "regfile"}};
  return s;
}

const Spellings<Routing>& spellings(Routing) {
  static const Spellings<Routing> s = {{Routing::Xy, "xy"}, {Routing::Yx, "yx"}};
  return s;
}

const Spellings<FlowControl>& spellings(FlowControl) {
  static const Spellings<FlowControl> s = {{FlowControl::Wormhole, "wormhole"}, {FlowControl::Vct, "vct"}};
  return s;
}

const Spellings<OffchipKind>& spellings(OffchipKind) {
  static const Spellings<OffchipKind> s = {{OffchipKind::None, "none"},
                                           {OffchipKind::HyperTransport, "hypertransport"},
                                           {OffchipKind::Lpddr4, "lpddr4"},
                                           {OffchipKind::Ddr4, "ddr4"},
                                           {OffchipKind::Hbm2, "hbm2"}};
  return s;
}

}  // namespace imc::arch
