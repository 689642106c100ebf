#include "nas/search/run.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <thread>
#include <type_traits>

#include "arch/fields.h"
#include "arch/load.h"
#include "common/config.h"
#include "common/run_dir.h"
#include "nas/loop.h"
#include "nas/search/config.h"
#include "nas/search/evaluator.h"
#include "nas/search/finalists.h"
#include "nas/search/training_budget.h"
#include "nas/search/two_stage.h"
#include "workloads/family.h"

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

// The value a gene has when the search does not vary it: the network family's default or the base
// arch's value (nullopt for a key without one, e.g. a derived hardware key).
// The value at a dotted key of the base arch's JSON (nullopt if absent or not a scalar).
std::optional<GeneValue> arch_value(const nlohmann::json& base_arch, std::string rest) {
  const nlohmann::json* node = &base_arch;
  while (!rest.empty()) {
    const auto dot = rest.find('.');
    const std::string part = rest.substr(0, dot);
    if (!node->is_object() || !node->contains(part)) return std::nullopt;
    node = &node->at(part);
    rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
  }
  if (node->is_number_integer()) return GeneValue::integer(node->get<std::int64_t>());
  if (node->is_number()) return GeneValue::number(node->get<double>());
  if (node->is_string()) return GeneValue::text(node->get<std::string>());
  return std::nullopt;
}

// The value a gene has when the search does not vary it: the network family's default or the base
// arch's value (nullopt for a key without one, e.g. a derived hardware key).
std::optional<GeneValue> base_value(const std::string& gene, const nlohmann::json& base_arch) {
  if (gene.rfind("hardware.", 0) == 0) return arch_value(base_arch, gene.substr(9));
  if (gene.rfind("network.", 0) != 0) return std::nullopt;
  const std::string field = gene.substr(8);
  if (field == "weight_bits") return arch_value(base_arch, "precision.weight_bits");
  if (field == "activation_bits") return arch_value(base_arch, "precision.input_bits");
  std::optional<GeneValue> out;
  workloads::CnnFamilyParams d;
  workloads::for_each_field(d, d, [&](const char* name, auto& v, auto&) {
    using T = std::decay_t<decltype(v)>;
    if (field != name) return;
    if constexpr (std::is_same_v<T, bool>)
      out = GeneValue::text(v ? "residual" : "plain");
    else if constexpr (std::is_same_v<T, int>)
      out = GeneValue::integer(v);
    else if constexpr (std::is_same_v<T, double>)
      out = GeneValue::number(v);
  });
  return out;
}

// The allowed value of a numeric gene nearest to `v` (the smaller one of two equally near); nullopt
// when `v` or any allowed value is not a number (labels have no "nearest").
std::optional<GeneValue> nearest_allowed(const Gene& g, const GeneValue& v) {
  if (!v.is_number()) return std::nullopt;
  std::optional<GeneValue> best;
  for (const GeneValue& x : g.values) {
    if (!x.is_number()) return std::nullopt;
    const double dist = std::abs(x.as_number() - v.as_number());
    const double best_dist = best ? std::abs(best->as_number() - v.as_number()) : INFINITY;
    if (dist < best_dist || (dist == best_dist && x.as_number() < best->as_number())) best = x;
  }
  return best;
}

// Fills the genes a design does not give (it comes from a smaller space) with their base values
// when the space allows them. A numeric base value the space does not list (the base chip's 128 KiB
// buffer where the space offers 16 and 64 KiB) takes the nearest listed value, with a warning naming
// the gene: the design is a starting point for the search, not a promise. An error names every gene
// that has no base value (a derived key) or whose base value is a label the space does not list.
void fill_missing(Decoded& d, const SearchSpace& space, const nlohmann::json& base_arch,
                  const std::string& where) {
  std::string unfilled;
  std::vector<std::string> filled, moved;
  for (const Gene& g : space.genes()) {
    if (d.count(g.name) || g.values.size() == 1) continue;
    const std::optional<GeneValue> v = base_value(g.name, base_arch);
    bool allowed = false;
    if (v)
      for (const GeneValue& x : g.values)
        allowed |= x.is_number() && v->is_number() ? x.as_number() == v->as_number() : x == *v;
    const std::optional<GeneValue> nearest = v && !allowed ? nearest_allowed(g, *v) : std::nullopt;
    if (allowed) {
      d[g.name] = *v;
      filled.push_back(fmt::format("{}={}", g.name, v->to_string()));
    } else if (nearest) {
      d[g.name] = *nearest;
      std::string values;
      for (const GeneValue& x : g.values) values += (values.empty() ? "" : ", ") + x.to_string();
      moved.push_back(fmt::format("'{}': base value {} is not among the allowed ({}), took the nearest, {}",
                                  g.name, v->to_string(), values, nearest->to_string()));
    } else {
      std::string values;
      for (const GeneValue& x : g.values) values += (values.empty() ? "" : ", ") + x.to_string();
      unfilled += fmt::format("{}'{}' (allowed: {})", unfilled.empty() ? "" : "; ", g.name, values);
    }
  }
  if (!unfilled.empty())
    throw InputError(fmt::format(
        "{}: the design does not give {}, and the base value is not among the allowed ones; write the "
        "designs as a TOML of [[design]] tables giving them",
        where, unfilled));
  if (!filled.empty())
    std::cerr << fmt::format("imcsim: note: {}: genes not in the design, filled with the base values: {}\n",
                             where, fmt::join(filled, ", "));
  for (const std::string& m : moved)
    std::cerr << fmt::format("imcsim: warning: {}: gene not in the design, {}\n", where, m);
}

