// crossbar.combine_bit_columns: a weight's bit columns summed in the charge domain (C-2C ladder,
// weighting capacitors) before one conversion. The lowering counts one conversion, sample and
// shift-add per weight and polarity instead of per physical column; cell reads and row drives do not
// change; the ADC part of an MVM step shrinks by the same factor.
#include <doctest/doctest.h>

#include <string>

#include "../mapping/small_arch.h"
#include "arch/cost.h"
#include "arch/load.h"
#include "mapping/mapping.h"
#include "sim/analytical/analytical_model.h"

using namespace imc;
using arch::Action;

namespace {

arch::ArchSpec chip(bool combine) {
  std::string t = test::small_arch_toml(1, 1, 1, 1);  // 8-bit weights on 2-bit cells, differential
  const std::string key = "signed_scheme = \"differential\"\n";
  t.replace(t.find(key), key.size(), key + "combine_bit_columns = " + (combine ? "true" : "false") + "\n");
  return arch::load_arch_string(t, "small.toml", "configs/arch");
}

struct Run {
  sim::Report report;
  int max_cols_per_adc_used = 0;
};

Run run(const arch::ArchSpec& s) {
  workloads::Graph g("one_conv");
  g.conv(g.input({4, 8, 8}), 16, 3);  // 36 rows x 16 weights = 128 physical columns: one crossbar
  const auto p = mapping::lower(s, g, mapping::map(s, g, {}));
  Run r;
  for (const auto& op : p.ops)
    r.max_cols_per_adc_used = std::max(r.max_cols_per_adc_used, op.cols_per_adc_used);
  r.report = sim::AnalyticalModel().evaluate(s, arch::cost::build(s), p);
  return r;
}

}  // namespace

TEST_CASE("combined bit columns: one conversion per weight and polarity, the same cell reads") {
  const arch::ArchSpec off_spec = chip(false), on_spec = chip(true);
  REQUIRE(on_spec.crossbar.combine_bit_columns);
  const Run off = run(off_spec), on = run(on_spec);
  // 8-bit weights on 2-bit cells: 4 bit columns per polarity are combined.
  const int bit_cols = 4;
  CHECK(off.report.actions[Action::AdcConversion] > 0);
  CHECK(on.report.actions[Action::AdcConversion] * bit_cols == off.report.actions[Action::AdcConversion]);
  CHECK(on.report.actions[Action::SampleHold] * bit_cols == off.report.actions[Action::SampleHold]);
  CHECK(on.report.actions[Action::XbarCellRead] == off.report.actions[Action::XbarCellRead]);
  CHECK(on.report.actions[Action::DacDrive] == off.report.actions[Action::DacDrive]);
  // cols_per_adc = 8 physical columns: 8 conversions per ADC per read, or 2 combined.
  CHECK(off.max_cols_per_adc_used == 8);
  CHECK(on.max_cols_per_adc_used == 2);
  CHECK(on.report.energy_pj < off.report.energy_pj);
  CHECK(on.report.latency_cycles <= off.report.latency_cycles);
}

TEST_CASE("conversions_per_read: every column, or one per weight and polarity") {
  arch::CrossbarSpec x;
  x.signed_scheme = arch::SignedScheme::Offset;
  CHECK(arch::conversions_per_read(x, 128, 8) == 128);
  x.combine_bit_columns = true;
  CHECK(arch::conversions_per_read(x, 128, 8) == 16);
  x.signed_scheme = arch::SignedScheme::Differential;
  CHECK(arch::conversions_per_read(x, 128, 8) == 32);  // 4 bit columns per polarity
}
