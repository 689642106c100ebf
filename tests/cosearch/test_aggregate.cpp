// Aggregates of per-network figures and the objectives built from them.
#include <doctest/doctest.h>

#include <cmath>

#include "nas/cosearch/aggregate.h"

using namespace imc::nas::cosearch;

namespace {

NetworkFigures net(const char* name, double e_pj, double l_ns, double area) {
  NetworkFigures f;
  f.network = name;
  f.metrics = imc::sim::design_metrics(e_pj, l_ns, 0, area, 0);
  return f;
}

}  // namespace

TEST_CASE("EDAP aggregates over networks") {
  // a: 2 uJ, 3 ms; b: 5 uJ, 1 ms; area 10 mm2.
  const std::vector<NetworkFigures> nets = {net("a", 2e6, 3e6, 10), net("b", 5e6, 1e6, 10)};
  CHECK(nets[0].edap() == doctest::Approx(2e-6 * 3e-3 * 10));
  CHECK(nets[1].edap() == doctest::Approx(5e-6 * 1e-3 * 10));
  // max: the largest energy (b) times the largest latency (a) times the area.
  CHECK(aggregate_edap(nets, Aggregate::kMax) == doctest::Approx(5e-6 * 3e-3 * 10));
  CHECK(aggregate_edap(nets, Aggregate::kMean) == doctest::Approx((6e-8 + 5e-8) / 2));
  CHECK(aggregate_edap(nets, Aggregate::kProduct) == doctest::Approx(6e-8 * 5e-8));
  // The max aggregate is at least every network's EDAP.
  for (const auto& n : nets) CHECK(aggregate_edap(nets, Aggregate::kMax) >= n.edap());
  CHECK_THROWS(aggregate_edap({}, Aggregate::kMax));
}

TEST_CASE("objectives: log10 of the aggregate, or per-network energy, latency and the area") {
  const std::vector<NetworkFigures> nets = {net("a", 2e6, 3e6, 10), net("b", 5e6, 1e6, 10)};
  CHECK(objective_names({"a", "b"}, false, Aggregate::kMax) == std::vector<std::string>{"log10_edap_max"});
  CHECK(objective_values(nets, false, Aggregate::kMax)[0] == doctest::Approx(std::log10(1.5e-7)));
  CHECK(objective_values(nets, false, Aggregate::kProduct)[0] == doctest::Approx(std::log10(6e-8 * 5e-8)));
  CHECK(objective_names({"a", "b"}, true, Aggregate::kMax) ==
        std::vector<std::string>{"a.energy_uj", "b.energy_uj", "a.latency_us", "b.latency_us", "area_mm2"});
  const auto m = objective_values(nets, true, Aggregate::kMax);
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
  CHECK(e.extra["aggregate_edap"]["max"].get<double>() == doctest::Approx(1.5e-7));
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