Genome genome_from_json(const nlohmann::json& genes, const SearchSpace& space,
                        const nlohmann::json& base_arch, const std::string& where) {
  if (!genes.is_object())
    throw InputError(fmt::format("{}: 'genes' must be an object of gene = value", where));
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
  fill_missing(d, space, base_arch, where);
  try {
    return space.encode(d);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", where, e.what()));
  }
}

void write_text(const fs::path& p, const std::string& text) {
  common::write_file_atomically(p.string(), text);
}

}  // namespace

std::vector<Genome> load_designs(const std::string& path, const SearchSpace& space,
                                 const std::string& base_arch_file) {
  std::vector<Genome> out;
  nlohmann::json base_arch = nlohmann::json::object();
  if (!base_arch_file.empty()) {
    arch::ArchSpec spec = arch::load_arch(base_arch_file);
    base_arch = common::dump_fields([&](common::Fields& f) { arch::describe(f, spec); });
  }
  if (fs::is_directory(path)) {
    const fs::path front = fs::path(path) / "front.json";
    if (!fs::exists(front))
      throw InputError(fmt::format("{}: not a search run directory (no front.json)", path));
    const nlohmann::json j = read_json(front);
    if (!j.is_object() || !j.contains("front") || !j.at("front").is_array())
      throw InputError(fmt::format("{}: expected {{\"front\": [...]}}", front.string()));
    std::size_t i = 0;
    for (const auto& member : j.at("front")) {
      const std::string where = fmt::format("{}: front[{}]", front.string(), i++);
      if (!member.is_object() || !member.contains("genes"))
        throw InputError(fmt::format("{}: expected an object with 'genes'", where));
      out.push_back(genome_from_json(member.at("genes"), space, base_arch, where));
    }
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
      fill_missing(d, space, base_arch, fmt::format("design {}", i + 1));
      out.push_back(space.encode(d));
    } catch (const InputError& e) {
      t.fail(e.what());
    }
  }
  return out;
}

namespace {

std::string override_text(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : std::string();
}

// The overrides a run directory's search.json recorded (null or absent: not given).
std::optional<std::int64_t> recorded(const nlohmann::json& ov, const char* key, const fs::path& file) {
  if (!ov.contains(key) || ov.at(key).is_null()) return std::nullopt;
  const nlohmann::json& v = ov.at(key);
  if (!v.is_number_integer())
    throw InputError(fmt::format("{}: overrides.{} must be an integer or null", file.string(), key));
  const std::int64_t x = v.get<std::int64_t>();
  return x == -1 ? std::nullopt : std::optional<std::int64_t>(x);  // -1: "not given" in older runs
}

}  // namespace

