#include "nas/cosearch/baselines.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ostream>

#include "nas/cosearch/loops.h"
#include "nas/cosearch/random_pruning.h"

namespace imc::nas::cosearch {

const Candidate* best_candidate(const std::vector<Candidate>& candidates) {
  const Candidate* best = nullptr;
  for (const auto& c : candidates)
    if (c.evaluation.feasible() &&
        (!best || c.evaluation.objectives.at(0) < best->evaluation.objectives.at(0)))
      best = &c;
  return best;
}

Design make_design(Evaluator& scalar, const SearchSpace& space, const Genome& genome, std::size_t id) {
  Design d;
  d.id = id;
  d.genome = genome;
  d.genes = genes_json(space, genome);
  d.evaluation = scalar.evaluate(space, {genome}).at(0);
  if (auto f = figures_from(d.evaluation, scalar.problem().networks())) {
    d.figures = *f;
    d.aggregate_edap = aggregate_edap(d.figures, scalar.problem().aggregate);
  }
  return d;
}

std::size_t largest_network(const std::vector<workloads::Graph>& graphs) {
  std::size_t best = 0;
  std::int64_t most = -1;
  for (std::size_t i = 0; i < graphs.size(); ++i) {
    std::int64_t w = 0;
    for (int n = 0; n < graphs[i].size(); ++n) w += graphs[i].weights(n);
    if (w > most) most = w, best = i;
  }
  return best;
}

SearchSpace restrict_space(const SearchSpace& full, const Genome& current,
                           const std::vector<std::string>& free) {
  SearchSpace s;
  for (std::size_t i = 0; i < full.size(); ++i) {
    Gene g = full.genes()[i];
    if (std::find(free.begin(), free.end(), g.name) == free.end()) {
      g.values = {g.values.at(std::size_t(current.at(i)))};
      g.fixed = true;
    }
    s.add_gene(std::move(g));
  }
  for (const Condition& c : full.conditions()) s.add_condition(c.text, c.file, c.line);
  return s;
}

namespace {

BaselineResult finish(BaselineResult r, Design best) {
  r.best = std::move(best);
  r.feasible = r.best.evaluation.feasible() && !r.best.figures.empty();
  if (!r.feasible)
    r.reason = r.best.evaluation.reason.empty() ? "no feasible design" : r.best.evaluation.reason;
  return r;
}

void count(BaselineResult& r, const SearchLoop& loop) {
  if (loop.history().empty()) return;
  r.proposals += loop.history().back().asked;
  r.designs_evaluated += loop.history().back().evaluated;
}

}  // namespace

std::size_t single_network_index(const BaselineContext& ctx) {
  const Problem& full = ctx.scalar.problem();
  if (ctx.config.baselines.single_network.empty()) return largest_network(full.graphs);
  const auto names = full.networks();
  auto it = std::find(names.begin(), names.end(), ctx.config.baselines.single_network);
  if (it == names.end())
    throw common::InputError(
        fmt::format("{}: key 'baselines.single_network': '{}' is not one of the workloads ({})",
                    ctx.config.path, ctx.config.baselines.single_network, fmt::join(names, ", ")));
  return std::size_t(it - names.begin());
}

BaselineResult run_specific(const BaselineContext& ctx, std::size_t index, const std::string& name,
                            const std::string& sub) {
  const Problem& full = ctx.scalar.problem();
  auto problem = std::make_shared<Problem>(full);
  problem->graphs = {full.graphs.at(index)};
  // The run's (design, network) cache: the joint search has already evaluated this network on the
  // designs of its first generation (the same optimizer and seed propose the same ones).
  Evaluator own(problem, ctx.scalar.workers(), ctx.scalar.per_process(),
                ctx.options.share_network_cache ? ctx.scalar.network_cache() : nullptr);
  if (ctx.options.before_batch) own.before_batch = [&](std::size_t n) { ctx.options.before_batch(name, n); };

  BaselineResult r;
  r.name = name;
  r.detail = full.graphs[index].name();
  SearchLoop loop(
      ctx.config.space, ctx.optimizer, own.batch(ctx.config.space),
      loop_options(ctx.options, sub, problem->objective_names(), ctx.joint_generations, ctx.config.path));
  run_loop(loop, ctx.options);
  count(r, loop);
  r.models_run = own.models_run();
  r.networks_run = own.networks_run();
  // With one network every aggregate is its EDAP: the curve is that network's own best per generation.
  for (const auto& g : loop.history())
    if (!g.best.empty()) r.best_per_generation.push_back(std::pow(10.0, g.best.at(0)));
  const Candidate* best = best_candidate(loop.candidates());
  if (!best) return finish(std::move(r), {});
  if (auto f = figures_from(best->evaluation, problem->networks())) r.own_figures = *f;
  return finish(std::move(r), make_design(ctx.scalar, ctx.config.space, best->genome, best->id));
}

BaselineResult run_single(const BaselineContext& ctx) {
  return run_specific(ctx, single_network_index(ctx), "single", "baselines/single");
}

BaselineResult run_stagewise(const BaselineContext& ctx) {
  const SearchSpace& full = ctx.config.space;
  BaselineResult r;
  r.name = "stagewise";
  std::vector<std::string> names;
  for (const auto& s : ctx.config.stages) names.push_back(s.name);
  r.detail = fmt::format("{}", fmt::join(names, " -> "));
  const std::size_t gens =
      ctx.config.baselines.stage_generations > 0
          ? std::size_t(ctx.config.baselines.stage_generations)
          : std::max<std::size_t>(2,
                                  ctx.joint_generations / std::max<std::size_t>(1, ctx.config.stages.size()));
  // Start: the middle of every gene's domain.
  Genome current(full.size());
  for (std::size_t i = 0; i < full.size(); ++i) current[i] = int(full.genes()[i].values.size() / 2);
  std::size_t best_id = 0;
  for (std::size_t k = 0; k < ctx.config.stages.size(); ++k) {
    const Stage& stage = ctx.config.stages[k];
    SearchSpace space = restrict_space(full, current, stage.genes);
    if (space.free_genes() == 0) continue;
    if (ctx.options.before_batch)
      ctx.scalar.before_batch = [&](std::size_t n) { ctx.options.before_batch("stagewise", n); };
    SearchLoop loop(space, ctx.optimizer, ctx.scalar.batch(space),
                    loop_options(ctx.options, fmt::format("baselines/stagewise/{}_{}", k + 1, stage.name),
                                 ctx.scalar.problem().objective_names(), gens, ctx.config.path));
    run_loop(loop, ctx.options);
    ctx.scalar.before_batch = nullptr;
    count(r, loop);
    for (const auto& g : loop.history()) {  // the run's aggregate: a curve over the stages in order
      const double v = g.best.empty() ? 0.0 : std::pow(10.0, g.best.at(0));
      if (v > 0 && (r.best_per_generation.empty() || v < r.best_per_generation.back()))
        r.best_per_generation.push_back(v);
      else if (!r.best_per_generation.empty())
        r.best_per_generation.push_back(r.best_per_generation.back());
    }
    // The stage's best design; with none feasible, the least infeasible one, so that the next
    // stages start from the closest design to feasibility found so far.
    const Candidate* best = best_candidate(loop.candidates());
    if (!best)
      for (const auto& c : loop.candidates())
        if (!best || c.evaluation.violation < best->evaluation.violation) best = &c;
    if (!best) continue;
    current = full.encode(space.decode(best->genome));
    best_id = best->id;
    if (ctx.options.progress)
      *ctx.options.progress << fmt::format("[cosearch] stagewise stage {} ({}): {}\n", k + 1, stage.name,
                                           best->evaluation.feasible() ? "feasible" : "still infeasible");
  }
  return finish(std::move(r), make_design(ctx.scalar, full, current, best_id));
}

BaselineResult run_random(const BaselineContext& ctx) {
  BaselineResult r;
  r.name = "random";
  OptimizerConfig oc = ctx.optimizer;
  oc.name = "random";
  oc.population = std::int64_t(std::max<std::size_t>(2, ctx.joint_evaluated));
  r.detail = fmt::format("{} uniform samples", oc.population);
  if (ctx.options.before_batch)
    ctx.scalar.before_batch = [&](std::size_t n) { ctx.options.before_batch("random", n); };
  PruningStats pruning;
  BatchEvaluator evaluate = ctx.scalar.batch(ctx.config.space);
  if (ctx.options.prune_random)
    evaluate = [&](const std::vector<Genome>& genomes) {
      return evaluate_pruned(ctx.scalar, ctx.config.space, genomes, &pruning);
    };
  SearchLoop loop(ctx.config.space, oc, evaluate,
                  loop_options(ctx.options, "baselines/random", ctx.scalar.problem().objective_names(), 1,
                               ctx.config.path));
  run_loop(loop, ctx.options);
  ctx.scalar.before_batch = nullptr;
  count(r, loop);
  r.pruned = pruning.pruned;
  r.pairs_skipped = pruning.pairs_skipped;
  const Candidate* best = best_candidate(loop.candidates());
  if (!best) return finish(std::move(r), {});
  r.best_per_generation = {std::pow(10.0, best->evaluation.objectives.at(0))};
  return finish(std::move(r), make_design(ctx.scalar, ctx.config.space, best->genome, best->id));
}

}  // namespace imc::nas::cosearch
