// imcsim cosearch: one chip for many networks (docs/cosearch.md).
//
// run() does, in one process and deterministically for a given seed:
//   1. the joint search: SearchLoop over the [hardware] genes, every design evaluated on every
//      network with the analytical model (evaluator.h), objective = aggregate EDAP or, in multi
//      mode, per-network energy and latency and the area;
//   2. the baselines (baselines.h): the design searched for the single largest network, a
//      stage-by-stage search, random sampling of as many designs as the joint search evaluated;
//   3. the workload-specific searches: each network alone, same space and budget (baselines.h);
//   4. the finalists (the top-k designs under each of the study's objectives and the run's) re-run on
//      the SystemC model in worker processes (fidelity.h), the rankings compared (rescoring.h);
// and, with a run directory, writes each search's reports, checkpoints and the finalists' reports.
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "nas/cosearch/aggregate.h"
#include "nas/cosearch/config.h"
#include "sim/report.h"

namespace imc::nas::cosearch {

struct RunOptions {
  std::string out_dir;  // run directory; "" = write nothing
  bool resume = false;  // continue every search from its checkpoint in out_dir (when there is one)
  std::ostream* progress = nullptr;  // one line per generation and phase; nullptr = quiet
  // Called before each batch of designs sent to the model, with the phase ("joint", "single",
  // "stagewise", "random"); an exception thrown here aborts the run like a kill would (tests).
  std::function<void(const std::string& phase, std::size_t designs)> before_batch;
  // false: every workload-specific search keeps a (design, network) cache of its own instead of the run's
  // (what the co-search did before the cache was shared; bench_cosearch --no-shared-cache measures the
  // difference). The results are the same either way.
  bool share_network_cache = true;
  // false: the random baseline evaluates every sample on every network (nas/cosearch/random_pruning.h:
  // true drops samples whose aggregate is bounded above its best; the same best design and figures).
  bool prune_random = true;
};

// One evaluated design on every network of the run.
struct Design {
  std::size_t id = 0;  // candidate id in its search
  Genome genome;       // in the full space
  nlohmann::json genes = nlohmann::json::object();
  Evaluation evaluation;
  std::vector<NetworkFigures> figures;  // every network, in the run's order
  double aggregate_edap = 0;            // the scalar aggregate (Config::scalar_aggregate), J*s*mm2
};

struct BaselineResult {
  std::string name;       // "single" | "stagewise" | "random"
  std::string detail;     // e.g. "vgg16" for single, the stage order for stagewise
  bool feasible = false;  // its best design runs every network within the constraints
  std::string reason;     // why not
  Design best;
  std::size_t proposals = 0, designs_evaluated = 0;  // as counted by its search loop(s)
  std::size_t models_run = 0;     // the single baseline's own model runs (its problem has one network)
  std::size_t networks_run = 0;   // a workload-specific search's (design, network) model runs
  std::size_t pruned = 0;         // random: samples bounded above its best, not evaluated on every network
  std::size_t pairs_skipped = 0;  // random: the (design, network) runs that saved
  double seconds = 0;             // wall time
  // The best value after each generation: the run's aggregate (stagewise: over its stages in order;
  // random: one value), or, for a single-network search, that network's EDAP.
  std::vector<double> best_per_generation;
  // A single-network search (specific, single): its best design's figures on its own network, from its
  // own evaluation (the design may not run every network of the set: capacity).
  std::vector<NetworkFigures> own_figures;
};

struct FinalistNetwork {
  std::string network;
  sim::Report analytical;
  std::optional<sim::Report> systemc;
  std::string error;  // why SystemC did not produce a report
  double systemc_wall_s = 0;
};

struct Finalist {
  std::size_t rank = 0;  // 1 = best
  Design design;
  std::vector<FinalistNetwork> networks;
};

// One objective's top-k designs (by the analytical model) re-scored on SystemC (rescoring.h).
struct Rescoring {
  Aggregate aggregate = Aggregate::kEla;
  std::vector<std::size_t> design_ids;  // candidate ids, in analytical order (best first)
  std::vector<double> analytical;       // the aggregate by the analytical model, same order
  std::vector<double> systemc;          // the aggregate by SystemC (0 when a run failed)
  bool complete = false;                // every design ran on SystemC for every network
  std::optional<double> kendall_tau;    // between the two rankings (k >= 2 and complete)
  bool best_changes = false;            // SystemC's best is not the analytical best
};

struct Result {
  std::vector<std::string> networks;
  std::vector<std::string> objective_names;
  Aggregate aggregate = Aggregate::kEla;  // the scalar aggregate
  std::size_t generations = 0, proposals = 0, designs_evaluated = 0, cache_hits = 0, rejected = 0,
              feasible = 0;
  std::size_t designs_evaluated_total = 0;  // joint + every baseline search's designs_evaluated
  // Designs this process actually ran through the model (a design proposed by several searches
  // runs once; a resumed run does not re-run what its checkpoints hold). Not in the summary.
  std::size_t models_run = 0;
  // (design, network) pairs run through the analytical model, and recalled from the run's shared
  // NetworkCache instead (evaluator.h). Not in the summary (they depend on resuming).
  std::size_t networks_run = 0, network_cache_hits = 0;
  double search_s = 0, baselines_s = 0, systemc_s = 0, total_s = 0;
  bool found = false;  // a feasible joint design exists
  Design best;
  std::vector<Design> front;  // the joint search's feasible Pareto front
  std::vector<BaselineResult> baselines;
  // The workload-specific searches, one per network in the run's order (empty when not run): each
  // network's own best design, evaluated on every network.
  std::vector<BaselineResult> specific;
  std::vector<double> best_per_generation;  // the joint search's best aggregate after each generation
  std::vector<Finalist> finalists;          // the pooled top-k designs of the rescored objectives
  std::vector<Rescoring> rescoring;         // per objective: analytical vs SystemC ranking
};

Result run(const Config& config, const RunOptions& options = {});

// config.settings.seeds runs of run(), with seeds optimizer.seed, +1, ...; with several seeds each
// run writes into <out_dir>/seed_<seed> (one seed: out_dir itself).
std::vector<Result> run_seeds(const Config& config, const RunOptions& options = {});

}  // namespace imc::nas::cosearch
