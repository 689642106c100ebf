#include "sim/systemc/sim_spec.h"

#include <cmath>
#include <cstdlib>

#include "sim/systemc/stats.h"

// libsystemc.so references sc_main (its own main() calls it). Our programs have their own main()
// and drive the kernel with sc_start(), so sc_main is never called; it exists only so that every
// executable linking the SystemC model links. It lives in this file because every module uses
// SimSpec, which guarantees the linker pulls it in from the static library.
int sc_main(int, char*[]) {
  return 1;
}

namespace imc::sim::systemc {

const char* to_string(Stall s) {
  switch (s) {
    case Stall::AdcBusy:
      return "adc_busy";
    case Stall::UnitBusy:
      return "unit_busy";
    case Stall::BufferFull:
      return "buffer_full";
    case Stall::NetworkContention:
      return "network_contention";
    case Stall::Dram:
      return "dram";
    case Stall::kCount:
      break;
  }
  return "?";
}

SimSpec::SimSpec(const arch::ArchSpec& a, const arch::cost::CostTable& c) : arch(a), costs(c) {
  // The kernel prints its copyright banner on stdout when first used, which would corrupt the
  // CLI's output; the variable is the kernel's documented switch (a user setting wins).
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  const double ps = std::max(1.0, std::round(1000.0 / a.chip.clock_ghz));
  cycle = sc_core::sc_time(ps, sc_core::SC_PS);
}

std::int64_t SimSpec::now() const {
  return std::int64_t(sc_core::sc_time_stamp().value() / cycle.value());
}

sc_core::sc_time SimSpec::delay(std::int64_t cycles) const {
  return sc_core::sc_time::from_value(sc_core::sc_time::value_type(cycles) * cycle.value());
}

void arm(sc_core::sc_event& ev, const SimSpec& spec, std::int64_t at) {
  if (at >= kNever) return;
  const std::int64_t now = spec.now();
  if (at <= now)
    ev.notify(sc_core::SC_ZERO_TIME);
  else
    ev.notify(spec.delay(at - now));
}

}  // namespace imc::sim::systemc
