// One design through the constraints and the analytical model; the memoizing worker evaluator.
#include <doctest/doctest.h>

#include "nas/cosearch/baselines.h"
#include "nas/cosearch/evaluator.h"
#include "nas/decode.h"
#include "workloads/load.h"

using namespace imc::nas;
using namespace imc::nas::cosearch;

namespace {

struct Fixture {
  Config config = load_config("configs/cosearch/tiny.toml");
  std::vector<imc::workloads::Graph> graphs = imc::workloads::load_workloads("cifar2");
  Problem problem = make_problem(config, graphs, false, Aggregate::kEla);
  const SearchSpace& space = config.space;

  // Every gene at its first (smallest) or last (largest) value.
  Genome all(bool largest) const {
    Genome g(space.size());
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = largest ? int(space.genes()[i].values.size()) - 1 : 0;
    return g;
  }
  // The largest chip at the lowest supply that still meets its clock.
  Genome big() const {
    Genome g = all(true);
    g[space.index_of("hardware.chip.voltage_v")] = 2;  // 0.8 V
    g[space.index_of("hardware.chip.cycle_ns")] = 1;   // 2 ns
    return g;
  }
};

bool infeasible_without_cost(const Evaluation& e) {
  return !e.feasible() && e.violation > 0 && e.objectives.empty();
}

}  // namespace

TEST_CASE("a feasible design gets every network's figures and the log10 aggregate") {
  Fixture f;
  const Evaluation e = evaluate_design(f.problem, f.space, f.big());
  INFO(e.reason);
  REQUIRE(e.feasible());
  CHECK(e.fidelity == "analytical");
  const auto figs = figures_from(e, f.problem.networks());
  REQUIRE(figs.has_value());
  REQUIRE(figs->size() == 2);
  for (const auto& n : *figs) {
    CHECK(n.metrics.energy_pj > 0);
    CHECK(n.metrics.latency_ns > 0);
    CHECK(n.metrics.area_mm2 > 0);
    CHECK(n.reload_groups == 1);
  }
  CHECK(e.objectives.at(0) == doctest::Approx(std::log10(aggregate_edap(*figs, Aggregate::kEla))));
  CHECK(e.objectives.at(0) < 0);  // a real EDAP in J*s*mm2, far below 1 — and never log10(0)
}

TEST_CASE("capacity: a chip too small for the networks is infeasible unless weights are fetched from DRAM") {
  Fixture f;
  const Genome small = f.all(false);
  const Evaluation e = evaluate_design(f.problem, f.space, small);
  CHECK(infeasible_without_cost(e));
  CHECK(e.fidelity == "capacity");
  CHECK(e.reason.find("capacity: vgg8 needs") != std::string::npos);
  const Capacity c = capacity(imc::nas::decode_hardware(f.problem.base, f.space, small, f.problem.tech_dir),
                              f.graphs[0], f.problem.mapping);
  CHECK(c.pes_needed > c.pes_available);
  CHECK(e.violation >= double(c.pes_needed) / double(c.pes_available) - 1.0);

  Problem fetch = f.problem;
  fetch.weight_fetch = true;
  fetch.mapping.overflow = imc::mapping::Overflow::Reload;
  const Evaluation r = evaluate_design(fetch, f.space, small);
  INFO(r.reason);
  REQUIRE(r.feasible());
  const auto figs = figures_from(r, f.problem.networks());
  REQUIRE(figs.has_value());
  CHECK((*figs)[0].reload_groups > 1);  // the DRAM traffic is counted, not ignored
}

TEST_CASE("area and decoding failures are infeasible, never cost 0") {
  Fixture f;
  Problem tight = f.problem;
  tight.area_mm2_max = 0.01;
  const Evaluation a = evaluate_design(tight, f.space, f.big());
  CHECK(infeasible_without_cost(a));
  CHECK(a.fidelity == "area");
  CHECK(a.reason.find("area_mm2_max") != std::string::npos);

  // 10 GHz is above any supply's clock limit: the chip does not decode.
  SearchSpace s;
  Gene g;
  g.name = "hardware.chip.cycle_ns";
  g.values = {GeneValue::number(0.1)};
  s.add_gene(g);
  const Evaluation d = evaluate_design(f.problem, s, {0});
  CHECK(infeasible_without_cost(d));
  CHECK(d.violation == kDecodeViolation);
  CHECK(d.fidelity == "decode");

  // An infeasible candidate is never the best, whatever its (absent) objectives.
  std::vector<Candidate> cands(2);
  cands[0].id = 0;
  cands[0].evaluation = a;
  cands[1].id = 1;
  CHECK(best_candidate({cands[0]}) == nullptr);
  cands[1].evaluation.objectives = {5.0};
  REQUIRE(best_candidate(cands) != nullptr);
  CHECK(best_candidate(cands)->id == 1);
}

