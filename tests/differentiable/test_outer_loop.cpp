// The outer loop of the differentiable search with stand-in hooks (no torch): deterministic for a seed,
// and a run interrupted after a generation and resumed from its checkpoint equals the uninterrupted run.
#include <doctest/doctest.h>

#include "nas/differentiable/outer_loop.h"

using namespace imc::nas;
using namespace imc::nas::differentiable;

namespace {

// Two network genes (3 x 2 choices), three hardware genes and, with lambda_levels > 1, the lambda gene.
ArchSpace toy_arch(std::size_t lambda_levels = 1) {
  ArchSpace a;
  a.network_genes = {0, 1};
  a.choices = {3, 2};
  a.outer_genes = {2, 3, 4};
  a.outer_cardinalities = {4, 4, 3};
  a.lambda_levels = lambda_levels;
  if (lambda_levels > 1) a.outer_cardinalities.push_back(lambda_levels);
  return a;
}

// The "inner search": the network a deterministic function of the chip (as the real one is of its seed).
OuterHooks toy_hooks(const ArchSpace& arch, int* inner_calls) {
  OuterHooks h;
  h.inner = [&arch, inner_calls](const std::vector<Genome>& outer, std::int64_t) {
    std::vector<nlohmann::json> r;
    for (const Genome& g : outer) {
      ++*inner_calls;
      const std::uint64_t s = inner_seed(7, g);
      r.push_back({{"choice", std::vector<int>{int(s % arch.choices[0]), int((s / 3) % arch.choices[1])}}});
    }
    return r;
  };
  h.evaluate = [](const std::vector<Genome>& genomes) {
    std::vector<Evaluation> e;
    for (const Genome& g : genomes) {
      Evaluation ev;
      const double size = g[0] + 2.0 * g[1];
      ev.objectives = {10.0 - size + g[2] + g[4], 1.0 + size * g[3] + g[2]};
      if (g[2] == 3 && g[4] == 2) ev = Evaluation::infeasible(1.0, "toy constraint");
      e.push_back(ev);
    }
    return e;
  };
  return h;
}

DifferentiableOptions toy_options(const std::string& optimizer) {
  DifferentiableOptions o;
  o.outer_optimizer = optimizer;
  o.outer_population = 8;
  o.outer_generations = 4;
  o.seed = 11;
  return o;
}

}  // namespace

TEST_CASE("outer loop: the same seed gives the same records, another seed others") {
  const ArchSpace arch = toy_arch();
  int calls = 0;
  const OuterHooks hooks = toy_hooks(arch, &calls);
  for (const char* name : {"nsga2", "random"}) {
    CAPTURE(name);
    const OuterRun a = run_outer_loop(arch, toy_options(name), 2, hooks);
    const OuterRun b = run_outer_loop(arch, toy_options(name), 2, hooks);
    // An optimizer may ask fewer than a population per generation (genomes it already knows).
    REQUIRE(a.generations_done == 4);
    REQUIRE(a.records.size() >= 16);
    CHECK(a.checkpoint == b.checkpoint);
    DifferentiableOptions other = toy_options(name);
    other.seed = 12;
    CHECK(run_outer_loop(arch, other, 2, hooks).checkpoint.at("records") != a.checkpoint.at("records"));
    // Every record's genome is its chip plus the inner search's network.
    for (const OuterRecord& r : a.records) {
      CHECK(arch.outer_of(r.genome) == r.outer);
      CHECK(arch.choice_of_genome(r.genome) == r.inner.at("choice").get<std::vector<int>>());
    }
  }
}

TEST_CASE("outer loop: resume from a checkpoint gives the uninterrupted run") {
  for (const auto& [name, levels] : {std::pair{"nsga2", 1}, std::pair{"random", 1}, std::pair{"nsga2", 3}}) {
    CAPTURE(name);
    CAPTURE(levels);
    const ArchSpace arch = toy_arch(std::size_t(levels));
    int calls = 0;
    const OuterHooks hooks = toy_hooks(arch, &calls);
    const DifferentiableOptions o = toy_options(name);
    const OuterRun whole = run_outer_loop(arch, o, 2, hooks);
    for (std::int64_t cut : {1, 3}) {
      CAPTURE(cut);
      const OuterRun first = run_outer_loop(arch, o, 2, hooks, nullptr, cut);
      CHECK(first.generations_done == cut);
      // Through text, as the checkpoint file is.
      const nlohmann::json saved = nlohmann::json::parse(first.checkpoint.dump());
      calls = 0;
      const OuterRun rest = run_outer_loop(arch, o, 2, hooks, &saved);
      CHECK(std::size_t(calls) ==
            rest.records.size() - first.records.size());  // only the missing generations ran
      CHECK(rest.records.size() > first.records.size());
      CHECK(rest.generations_done == o.outer_generations);
      CHECK(rest.checkpoint == whole.checkpoint);
    }
  }
}

TEST_CASE("arch space: networks are numbered row-major and round-trip through genomes") {
  const ArchSpace arch = toy_arch();
  CHECK(arch.subnet_count() == 6);
  CHECK(arch.choice_of(0) == std::vector<int>{0, 0});
  CHECK(arch.choice_of(1) == std::vector<int>{0, 1});
  CHECK(arch.choice_of(5) == std::vector<int>{2, 1});
  for (std::size_t s = 0; s < arch.subnet_count(); ++s) {
    CHECK(arch.index_of(arch.choice_of(s)) == s);
    const Genome g = arch.genome({3, 1, 2}, arch.choice_of(s));
    CHECK(arch.choice_of_genome(g) == arch.choice_of(s));
    CHECK(arch.outer_of(g) == Genome{3, 1, 2});
  }
}
