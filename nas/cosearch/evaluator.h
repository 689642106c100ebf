// Evaluating co-search designs: genome -> chip -> constraints -> every network through the
// analytical model -> objectives. The batch evaluator runs designs in forked worker processes
// (nas/workers.h), several per child to amortize the fork, and remembers every result so that the
// baselines' searches (which propose many of the same designs) reuse them.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "arch/cost.h"
#include "arch/spec.h"
#include "mapping/mapping.h"
#include "nas/cosearch/aggregate.h"
#include "nas/cosearch/config.h"
#include "nas/loop.h"
#include "nas/workers.h"
#include "sim/report.h"
#include "workloads/graph.h"

namespace imc::nas::cosearch {

// Violation of a design that does not decode into a valid chip (larger than any area or capacity
// violation the search space can produce, so the optimizers leave such designs first).
inline constexpr double kDecodeViolation = 1000.0;

// What a design is evaluated against.
struct Problem {
  arch::ArchSpec base;
  std::string tech_dir;  // where a chip.tech gene's file is looked up (the base chip's directory)
  std::vector<workloads::Graph> graphs;
  mapping::MappingOptions mapping;  // overflow = "error" without weight fetching, "reload" with
  double area_mm2_max = 800;
  bool weight_fetch = false;
  bool multi = false;
  Aggregate aggregate = Aggregate::kEla;

  std::vector<std::string> networks() const;
  std::vector<std::string> objective_names() const;
};

// The problem of a config over `graphs` (all of the config's networks, or one for the single baseline).
Problem make_problem(const Config& config, std::vector<workloads::Graph> graphs, bool multi,
                     Aggregate aggregate);

// Crossbar PEs a network needs (one copy of every weight-stationary layer) and the chip has.
struct Capacity {
  std::int64_t pes_needed = 0, pes_available = 0;
  std::int64_t cells_needed = 0, cells_available = 0;
};
Capacity capacity(const arch::ArchSpec& spec, const workloads::Graph& graph,
                  const mapping::MappingOptions& options);

// Decode, area and capacity only (what every evaluation checks before any network): the infeasible
// evaluation, or nothing, with the decoded chip in `spec` (when not null).
std::optional<Evaluation> check_constraints(const Problem& p, const SearchSpace& space, const Genome& genome,
                                            arch::ArchSpec* spec = nullptr);

// One design, in the calling process. Infeasible (never cost 0) when the genome does not decode
// (violation kDecodeViolation), the area exceeds the limit (violation area / limit - 1), a network
// does not fit without weight fetching (violation: sum of needed / available - 1 over the networks
// that do not fit) or cannot be mapped (violation 1). Feasible: objectives and figures in extra.
Evaluation evaluate_design(const Problem& p, const SearchSpace& space, const Genome& genome);

// The analytical reports of one feasible design (for the finalists' run directories).
std::vector<sim::Report> analytical_reports(const Problem& p, const SearchSpace& space, const Genome& genome);

// One network on one design, as the analytical model left it: its figures, or why the mapper or the
// model refused it (an infeasible Evaluation). Independent of the network set, so shared by every
// search of a run.
struct NetworkOutcome {
  std::optional<NetworkFigures> figures;
  Evaluation failure;  // when !figures
};

// The (design, network) outcomes of a run, keyed by network_cache_key(). A co-search evaluates the same
// design on the same network many times over: the joint search, the workload-specific searches (whose
// first generation is the joint one's: same optimizer and seed), the stage-wise and random baselines
// and the single baseline's design on every network. Each pair goes through the analytical model once.
class NetworkCache {
 public:
  const NetworkOutcome* find(const std::string& design_key, const std::string& network) const;
  void insert(const std::string& design_key, const std::string& network, NetworkOutcome outcome);
  std::size_t size() const { return outcomes_.size(); }
  void count_hit() { ++hits_; }
  std::size_t hits() const { return hits_; }  // pairs a search needed and found here

 private:
  std::unordered_map<std::string, NetworkOutcome> outcomes_;
  std::size_t hits_ = 0;
};

// One network on one decoded design through the analytical model (what evaluate_design does per
// network).
NetworkOutcome evaluate_network(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                                const workloads::Graph& graph, const mapping::MappingOptions& options);

// The evaluation of a design that passed decode, area and capacity, from its networks' outcomes in the
// problem's order: the first refused network makes it infeasible (as evaluate_design).
Evaluation combine_networks(const Problem& p, const std::vector<const NetworkOutcome*>& outcomes);

// A memoizing batch evaluator over worker processes. Designs are remembered whole (by design key), and
// their networks' figures in a NetworkCache that evaluators of other network sets may share; a design
// whose networks are all in the cache is not sent to a worker. The work sent to the workers is one job
// per (design, network) still missing, so one slow network (gpt2_medium on a chip of tiny arrays) does
// not hold the rest of its design's networks on one core.
class Evaluator {
 public:
  Evaluator(std::shared_ptr<const Problem> problem, WorkerOptions workers, std::size_t per_process,
            std::shared_ptr<NetworkCache> networks = nullptr);

  // The loop's evaluator for genomes of `space` (the full space or a stage's restriction; designs
  // are remembered by SearchSpace::key, which is the same text for the same design in both).
  BatchEvaluator batch(const SearchSpace& space);
  // Evaluates (or recalls) genomes of `space` now.
  std::vector<Evaluation> evaluate(const SearchSpace& space, const std::vector<Genome>& genomes);

  const Problem& problem() const { return *problem_; }
  std::shared_ptr<const Problem> problem_ptr() const { return problem_; }
  const WorkerOptions& workers() const { return workers_; }
  std::size_t per_process() const { return per_process_; }
  std::size_t models_run() const { return models_run_; }  // designs evaluated (memo misses)
  // (design, network) pairs this evaluator ran through the analytical model (NetworkCache misses).
  std::size_t networks_run() const { return networks_run_; }
  const std::shared_ptr<NetworkCache>& network_cache() const { return networks_; }
  // Called before each batch sent to the workers, with the number of designs (tests interrupt runs here).
  std::function<void(std::size_t)> before_batch;

 private:
  std::shared_ptr<const Problem> problem_;
  WorkerOptions workers_;
  std::size_t per_process_;
  std::shared_ptr<NetworkCache> networks_;
  std::unordered_map<std::string, Evaluation> memo_;
  std::size_t models_run_ = 0;
  std::size_t networks_run_ = 0;
};

}  // namespace imc::nas::cosearch
