#include "nas/search/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "nas/decode.h"

namespace imc::nas::search {
namespace fs = std::filesystem;
using common::ConfigNode;
using common::InputError;

const std::vector<ObjectiveDef>& objective_defs() {
  static const std::vector<ObjectiveDef> defs = {
      {"accuracy", "hw_error_pct", "100 - hardware-aware test accuracy (%), mean over the draws"},
      {"energy", "energy_uj", "energy of one batch (uJ)"},
      {"latency", "latency_us", "latency of one batch (us)"},
      {"area", "area_mm2", "chip area (mm2)"},
      {"edap", "edap_j_s_mm2", "energy x latency x area (J s mm2)"},
      {"tops_per_w", "neg_tops_per_w", "-(effective TOPS/W): minimized, so negated"},
  };
  return defs;
}

bool SearchConfig::wants_accuracy() const {
  return std::find(objectives.begin(), objectives.end(), "accuracy") != objectives.end();
}

std::vector<std::string> SearchConfig::objective_columns() const {
  std::vector<std::string> out;
  for (const auto& o : objectives)
    for (const auto& d : objective_defs())
      if (d.name == o) out.push_back(d.column);
  return out;
}

void describe(common::Fields& f, SearchSettings& s) {
  f.integer("generations", s.generations, {6, 1, 100000, "", "generations, counting the initial population"});
  f.integer("finalists", s.finalists,
            {4, 0, 1000, "", "members of the final front re-evaluated with the SystemC model (0 = none)"});
  f.integer("workers", s.workers, {0, 0, 256, "", "processes for training and SystemC runs; 0 = cores"});
  f.choice("schedule", s.schedule, {"pipeline", {"pipeline", "wavefront", "layer"}, "mapping schedule"});
  f.integer("batch", s.batch, {1, 1, 1 << 20, "", "inferences per evaluated run"});
}

void describe(common::Fields& f, Constraints& c) {
  f.real("area_mm2_max", c.area_mm2_max, {0, 0, 1e6, "mm2", "largest chip area; 0 = no limit"});
  f.real("power_w_max", c.power_w_max, {0, 0, 1e6, "W", "largest average power over a batch; 0 = no limit"});
  f.real("latency_us_max", c.latency_us_max, {0, 0, 1e12, "us", "largest batch latency; 0 = no limit"});
  f.boolean(
      "fits_on_chip", c.fits_on_chip, true,
      "every weight must fit on the chip (else infeasible); false: reload weights from DRAM, cost counted");
}

void describe(common::Fields& f, AccuracySettings& a) {
  f.integer("epochs", a.epochs, {1, 1, 1000, "", "proxy training epochs per network"});
  f.integer("train_subset", a.train_subset,
            {2000, 0, 60000, "images", "training images per epoch; 0 = all 60,000"});
  f.integer("test_subset", a.test_subset, {500, 0, 10000, "images", "test images; 0 = all 10,000"});
  f.integer("batch_size", a.batch_size, {64, 1, 65536, "images", "training batch"});
  f.choice("optimizer", a.optimizer, {"adam", {"adam", "sgd"}, "training optimizer"});
  f.real("learning_rate", a.learning_rate, {0, 0, 10, "", "0 = 1e-3 (adam) or 0.05 (sgd)"});
  f.boolean("quantization_aware", a.quantization_aware, true,
            "fake-quantize weights and inputs while training");
  f.real("noise_sigma", a.noise_sigma, {0, 0, 1, "", "relative weight noise injected while training"});
  f.integer("draws", a.draws,
            {1, 1, 1000, "", "chip instances (draws of variation and faults) per candidate"});
  f.choice("adc_range", a.adc_range,
           {"calibrated",
            {"full", "calibrated"},
            "ADC range: full partial-sum range or calibrated on training images"});
  f.integer("calibration_images", a.calibration_images,
            {256, 1, 60000, "images", "for adc_range = calibrated"});
  f.integer("seed", a.seed, {1, 0, 1LL << 62, "", "training and draw seed"});
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
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      objs.at(i).fail(fmt::format("unknown objective '{}'; allowed: {}", name, fmt::join(allowed, ", ")));
    if (std::find(c.objectives.begin(), c.objectives.end(), name) != c.objectives.end())
      objs.at(i).fail(fmt::format("objective '{}' listed twice", name));
    c.objectives.push_back(name);
  }
  if (const ConfigNode ref = root.get("reference_point"); ref.valid()) {
    if (!ref.is_array() || ref.size() != c.objectives.size())
      ref.fail(fmt::format("must be a list of {} numbers, one per objective ({})", c.objectives.size(),
                           fmt::join(c.objective_columns(), ", ")));
    for (std::size_t i = 0; i < ref.size(); ++i) c.reference_point.push_back(ref.at(i).as_real());
  }

  auto section = [&](const char* key, auto& target) {
    const ConfigNode n = root.get(key);
    if (!n.valid()) {
      common::default_fields([&](common::Fields& f) { describe(f, target); });
      return;
    }
    if (!n.is_table()) n.fail("must be a table");
    common::read_fields(n, [&](common::Fields& f) { describe(f, target); });
  };
  section("search", c.search);
  section("constraints", c.constraints);
  section("accuracy", c.accuracy);
  section("optimizer", c.optimizer);

  c.space = SearchSpace::from_config(root, {"base_arch", "objectives", "cache_dir", "reference_point",
                                            "search", "constraints", "accuracy", "optimizer"});
  if (c.space.size() == 0) root.fail("declares no genes: add [network] and/or [hardware] genes");
  check_gene_names(c.space);
  if (c.optimizer.name == "sga" || c.optimizer.name == "sa")
    c.optimizer.weights.assign(c.objectives.size(), 1.0 / double(c.objectives.size()));
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
      "| reference_point | hypervolume reference, one value per objective (default: from generation 0) |\n";
  out += "\n### [search]\n\n" + common::document_fields([](common::Fields& f) {
           SearchSettings s;
           describe(f, s);
         });
  out += "\n### [constraints]\n\n" + common::document_fields([](common::Fields& f) {
           Constraints s;
           describe(f, s);
         });
  out += "\n### [accuracy]\n\n" + common::document_fields([](common::Fields& f) {
           AccuracySettings s;
           describe(f, s);
         });
  out += "\n### [optimizer]\n\n" + common::document_fields([](common::Fields& f) {
           OptimizerConfig s;
           describe(f, s);
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
