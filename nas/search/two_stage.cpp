#include "nas/search/two_stage.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/config.h"
#include "common/run_dir.h"
#include "nas/optimizer.h"

namespace imc::nas::search {

namespace fs = std::filesystem;
using common::InputError;

namespace {

constexpr const char* kStateFile = "two_stage.json";

bool is_network_gene(const std::string& name) {
  return name.rfind("network.", 0) == 0;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw InputError(fmt::format("{}: cannot read", p.string()));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not valid JSON: {}", p.string(), e.what()));
  }
}

void write_json(const fs::path& p, const nlohmann::json& j) {
  common::write_file_atomically(p.string(), j.dump(1) + "\n");
}

void set_generations(toml::table& t, std::int64_t generations) {
  if (!t["search"].is_table()) t.insert_or_assign("search", toml::table{});
  t["search"].as_table()->insert_or_assign("generations", generations);
}

// The run's config as a TOML table whose file paths no longer depend on where it is written.
toml::table absolute_config(const SearchConfig& cfg) {
  toml::table t;
  try {
    t = toml::parse_file(cfg.path);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}: {}", cfg.path, e.description()));
  }
  const fs::path dir = fs::absolute(cfg.path).parent_path();
  for (const char* key : {"base_arch", "cache_dir", "lut_file", "learned_file"})
    if (auto v = t[key].value<std::string>(); v && !v->empty() && fs::path(*v).is_relative())
      t.insert_or_assign(key, (dir / *v).lexically_normal().string());
  // The command line's overrides (already in cfg) hold for both stages.
  if (!t["optimizer"].is_table()) t.insert_or_assign("optimizer", toml::table{});
  auto& opt = *t["optimizer"].as_table();
  opt.insert_or_assign("name", cfg.optimizer.name);
  opt.insert_or_assign("population", cfg.optimizer.population);
  opt.insert_or_assign("seed", cfg.optimizer.seed);
  set_generations(t, cfg.search.generations);
  return t;
}

// Fixes gene `name` (dotted, e.g. "network.stages") to one value.
void fix_gene(toml::table& t, const std::string& name, const nlohmann::json& value) {
  toml::table* at = &t;
  std::size_t start = 0;
  for (std::size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1) {
    const std::string part = name.substr(start, dot - start);
    if (!(*at)[part].is_table()) at->insert_or_assign(part, toml::table{});
    at = (*at)[part].as_table();
  }
  toml::array one;
  if (value.is_number_integer())
    one.push_back(value.get<std::int64_t>());
  else if (value.is_number())
    one.push_back(value.get<double>());
  else
    one.push_back(value.get<std::string>());
  at->insert_or_assign(name.substr(start), std::move(one));
}

void write_toml(const fs::path& p, const toml::table& t) {
  std::ostringstream s;
  s << "# Written by the two-stage search from the run's config (nas/search/two_stage.h).\n" << t << "\n";
  common::write_file_atomically(p.string(), s.str());
}

// Stage 1: the network genes on the base chip, stage 1's objectives, Pareto.
toml::table stage1_config(const SearchConfig& cfg, std::int64_t generations) {
  toml::table t = absolute_config(cfg);
  t.erase("formulation");
  t.erase("reference_point");  // stage 1's columns differ
  t.erase("hardware");
  // The limits are the final chip's, which stage 2 chooses; on the base chip they would only reject
  // networks for the chip's size (the default chip is larger than typical area limits).
  t.erase("constraints");
  toml::array objectives;
  for (Objective o :
       cfg.formulation.stage1_objectives.empty() ? cfg.objectives : cfg.formulation.stage1_objectives)
    objectives.push_back(std::string(objective_def(o).name));
  t.insert_or_assign("objectives", std::move(objectives));
  // Conditions on hardware genes do not apply to the base chip.
  if (auto* conditions = t["conditions"].as_array()) {
    toml::array kept;
    for (const auto& c : *conditions)
      if (auto text = c.value<std::string>(); text && text->find("hardware.") == std::string::npos)
        kept.push_back(*text);
    t.insert_or_assign("conditions", std::move(kept));
  }
  set_generations(t, generations);
  return t;
}

// Stage 2: every gene, the network genes fixed to `network`, all objectives, Pareto.
toml::table stage2_config(const SearchConfig& cfg, const nlohmann::json& network, std::int64_t generations) {
  toml::table t = absolute_config(cfg);
  t.erase("formulation");
  for (const auto& [name, value] : network.items())
    if (is_network_gene(name)) fix_gene(t, name, value);
  set_generations(t, generations);
  return t;
}

// Stage 1's best network: the front's design with the lowest first column (ties: front order).
nlohmann::json best_network(const fs::path& stage1_dir, const std::string& column) {
  const nlohmann::json front = read_json(stage1_dir / "front.json").at("front");
  if (front.empty())
    throw InputError(
        fmt::format("{}: stage 1 found no feasible network; relax the constraints or give stage 1 "
                    "more generations ([formulation] stage1_share)",
                    (stage1_dir / "front.json").string()));
  const nlohmann::json* best = &front.at(0);
  for (const auto& d : front)
    if (d.at("objectives").at(column).get<double>() < best->at("objectives").at(column).get<double>())
      best = &d;
  nlohmann::json genes = nlohmann::json::object();
  for (const auto& [name, value] : best->at("genes").items())
    if (is_network_gene(name)) genes[name] = value;
  return genes;
}

