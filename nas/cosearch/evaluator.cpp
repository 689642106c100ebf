#include "nas/cosearch/evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <thread>

#include "arch/cost.h"
#include "arch/load.h"
#include "common/config.h"
#include "nas/decode.h"
#include "nas/distributed.h"
#include "sim/analytical/estimate.h"

namespace imc::nas::cosearch {

std::vector<std::string> Problem::networks() const {
  std::vector<std::string> out;
  for (const auto& g : graphs) out.push_back(g.name());
  return out;
}

std::vector<std::string> Problem::objective_names() const {
  return cosearch::objective_names(networks(), multi, aggregate);
}

Problem make_problem(const Config& c, std::vector<workloads::Graph> graphs, bool multi, Aggregate aggregate) {
  Problem p;
  const std::string arch_path = resolve_path(c.settings.base_arch, c.base_dir);
  p.base = arch::load_arch(arch_path);
  p.tech_dir = std::filesystem::path(arch_path).parent_path().string();
  p.graphs = std::move(graphs);
  if (!c.settings.mapping.empty())
    p.mapping = mapping::load_mapping_options(resolve_path(c.settings.mapping, c.base_dir));
  p.mapping.overflow = c.settings.weight_fetch ? mapping::Overflow::Reload : mapping::Overflow::Error;
  p.area_mm2_max = c.settings.area_mm2_max;
  p.weight_fetch = c.settings.weight_fetch;
  p.multi = multi;
  p.aggregate = aggregate;
  return p;
}

Capacity capacity(const arch::ArchSpec& spec, const workloads::Graph& graph,
                  const mapping::MappingOptions& options) {
  const int wbits = options.weight_bits > 0 ? options.weight_bits : spec.precision.weight_bits;
  const int ibits = options.input_bits > 0 ? options.input_bits : spec.precision.input_bits;
  Capacity c;
  for (int i = 0; i < graph.size(); ++i) {
    if (!graph.is_weight_stationary(i)) continue;
    const mapping::CrossbarTiling t = mapping::tile_matrix(graph.weight_matrix(i), spec, wbits, ibits);
    c.pes_needed += (t.crossbars + spec.pe.crossbars - 1) / spec.pe.crossbars;
    c.cells_needed += t.cells_used;
  }
  c.pes_available = std::int64_t(spec.tiles()) * spec.tile.pes;
  c.cells_available = spec.crossbars() * spec.crossbar.rows * spec.crossbar.cols;
  return c;
}

namespace {

// Decodes and checks area and capacity; returns an infeasible evaluation or nothing.
std::optional<Evaluation> check_design(const Problem& p, const SearchSpace& space, const Genome& genome,
                                       arch::ArchSpec& spec, arch::cost::CostTable& costs) {
  try {
    spec = decode_hardware(p.base, space, genome, p.tech_dir);
  } catch (const DecodeError& e) {
    return Evaluation::infeasible(kDecodeViolation, e.what(), "decode");
  }
  costs = arch::cost::build(spec);
  if (costs.chip.area_mm2 > p.area_mm2_max)
    return Evaluation::infeasible(
        costs.chip.area_mm2 / p.area_mm2_max - 1.0,
        fmt::format("area {:.1f} mm2 > area_mm2_max {:g}", costs.chip.area_mm2, p.area_mm2_max), "area");
  if (p.weight_fetch) return std::nullopt;
  double violation = 0;
  std::string reason;
  for (const auto& g : p.graphs) {
    const Capacity c = capacity(spec, g, p.mapping);
    if (c.pes_needed <= c.pes_available) continue;
    violation += double(c.pes_needed) / double(c.pes_available) - 1.0;
    reason += fmt::format("{}capacity: {} needs {} cells in {} PEs, the chip has {} cells in {} PEs",
                          reason.empty() ? "" : "; ", g.name(), c.cells_needed, c.pes_needed,
                          c.cells_available, c.pes_available);
  }
  if (violation > 0) return Evaluation::infeasible(violation, reason, "capacity");
  return std::nullopt;
}

}  // namespace

std::optional<Evaluation> check_constraints(const Problem& p, const SearchSpace& space, const Genome& genome,
                                            arch::ArchSpec* spec) {
  arch::ArchSpec decoded;
  arch::cost::CostTable costs;
  auto bad = check_design(p, space, genome, decoded, costs);
  if (spec) *spec = std::move(decoded);
  return bad;
}

NetworkOutcome evaluate_network(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                                const workloads::Graph& graph, const mapping::MappingOptions& options) {
  NetworkOutcome out;
  sim::Estimate e;
  try {
    e = sim::estimate(spec, costs, graph, options,
                      sim::EstimateDetail::Totals);  // no per-layer report needed
  } catch (const common::InputError& err) {
    // Tile alignment can leave a network that passed the PE count without room; any other
    // mapping refusal is also a property of this design, not of the user's input.
    out.failure = Evaluation::infeasible(1.0, fmt::format("{}: {}", graph.name(), err.what()), "mapping");
    return out;
  }
  const NetworkFigures f = figures_of(graph.name(), e.report, e.reload_groups);
  if (!(f.metrics.energy_pj > 0 && f.metrics.latency_ns > 0 &&
        f.metrics.area_mm2 > 0)) {  // a zero would make the EDAP 0: never best
    out.failure = Evaluation::infeasible(
        1.0, fmt::format("{}: non-positive energy, latency or area", graph.name()), "analytical");
    return out;
  }
  out.figures = f;
  return out;
}

Evaluation combine_networks(const Problem& p, const std::vector<const NetworkOutcome*>& outcomes) {
  std::vector<NetworkFigures> nets;
  for (const NetworkOutcome* o : outcomes) {
    if (!o->figures) return o->failure;
    nets.push_back(*o->figures);
  }
  Evaluation ev;
  ev.objectives = objective_values(nets, p.multi, p.aggregate);
  ev.fidelity = "analytical";
  ev.extra = figures_json(nets);
  return ev;
}

Evaluation evaluate_design(const Problem& p, const SearchSpace& space, const Genome& genome) {
  arch::ArchSpec spec;
  arch::cost::CostTable costs;
  if (auto bad = check_design(p, space, genome, spec, costs)) return *bad;
  std::vector<NetworkOutcome> outcomes;
  outcomes.reserve(p.graphs.size());
  std::vector<const NetworkOutcome*> in_order;
  for (const auto& g : p.graphs) {
    outcomes.push_back(evaluate_network(spec, costs, g, p.mapping));
    in_order.push_back(&outcomes.back());
    if (!outcomes.back().figures) break;  // the first refused network decides
  }
  return combine_networks(p, in_order);
}

std::vector<sim::Report> analytical_reports(const Problem& p, const SearchSpace& space,
                                            const Genome& genome) {
  const arch::ArchSpec spec = decode_hardware(p.base, space, genome, p.tech_dir);
  const arch::cost::CostTable costs = arch::cost::build(spec);
  std::vector<sim::Report> out;
  for (const auto& g : p.graphs) out.push_back(sim::estimate(spec, costs, g, p.mapping).report);
  return out;
}

const NetworkOutcome* NetworkCache::find(const std::string& design_key, const std::string& network) const {
  auto it = outcomes_.find(design_key + '\n' + network);
  return it == outcomes_.end() ? nullptr : &it->second;
}

void NetworkCache::insert(const std::string& design_key, const std::string& network, NetworkOutcome outcome) {
  outcomes_.insert_or_assign(design_key + '\n' + network, std::move(outcome));
}

namespace {

// A network's outcome as it travels back from a worker (an Evaluation: the figures in extra).
Evaluation outcome_to_evaluation(const NetworkOutcome& o) {
  if (!o.figures) return o.failure;
  Evaluation e;
  e.fidelity = "analytical";
  e.extra = figures_json({*o.figures});
  return e;
}

NetworkOutcome outcome_from_evaluation(const Evaluation& e, const std::string& network) {
  NetworkOutcome o;
  if (auto f = figures_from(e, {network}))
    o.figures = f->front();
  else
    o.failure = e;
  return o;
}

}  // namespace

Evaluator::Evaluator(std::shared_ptr<const Problem> problem, WorkerOptions workers, std::size_t per_process,
                     std::shared_ptr<NetworkCache> networks)
    : problem_(std::move(problem)),
      workers_(workers),
      per_process_(per_process),
      networks_(networks ? std::move(networks) : std::make_shared<NetworkCache>()) {
  if (workers_.workers == 0) workers_.workers = std::max(1u, std::thread::hardware_concurrency());
}

BatchEvaluator Evaluator::batch(const SearchSpace& space) {
  return [this, &space](const std::vector<Genome>& genomes) { return evaluate(space, genomes); };
}

std::vector<Evaluation> Evaluator::evaluate(const SearchSpace& space, const std::vector<Genome>& genomes) {
  std::vector<Evaluation> out(genomes.size());
  std::vector<std::string> keys(genomes.size());
  std::unordered_map<std::string, std::size_t> pending;     // key -> index in todo
  std::vector<std::size_t> todo;                            // indices into genomes: designs to evaluate
  std::vector<std::size_t> slot(genomes.size(), SIZE_MAX);  // index in todo, or SIZE_MAX (recalled)
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    keys[i] = space.key(genomes[i]);
    if (auto it = memo_.find(keys[i]); it != memo_.end()) {
      out[i] = it->second;
    } else if (auto p = pending.find(keys[i]); p != pending.end()) {
      slot[i] = p->second;  // a repeat within the batch
    } else {
      slot[i] = todo.size();
      pending.emplace(keys[i], todo.size());
      todo.push_back(i);
    }
  }
  if (todo.empty()) return out;
  if (before_batch) before_batch(todo.size());

