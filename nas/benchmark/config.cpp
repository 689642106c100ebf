#include "nas/benchmark/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include "arch/fields.h"
#include "arch/load.h"
#include "common/hash.h"
#include "nas/optimizer.h"

namespace imc::nas::benchmark {
namespace fs = std::filesystem;
using common::ConfigNode;
using common::InputError;

const std::vector<std::pair<const char*, AccuracySource>>& accuracy_source_names() {
  static const std::vector<std::pair<const char*, AccuracySource>> names = {
      {"proxy_training", AccuracySource::kProxyTraining}, {"none", AccuracySource::kNone}};
  return names;
}

const std::vector<std::pair<const char*, BudgetUnit>>& budget_unit_names() {
  static const std::vector<std::pair<const char*, BudgetUnit>> names = {
      {"evaluations", BudgetUnit::kEvaluations}, {"proposals", BudgetUnit::kProposals}};
  return names;
}

void describe(common::Fields& f, BenchmarkSettings& s) {
  f.integer("seeds", s.seeds,
            {5, 1, 1000, "runs", "runs per algorithm (seeds first_seed, first_seed + 1, ...)"});
  f.integer("first_seed", s.first_seed, {1, 0, 1000000000, "", "seed of each algorithm's first run"});
  f.integer("budget_evaluations", s.budget_evaluations,
            {200, 1, 10000000, "", "the budget of every run, the same for every algorithm, in budget_unit"});
  f.choice("budget_unit", s.budget_unit, BudgetUnit::kEvaluations, budget_unit_names(),
           "what the budget counts: evaluations (distinct candidates evaluated; repeats and candidates "
           "violating a "
           "space condition are free, as in a real search) or proposals (every genome asked for, NAS-Bench "
           "queries)");
  f.integer("population", s.population,
            {16, 2, 100000, "candidates", "every algorithm's optimizer.population"});
  f.integer("max_proposals_per_evaluation", s.max_proposals_per_evaluation,
            {50, 1, 100000, "",
             "a run stops after budget_evaluations times this many proposals even short of its budget "
             "(an optimizer that only re-proposes candidates it has seen); reported as stalled"});
}

void describe(common::Fields& f, TableSettings& s) {
  f.choice("accuracy_source", s.accuracy_source, AccuracySource::kProxyTraining, accuracy_source_names(),
           "where the accuracy objective comes from: proxy_training (the search's [accuracy] proxy training, "
           "cached per network, and hardware-aware inference per candidate) or none (no accuracy objective)");
  f.integer("systemc_sample", s.systemc_sample,
            {12, 0, 100000, "candidates",
             "feasible candidates also simulated with SystemC to check the analytical figures (0 = none)"});
  f.integer(
      "max_candidates", s.max_candidates,
      {20000, 1, 10000000, "candidates", "a space with more genomes is refused (every one is evaluated)"});
}

namespace {

std::string resolve(const std::string& p, const fs::path& base_dir) {
  const fs::path path(p);
  return (path.is_absolute() ? path : base_dir / path).lexically_normal().string();
}

void read_section(const ConfigNode& root, const char* key, const std::function<void(common::Fields&)>& d) {
  const ConfigNode n = root.get(key);
  if (!n.valid()) return common::default_fields(d);
  if (!n.is_table()) n.fail("must be a table");
  common::read_fields(n, d);
}

}  // namespace

BenchmarkConfig load_benchmark_config(const std::string& path) {
  BenchmarkConfig c;
  c.path = path;
  const fs::path base_dir = fs::absolute(path).parent_path();
  const ConfigNode root = ConfigNode::parse_file(path);
  for (const std::string& k : root.keys())
    if (k != "search_config" && k != "algorithms" && k != "table_file" && k != "table" && k != "benchmark")
      root.get(k).fail("unknown key; allowed: search_config, algorithms, table_file, [benchmark], [table]");

  const ConfigNode search_node = root.require("search_config");
  const std::string search_path = resolve(search_node.as_string(), base_dir);
  if (!fs::is_regular_file(search_path))
    search_node.fail(fmt::format("search config '{}' not found", search_path));

  const ConfigNode table = root.get("table");
  read_section(root, "table", [&](common::Fields& f) { describe(f, c.table); });
  if (const ConfigNode t = root.get("table_file"); t.valid()) c.table_file = resolve(t.as_string(), base_dir);
  read_section(root, "benchmark", [&](common::Fields& f) { describe(f, c.benchmark); });

  const ConfigNode bench = root.get("benchmark");
  const ConfigNode algos = root.require("algorithms");
  if (!algos.is_array() || algos.size() == 0)
    algos.fail(fmt::format("must be a non-empty list of optimizer names; allowed: {}",
                           fmt::join(optimizer_names(), ", ")));
  for (std::size_t i = 0; i < algos.size(); ++i) {
    const std::vector<std::string> names = optimizer_names();
    if (!algos.at(i).is_string())
      algos.at(i).fail(fmt::format("expected an optimizer name, found {}; allowed: {}",
                                   algos.at(i).type_name(), fmt::join(names, ", ")));
    const std::string name = algos.at(i).as_string();
    if (std::find(names.begin(), names.end(), name) == names.end())
      algos.at(i).fail(fmt::format("unknown algorithm '{}'; allowed: {}", name, fmt::join(names, ", ")));
    if (std::find(c.algorithms.begin(), c.algorithms.end(), name) != c.algorithms.end())
      algos.at(i).fail(fmt::format("algorithm '{}' listed twice", name));
    // The benchmark's table holds one accuracy per candidate: no training budget to schedule.
    if (optimizer_traits(name).budgeted)
      algos.at(i).fail(
          fmt::format("'{}' schedules the training budget, which the benchmark's table does not "
                      "have; allowed: any other optimizer",
                      name));
    c.algorithms.push_back(name);
  }

  c.search = search::load_search_config(search_path);
  const bool accuracy = c.search.wants_accuracy();
  if (accuracy != (c.table.accuracy_source != AccuracySource::kNone)) {
    const std::string where = table.valid() && table.get("accuracy_source").valid()
                                  ? table.get("accuracy_source").message("")
                                  : fmt::format("{}: key 'table.accuracy_source': ", path);
    throw InputError(fmt::format("{}{} while {} objectives {} include accuracy; allowed: {}", where,
                                 common::name_of(c.table.accuracy_source, accuracy_source_names()),
                                 search_path, accuracy ? "do" : "do not",
                                 accuracy ? "proxy_training" : "none"));
  }
  for (const std::string& name : c.algorithms)
    if (optimizer_traits(name).multi_objective_only && c.search.objective_columns().size() < 2)
      algos.fail(fmt::format("'{}' needs at least 2 objectives; {} minimizes {}", name, search_path,
                             fmt::join(c.search.objective_columns(), ", ")));
  // Each algorithm with the benchmark's population and the search config's [optimizer] settings:
  // a rule they break (moead's neighbours >= population, ...) is an error now, not after other runs.
  for (const std::string& name : c.algorithms) {
    OptimizerSetup setup;
    setup.config = c.search.optimizer;
    setup.cardinalities = c.search.space.cardinalities();
    setup.objectives = c.search.objective_columns().size();
    for (const auto& g : c.search.space.genes()) setup.categorical.push_back(!g.numeric());
    setup.violation_estimate = [&c](const Genome& g) { return c.search.space.check(g).violation; };
    setup.config.name = name;
    setup.config.population = c.benchmark.population;
    setup.config.seed = c.benchmark.first_seed;
    setup.config.weights.clear();
    if (optimizer_traits(name).scalarized)
      setup.config.weights.assign(setup.objectives, 1.0 / double(setup.objectives));
    try {
      make_optimizer(setup);
    } catch (const InputError& e) {
      algos.fail(fmt::format("'{}' with [benchmark] population = {} and the [optimizer] settings of {}: {}",
                             name, c.benchmark.population, search_path, e.what()));
    }
  }
  if (c.benchmark.population > c.benchmark.budget_evaluations)
    (bench.valid() && bench.get("population").valid() ? bench.get("population") : root)
        .fail(fmt::format("{} is larger than budget_evaluations = {}: no algorithm would finish its first "
                          "generation",
                          c.benchmark.population, c.benchmark.budget_evaluations));
  return c;
}

nlohmann::json space_identity(const BenchmarkConfig& c) {
  const search::SearchConfig& s = c.search;
  arch::ArchSpec base = arch::load_arch(s.base_arch_file);
  nlohmann::json search_settings = common::dump_fields([&](common::Fields& f) {
    search::SearchSettings copy = s.search;
    search::describe(f, copy);
  });
  // How many generations, finalists and workers a search would use does not change a candidate.
  for (const char* k : {"generations", "finalists", "workers", "evaluator"}) search_settings.erase(k);
  nlohmann::json id = {
      {"genes_and_conditions", s.space.fingerprint()},
      {"objective_columns", s.objective_columns()},
      {"base_arch", common::dump_fields([&](common::Fields& f) { arch::describe(f, base); })},
      {"constraints", common::dump_fields([&](common::Fields& f) {
         search::Constraints copy = s.constraints;
         search::describe(f, copy);
       })},
      {"search", search_settings},
      {"accuracy_source", common::name_of(c.table.accuracy_source, accuracy_source_names())}};
  if (s.wants_accuracy())
    id["accuracy"] = common::dump_fields([&](common::Fields& f) {
      accuracy::AccuracyOptions copy = s.accuracy;
      search::describe_accuracy(f, copy);
    });
  return id;
}

std::string space_hash(const BenchmarkConfig& c) {
  return fmt::format("{:016x}", common::hash64(space_identity(c).dump()));
}

std::string document_benchmark_keys() {
  std::string out =
      "### top level\n\n| key | doc |\n|---|---|\n"
      "| search_config | the search config whose space, objectives, base chip, constraints and [accuracy] "
      "the "
      "benchmark uses (relative to this file); its [optimizer] section gives every algorithm's settings |\n"
      "| algorithms | list of optimizer names (`[optimizer] name`): any registered optimizer |\n"
      "| table_file | the table of precomputed candidates (relative to this file); given: `imcsim benchmark` "
      "looks candidates up instead of evaluating them, and `imcsim benchmark-table` writes it by default |\n"
      "\n### [benchmark]\n\n| key | doc |\n|---|---|\n"
      "\n";
  out += common::document_fields([](common::Fields& f) {
    BenchmarkSettings s;
    describe(f, s);
  });
  out += "\n### [table]\n\n";
  out += common::document_fields([](common::Fields& f) {
    TableSettings s;
    describe(f, s);
  });
  return out;
}

}  // namespace imc::nas::benchmark
