#include "nas/cosearch/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>

#include "nas/decode.h"
#include "nas/run_settings.h"

namespace imc::nas::cosearch {

namespace fs = std::filesystem;
using common::ConfigNode;
using common::InputError;

const std::vector<std::pair<const char*, Aggregate>>& aggregate_choices() {
  static const std::vector<std::pair<const char*, Aggregate>> names = {
      {"ela", Aggregate::kEla},
      {"ela_mean", Aggregate::kElaMean},
      {"ela_all", Aggregate::kElaAll},
      {"edap_mean", Aggregate::kEdapMean},
      {"edap_product", Aggregate::kEdapProduct}};
  return names;
}

std::string to_string(Aggregate a) {
  return common::name_of(a, aggregate_choices());
}

const std::vector<Aggregate>& study_aggregates() {
  static const std::vector<Aggregate> study = {Aggregate::kEla, Aggregate::kElaMean, Aggregate::kElaAll};
  return study;
}

const std::vector<std::pair<const char*, Objective>>& objective_choices() {
  static const std::vector<std::pair<const char*, Objective>> names = {
      {"ela", Objective::kEla},
      {"ela_mean", Objective::kElaMean},
      {"ela_all", Objective::kElaAll},
      {"edap_mean", Objective::kEdapMean},
      {"edap_product", Objective::kEdapProduct},
      {"multi", Objective::kMulti}};
  return names;
}

std::string to_string(Objective o) {
  return common::name_of(o, objective_choices());
}

Aggregate Config::scalar_aggregate() const {
  switch (settings.objective) {
    case Objective::kEla:
      return Aggregate::kEla;
    case Objective::kElaMean:
      return Aggregate::kElaMean;
    case Objective::kElaAll:
      return Aggregate::kElaAll;
    case Objective::kEdapMean:
      return Aggregate::kEdapMean;
    case Objective::kEdapProduct:
      return Aggregate::kEdapProduct;
    case Objective::kMulti:
      break;
  }
  return settings.select;
}

void describe(common::Fields& f, Settings& s) {
  f.alias("arch", "base_arch");
  f.choice("base_arch", s.base_arch,
           {"",
            {},
            "base chip (arch TOML) the genes override; required; relative to the config's directory, then "
            "the cwd, then $IMCSIM_ROOT"});
  f.choice("workloads", s.workloads,
           {"imagenet4", {}, "networks: a suite (imagenet4, mixed9), a comma list or a workload .toml"});
  f.choice("mapping", s.mapping,
           {"", {}, "mapping-options TOML; \"\" = defaults (overflow is set by weight_fetch)"});
  f.choice("objective", s.objective, Objective::kEla, objective_choices(),
           "ela: max E x max L x A; ela_mean: mean E x mean L x A; ela_all: A x prod E x prod L (the study's "
           "three); edap_mean / edap_product: mean / product of per-network E x L x A; multi: NSGA-II over "
           "per-network E, L and A");
  f.choice("select", s.select, Aggregate::kEla, aggregate_choices(),
           "aggregate picking the best design and driving the baselines in multi mode");
  f.alias("max_area_mm2", "area_mm2_max");
  f.real("area_mm2_max", s.area_mm2_max, {800, 0.001, 1e6, "mm2", "area constraint"});
  f.boolean("weight_fetch", s.weight_fetch, false,
            "false: every network's weights must fit on chip (capacity constraint); true: reload from DRAM, "
            "cost counted");
  f.integer("generations", s.generations, generations_decl(40));
  f.integer("finalists", s.finalists, finalists_decl(3));
  f.boolean("systemc", s.systemc, true, "re-evaluate the finalists with the SystemC model");
  f.integer("workers", s.workers, workers_decl(2));
  f.integer("per_process", s.per_process,
            {0, 0, 1000000, "designs", "designs per forked child; 0 = max(4, batch / (4 x workers))"});
  f.integer(
      "seeds", s.seeds,
      {1, 1, 1000, "runs",
       "every search runs this many times, with seeds optimizer.seed, +1, ...; reductions and losses are "
       "reported as mean +- std and min-max over the seeds"});
}

void describe(common::Fields& f, BaselineSettings& s) {
  f.boolean("single", s.single, true, "baseline: the design searched for the single largest network alone");
  f.choice("single_network", s.single_network,
           {"", {}, "network of the single baseline; \"\" = most crossbar weights"});
  f.boolean("stagewise", s.stagewise, true,
            "baseline: stage-by-stage search (device, circuit, architecture, system)");
  f.integer("stage_generations", s.stage_generations,
            {0, 0, 1000000, "", "generations per stage; 0 = max(2, generations / stages)"});
  f.boolean("random", s.random, true,
            "baseline: uniform sampling of as many designs as the joint search evaluated");
  f.boolean("specific", s.specific, true,
            "workload-specific searches: each network alone, same space and budget as the joint search (its "
            "own best EDAP and the generalization loss); the single baseline is the largest network's");
}

void describe(common::Fields& f, Config& c) {
  f.section("cosearch", "the run", [&](common::Fields& g) { describe(g, c.settings); });
  f.section("baselines", "which baselines run", [&](common::Fields& g) { describe(g, c.baselines); });
  f.section("optimizer", "the optimizer", [&](common::Fields& g) { describe(g, c.optimizer); });
}

std::string document_cosearch_keys() {
  std::string out;
  auto table = [&](const char* title, const std::function<void(common::Fields&)>& describe_section) {
    out += fmt::format("`{}`:\n\n{}\n", title, common::document_fields(describe_section));
  };
  Config c;
  table("[cosearch]", [&](common::Fields& f) { describe(f, c.settings); });
  table("[baselines]", [&](common::Fields& f) { describe(f, c.baselines); });
  table("[optimizer]", [&](common::Fields& f) { describe(f, c.optimizer); });
  return out;
}

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  if (!base_dir.empty() && fs::exists(fs::path(base_dir) / path)) return (fs::path(base_dir) / path).string();
  if (fs::exists(path)) return path;
  if (const char* root = std::getenv("IMCSIM_ROOT"); root && fs::exists(fs::path(root) / path))
    return (fs::path(root) / path).string();
  return path;
}