  // Decode, area and capacity in this process (microseconds to a millisecond per design, and they
  // depend on the network set); only the analytical model's walk goes to the workers, one job per
  // (design, network) not yet in the cache.
  const Problem& p = *problem_;
  std::vector<std::optional<Evaluation>> done(todo.size());
  struct Job {
    std::size_t design;   // index into todo
    std::size_t network;  // index into p.graphs
  };
  std::vector<Job> jobs;
  for (std::size_t d = 0; d < todo.size(); ++d) {
    arch::ArchSpec spec;
    arch::cost::CostTable costs;
    if (auto bad = check_design(p, space, genomes[todo[d]], spec, costs)) {
      done[d] = std::move(*bad);
      continue;
    }
    for (std::size_t n = 0; n < p.graphs.size(); ++n) {
      if (networks_->find(keys[todo[d]], p.graphs[n].name()))
        networks_->count_hit();
      else
        jobs.push_back({d, n});
    }
  }
  std::vector<NetworkOutcome> computed(jobs.size());
  if (!jobs.empty()) {
    // Each job decodes its design again (a child keeps the last one: consecutive jobs of a chunk are
    // mostly the same design's networks).
    struct Decoded {
      std::size_t design = SIZE_MAX;
      arch::ArchSpec spec;
      arch::cost::CostTable costs;
    };
    Decoded last;
    auto run_job = [&](const Job& job) {
      if (last.design != job.design) {
        last.spec = decode_hardware(p.base, space, genomes[todo[job.design]], p.tech_dir);
        last.costs = arch::cost::build(last.spec);
        last.design = job.design;
      }
      return evaluate_network(last.spec, last.costs, p.graphs[job.network], p.mapping);
    };
    if (jobs.size() == 1 || (workers_.workers <= 1 && !distributed())) {
      // Too little work to be worth a fork: in this process (the analytical model keeps no state).
      // Under mpirun one worker per rank still goes through the pool, which shares batches out.
      // Through the same JSON as a worker's result, so that a figure does not depend on where it ran.
      for (std::size_t j = 0; j < jobs.size(); ++j)
        computed[j] = outcome_from_evaluation(outcome_to_evaluation(run_job(jobs[j])),
                                              p.graphs[jobs[j].network].name());
    } else {
      WorkerOptions w = workers_;
      // Four chunks per worker by default, of at least four jobs: few forks (a fork of a process
      // holding every network costs milliseconds), and a chunk of slow jobs (tiny crossbars,
      // hundreds of reload groups) does not leave the other workers idle at the end of the batch.
      const std::size_t chunks = 4 * w.workers;
      w.per_process =
          per_process_ > 0 ? per_process_ : std::max<std::size_t>(4, (jobs.size() + chunks - 1) / chunks);
      const std::vector<Evaluation> results = evaluate_in_workers(
          jobs, [&](const Job& job) { return outcome_to_evaluation(run_job(job)); }, w);
      for (std::size_t j = 0; j < jobs.size(); ++j)
        computed[j] = outcome_from_evaluation(results[j], p.graphs[jobs[j].network].name());
    }
    for (std::size_t j = 0; j < jobs.size(); ++j)
      networks_->insert(keys[todo[jobs[j].design]], p.graphs[jobs[j].network].name(), std::move(computed[j]));
    networks_run_ += jobs.size();
  }
  for (std::size_t d = 0; d < todo.size(); ++d) {
    if (done[d]) continue;
    std::vector<const NetworkOutcome*> outcomes;
    for (const auto& g : p.graphs) outcomes.push_back(networks_->find(keys[todo[d]], g.name()));
    done[d] = combine_networks(p, outcomes);
  }
  models_run_ += todo.size();
  for (std::size_t i = 0; i < genomes.size(); ++i)
    if (slot[i] != SIZE_MAX) out[i] = *done[slot[i]];
  for (const auto& [key, k] : pending) memo_[key] = *done[k];
  return out;
}

}  // namespace imc::nas::cosearch
