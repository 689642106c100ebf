#include "nas/search/run.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/config.h"
#include "nas/loop.h"
#include "nas/search/config.h"
#include "nas/search/evaluator.h"
#include "nas/search/finalists.h"

namespace imc::nas::search {
namespace fs = std::filesystem;
using common::ConfigNode;
using common::InputError;

namespace {

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw InputError(fmt::format("{}: cannot read", p.string()));
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON: {}", p.string(), e.what()));
  }
}

void flatten(const ConfigNode& node, const std::string& prefix, Decoded& out) {
  for (const std::string& k : node.keys()) {
    const ConfigNode v = node.get(k);
    const std::string name = prefix.empty() ? k : prefix + "." + k;
    if (v.is_table())
      flatten(v, name, out);
    else if (v.is_integer())
      out[name] = GeneValue::integer(v.as_int());
    else if (v.is_number())
      out[name] = GeneValue::number(v.as_real());
    else if (v.is_string())
      out[name] = GeneValue::text(v.as_string());
    else if (v.is_bool())
      out[name] = GeneValue::text(v.as_bool() ? "true" : "false");
    else
      v.fail("a gene value must be a number or a string");
  }
}

Genome genome_from_json(const nlohmann::json& genes, const SearchSpace& space, const std::string& where) {
  Decoded d;
  for (const auto& [name, v] : genes.items()) {
    if (v.is_number_integer())
      d[name] = GeneValue::integer(v.get<long long>());
    else if (v.is_number())
      d[name] = GeneValue::number(v.get<double>());
    else if (v.is_string())
      d[name] = GeneValue::text(v.get<std::string>());
    else
      throw InputError(fmt::format("{}: gene '{}' must be a number or a string", where, name));
  }
  try {
    return space.encode(d);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", where, e.what()));
  }
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + p.string());
  out << text;
}

}  // namespace

std::vector<Genome> load_designs(const std::string& path, const SearchSpace& space) {
  std::vector<Genome> out;
  if (fs::is_directory(path)) {
    const fs::path front = fs::path(path) / "front.json";
    if (!fs::exists(front))
      throw InputError(fmt::format("{}: not a search run directory (no front.json)", path));
    const nlohmann::json j = read_json(front);
    std::size_t i = 0;
    for (const auto& member : j.at("front"))
      out.push_back(
          genome_from_json(member.at("genes"), space, fmt::format("{}: front[{}]", front.string(), i++)));
    return out;
  }
  const ConfigNode root = ConfigNode::parse_file(path);
  for (const std::string& k : root.keys())
    if (k != "design") root.get(k).fail("unknown key; a hot-start file holds [[design]] tables only");
  const ConfigNode designs = root.require("design");
  if (!designs.is_array()) designs.fail("must be an array of tables ([[design]])");
  for (std::size_t i = 0; i < designs.size(); ++i) {
    const ConfigNode t = designs.at(i);
    if (!t.is_table()) t.fail("must be a table of gene = value");
    Decoded d;
    flatten(t, "", d);
    try {
      out.push_back(space.encode(d));
    } catch (const InputError& e) {
      t.fail(e.what());
    }
  }
  return out;
}