nlohmann::json run_search(const RunOptions& in) {
  RunOptions o = in;
  const bool resuming = !o.resume_dir.empty();
  if (resuming && is_two_stage_run(o.resume_dir)) return run_two_stage(o, nullptr);  // [formulation]
  std::string base_dir;
  if (resuming) {
    // A resume continues the run as it was configured: its config.toml and recorded overrides.
    if (!o.config_path.empty())
      throw InputError(fmt::format(
          "--config {} with --resume {}: a resumed run uses its own config.toml; drop --config (or start a "
          "new run with another --out)",
          o.config_path, o.resume_dir));
    if (o.force) throw InputError("--force with --resume: --force starts a new run; choose one");
    for (const auto& [flag, given] : {std::pair<const char*, bool>{"--seed", bool(o.seed)},
                                      {"--population", bool(o.population)},
                                      {"--optimizer", !o.optimizer.empty()}})
      if (given)
        throw InputError(fmt::format(
            "{} with --resume: the run continues with the settings it was started with; only --generations "
            "(more than already run), --workers and --finalists may be given",
            flag));
    const fs::path run_file = fs::path(o.resume_dir) / "search.json";
    const nlohmann::json run = read_json(run_file);
    if (!run.is_object() || !run.contains("config_dir") || !run.at("config_dir").is_string() ||
        !run.contains("overrides") || !run.at("overrides").is_object())
      throw InputError(fmt::format("{}: not a search run record (config_dir, overrides)", run_file.string()));
    o.config_path = (fs::path(o.resume_dir) / "config.toml").string();
    base_dir = run.at("config_dir").get<std::string>();
    if (o.out_dir.empty()) o.out_dir = o.resume_dir;
    if (fs::absolute(o.out_dir).lexically_normal() != fs::absolute(o.resume_dir).lexically_normal())
      throw InputError(fmt::format("--out {} with --resume {}: a resumed run writes into its own directory",
                                   o.out_dir, o.resume_dir));
    const nlohmann::json& ov = run.at("overrides");
    o.seed = recorded(ov, "seed", run_file);
    o.population = recorded(ov, "population", run_file);
    if (ov.contains("optimizer") && ov.at("optimizer").is_string()) o.optimizer = ov.at("optimizer");
    if (!o.generations) o.generations = recorded(ov, "generations", run_file);
    if (!o.finalists) o.finalists = recorded(ov, "finalists", run_file);
  }
  if (o.config_path.empty()) throw InputError("search: --config FILE is required (or --resume DIR)");
  if (o.out_dir.empty() && !o.dry_run) throw InputError("search: --out DIR is required");
  SearchConfig cfg = load_search_config(o.config_path, base_dir);
  // The overrides go through the config's own declarations: the same ranges as the file's keys.
  auto set = [&](const char* key, const std::string& text, const char* flag) {
    common::set_field([&](common::Fields& f) { describe(f, cfg); }, key, text, flag);
  };
  auto set_int = [&](const char* key, const std::optional<std::int64_t>& v, const char* flag) {
    if (v) set(key, override_text(v), flag);
  };
  set_int("optimizer.seed", o.seed, "--seed");
  set_int("optimizer.population", o.population, "--population");
  if (!o.optimizer.empty()) set("optimizer.name", o.optimizer, "--optimizer");
  if (!o.optimizer.empty() && optimizer_traits(cfg.optimizer.name).budgeted && !cfg.wants_accuracy())
    throw InputError(
        fmt::format("--optimizer {}: it schedules the training budget, but {} has no \"accuracy\" "
                    "objective; allowed: any other optimizer",
                    o.optimizer, o.config_path));
  set_int("search.generations", o.generations, "--generations");
  set_int("search.workers", o.workers, "--workers");
  set_int("search.finalists", o.finalists, "--finalists");
  {  // The trained-weights cache must be usable before hours of search depend on it (another process
    // creating it at the same time is fine).
    const std::string cache = resolve_cache_dir(cfg);
    std::error_code ec;
    fs::create_directories(cache, ec);
    if ((ec && !fs::is_directory(cache)) || ::access(cache.c_str(), W_OK) != 0)
      throw InputError(fmt::format("{}: key 'cache_dir': {} is not a writable directory{}", o.config_path,
                                   cache, ec ? " (" + ec.message() + ")" : std::string()));
  }
  if (optimizer_traits(cfg.optimizer.name).scalarized && cfg.optimizer.weights.empty())
    cfg.optimizer.weights.assign(cfg.objective_columns().size(),
                                 1.0 / double(cfg.objective_columns().size()));

  if (cfg.formulation.kind == FormulationKind::kTwoStage) return run_two_stage(o, &cfg);
  // Read before anything is written (and by --dry-run too): a bad design file is an input error.
  const std::vector<Genome> hot_designs = !resuming && !o.hot_start.empty()
                                              ? load_designs(o.hot_start, cfg.space, cfg.base_arch_file)
                                              : std::vector<Genome>{};
  if (o.dry_run) {
    nlohmann::json summary = {{"config", o.config_path},
                              {"genes", cfg.space.genes().size()},
                              {"free_genes", cfg.space.free_genes()},
                              {"log10_candidates", cfg.space.log10_candidates()},
                              {"objectives", cfg.objective_columns()}};
    if (!o.hot_start.empty()) summary["hot_start_designs"] = hot_designs.size();
    return summary;
  }
  // The run directory: ours alone until we return (the lock), and never a mix of two runs.
  const common::RunLock lock = common::open_run_dir(
      o.out_dir, resuming ? common::OutDirMode::Resume
                          : (o.force ? common::OutDirMode::Force : common::OutDirMode::Fresh));

  if (!resuming) {
    auto given = [](const std::optional<std::int64_t>& v) {
      return v ? nlohmann::json(*v) : nlohmann::json();
    };
    const nlohmann::json run = {{"config_dir", fs::absolute(o.config_path).parent_path().string()},
                                {"config_path", fs::absolute(o.config_path).string()},
                                {"overrides",
                                 {{"seed", given(o.seed)},
                                  {"population", given(o.population)},
                                  {"optimizer", o.optimizer},
                                  {"generations", given(o.generations)},
                                  {"finalists", given(o.finalists)}}},
                                {"seed", cfg.optimizer.seed},
                                {"optimizer", cfg.optimizer.name},
                                {"evaluator", common::name_of(cfg.search.evaluator, evaluator_names())},
                                {"population", cfg.optimizer.population},
                                {"objectives", cfg.objective_columns()}};
    write_text(fs::path(o.out_dir) / "search.json", run.dump(1) + "\n");
  }

  const SearchEvaluator evaluator(cfg);
  evaluator.set_run_dir(o.out_dir);  // the accuracy pre-screen's accuracy_predictor.csv
  LoopOptions lo;
  lo.objective_names = cfg.objective_columns();
  lo.generations = static_cast<std::size_t>(cfg.search.generations);
  lo.reference_point = cfg.reference_point;
  lo.run_dir = o.out_dir;
  lo.config_path = resuming ? "" : o.config_path;
  lo.progress = o.progress;
  // optimizer.sampling = "monte_carlo" weighs its draws by this: the analytical model and the
  // constraints, without training (about a millisecond a design).
  lo.feasibility_estimate = [&evaluator](const Genome& g) {
    return evaluator.evaluate_hardware(g).violation;
  };
  // optimizer.name = "hyperband": the same evaluator at reduced training budgets.
  BudgetedEvaluators budgeted(cfg);
  if (cfg.wants_accuracy())
    lo.evaluate_at_budget = [&budgeted](const std::vector<Genome>& g, double b) { return budgeted(g, b); };
  SearchLoop loop(cfg.space, cfg.optimizer, std::cref(evaluator), lo,
                  [&evaluator](const Genome& g) { return evaluator.key(g); });
  if (resuming) {
    loop.resume(o.resume_dir);
    if (in.generations && loop.generation() >= lo.generations)
      throw InputError(fmt::format(
          "--generations {} with --resume {}: the run has completed {} generations already; give more to "
          "continue it",
          *in.generations, o.resume_dir, loop.generation()));
  } else if (!hot_designs.empty()) {
    loop.hot_start(hot_designs);
  }
  const auto t0 = std::chrono::steady_clock::now();
  loop.run();
  const double search_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // method = "supernet": the front's accuracy on the final test set (and after fine-tuning /
  // stand-alone training when configured), beside the search's estimate.
  const auto t_final = std::chrono::steady_clock::now();
  // Hardware inference on the full test set costs seconds per member: only the [search] finalists
  // most accurate members (by the search's estimate) are scored (0 = all).
  const std::vector<std::size_t> front_ids = loop.front();  // front() returns a new vector each call
  std::vector<std::size_t> scored(front_ids.begin(), front_ids.end());
  auto estimate = [&](std::size_t id) {
    const nlohmann::json& m = loop.candidates()[id].evaluation.extra;
    return m.contains("hardware_accuracy") ? m.at("hardware_accuracy").get<double>() : 0.0;
  };
  std::stable_sort(scored.begin(), scored.end(),
                   [&](std::size_t a, std::size_t b) { return estimate(a) > estimate(b); });
  const std::size_t members = static_cast<std::size_t>(cfg.search.finalists);
  if (members > 0 && scored.size() > members) scored.resize(members);
  std::vector<Genome> front_genomes;
  for (std::size_t id : scored) front_genomes.push_back(loop.candidates()[id].genome);
  const nlohmann::json scored_accuracy = evaluator.final_front_accuracy(front_genomes);
  std::map<std::size_t, nlohmann::json> final_accuracy;
  for (std::size_t k = 0; k < scored_accuracy.size(); ++k) {
    nlohmann::json member = scored_accuracy[k];
    if (member.contains("shared_with_member"))  // an index into `scored`: report the candidate's id
      member["shared_with_member"] = scored.at(member.at("shared_with_member").get<std::size_t>());
    final_accuracy[scored[k]] = member;
  }
  const double final_accuracy_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_final).count();

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
    if (final_accuracy.count(id)) front.back()["final_accuracy"] = final_accuracy.at(id);
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
                            {"final_accuracy_seconds", final_accuracy_s},
                            {"systemc_seconds", systemc_s}};
  write_text(fs::path(o.out_dir) / "summary.json", summary.dump(1) + "\n");
  return summary;
}

}  // namespace imc::nas::search
