// The co-search configuration: one hardware design for a set of networks (docs/cosearch.md).
//
// A cosearch TOML has four parts:
//   [cosearch]   this file's own keys (describe(Fields&, Settings&): base chip, workloads, objective,
//                constraints, generations, finalists, workers)
//   [baselines]  which baselines run (describe(Fields&, BaselineSettings&))
//   [[stages]]   the stage-by-stage baseline's stages, in order: { name = "device", genes = [...] }
//                (optional; default: genes grouped by arch key, see default_stages())
//   [optimizer]  nas::describe(Fields&, OptimizerConfig&)
//   [hardware]   the genes ("hardware.<arch key>", nas/decode.h) and top-level `conditions`
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/config.h"
#include "nas/optimizer.h"
#include "nas/space.h"

namespace imc::nas::cosearch {

// How per-network figures become one number to minimize. E_n: energy of one inference of network n
// (J), L_n: its latency (s), A: the chip's area (mm2). The study's three (Krestinskaya et al., arXiv
// 2410.16759 / 2603.03880), by its names, and two of ours under names that say what they are:
//   ela:          max_n E_n x max_n L_n x A        (J*s*mm2; the worst energy and the worst latency)
//   ela_mean:     mean_n E_n x mean_n L_n x A      (J*s*mm2)
//   ela_all:      A x prod_n E_n x prod_n L_n      (J^N*s^N*mm2: area counted once)
//   edap_mean:    mean_n (E_n x L_n x A)           (J*s*mm2)
//   edap_product: prod_n (E_n x L_n x A)           (J^N*s^N*mm2^N: area counted N times)
// With one network all five are that network's EDAP.
enum class Aggregate { kEla, kElaMean, kElaAll, kEdapMean, kEdapProduct };
const std::vector<std::pair<const char*, Aggregate>>& aggregate_choices();  // the names above
std::string to_string(Aggregate a);
// The study's three, in the order the reports use.
const std::vector<Aggregate>& study_aggregates();

// What the joint search minimizes: one aggregate, or (multi) NSGA-II over every network's energy
// and latency and the area.
enum class Objective { kEla, kElaMean, kElaAll, kEdapMean, kEdapProduct, kMulti };
const std::vector<std::pair<const char*, Objective>>& objective_choices();  // the aggregates, "multi"
std::string to_string(Objective o);

// Keys renamed to the search's spelling (the old one is a deprecated alias): arch -> base_arch,
// max_area_mm2 -> area_mm2_max.
struct Settings {
  std::string base_arch;  // base chip (arch TOML); relative paths: config dir, then cwd, then $IMCSIM_ROOT
  std::string workloads = "imagenet4";  // suite, comma list or workload .toml (workloads::load_workloads)
  std::string mapping;  // mapping-options TOML ("" = defaults); overflow is set by weight_fetch
  Objective objective = Objective::kEla;
  Aggregate select = Aggregate::kEla;  // picks the best design (and drives the baselines) in multi mode
  double area_mm2_max = 800;
  bool weight_fetch = false;      // false: every network must fit on chip; true: weights reload from DRAM
  std::int64_t generations = 40;  // of the joint search, counting the initial population
  std::int64_t finalists = 3;     // best designs re-evaluated with SystemC
  bool systemc = true;
  std::int64_t workers = 2;      // evaluation processes; 0 = number of cores
  std::int64_t per_process = 0;  // designs per forked child; 0 = max(4, batch / (4 x workers))
  std::int64_t seeds = 1;        // every search runs with seeds optimizer.seed, +1, ..., +seeds-1
};
void describe(common::Fields& f, Settings& s);

struct BaselineSettings {
  bool single = true;                  // the design optimized for the single largest network alone
  std::string single_network;          // "" = the network with the most crossbar weights
  bool stagewise = true;               // device -> circuit -> architecture -> system, one stage at a time
  std::int64_t stage_generations = 0;  // per stage; 0 = max(2, generations / stages)
  bool random = true;                  // uniform sampling of as many designs as the joint search evaluated
  bool specific =
      true;  // a workload-specific search per network (same space, budget): the generalization loss
};
void describe(common::Fields& f, BaselineSettings& s);

struct Stage {
  std::string name;
  std::vector<std::string> genes;  // full gene names ("hardware.crossbar.rows")
};

struct Config {
  std::string path;      // the TOML file
  std::string base_dir;  // its directory
  Settings settings;
  BaselineSettings baselines;
  std::vector<Stage> stages;
  OptimizerConfig optimizer;
  SearchSpace space;
  bool multi() const { return settings.objective == Objective::kMulti; }
  Aggregate scalar_aggregate() const;  // the objective's aggregate, or `select` in multi mode
};

// The declared settings of a config as sections "cosearch", "baselines", "optimizer" (command-line
// overrides go through common::set_field on this, e.g. key "cosearch.generations").
void describe(common::Fields& f, Config& c);

// Markdown of every declared key ([cosearch], [baselines], [optimizer]) for `imcsim cosearch --keys`
// and docs/cosearch.md.
std::string document_cosearch_keys();

// Reads and checks a cosearch TOML. Every problem is a common::InputError naming the file, line and
// key: unknown keys, bad values, unknown gene names, an optimizer that cannot handle the objective
// count, stages naming unknown or repeated genes.
Config load_config(const std::string& path);
Config parse_config(const common::ConfigNode& root, const std::string& path);

// The default stage grouping of a space's free genes by arch key: device (device.*, chip.voltage_v),
// circuit (crossbar.*, adc.*, dac.*, chip.cycle_ns, chip.clock_ghz), architecture (pe.*, tile.*,
// noc.tiles_per_router, noc.router_tiles), system (everything else: noc.routers, global.*, offchip.*, ...).
// Empty stages are dropped.
std::vector<Stage> default_stages(const SearchSpace& space);

// A path from a config: absolute, else relative to base_dir, else to the cwd, else to $IMCSIM_ROOT.
std::string resolve_path(const std::string& path, const std::string& base_dir);

}  // namespace imc::nas::cosearch
