#include "nas/cosearch/cosearch.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>

#include "common/run_dir.h"
#include "nas/cosearch/baselines.h"
#include "nas/cosearch/evaluator.h"
#include "nas/cosearch/fidelity.h"
#include "nas/cosearch/loops.h"
#include "nas/cosearch/plots.h"
#include "nas/cosearch/rescoring.h"
#include "nas/cosearch/summary.h"
#include "workloads/load.h"

namespace imc::nas::cosearch {

namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A joint-search candidate as a Design (its evaluation already holds every network's figures).
Design design_of(const Candidate& c, const SearchSpace& space, const std::vector<std::string>& networks,
                 Aggregate how) {
  Design d;
  d.id = c.id;
  d.genome = c.genome;
  d.genes = genes_json(space, c.genome);
  d.evaluation = c.evaluation;
  if (auto f = figures_from(c.evaluation, networks)) {
    d.figures = *f;
    d.aggregate_edap = aggregate_edap(d.figures, how);
  }
  return d;
}

// Feasible candidates ordered by the scalar aggregate (ties: lower id).
std::vector<Design> ranked(const std::vector<Candidate>& candidates, const SearchSpace& space,
                           const std::vector<std::string>& networks, Aggregate how) {
  std::vector<Design> out;
  for (const auto& c : candidates)
    if (c.evaluation.feasible()) {
      Design d = design_of(c, space, networks, how);
      if (!d.figures.empty()) out.push_back(std::move(d));
    }
  std::stable_sort(out.begin(), out.end(),
                   [](const Design& a, const Design& b) { return a.aggregate_edap < b.aggregate_edap; });
  return out;
}

}  // namespace

Result run(const Config& config, const RunOptions& options) {
  const auto t_start = std::chrono::steady_clock::now();
  std::vector<workloads::Graph> graphs = workloads::load_workloads(config.settings.workloads);
  {
    std::set<std::string> names;
    for (const auto& g : graphs)
      if (!names.insert(g.name()).second)
        throw common::InputError(
            fmt::format("{}: key 'cosearch.workloads': network '{}' appears twice in \"{}\"", config.path,
                        g.name(), config.settings.workloads));
  }
  WorkerOptions workers;
  workers.workers = std::size_t(config.settings.workers);
  const std::size_t per_process = std::size_t(config.settings.per_process);
  const Aggregate how = config.scalar_aggregate();
  auto joint_problem = std::make_shared<Problem>(make_problem(config, graphs, config.multi(), how));
  Evaluator joint(joint_problem, workers, per_process);
  if (options.before_batch) joint.before_batch = [&](std::size_t n) { options.before_batch("joint", n); };

  Result res;
  res.networks = joint_problem->networks();
  res.objective_names = joint_problem->objective_names();
  res.aggregate = how;
  if (options.progress)
    *options.progress << fmt::format(
        "[cosearch] {} networks ({}), {} genes (10^{:.1f} designs), {} x {} generations, "
        "objective {}\n",
        graphs.size(), fmt::join(res.networks, ", "), config.space.free_genes(),
        config.space.log10_candidates(), config.optimizer.population, config.settings.generations,
        to_string(config.settings.objective));

  // 1. The joint search.
  SearchLoop loop(
      config.space, config.optimizer, joint.batch(config.space),
      loop_options(options, "", res.objective_names, std::size_t(config.settings.generations), config.path));
  run_loop(loop, options);
  joint.before_batch = nullptr;
  res.search_s = seconds_since(t_start);
  res.generations = loop.generation();
  if (!loop.history().empty()) {
    const GenerationStats& s = loop.history().back();
    res.proposals = s.asked;
    res.designs_evaluated = s.evaluated;
    res.cache_hits = s.cache_hits;
    res.rejected = s.rejected;
    res.feasible = s.feasible;
  }
  const std::vector<Design> order = ranked(loop.candidates(), config.space, res.networks, how);
  res.found = !order.empty();
  if (res.found) res.best = order.front();
  for (std::size_t id : loop.front())
    res.front.push_back(design_of(loop.candidates().at(id), config.space, res.networks, how));
  if (!config.multi())
    for (const auto& g : loop.history())
      if (!g.best.empty()) res.best_per_generation.push_back(std::pow(10.0, g.best.at(0)));

  // 2. The baselines, on the scalar problem (the joint one unless the joint search is multi-objective).
  const auto t_base = std::chrono::steady_clock::now();
  std::unique_ptr<Evaluator> own_scalar;
  Evaluator* scalar = &joint;
  if (config.multi()) {
    own_scalar =
        std::make_unique<Evaluator>(std::make_shared<Problem>(make_problem(config, graphs, false, how)),
                                    workers, per_process, joint.network_cache());
    scalar = own_scalar.get();
  }
  BaselineContext ctx{config,
                      *scalar,
                      options,
                      config.optimizer,
                      std::size_t(config.settings.generations),
                      res.designs_evaluated};
  if (optimizer_traits(ctx.optimizer.name).multi_objective_only) ctx.optimizer.name = "sga";
  auto timed = [&](BaselineResult (*f)(const BaselineContext&)) {
    const auto t0 = std::chrono::steady_clock::now();
    res.baselines.push_back(f(ctx));
    res.baselines.back().seconds = seconds_since(t0);
  };
  // The workload-specific searches; the single baseline is the chosen network's (same space,
  // optimizer, seed and budget: the same search), run once.
  const std::size_t single_index = single_network_index(ctx);
  if (config.baselines.specific)
    for (std::size_t i = 0; i < graphs.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      res.specific.push_back(run_specific(ctx, i, "specific", fmt::format("specific/{}", graphs[i].name())));
      res.specific.back().seconds = seconds_since(t0);
      if (options.progress)
        *options.progress << fmt::format("[cosearch] specific search {} ({}/{}): {:.1f} s\n",
                                         graphs[i].name(), i + 1, graphs.size(), res.specific.back().seconds);
    }
  if (config.baselines.single) {
    if (config.baselines.specific) {
      res.baselines.push_back(res.specific.at(single_index));
      res.baselines.back().name = "single";
    } else {
      timed(run_single);
    }
  }
  if (config.baselines.stagewise) timed(run_stagewise);
  if (config.baselines.random) timed(run_random);
  res.baselines_s = seconds_since(t_base);
  res.designs_evaluated_total = res.designs_evaluated;
  for (const auto& b : res.baselines)
    if (!(b.name == "single" && config.baselines.specific))
      res.designs_evaluated_total += b.designs_evaluated;
  for (const auto& b : res.specific) res.designs_evaluated_total += b.designs_evaluated;
  res.models_run = joint.models_run() + (own_scalar ? own_scalar->models_run() : 0);
  for (const auto& b : res.baselines)
    if (!(b.name == "single" && config.baselines.specific)) res.models_run += b.models_run;
  for (const auto& b : res.specific) res.models_run += b.models_run;
  // Shared cache: every pair run is in it once. Without sharing, the specific searches count their own.
  res.networks_run = joint.network_cache()->size();
  res.network_cache_hits = joint.network_cache()->hits();
  if (!options.share_network_cache)
    for (const auto& b : res.specific) res.networks_run += b.networks_run;

  // 3. The finalists, analytical and SystemC.
  const auto t_sc = std::chrono::steady_clock::now();
  // The top-k under each of the study's objectives and the run's own, pooled (a design in several
  // lists runs once); k = finalists.
  const std::size_t k = std::size_t(config.settings.finalists);
  const std::vector<Aggregate> hows = rescored_aggregates(how);
  const std::vector<Design> finalists = pooled_top_k(order, hows, k);
  std::vector<std::size_t> finalist_ids;
  for (const auto& d : finalists) finalist_ids.push_back(d.id);
  if (!options.out_dir.empty()) loop.write_reports(finalist_ids);
  if (options.progress && !finalists.empty())
    *options.progress << fmt::format(
        "[cosearch] re-evaluating {} finalists (top {} under {} objectives) on {} "
        "networks{}\n",
        finalists.size(), k, hows.size(), graphs.size(), config.settings.systemc ? " with SystemC" : "");
  res.finalists =
      reevaluate_finalists(*joint_problem, config.space, finalists, workers, config.settings.systemc);
  if (config.settings.systemc) res.rescoring = rescore(res.finalists, hows, k);
  res.systemc_s = seconds_since(t_sc);
  res.total_s = seconds_since(t_start);

  if (!options.out_dir.empty()) {
    write_finalists(res.finalists, config.space, (fs::path(options.out_dir) / "finalists").string());
    common::write_file_atomically((fs::path(options.out_dir) / "summary.json").string(),
                                  summary_json(config, res).dump(2) + "\n");
    write_run_tables(res, options.out_dir);
    // A scalar search's front.svg plots the objective against itself: convergence.svg replaces it.
    if (!config.multi()) fs::remove(fs::path(options.out_dir) / "front.svg");
  }
  return res;
}

std::vector<Result> run_seeds(const Config& config, const RunOptions& options) {
  std::vector<Result> out;
  const std::int64_t n = config.settings.seeds;
  for (std::int64_t i = 0; i < n; ++i) {
    Config c = config;
    c.optimizer.seed = config.optimizer.seed + i;
    c.settings.seeds = 1;
    RunOptions o = options;
    if (n > 1 && !options.out_dir.empty())
      o.out_dir = (fs::path(options.out_dir) / fmt::format("seed_{}", c.optimizer.seed)).string();
    if (options.progress && n > 1)
      *options.progress << fmt::format("[cosearch] seed {} ({}/{})\n", c.optimizer.seed, i + 1, n);
    out.push_back(run(c, o));
  }
  if (!options.out_dir.empty() && n > 1) {
    fs::create_directories(options.out_dir);
    common::write_file_atomically((fs::path(options.out_dir) / "seeds.json").string(),
                                  seeds_json(config, out).dump(2) + "\n");
    common::write_file_atomically((fs::path(options.out_dir) / "seeds.csv").string(), seeds_csv(out));
  }
  return out;
}

}  // namespace imc::nas::cosearch