TEST_CASE("the worker evaluator returns what the in-process evaluation does, in order, and remembers") {
  Fixture f;
  auto problem = std::make_shared<Problem>(f.problem);
  Evaluator ev(problem, WorkerOptions{2, 1, false}, 0);
  std::size_t batches = 0;
  ev.before_batch = [&](std::size_t) { ++batches; };
  const std::vector<Genome> genomes = {f.big(), f.all(false), f.big(), f.all(true)};
  const auto out = ev.evaluate(f.space, genomes);
  REQUIRE(out.size() == 4);
  CHECK(ev.models_run() == 3);  // the repeat is evaluated once
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    const Evaluation direct = evaluate_design(f.problem, f.space, genomes[i]);
    CHECK(to_json(out[i]).dump() == to_json(direct).dump());
  }
  const auto again = ev.evaluate(f.space, {f.all(true), f.big()});
  CHECK(ev.models_run() == 3);
  CHECK(batches == 1);
  CHECK(to_json(again[1]).dump() == to_json(out[0]).dump());

  // A stage's restricted space names the same design with the same key: recalled, not re-run.
  const SearchSpace stage = restrict_space(f.space, f.big(), {"hardware.crossbar.rows"});
  const Genome in_stage = stage.encode(f.space.decode(f.big()));
  CHECK(to_json(ev.evaluate(stage, {in_stage})[0]).dump() == to_json(out[0]).dump());
  CHECK(ev.models_run() == 3);
}

TEST_CASE("the (design, network) cache: a one-network search recalls the joint search's networks") {
  Fixture f;
  auto joint_problem = std::make_shared<Problem>(f.problem);
  Evaluator joint(joint_problem, WorkerOptions{2, 1, false}, 0);
  const std::vector<Genome> genomes = {f.big(), f.all(false), f.all(true)};
  const auto joint_out = joint.evaluate(f.space, genomes);
  REQUIRE(joint_out[0].feasible());
  // Feasible designs send every network to the workers; infeasible ones (decode, area) none.
  std::size_t feasible = 0;
  for (const auto& e : joint_out) feasible += e.feasible();
  CHECK(joint.networks_run() == feasible * 2);
  CHECK(joint.network_cache()->size() == feasible * 2);

  // The second network alone, sharing the cache: nothing left to run, and the same evaluation as
  // an evaluator of its own (which runs the model).
  auto alone = std::make_shared<Problem>(f.problem);
  alone->graphs = {f.problem.graphs.at(1)};
  Evaluator shared(alone, WorkerOptions{2, 1, false}, 0, joint.network_cache());
  Evaluator own(alone, WorkerOptions{2, 1, false}, 0);
  const auto hits_before = joint.network_cache()->hits();
  const auto shared_out = shared.evaluate(f.space, genomes);
  const auto own_out = own.evaluate(f.space, genomes);
  CHECK(shared.networks_run() == 0);
  CHECK(shared.models_run() == 3);  // designs are still counted per evaluator
  CHECK(joint.network_cache()->hits() == hits_before + feasible);
  CHECK(own.networks_run() == feasible);
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    CHECK(to_json(shared_out[i]).dump() == to_json(own_out[i]).dump());
    CHECK(to_json(own_out[i]).dump() == to_json(evaluate_design(*alone, f.space, genomes[i])).dump());
  }
  // And back: a new design evaluated for the one network first leaves only the other to the joint one.
  Genome other = f.big();
  other[f.space.index_of("hardware.chip.voltage_v")] = 1;  // 0.7 V: still meets the 2 ns clock
  shared.evaluate(f.space, {other});
  CHECK(shared.networks_run() == 1);
  const auto before = joint.networks_run();
  const Evaluation both = joint.evaluate(f.space, {other}).at(0);
  CHECK(joint.networks_run() == before + 1);
  CHECK(to_json(both).dump() == to_json(evaluate_design(f.problem, f.space, other)).dump());
}

TEST_CASE("the largest network is the one with the most crossbar weights") {
  const auto graphs = imc::workloads::load_workloads("imagenet4");
  CHECK(graphs[largest_network(graphs)].name() == "vgg16");
}