std::vector<Stage> default_stages(const SearchSpace& space) {
  std::vector<Stage> stages = {{"device", {}}, {"circuit", {}}, {"architecture", {}}, {"system", {}}};
  auto starts = [](const std::string& s, const char* p) { return s.rfind(p, 0) == 0; };
  for (const Gene& g : space.genes()) {
    if (g.values.size() < 2) continue;
    const std::string k = g.name.substr(g.name.find('.') + 1);
    int i = 3;
    if (starts(k, "device.") || k == "chip.voltage_v")
      i = 0;
    else if (starts(k, "crossbar.") || starts(k, "adc.") || starts(k, "dac.") || k == "chip.cycle_ns" ||
             k == "chip.clock_ghz")
      i = 1;
    else if (starts(k, "pe.") || starts(k, "tile.") || k == "noc.tiles_per_router" || k == "noc.router_tiles")
      i = 2;
    stages[std::size_t(i)].genes.push_back(g.name);
  }
  stages.erase(std::remove_if(stages.begin(), stages.end(), [](const Stage& s) { return s.genes.empty(); }),
               stages.end());
  return stages;
}

namespace {

std::vector<Stage> read_stages(const ConfigNode& arr, const SearchSpace& space) {
  if (!arr.is_array())
    arr.fail(fmt::format("expected an array of tables [[stages]], found {}", arr.type_name()));
  std::vector<Stage> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const ConfigNode t = arr.at(i);
    if (!t.is_table())
      t.fail(fmt::format("expected a table {{ name = \"...\", genes = [...] }}, found {}", t.type_name()));
    for (const auto& k : t.keys())
      if (k != "name" && k != "genes") t.get(k).fail("unknown key; allowed keys here: name, genes");
    Stage s;
    s.name = t.require("name").as_string();
    const ConfigNode genes = t.require("genes");
    if (!genes.is_array() || genes.size() == 0) genes.fail("expected a non-empty list of gene names");
    for (std::size_t j = 0; j < genes.size(); ++j) {
      const ConfigNode n = genes.at(j);
      const std::string name = n.as_string();
      if (!space.find(name)) {
        std::string known;
        for (const Gene& g : space.genes()) known += (known.empty() ? "" : ", ") + g.name;
        n.fail(fmt::format("unknown gene '{}'; genes: {}", name, known));
      }
      if (!seen.insert(name).second) n.fail(fmt::format("gene '{}' is in two stages", name));
      s.genes.push_back(name);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Config parse_config(const ConfigNode& root, const std::string& path) {
  Config c;
  c.path = path;
  c.base_dir = fs::path(path).parent_path().string();
  const ConfigNode cs = root.get("cosearch");
  if (!cs.valid()) root.fail("missing table [cosearch] (arch, workloads, objective, ...)");
  common::read_fields(cs, [&](common::Fields& f) { describe(f, c.settings); });
  if (c.settings.base_arch.empty())
    cs.fail("missing required key 'cosearch.base_arch' (base chip, an arch TOML)");
  const ConfigNode bl = root.get("baselines");
  if (bl.valid()) common::read_fields(bl, [&](common::Fields& f) { describe(f, c.baselines); });
  const ConfigNode opt = root.get("optimizer");
  if (opt.valid())
    common::read_fields(opt, [&](common::Fields& f) { describe(f, c.optimizer); });
  else
    common::default_fields([&](common::Fields& f) { describe(f, c.optimizer); });

  c.space = SearchSpace::from_config(root, {"cosearch", "baselines", "stages", "optimizer"});
  if (c.space.size() == 0) root.fail("no genes: declare the searched parameters under [hardware]");
  for (const Gene& g : c.space.genes())
    if (g.group() != "hardware")
      throw InputError(
          fmt::format("{}:{}: gene '{}': a co-search is hardware-only; genes go under [hardware]", g.file,
                      g.line, g.name));
  check_gene_names(c.space);

  const ConfigNode st = root.get("stages");
  c.stages = st.valid() ? read_stages(st, c.space) : default_stages(c.space);

  // The optimizer must handle the objective count: 1 (scalar aggregate) or 2N + 1 (multi). Without
  // an explicit name: sga for a scalar objective, nsga2 for multi.
  const ConfigNode name_node = opt.valid() ? opt.get("name") : ConfigNode();
  if (!name_node.valid()) c.optimizer.name = c.multi() ? "nsga2" : "sga";
  const bool multi_only = optimizer_traits(c.optimizer.name).multi_objective_only;
  if (!c.multi() && multi_only) {
    name_node.fail(
        fmt::format("optimizer '{}' needs several objectives; with objective = \"{}\" use optimizer.name = "
                    "\"sga\", \"sa\" or \"random\" (or objective = \"multi\")",
                    c.optimizer.name, to_string(c.settings.objective)));
  }
  c.optimizer.weights.clear();
  return c;
}

Config load_config(const std::string& path) {
  return parse_config(ConfigNode::parse_file(path), path);
}

}  // namespace imc::nas::cosearch
