// Conservation on every zoo network: MACs on crossbars + digital units = the workload's MACs;
// energy total = sum of its breakdown = sum over layers + leakage; bits sent = bits received.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "arch/load.h"
#include "mapping/mapping.h"
#include "sim/analytical/analytical_model.h"
#include "workloads/zoo.h"

using namespace imc;

namespace {
void check_network(const arch::ArchSpec& s, const std::string& name, int batch) {
  CAPTURE(name);
  CAPTURE(s.chip.name);
  const workloads::Graph g = workloads::zoo_network(name);
  mapping::MappingOptions o;
  o.batch = batch;
  const auto m = mapping::map(s, g, o);
  const auto p = mapping::lower(s, g, m);
  std::int64_t xbar = 0, digital = 0, sent = 0, received = 0;
  std::map<int, std::int64_t> send_bits;
  for (std::size_t i = 0; i < p.ops.size(); ++i) {
    const auto& op = p.ops[i];
    xbar += op.crossbar_macs;
    digital += op.digital_macs;
    if (op.type == mapping::OpType::Send) sent += op.bits, send_bits[int(i)] = op.bits;
    if (op.type == mapping::OpType::Recv) {
      received += op.bits;
      REQUIRE(op.deps.size() == 1);
      CHECK(send_bits.at(op.deps[0]) == op.bits);
    }
    for (int d : op.deps) CHECK(d < int(i));
  }
  CHECK(xbar + digital == g.total_macs() * batch);
  CHECK(sent == received);
  const sim::Report r = sim::AnalyticalModel().evaluate(s, p);
  double breakdown = 0, layers = 0;
  for (const auto& [k, v] : r.energy_breakdown_pj) breakdown += v;
  for (const auto& l : r.layers) layers += l.energy_pj;
  CHECK(breakdown == doctest::Approx(r.energy_pj).epsilon(1e-9));
  CHECK(layers + r.leakage_energy_pj == doctest::Approx(r.energy_pj).epsilon(1e-9));
  CHECK(r.latency_cycles > 0);
  CHECK(r.macs == g.total_macs() * batch);
}
}  // namespace

TEST_CASE("conservation on every zoo network, both default chips") {
  for (const char* arch_file : {"configs/arch/rram_default.toml", "configs/arch/sram_default.toml"}) {
    const arch::ArchSpec s = arch::load_arch(arch_file);
    for (const auto& name : workloads::zoo_names()) check_network(s, name, 1);
  }
}

TEST_CASE("conservation holds with a batch and with the layer schedule") {
  const arch::ArchSpec s = arch::load_arch("configs/arch/rram_default.toml");
  check_network(s, "resnet18", 3);
}

TEST_CASE("same inputs give identical reports") {
  const arch::ArchSpec s = arch::load_arch("configs/arch/rram_default.toml");
  const workloads::Graph g = workloads::zoo_network("mobilenetv3_large");
  const auto p1 = mapping::lower(s, g, mapping::map(s, g, {}));
  const auto p2 = mapping::lower(s, g, mapping::map(s, g, {}));
  const auto r1 = sim::AnalyticalModel().evaluate(s, p1);
  const auto r2 = sim::AnalyticalModel().evaluate(s, p2);
  CHECK(sim::to_json(r1).dump() == sim::to_json(r2).dump());
}

TEST_CASE("conservation holds for every schedule") {
  const arch::ArchSpec s = arch::load_arch("configs/arch/rram_default.toml");
  for (const auto& [name, schedule] : mapping::schedule_names()) {
    CAPTURE(name);
    const workloads::Graph g = workloads::zoo_network("resnet18");
    mapping::MappingOptions o;
    o.schedule = schedule;
    o.batch = 2;
    const auto p = mapping::lower(s, g, mapping::map(s, g, o));
    std::int64_t macs = 0;
    for (std::size_t i = 0; i < p.ops.size(); ++i) {
      macs += p.ops[i].crossbar_macs + p.ops[i].digital_macs;
      for (int d : p.ops[i].deps) CHECK(d < int(i));
    }
    CHECK(macs == 2 * g.total_macs());
  }
}

TEST_CASE("utilization never exceeds 100%, also with reload groups and multi-pass layers") {
  const arch::ArchSpec s = arch::load_arch("configs/arch/rram_default.toml");
  for (const char* name : {"vgg16", "alexnet", "gpt2_medium", "resnet18"}) {
    CAPTURE(name);
    const workloads::Graph g = workloads::zoo_network(name);
    const auto p = mapping::lower(s, g, mapping::map(s, g, {}));
    CHECK(p.utilization() > 0);
    CHECK(p.utilization() <= 1.0);
    for (const auto& l : p.layers) CHECK(l.utilization <= 1.0);
  }
}
