#include "nas/search/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>

#include "nas/decode.h"
#include "nas/decode_vit.h"
#include "nas/run_settings.h"
#include "nas/search/formulation.h"
#include "nas/supernet/space.h"
#include "nas/vit_supernet/space.h"

namespace imc::nas::search {
namespace fs = std::filesystem;
using common::ConfigNode;
using common::InputError;

const std::vector<ObjectiveDef>& objective_defs() {
  static const std::vector<ObjectiveDef> defs = {
      {Objective::kAccuracy, "accuracy", "hw_error_pct",
       "100 - hardware-aware test accuracy (%), mean over the draws"},
      {Objective::kEnergy, "energy", "energy_uj", "energy of one batch (uJ)"},
      {Objective::kLatency, "latency", "latency_us", "latency of one batch (us)"},
      {Objective::kArea, "area", "area_mm2", "chip area (mm2)"},
      {Objective::kEdap, "edap", "edap_j_s_mm2", "energy x latency x area (J s mm2)"},
      {Objective::kTopsPerW, "tops_per_w", "neg_tops_per_w", "-(effective TOPS/W): minimized, so negated"},
  };
  return defs;
}

const ObjectiveDef& objective_def(Objective o) {
  for (const auto& d : objective_defs())
    if (d.id == o) return d;
  throw std::logic_error("objective_def: undeclared objective");
}

double objective_value(Objective o, const sim::DesignMetrics& m, double hardware_accuracy) {
  switch (o) {
    case Objective::kAccuracy:
      return 100.0 * (1.0 - hardware_accuracy);
    case Objective::kEnergy:
      return m.energy_pj * 1e-6;
    case Objective::kLatency:
      return m.latency_ns * 1e-3;
    case Objective::kArea:
      return m.area_mm2;
    case Objective::kEdap:
      return m.edap_j_s_mm2;
    case Objective::kTopsPerW:
      return -m.tops_per_w;
  }
  return 0;
}

bool SearchConfig::wants_accuracy() const {
  return std::find(objectives.begin(), objectives.end(), Objective::kAccuracy) != objectives.end();
}

std::vector<std::string> SearchConfig::objective_columns() const {
  return formulated_columns(*this);
}

const std::vector<std::pair<const char*, EvaluatorKind>>& evaluator_names() {
  static const std::vector<std::pair<const char*, EvaluatorKind>> names = {
      {"analytical", EvaluatorKind::kAnalytical},
      {"systemc", EvaluatorKind::kSystemC},
      {"multi", EvaluatorKind::kMulti},
      {"lut", EvaluatorKind::kLut},
      {"learned", EvaluatorKind::kLearned}};
  return names;
}

void describe(common::Fields& f, SearchSettings& s) {
  f.integer("generations", s.generations, generations_decl(6));
  f.integer("finalists", s.finalists, finalists_decl(4));
  f.integer("workers", s.workers, workers_decl(0));
  mapping::describe_schedule(f, s.schedule);  // the [mapping] keys' own declarations
  mapping::describe_batch(f, s.batch);
  f.choice("activity", s.activity, ActivitySource::kMeasured,
           {{"measured", ActivitySource::kMeasured}, {"worst_case", ActivitySource::kWorstCase}},
           "input activity of a candidate's energy: 'measured' = the input bit densities of its trained "
           "network on the test images (only when accuracy is an objective; otherwise worst case), "
           "'worst_case' = every row driven on every input slice");
  f.choice(
      "evaluator", s.evaluator, EvaluatorKind::kMulti, evaluator_names(),
      "performance model in the loop: 'analytical' (no SystemC run; finalists not re-evaluated), "
      "'systemc' (every candidate simulated, one process each), 'multi' (analytical in the loop, "
      "the finalists re-evaluated with SystemC), 'lut' (a table of per-layer figures over the hardware "
      "genes, interpolated), 'learned' (gradient-boosted trees trained on analytical or SystemC figures); "
      "[estimator] and docs/estimators.md");
}

void describe(common::Fields& f, Constraints& c) {
  f.real("area_mm2_max", c.area_mm2_max, {0, 0, 1e6, "mm2", "largest chip area; 0 = no limit"});
  f.real("power_w_max", c.power_w_max, {0, 0, 1e6, "W", "largest average power over a batch; 0 = no limit"});
  f.real("latency_us_max", c.latency_us_max, {0, 0, 1e12, "us", "largest batch latency; 0 = no limit"});
  f.alias("fits_on_chip", "weight_fetch", /*inverted=*/true);
  f.boolean(
      "weight_fetch", c.weight_fetch, false,
      "false: every weight must fit on the chip (else infeasible); true: reload weights from DRAM, cost "
      "counted");
}

void describe_accuracy(common::Fields& f, accuracy::AccuracyOptions& a) {
  static const accuracy::AccuracyOptions defaults = accuracy::search_proxy_defaults();
  accuracy::describe(f, a, defaults);
}

void describe(common::Fields& f, SearchConfig& c) {
  f.section("search", "the run", [&](common::Fields& g) { describe(g, c.search); });
  f.section("constraints", "limits on a design", [&](common::Fields& g) { describe(g, c.constraints); });
  f.section("accuracy", "the accuracy objective's proxy training and hardware draws",
            [&](common::Fields& g) { describe_accuracy(g, c.accuracy); });
  f.section("optimizer", "the optimizer", [&](common::Fields& g) { describe(g, c.optimizer); });
  f.section("estimator", "the lut / learned evaluators and the accuracy pre-screen",
            [&](common::Fields& g) { predictor::describe(g, c.estimator); });
}

namespace {

std::string resolve(const std::string& p, const std::string& base_dir) {
  fs::path path(p);
  if (path.is_absolute() || base_dir.empty()) return path.lexically_normal().string();
  return (fs::path(base_dir) / path).lexically_normal().string();
}

std::string read_string(const ConfigNode& root, const char* key, bool required) {
  const ConfigNode n = required ? root.require(key) : root.get(key);
  if (!n.valid()) return "";
  return n.as_string();
}

}  // namespace

SearchConfig load_search_config(const std::string& path, const std::string& base_dir_in) {
  SearchConfig c;
  c.path = path;
  const std::string base_dir = base_dir_in.empty() ? fs::absolute(path).parent_path().string() : base_dir_in;
  const ConfigNode root = ConfigNode::parse_file(path);

  c.base_arch_file = resolve(read_string(root, "base_arch", true), base_dir);
  if (!fs::is_regular_file(c.base_arch_file))
    root.require("base_arch").fail(fmt::format("arch file '{}' not found", c.base_arch_file));
  const std::string cache = read_string(root, "cache_dir", false);
  if (!cache.empty()) c.cache_dir = resolve(cache, base_dir);

  const ConfigNode objs = root.require("objectives");
  if (!objs.is_array() || objs.size() == 0) objs.fail("must be a non-empty list of objective names");
  std::vector<std::string> allowed;
  for (const auto& d : objective_defs()) allowed.push_back(d.name);
  for (std::size_t i = 0; i < objs.size(); ++i) {
    const std::string name = objs.at(i).as_string();
    const auto def = std::find_if(objective_defs().begin(), objective_defs().end(),
                                  [&](const ObjectiveDef& d) { return d.name == name; });
    if (def == objective_defs().end())
      objs.at(i).fail(fmt::format("unknown objective '{}'; allowed: {}", name, fmt::join(allowed, ", ")));
    if (std::find(c.objectives.begin(), c.objectives.end(), def->id) != c.objectives.end())
      objs.at(i).fail(fmt::format("objective '{}' listed twice", name));
    c.objectives.push_back(def->id);
  }

  // Each section: its keys read through its declarations (absent: every default).
  auto section = [&](const char* key, const std::function<void(common::Fields&)>& describe_section) {
    const ConfigNode n = root.get(key);
    if (!n.valid()) return common::default_fields(describe_section);
    if (!n.is_table()) n.fail("must be a table");
    common::read_fields(n, describe_section);
  };
  section("search", [&](common::Fields& f) { describe(f, c.search); });
  section("constraints", [&](common::Fields& f) { describe(f, c.constraints); });
  section("accuracy", [&](common::Fields& f) { describe_accuracy(f, c.accuracy); });
  section("optimizer", [&](common::Fields& f) { describe(f, c.optimizer); });
  section("estimator", [&](common::Fields& f) { predictor::describe(f, c.estimator); });
  if (const std::string lut = read_string(root, "lut_file", false); !lut.empty())
    c.lut_file = resolve(lut, base_dir);
  if (const std::string learned = read_string(root, "learned_file", false); !learned.empty())
    c.learned_file = resolve(learned, base_dir);
  // hyperband scales the accuracy objective's training (train_subset x epochs); without it there is
  // no budget to schedule.
  if (optimizer_traits(c.optimizer.name).budgeted && !c.wants_accuracy())
    root.require("optimizer")
        .require("name")
        .fail(fmt::format("\"{}\" schedules the training budget ([accuracy] train_subset x epochs), but "
                          "objectives has no \"accuracy\" (a hardware-only search has no training); allowed "
                          "here: any other optimizer",
                          c.optimizer.name));
  if (c.wants_accuracy() && c.accuracy.draws < 1)
    root.require("accuracy").require("draws").fail("the accuracy objective needs at least 1 draw");
  read_formulation(root, c);
  // The reference point is in the optimizer's columns (one per objective, or the formulation's one).
  if (const ConfigNode ref = root.get("reference_point"); ref.valid()) {
    const std::vector<std::string> columns = c.objective_columns();
    if (!ref.is_array() || ref.size() != columns.size())
      ref.fail(fmt::format("must be a list of {} numbers, one per minimized column ({})", columns.size(),
                           fmt::join(columns, ", ")));
    for (std::size_t i = 0; i < ref.size(); ++i) c.reference_point.push_back(ref.at(i).as_real());
  }

  c.space = SearchSpace::from_config(
      root, {"base_arch", "objectives", "cache_dir", "reference_point", "search", "constraints", "accuracy",
             "optimizer", "formulation", "estimator", "lut_file", "learned_file",
             "differentiable"});  // [differentiable]: nas/differentiable/options.h
  if (c.space.size() == 0) root.fail("declares no genes: add [network] and/or [hardware] genes");
  check_gene_names(c.space);
  // The lut / learned estimators decode every sample as a CNN (nas/predictor): not for ViT genomes.
  if (space_has_vit(c.space) &&
      (c.search.evaluator == EvaluatorKind::kLut || c.search.evaluator == EvaluatorKind::kLearned))
    root.require("search")
        .require("evaluator")
        .fail(
            "the ViT family (network.patch, depth, embed, heads, mlp_ratio) is evaluated by \"analytical\", "
            "\"systemc\" or \"multi\"; the lut and learned estimators know the CNN family only");
  if (c.accuracy.method == accuracy::AccuracyMethod::kSupernet) {
    // Every network gene's every value must be a subnet of the supernet: an error names the gene's
    // file:line and what the supernet can hold, before anything runs.
    // A ViT space has its own supernet (nas/vit_supernet); one supernet cannot hold both families.
    if (space_has_vit(c.space) && !vit_only_space(c.space)) {
      const Gene* f = c.space.find("network.family");
      throw common::InputError(
          fmt::format("{}:{}: gene 'network.family': method = \"supernet\" holds one family "
                      "per supernet; a space mixing \"cnn\" and \"vit\" needs method = "
                      "\"train\"",
                      f->file, f->line));
    }
    if (vit_only_space(c.space))
      (void)vit_supernet::VitSupernetSpace::from_search_space(c.space);
    else
      (void)supernet::SupernetSpace::from_search_space(c.space);
    // Supernets shipped beside the configs (configs/nas/supernets/) are found before the cache.
    c.accuracy.supernet.shipped_dir = (fs::path(base_dir) / "supernets").string();
  }
  if (optimizer_traits(c.optimizer.name).scalarized) {
    const std::size_t n = c.objective_columns().size();
    c.optimizer.weights.assign(n, 1.0 / double(n));
  }
  return c;
}

std::string document_search_keys() {
  std::string out =
      "### top level\n\n| key | doc |\n|---|---|\n"
      "| base_arch | arch TOML the hardware genes override (path relative to the config) |\n"
      "| objectives | list, any of:";
  for (const auto& d : objective_defs()) out += fmt::format(" `{}` ({})", d.name, d.doc);
  out +=
      " |\n| conditions | list of conditions between genes (docs/nas.md) |\n"
      "| cache_dir | trained-weights cache (default $IMCSIM_CACHE_DIR/accuracy or ~/.cache/imcsim/accuracy) "
      "|\n"
      "| reference_point | hypervolume reference, one value per minimized column (default: from generation "
      "0) |\n"
      "| lut_file | evaluator 'lut': the table file (built if absent, reused if built for this space, chip "
      "and "
      "grid, rejected otherwise; default: in the cache, named by that key) |\n"
      "| learned_file | evaluator 'learned': the models' key file (the same rules) |\n";
  out +=
      "\n### [formulation]\n\n| key | meaning |\n|---|---|\n"
      "| kind | \"pareto\" (default: every objective, a Pareto front), \"weighted_sum\" (sum w_i f_i), "
      "\"weighted_product\" (prod f_i^w_i), \"constrained\" (minimize `primary` subject to [constraints]) |\n"
      "| weights | weighted_*: one finite weight > 0 per objective, in the objectives' order |\n"
      "| primary | constrained: the objective minimized (one of `objectives`) |\n";
  out += "\n### [search]\n\n" + common::document_fields([](common::Fields& f) {
           SearchSettings s;
           describe(f, s);
         });
  out += "\n### [constraints]\n\n" + common::document_fields([](common::Fields& f) {
           Constraints s;
           describe(f, s);
         });
  out += "\n### [accuracy]\n\n" + common::document_fields([](common::Fields& f) {
           accuracy::AccuracyOptions s;
           describe_accuracy(f, s);
         });
  out += "\n### [optimizer]\n\n" + common::document_fields([](common::Fields& f) {
           OptimizerConfig s;
           describe(f, s);
         });
  out += "\n### [estimator]\n\n" + common::document_fields([](common::Fields& f) {
           predictor::EstimatorOptions s;
           predictor::describe(f, s);
         });
  return out;
}

std::string resolve_cache_dir(const SearchConfig& c) {
  if (!c.cache_dir.empty()) return c.cache_dir;
  if (const char* env = std::getenv("IMCSIM_CACHE_DIR"); env && *env)
    return (fs::path(env) / "accuracy").string();
  if (const char* home = std::getenv("HOME"); home && *home)
    return (fs::path(home) / ".cache" / "imcsim" / "accuracy").string();
  return (fs::temp_directory_path() / "imcsim-accuracy").string();
}

}  // namespace imc::nas::search