// Runs (or resumes, or skips when complete) one stage in `dir` from `config`.
nlohmann::json run_stage(const RunOptions& o, const fs::path& config, const fs::path& dir) {
  if (fs::exists(dir / "summary.json")) return read_json(dir / "summary.json");
  RunOptions s;
  s.progress = o.progress;
  s.workers = o.workers;
  s.finalists = o.finalists;
  if (fs::exists(dir / "checkpoint.json")) {
    s.resume_dir = dir.string();
  } else {
    s.config_path = config.string();
    s.out_dir = dir.string();
    s.force = true;  // a stage interrupted before its first checkpoint starts over
  }
  return run_search(s);
}

}  // namespace

bool is_two_stage_run(const std::string& dir) {
  return fs::is_regular_file(fs::path(dir) / kStateFile);
}

void check_two_stage(const SearchConfig& cfg) {
  std::size_t network = 0, hardware = 0;
  for (const auto& g : cfg.space.genes())
    if (g.values.size() > 1) (is_network_gene(g.name) ? network : hardware) += 1;
  if (network == 0 || hardware == 0)
    throw InputError(
        fmt::format("{}: key 'formulation.kind': \"two_stage\" needs free network genes (stage 1) and free "
                    "hardware genes "
                    "(stage 2); this space has {} and {}",
                    cfg.path, network, hardware));
  const std::size_t stage1_objectives = cfg.formulation.stage1_objectives.empty()
                                            ? cfg.objectives.size()
                                            : cfg.formulation.stage1_objectives.size();
  if (stage1_objectives < 2 && optimizer_traits(cfg.optimizer.name).multi_objective_only)
    throw InputError(fmt::format(
        "{}: key 'formulation.stage1_objectives': stage 1 minimizes one objective, which optimizer '{}' "
        "cannot; "
        "list at least 2 or use optimizer.name = \"sga\", \"sa\", \"random\", \"parego\" or \"reinforce\"",
        cfg.path, cfg.optimizer.name));
  if (cfg.search.generations < 2)
    throw InputError(
        fmt::format("{}: key 'search.generations': two_stage needs at least 2 (one per stage), found {}",
                    cfg.path, cfg.search.generations));
}

nlohmann::json run_two_stage(const RunOptions& options, const SearchConfig* cfg) {
  RunOptions o = options;
  nlohmann::json state;
  if (!o.resume_dir.empty()) {
    if (o.out_dir.empty()) o.out_dir = o.resume_dir;
    state = read_json(fs::path(o.resume_dir) / kStateFile);
  } else {
    if (!cfg) throw std::invalid_argument("run_two_stage: no config for a fresh run");
    check_two_stage(*cfg);
    const std::int64_t total = cfg->search.generations;
    const std::int64_t g1 = std::clamp<std::int64_t>(
        std::llround(cfg->formulation.stage1_share * static_cast<double>(total)), 1, total - 1);
    if (o.dry_run)  // the shape of run_search's dry-run summary (the CLI prints it), plus the split
      return {{"config", o.config_path},
              {"genes", cfg->space.genes().size()},
              {"free_genes", cfg->space.free_genes()},
              {"log10_candidates", cfg->space.log10_candidates()},
              {"objectives", cfg->objective_columns()},
              {"formulation", "two_stage"},
              {"stage1_generations", g1},
              {"stage2_generations", total - g1}};
    if (fs::exists(o.out_dir) && !fs::is_empty(o.out_dir)) {
      if (!o.force)
        throw InputError(
            fmt::format("search: --out {} is not empty (use --force, or --resume {})", o.out_dir, o.out_dir));
      for (const char* f : {"stage1", "stage2", "stage1.toml", "stage2.toml", kStateFile, "summary.json"})
        fs::remove_all(fs::path(o.out_dir) / f);
    }
    fs::create_directories(o.out_dir);
    const std::string column =
        objective_def(cfg->formulation.stage1_objectives.empty() ? cfg->objectives.front()
                                                                 : cfg->formulation.stage1_objectives.front())
            .column;
    // The stage-2 config needs stage 1's result; the original config is kept to build it then.
    common::write_file_atomically((fs::path(o.out_dir) / "config.toml").string(), [&] {
      std::ostringstream s;
      s << absolute_config(*cfg) << "\n";
      return s.str();
    }());
    write_toml(fs::path(o.out_dir) / "stage1.toml", stage1_config(*cfg, g1));
    state = {{"stage1_generations", g1}, {"stage2_generations", total - g1}, {"stage1_column", column}};
    write_json(fs::path(o.out_dir) / kStateFile, state);
  }
  const fs::path out(o.out_dir);
  const nlohmann::json summary1 = run_stage(o, out / "stage1.toml", out / "stage1");
  if (!state.contains("network")) {
    state["network"] = best_network(out / "stage1", state.at("stage1_column").get<std::string>());
    const SearchConfig original = load_search_config((out / "config.toml").string());
    write_toml(out / "stage2.toml",
               stage2_config(original, state["network"], state.at("stage2_generations").get<std::int64_t>()));
    write_json(out / kStateFile, state);
  }
  const nlohmann::json summary2 = run_stage(o, out / "stage2.toml", out / "stage2");
  // Stage 2's summary is the run's result (the same shape as a one-stage run's, which the CLI prints),
  // with stage 1's and the chosen network beside it.
  nlohmann::json summary = summary2;
  summary["two_stage"] = {{"network", state["network"]}, {"stage1", summary1}};
  write_json(out / "summary.json", summary);
  return summary;
}

}  // namespace imc::nas::search
