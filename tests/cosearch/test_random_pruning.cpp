// The random baseline's pruning (nas/cosearch/random_pruning.h): the designs it drops are worse than its
// best, the designs it keeps get exactly the full evaluation, and so the baseline's best is the same.
#include <doctest/doctest.h>

#include <random>

#include "nas/cosearch/evaluator.h"
#include "nas/cosearch/random_pruning.h"
#include "workloads/load.h"

using namespace imc::nas;
using namespace imc::nas::cosearch;

namespace {

// The index of the best feasible evaluation (lowest objective, ties: the first), as best_candidate picks.
std::size_t best_of(const std::vector<Evaluation>& evals) {
  std::size_t best = evals.size();
  for (std::size_t i = 0; i < evals.size(); ++i)
    if (evals[i].feasible() &&
        (best == evals.size() || evals[i].objectives.at(0) < evals[best].objectives.at(0)))
      best = i;
  return best;
}

struct Sampled {
  Config config = load_config("configs/cosearch/tiny.toml");
  std::vector<Genome> genomes;
  explicit Sampled(std::size_t n) {
    std::mt19937 rng(7);
    for (std::size_t k = 0; k < n; ++k) {
      Genome g(config.space.size());
      for (std::size_t i = 0; i < g.size(); ++i) g[i] = int(rng() % config.space.genes()[i].values.size());
      genomes.push_back(g);
    }
  }
  std::shared_ptr<Problem> problem(Aggregate how, bool weight_fetch) {
    config.settings.weight_fetch = weight_fetch;
    return std::make_shared<Problem>(
        make_problem(config, imc::workloads::load_workloads("cifar2"), false, how));
  }
};

}  // namespace

TEST_CASE("random baseline pruning: the same best design, kept designs identical, dropped designs worse") {
  Sampled s(48);
  for (Aggregate how : {Aggregate::kEla, Aggregate::kElaMean, Aggregate::kEdapMean}) {
    for (bool weight_fetch : {true, false}) {
      CAPTURE(to_string(how));
      CAPTURE(weight_fetch);
      auto problem = s.problem(how, weight_fetch);
      Evaluator full(problem, WorkerOptions{1, 1}, 0);
      Evaluator pruned_with(problem, WorkerOptions{1, 1}, 0);
      const std::vector<Evaluation> all = full.evaluate(s.config.space, s.genomes);
      PruningStats stats;
      const std::vector<Evaluation> pruned = evaluate_pruned(pruned_with, s.config.space, s.genomes, &stats);
      REQUIRE(pruned.size() == all.size());
      const std::size_t best = best_of(all);
      REQUIRE(best < all.size());  // the sample has a feasible design
      CHECK(best_of(pruned) == best);
      CHECK(to_json(pruned[best]) == to_json(all[best]));
      std::size_t dropped = 0;
      for (std::size_t i = 0; i < all.size(); ++i) {
        if (pruned[i].fidelity == "lower_bound") {
          ++dropped;
          REQUIRE(all[i].feasible());
          CHECK(pruned[i].objectives.at(0) <= all[i].objectives.at(0) + 1e-12);  // a lower bound
          CHECK(all[i].objectives.at(0) > all[best].objectives.at(0));           // and worse than the best
        } else {
          CHECK(to_json(pruned[i]) == to_json(all[i]));  // the verdict of the full evaluation
        }
      }
      CHECK(dropped == stats.pruned);
      if (weight_fetch) CHECK(stats.pruned > 0);  // the test exercises the bound
    }
  }
}

TEST_CASE("random baseline pruning: aggregates over every network's product are evaluated fully") {
  Sampled s(12);
  for (Aggregate how : {Aggregate::kElaAll, Aggregate::kEdapProduct}) {
    auto problem = s.problem(how, true);
    Evaluator a(problem, WorkerOptions{1, 1}, 0), b(problem, WorkerOptions{1, 1}, 0);
    const auto all = a.evaluate(s.config.space, s.genomes);
    PruningStats stats;
    const auto pruned = evaluate_pruned(b, s.config.space, s.genomes, &stats);
    CHECK(stats.pruned == 0);
    for (std::size_t i = 0; i < all.size(); ++i) CHECK(to_json(pruned[i]) == to_json(all[i]));
  }
}