nlohmann::json run_search(const RunOptions& in) {
  RunOptions o = in;
  const bool resuming = !o.resume_dir.empty();
  std::string base_dir;
  if (resuming) {
    const nlohmann::json run = read_json(fs::path(o.resume_dir) / "search.json");
    o.config_path = (fs::path(o.resume_dir) / "config.toml").string();
    base_dir = run.at("config_dir").get<std::string>();
    if (o.out_dir.empty()) o.out_dir = o.resume_dir;
    // The overrides of the interrupted run hold again, except generations, which may grow.
    const nlohmann::json& ov = run.at("overrides");
    if (o.seed < 0) o.seed = ov.value("seed", -1);
    if (o.population < 0) o.population = ov.value("population", -1);
    if (o.optimizer.empty()) o.optimizer = ov.value("optimizer", "");
    if (o.generations < 0) o.generations = ov.value("generations", -1);
    if (o.finalists < 0) o.finalists = ov.value("finalists", -1);
  }
  if (o.config_path.empty()) throw InputError("search: --config FILE is required (or --resume DIR)");
  if (o.out_dir.empty()) throw InputError("search: --out DIR is required");
  SearchConfig cfg = load_search_config(o.config_path, base_dir);
  // The overrides go through the config's own declarations: the same ranges as the file's keys.
  auto set = [&](const char* key, const std::string& text, const char* flag) {
    common::set_field([&](common::Fields& f) { describe(f, cfg); }, key, text, flag);
  };
  auto set_int = [&](const char* key, std::int64_t v, const char* flag) {
    if (v != RunOptions::kKeep) set(key, std::to_string(v), flag);
  };
  set_int("optimizer.seed", o.seed, "--seed");
  set_int("optimizer.population", o.population, "--population");
  if (!o.optimizer.empty()) set("optimizer.name", o.optimizer, "--optimizer");
  set_int("search.generations", o.generations, "--generations");
  set_int("search.workers", o.workers, "--workers");
  set_int("search.finalists", o.finalists, "--finalists");
  if (optimizer_traits(cfg.optimizer.name).scalarized && cfg.optimizer.weights.empty())
    cfg.optimizer.weights.assign(cfg.objective_columns().size(),
                                 1.0 / double(cfg.objective_columns().size()));

  fs::create_directories(o.out_dir);
  if (!resuming) {
    const nlohmann::json run = {{"config_dir", fs::absolute(o.config_path).parent_path().string()},
                                {"config_path", fs::absolute(o.config_path).string()},
                                {"overrides",
                                 {{"seed", o.seed},
                                  {"population", o.population},
                                  {"optimizer", o.optimizer},
                                  {"generations", o.generations},
                                  {"finalists", o.finalists}}},
                                {"seed", cfg.optimizer.seed},
                                {"optimizer", cfg.optimizer.name},
                                {"evaluator", common::name_of(cfg.search.evaluator, evaluator_names())},
                                {"population", cfg.optimizer.population},
                                {"objectives", cfg.objective_columns()}};
    write_text(fs::path(o.out_dir) / "search.json", run.dump(1) + "\n");
  }

  const SearchEvaluator evaluator(cfg);
  LoopOptions lo;
  lo.objective_names = cfg.objective_columns();
  lo.generations = static_cast<std::size_t>(cfg.search.generations);
  lo.reference_point = cfg.reference_point;
  lo.run_dir = o.out_dir;
  lo.config_path = resuming ? "" : o.config_path;
  lo.progress = o.progress;
  SearchLoop loop(cfg.space, cfg.optimizer, std::cref(evaluator), lo,
                  [&evaluator](const Genome& g) { return evaluator.key(g); });
  if (resuming) {
    loop.resume(o.resume_dir);
  } else if (!o.hot_start.empty()) {
    loop.hot_start(load_designs(o.hot_start, cfg.space));
  }
  const auto t0 = std::chrono::steady_clock::now();
  loop.run();
  const double search_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // The front, for reports and as a hot start for later runs.
  nlohmann::json front = nlohmann::json::array();
  for (std::size_t id : loop.front()) {
    const Candidate& c = loop.candidates()[id];
    const nlohmann::json genes = genes_json(cfg.space, c.genome);
    nlohmann::json objectives = nlohmann::json::object();
    for (std::size_t i = 0; i < lo.objective_names.size(); ++i)
      objectives[lo.objective_names[i]] = c.evaluation.objectives[i];
    front.push_back(
        {{"id", id}, {"genes", genes}, {"objectives", objectives}, {"metrics", c.evaluation.extra}});
  }
  write_text(fs::path(o.out_dir) / "front.json", nlohmann::json{{"front", front}}.dump(1) + "\n");

  // evaluator = "analytical" runs no SystemC at all; "multi" and "systemc" re-evaluate the finalists
  // with both models on one Program (for "systemc" the loop's figures already are SystemC's).
  const std::vector<std::size_t> finalists =
      cfg.search.evaluator == EvaluatorKind::kAnalytical
          ? std::vector<std::size_t>{}
          : pick_finalists(loop, static_cast<std::size_t>(cfg.search.finalists));
  nlohmann::json comparison = nlohmann::json::object();
  double systemc_s = 0;
  if (!finalists.empty()) {
    const auto t1 = std::chrono::steady_clock::now();
    const std::size_t workers = cfg.search.workers > 0 ? static_cast<std::size_t>(cfg.search.workers)
                                                       : std::max(1u, std::thread::hardware_concurrency());
    const auto results = reevaluate_finalists(loop, evaluator, finalists, workers);
    comparison = compare_finalists(loop, cfg, results);
    write_finalists(loop, results, comparison, o.out_dir);
    systemc_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  }
  loop.write_reports(finalists);

  const GenerationStats& last = loop.history().back();
  nlohmann::json summary = {{"config", fs::absolute(o.config_path).string()},
                            {"seed", cfg.optimizer.seed},
                            {"optimizer", cfg.optimizer.name},
                            {"evaluator", common::name_of(cfg.search.evaluator, evaluator_names())},
                            {"population", cfg.optimizer.population},
                            {"generations", loop.generation()},
                            {"objectives", lo.objective_names},
                            {"reference_point", loop.reference_point()},
                            {"proposals", last.asked},
                            {"designs_evaluated", last.evaluated},
                            {"cache_hits", last.cache_hits},
                            {"rejected_by_conditions", last.rejected},
                            {"feasible", last.feasible},
                            {"hypervolume", last.hypervolume},
                            {"front", front},
                            {"finalists", comparison},
                            {"search_seconds", search_s},
                            {"systemc_seconds", systemc_s}};
  write_text(fs::path(o.out_dir) / "summary.json", summary.dump(1) + "\n");
  return summary;
}

}  // namespace imc::nas::search
