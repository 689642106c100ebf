// Aggregates of per-network figures and the objectives built from them.
#include <doctest/doctest.h>

#include <cmath>

#include "nas/cosearch/aggregate.h"
#include "nas/cosearch/rescoring.h"

using namespace imc::nas::cosearch;

namespace {

NetworkFigures net(const char* name, double e_pj, double l_ns, double area) {
  NetworkFigures f;
  f.network = name;
  f.metrics = imc::sim::design_metrics(e_pj, l_ns, 0, area, 0);
  return f;
}

}  // namespace

TEST_CASE("the study's aggregates and ours on hand-made figures") {
  // a: 2 uJ, 3 ms; b: 5 uJ, 1 ms; area 10 mm2.
  const std::vector<NetworkFigures> nets = {net("a", 2e6, 3e6, 10), net("b", 5e6, 1e6, 10)};
  CHECK(nets[0].edap() == doctest::Approx(2e-6 * 3e-3 * 10));
  CHECK(nets[1].edap() == doctest::Approx(5e-6 * 1e-3 * 10));
  // ela: the largest energy (b) times the largest latency (a) times the area.
  CHECK(aggregate_edap(nets, Aggregate::kEla) == doctest::Approx(5e-6 * 3e-3 * 10));
  // ela_mean: mean energy x mean latency x area (not the mean of the EDAPs).
  CHECK(aggregate_edap(nets, Aggregate::kElaMean) == doctest::Approx(3.5e-6 * 2e-3 * 10));
  // ela_all: the area once.
  CHECK(aggregate_edap(nets, Aggregate::kElaAll) == doctest::Approx(10 * (2e-6 * 5e-6) * (3e-3 * 1e-3)));
  // ours: the mean and the product of the per-network EDAPs (the product counts the area twice).
  CHECK(aggregate_edap(nets, Aggregate::kEdapMean) == doctest::Approx((6e-8 + 5e-8) / 2));
  CHECK(aggregate_edap(nets, Aggregate::kEdapProduct) == doctest::Approx(6e-8 * 5e-8));
  CHECK(aggregate_edap(nets, Aggregate::kEdapProduct) / aggregate_edap(nets, Aggregate::kElaAll) ==
        doctest::Approx(10.0));
  // Doubling the area doubles ela_all once, edap_product once per network.
  const std::vector<NetworkFigures> twice = {net("a", 2e6, 3e6, 20), net("b", 5e6, 1e6, 20)};
  CHECK(aggregate_edap(twice, Aggregate::kElaAll) / aggregate_edap(nets, Aggregate::kElaAll) ==
        doctest::Approx(2.0));
  CHECK(aggregate_edap(twice, Aggregate::kEdapProduct) / aggregate_edap(nets, Aggregate::kEdapProduct) ==
        doctest::Approx(4.0));
  // ela is at least every network's EDAP; one network: every aggregate is its EDAP.
  for (const auto& n : nets) CHECK(aggregate_edap(nets, Aggregate::kEla) >= n.edap());
  for (const auto& [name, how] : aggregate_choices()) {
    CAPTURE(name);
    CHECK(aggregate_edap({nets[0]}, how) == doctest::Approx(nets[0].edap()));
    CHECK(log10_aggregate(nets, how) == doctest::Approx(std::log10(aggregate_edap(nets, how))));
  }
  // Nine networks of 1e-3 J and 1e-3 s: ela_all is 1e-54 x A, in range through its logarithm.
  std::vector<NetworkFigures> nine(9, net("n", 1e9, 1e6, 100));
  CHECK(log10_aggregate(nine, Aggregate::kElaAll) == doctest::Approx(2 - 54));
  CHECK_THROWS(aggregate_edap({}, Aggregate::kEla));
}

TEST_CASE("objectives: log10 of the aggregate, or per-network energy, latency and the area") {
  const std::vector<NetworkFigures> nets = {net("a", 2e6, 3e6, 10), net("b", 5e6, 1e6, 10)};
  CHECK(objective_names({"a", "b"}, false, Aggregate::kEla) == std::vector<std::string>{"log10_ela"});
  CHECK(objective_values(nets, false, Aggregate::kEla)[0] == doctest::Approx(std::log10(1.5e-7)));
  CHECK(objective_values(nets, false, Aggregate::kEdapProduct)[0] ==
        doctest::Approx(std::log10(6e-8 * 5e-8)));
  CHECK(objective_names({"a", "b"}, true, Aggregate::kEla) ==
        std::vector<std::string>{"a.energy_uj", "b.energy_uj", "a.latency_us", "b.latency_us", "area_mm2"});
  const auto m = objective_values(nets, true, Aggregate::kEla);
  REQUIRE(m.size() == 5);
  CHECK(m[0] == doctest::Approx(2.0));
  CHECK(m[3] == doctest::Approx(1000.0));
  CHECK(m[4] == doctest::Approx(10.0));
}

TEST_CASE("figures round-trip through an evaluation's extra") {
  std::vector<NetworkFigures> nets = {net("a", 2e6, 3e6, 10), net("b", 5e6, 1e6, 10)};
  nets[1].reload_groups = 3;
  imc::nas::Evaluation e;
  e.objectives = {1.0};
  e.extra = figures_json(nets);
  CHECK(e.extra["aggregate_edap"]["ela"].get<double>() == doctest::Approx(1.5e-7));
  const auto back = figures_from(e, {"b", "a"});
  REQUIRE(back.has_value());
  CHECK((*back)[0].network == "b");
  CHECK((*back)[0].reload_groups == 3);
  CHECK((*back)[1].edap() == doctest::Approx(nets[0].edap()));
  CHECK_FALSE(figures_from(e, {"c"}).has_value());
  CHECK_FALSE(figures_from(imc::nas::Evaluation::infeasible(1, "x"), {"a"}).has_value());
  CHECK(reduction_pct(25, 100) == doctest::Approx(75));
  CHECK(reduction_pct(200, 100) == doctest::Approx(-100));
}

TEST_CASE("The pooled top-k of several objectives") {
  // Two designs: a is best under ela (lower max latency), b under edap_mean.
  auto design = [](std::size_t id, std::vector<NetworkFigures> f) {
    Design d;
    d.id = id;
    d.figures = std::move(f);
    return d;
  };
  const std::vector<Design> ds = {design(1, {net("x", 1e6, 2e6, 1), net("y", 1e6, 2e6, 1)}),
                                  design(2, {net("x", 1e6, 0.1e6, 1), net("y", 1e6, 3e6, 1)})};
  CHECK(aggregate_edap(ds[0].figures, Aggregate::kEla) < aggregate_edap(ds[1].figures, Aggregate::kEla));
  CHECK(aggregate_edap(ds[1].figures, Aggregate::kEdapMean) <
        aggregate_edap(ds[0].figures, Aggregate::kEdapMean));
  const auto one = pooled_top_k(ds, {Aggregate::kEla}, 1);
  REQUIRE(one.size() == 1);
  CHECK(one[0].id == 1);
  const auto both = pooled_top_k(ds, {Aggregate::kEla, Aggregate::kEdapMean}, 1);
  REQUIRE(both.size() == 2);
  CHECK(both[1].id == 2);
  CHECK(pooled_top_k(ds, {Aggregate::kEla, Aggregate::kEdapMean}, 2).size() == 2);  // no repeats
  CHECK(rescored_aggregates(Aggregate::kEla).size() == 3);
  CHECK(rescored_aggregates(Aggregate::kEdapMean).size() == 4);
}
