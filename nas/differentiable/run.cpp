#include "nas/differentiable/run.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "common/config.h"
#include "common/resources.h"
#include "nas/accuracy/dataset.h"
#include "nas/differentiable/cost_table.h"
#include "nas/differentiable/outer_loop.h"
#include "nas/differentiable/supernet_inner.h"
#include "nas/pareto.h"
#include "nas/search/config.h"
#include "nas/search/evaluator.h"
#include "nas/supernet/evaluate.h"
#include "nas/workers.h"

namespace imc::nas::differentiable {
namespace fs = std::filesystem;
using common::InputError;

namespace {

void write_json(const fs::path& path, const nlohmann::json& j) {
  const fs::path tmp = path.string() + ".tmp";
  std::ofstream(tmp) << j.dump(1) << "\n";
  fs::rename(tmp, path);
}

// The checks of a config the differentiable search can run: the supernet gives the accuracy term, and
// the outer optimizer takes every objective as a Pareto front.
void check_config(const search::SearchConfig& cfg) {
  if (cfg.accuracy.method != accuracy::AccuracyMethod::kSupernet)
    throw InputError(
        fmt::format("{}: [accuracy] method: the differentiable search needs \"supernet\" (its "
                    "architecture weights are trained on the supernet's weights)",
                    cfg.path));
  if (cfg.formulation.kind != search::FormulationKind::kPareto)
    throw InputError(
        fmt::format("{}: [formulation] kind: the differentiable search supports \"pareto\" only", cfg.path));
  if (!cfg.wants_accuracy())
    throw InputError(fmt::format("{}: objectives: the differentiable search needs \"accuracy\"", cfg.path));
}

}  // namespace

nlohmann::json run_differentiable(const DifferentiableRunOptions& ro) {
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = common::cpu_seconds_with_children();
  const search::SearchConfig cfg = search::load_search_config(ro.config_path);
  const DifferentiableOptions o = read_differentiable_options(ro.config_path);
  check_config(cfg);
  const ArchSpace arch =
      ArchSpace::of(cfg.space, cfg.path, std::size_t(o.max_subnets), std::size_t(o.lambda_levels));
  const std::vector<double> lambdas = lambda_values(o);
  const search::SearchEvaluator evaluator(cfg);
  const fs::path out(ro.out_dir);
  fs::create_directories(out);

  nlohmann::json resume;
  if (ro.resume) {
    std::ifstream in(out / "checkpoint.json");
    if (!in) throw InputError(fmt::format("{}: no checkpoint.json to resume", out.string()));
    resume = nlohmann::json::parse(in);
  }

  // The supernet: shipped, cached or trained, in a worker (the parent stays torch-free).
  const predictor::EstimatorContext ctx = evaluator.estimator_context(search::EvaluatorKind::kLut);
  SupernetInnerSetup setup;
  setup.space = &cfg.space;
  setup.arch = arch;
  setup.fixed =
      supernet::Subnet{ctx.network_defaults, ctx.base.precision.weight_bits, ctx.base.precision.input_bits};
  setup.supernet_space = supernet::SupernetSpace::from_search_space(cfg.space, setup.fixed);
  setup.supernet_options = cfg.accuracy.supernet.train.supernet;
  setup.options = o;
  accuracy::AccuracyOptions acc = cfg.accuracy;
  acc.cache_dir = search::resolve_cache_dir(cfg);
  acc.threads = 1;
  fs::create_directories(acc.cache_dir);
  WorkerOptions wo;
  wo.workers = 1;
  const nlohmann::json prepared = evaluate_in_workers(
                                      std::vector<int>{0},
                                      [&](int) {
                                        Evaluation ev;
                                        ev.extra = supernet::prepare_supernet(setup.supernet_space, acc);
                                        return ev;
                                      },
                                      wo)
                                      .at(0)
                                      .extra;
  setup.supernet_file = prepared.at("file").get<std::string>();
  fmt::print(stderr, "supernet {} ({})\n", setup.supernet_file, prepared.at("source").get<std::string>());
  const accuracy::Dataset data = accuracy::load_fashion_mnist(cfg.accuracy.dataset_dir);

  WorkerOptions inner_workers;
  inner_workers.workers = std::size_t(ro.workers > 0 ? ro.workers : cfg.search.workers);
  double inner_seconds = 0, table_seconds = 0;
  OuterHooks hooks;
  hooks.inner = [&](const std::vector<Genome>& outer, std::int64_t generation) {
    // The cost tables in the parent (the lut estimator and its file live here), the inner searches in
    // workers.
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<CostTable> tables;
    for (const Genome& g : outer) tables.push_back(lut_cost_table(evaluator, arch, g, o));
    evaluator.estimator(search::EvaluatorKind::kLut).save();
    table_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // A chip on which no network is feasible needs no inner search: its pair is infeasible anyway.
    std::vector<std::size_t> jobs;
    for (std::size_t i = 0; i < outer.size(); ++i)
      if (tables[i].feasible_count() > 0) jobs.push_back(i);
    const std::vector<Evaluation> ran = evaluate_in_workers(
        jobs,
        [&](std::size_t i) {
          SupernetInnerSetup own = setup;
          own.options.lambda = lambdas.at(arch.lambda_index(outer[i]));
          Evaluation ev;
          ev.extra = supernet_inner_search(own, data.train, tables[i], inner_seed(o.seed, outer[i]));
          ev.extra["lambda"] = own.options.lambda;
          return ev;
        },
        inner_workers);
    std::vector<nlohmann::json> done(outer.size());
    for (std::size_t k = 0; k < jobs.size(); ++k) done[jobs[k]] = ran[k].extra;
    std::vector<nlohmann::json> results;
    for (std::size_t i = 0; i < outer.size(); ++i) {
      nlohmann::json r = done[i];
      if (r.is_null())
        r = {{"choice", arch.choice_of(0)}, {"seconds", 0.0}, {"skipped", "no feasible network"}};
      inner_seconds += r.at("seconds").get<double>();
      r["feasible_networks"] = tables[i].feasible_count();
      r["networks"] = arch.subnet_count();
      const std::size_t s = arch.index_of(r.at("choice").get<std::vector<int>>());
      r["lut"] = {{"energy_uj", tables[i].energy_uj[s]},
                  {"latency_us", tables[i].latency_us[s]},
                  {"area_mm2", tables[i].area_mm2[s]},
                  {"cost", tables[i].cost[s]}};
      results.push_back(std::move(r));
    }
    fmt::print(stderr, "generation {}: {} inner searches\n", generation, outer.size());
    return results;
  };
  // Evaluated the normal way (the search's evaluator: analytical figures, supernet hardware-aware
  // accuracy), each design once.
  std::map<std::string, Evaluation> evaluated;
  hooks.evaluate = [&](const std::vector<Genome>& genomes) {
    std::vector<Genome> todo;
    for (const Genome& g : genomes)
      if (!evaluated.count(evaluator.key(g))) todo.push_back(g);
    const std::vector<Evaluation> evals = evaluator(todo);
    for (std::size_t i = 0; i < todo.size(); ++i) evaluated[evaluator.key(todo[i])] = evals[i];
    std::vector<Evaluation> out_evals;
    for (const Genome& g : genomes) out_evals.push_back(evaluated.at(evaluator.key(g)));
    return out_evals;
  };
  hooks.checkpoint = [&](const nlohmann::json& c) { write_json(out / "checkpoint.json", c); };

  const std::size_t objectives = cfg.objective_columns().size();
  const OuterRun run =
      run_outer_loop(arch, o, objectives, hooks, ro.resume ? &resume : nullptr, ro.stop_after);

  // Reports: every record, the front of the feasible ones.
  nlohmann::json records = nlohmann::json::array();
  std::vector<std::vector<double>> points;
  std::vector<std::size_t> feasible;
  std::map<std::string, bool> seen;
  double best_accuracy = -1;
  for (std::size_t i = 0; i < run.records.size(); ++i) {
    const OuterRecord& r = run.records[i];
    nlohmann::json j = to_json(r);
    j["genes"] = genes_json(cfg.space, r.genome);
    records.push_back(j);
    if (!r.evaluation.feasible() || seen[evaluator.key(r.genome)]) continue;
    seen[evaluator.key(r.genome)] = true;
    points.push_back(r.evaluation.objectives);
    feasible.push_back(i);
    if (r.evaluation.extra.contains("hardware_accuracy"))
      best_accuracy = std::max(best_accuracy, r.evaluation.extra.at("hardware_accuracy").get<double>());
  }
  // As the search does (nas/search/run.cpp): the [search] finalists most accurate front members (by the
  // loop's estimate; 0 = all) re-scored on the supernet's final_test_subset test images.
  std::vector<std::size_t> front_ids = pareto_front(points);
  auto estimate = [&](std::size_t k) {
    return run.records[feasible[k]].evaluation.extra.value("hardware_accuracy", 0.0);
  };
  std::stable_sort(front_ids.begin(), front_ids.end(),
                   [&](std::size_t a, std::size_t b) { return estimate(a) > estimate(b); });
  std::vector<std::size_t> scored = front_ids;
  if (cfg.search.finalists > 0 && scored.size() > std::size_t(cfg.search.finalists))
    scored.resize(std::size_t(cfg.search.finalists));
  std::vector<Genome> scored_genomes;
  for (std::size_t k : scored) scored_genomes.push_back(run.records[feasible[k]].genome);
  const nlohmann::json final_accuracy = evaluator.final_front_accuracy(scored_genomes);
  double best_final = -1;
  nlohmann::json front = nlohmann::json::array();
  for (std::size_t k : front_ids) {
    const OuterRecord& r = run.records[feasible[k]];
    front.push_back({{"objectives", r.evaluation.objectives},
                     {"columns", cfg.objective_columns()},
                     {"genes", genes_json(cfg.space, r.genome)},
                     {"hardware_accuracy", r.evaluation.extra.value("hardware_accuracy", 0.0)},
                     {"lambda", r.inner.value("lambda", o.lambda)},
                     {"generation", r.generation}});
    for (std::size_t f = 0; f < scored.size(); ++f) {
      if (scored[f] != k || f >= final_accuracy.size()) continue;
      front.back()["final_accuracy"] = final_accuracy[f];
      const nlohmann::json sn = final_accuracy[f].value("supernet", nlohmann::json::object());
      if (sn.contains("hardware_accuracy"))
        best_final = std::max(best_final, sn.at("hardware_accuracy").get<double>());
    }
  }
  nlohmann::json summary{
      {"config", cfg.path},
      {"algorithm", "differentiable"},
      {"options", common::dump_fields([&](common::Fields& f) {
         DifferentiableOptions copy = o;
         describe(f, copy);
       })},
      {"generations_done", run.generations_done},
      {"records", run.records.size()},
      {"unique_feasible_designs", points.size()},
      {"evaluations_this_process", evaluated.size()},
      {"front_size", front.size()},
      {"best_hardware_accuracy", best_accuracy},
      {"best_final_hardware_accuracy", best_final},
      {"final_scored", scored.size()},
      {"wall_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()},
      {"cpu_seconds", common::cpu_seconds_with_children() - cpu_start},
      {"inner_search_seconds", inner_seconds},
      {"cost_table_seconds", table_seconds},
      {"resumed", ro.resume}};
  if (!cfg.reference_point.empty()) {
    summary["reference_point"] = cfg.reference_point;
    summary["hypervolume"] = hypervolume(points, cfg.reference_point);
  }
  write_json(out / "records.json", records);
  write_json(out / "front.json", front);
  write_json(out / "summary.json", summary);
  return summary;
}

}  // namespace imc::nas::differentiable
