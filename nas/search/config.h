// The search's TOML: the space ([network], [hardware], conditions) plus what to optimize and how.
//
//   base_arch  = "../arch/rram_default.toml"   # chip the hardware genes override (relative to this file)
//   objectives = ["accuracy", "energy", "latency"]
//   conditions = ["hardware.device.bits_per_cell <= network.weight_bits"]
//   cache_dir  = "..."                          # optional: trained-weights cache
//   reference_point = [..]                      # optional: hypervolume reference, one value per objective
//   [search]      generations, finalists, workers, schedule, batch
//   [constraints] area_mm2_max, power_w_max, latency_us_max, weight_fetch (was fits_on_chip, inverted)
//   [accuracy]    the proxy training budget and the hardware-inference draws (nas/accuracy/options.h)
//   [optimizer]   name, population, seed, per-algorithm settings (nas::describe)
//   [estimator]   the lut / learned evaluators and the accuracy pre-screen (nas/predictor)
//   lut_file, learned_file                    # optional: where those estimators' files live
//   [network] / [hardware]  genes (docs/nas.md)
// docs/search.md documents every key; `imcsim search --keys` prints them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/config.h"
#include "mapping/mapping.h"
#include "nas/accuracy/options.h"
#include "nas/optimizer.h"
#include "nas/predictor/estimator_options.h"
#include "nas/space.h"
#include "sim/report.h"

namespace imc::nas::search {

// What a search can minimize; parsed from `objectives` at load.
enum class Objective { kAccuracy, kEnergy, kLatency, kArea, kEdap, kTopsPerW };

// One objective: what the user writes in `objectives`, the minimized column it becomes.
struct ObjectiveDef {
  Objective id;
  const char* name;    // "accuracy", "energy", ...
  const char* column;  // "hw_error_pct", "energy_uj", ... (all minimized)
  const char* doc;
};
const std::vector<ObjectiveDef>& objective_defs();
const ObjectiveDef& objective_def(Objective o);
// The minimized value of an objective for a design's figures; `hardware_accuracy` (a fraction) is
// read by kAccuracy only.
double objective_value(Objective o, const sim::DesignMetrics& m, double hardware_accuracy = 0);

// How a searched network's energy counts its input activity (workloads/activity.h).
enum class ActivitySource {
  kMeasured,   // the input bit densities measured on the candidate's trained network (accuracy runs)
  kWorstCase,  // every row driven on every input slice
};

// Which performance model scores the candidates in the loop.
enum class EvaluatorKind {
  kAnalytical,  // the analytical model only (no SystemC run at all; `finalists` are not re-evaluated)
  kSystemC,     // every candidate's figures from a SystemC run (one forked process per candidate)
  kMulti,       // the analytical model in the loop, the `finalists` re-evaluated with SystemC
  kLut,         // a lookup table of per-layer figures over the hardware genes (nas/predictor/layer_lut.h)
  kLearned,     // gradient-boosted trees on design features (nas/predictor/learned_estimator.h)
};

// The spellings of `evaluator` (their order is the allowed list of errors and docs).
const std::vector<std::pair<const char*, EvaluatorKind>>& evaluator_names();

struct SearchSettings {
  std::int64_t generations = 6;
  std::int64_t finalists = 4;  // front members re-evaluated with SystemC (0 = none)
  std::int64_t workers = 0;    // processes for training and SystemC; 0 = cores
  mapping::Schedule schedule = mapping::Schedule::Pipeline;
  int batch = 1;
  ActivitySource activity = ActivitySource::kMeasured;
  EvaluatorKind evaluator = EvaluatorKind::kMulti;
};

struct Constraints {
  double area_mm2_max = 0;    // 0 = no limit
  double power_w_max = 0;     // average power over one batch; 0 = no limit
  double latency_us_max = 0;  // 0 = no limit
  bool weight_fetch = false;  // true: networks larger than the chip reload weights from DRAM (counted)
};

// What the optimizer minimizes (nas/search/formulation.h).
enum class FormulationKind { kPareto, kWeightedSum, kWeightedProduct, kConstrained, kTwoStage };
struct Formulation {
  FormulationKind kind = FormulationKind::kPareto;
  std::vector<double> weights;               // weighted_*: one per objective
  Objective primary = Objective::kAccuracy;  // constrained: the one minimized
  // two_stage (nas/search/two_stage.h): stage 1's objectives (empty = all) and its share of
  // search.generations.
  std::vector<Objective> stage1_objectives;
  double stage1_share = 0.5;
};

struct SearchConfig {
  std::string path;                     // the file read
  std::string base_arch_file;           // resolved
  std::string cache_dir;                // resolved; "" = default (see resolve_cache_dir)
  std::vector<Objective> objectives;    // in the order given
  std::vector<double> reference_point;  // empty = derived by the loop
  SearchSettings search;
  Constraints constraints;
  accuracy::AccuracyOptions accuracy;  // the declared keys only (no cache_dir, threads, log)
  OptimizerConfig optimizer;
  Formulation formulation;
  predictor::EstimatorOptions estimator;  // [estimator]: the lut/learned evaluators, the accuracy pre-screen
  std::string lut_file;                   // resolved; "" = in the cache, named by its key
  std::string learned_file;               // resolved; "" = in the cache, named by its key
  SearchSpace space;

  bool wants_accuracy() const;
  // The optimizer's minimized columns: one per objective (pareto) or the formulation's one.
  std::vector<std::string> objective_columns() const;
};

void describe(common::Fields& f, SearchSettings& s);
void describe(common::Fields& f, Constraints& c);
// The [accuracy] section: accuracy::describe with the search's proxy defaults.
void describe_accuracy(common::Fields& f, accuracy::AccuracyOptions& a);
// The whole config's declared settings as sections "search", "constraints", "accuracy", "optimizer"
// (command-line overrides go through common::set_field on this, e.g. key "search.generations").
void describe(common::Fields& f, SearchConfig& c);

// Reads and checks a search config; every problem is a common::InputError naming file, line, key.
// `base_dir` resolves relative paths (default: the file's directory).
SearchConfig load_search_config(const std::string& path, const std::string& base_dir = "");
// Markdown of every key (for --keys and docs/search.md).
std::string document_search_keys();
// The trained-weights cache: cache_dir, else $IMCSIM_CACHE_DIR/accuracy, else
// $HOME/.cache/imcsim/accuracy.
std::string resolve_cache_dir(const SearchConfig& c);

}  // namespace imc::nas::search
