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

Evaluation evaluate_design(const Problem& p, const SearchSpace& space, const Genome& genome) {
  arch::ArchSpec spec;
  arch::cost::CostTable costs;
  if (auto bad = check_design(p, space, genome, spec, costs)) return *bad;
  std::vector<NetworkFigures> nets;
  for (const auto& g : p.graphs) {
    sim::Estimate e;
    try {
      e = sim::estimate(spec, costs, g, p.mapping,
                        sim::EstimateDetail::Totals);  // no per-layer report needed
    } catch (const common::InputError& err) {
      // Tile alignment can leave a network that passed the PE count without room; any other
      // mapping refusal is also a property of this design, not of the user's input.
      return Evaluation::infeasible(1.0, fmt::format("{}: {}", g.name(), err.what()), "mapping");
    }
    const NetworkFigures f = figures_of(g.name(), e.report, e.reload_groups);
    if (!(f.metrics.energy_pj > 0 && f.metrics.latency_ns > 0 &&
          f.metrics.area_mm2 > 0))  // a zero would make the EDAP 0: never best
      return Evaluation::infeasible(1.0, fmt::format("{}: non-positive energy, latency or area", g.name()),
                                    "analytical");
    nets.push_back(f);
  }
  Evaluation ev;
  ev.objectives = objective_values(nets, p.multi, p.aggregate);
  ev.fidelity = "analytical";
  ev.extra = figures_json(nets);
  return ev;
}

std::vector<sim::Report> analytical_reports(const Problem& p, const SearchSpace& space,
                                            const Genome& genome) {
  const arch::ArchSpec spec = decode_hardware(p.base, space, genome, p.tech_dir);
  const arch::cost::CostTable costs = arch::cost::build(spec);
  std::vector<sim::Report> out;
  for (const auto& g : p.graphs) out.push_back(sim::estimate(spec, costs, g, p.mapping).report);
  return out;
}

Evaluator::Evaluator(std::shared_ptr<const Problem> problem, WorkerOptions workers, std::size_t per_process)
    : problem_(std::move(problem)), workers_(workers), per_process_(per_process) {
  if (workers_.workers == 0) workers_.workers = std::max(1u, std::thread::hardware_concurrency());
}

BatchEvaluator Evaluator::batch(const SearchSpace& space) {
  return [this, &space](const std::vector<Genome>& genomes) { return evaluate(space, genomes); };
}

std::vector<Evaluation> Evaluator::evaluate(const SearchSpace& space, const std::vector<Genome>& genomes) {
  std::vector<Evaluation> out(genomes.size());
  std::vector<std::string> keys(genomes.size());
  std::unordered_map<std::string, std::size_t> pending;  // key -> index in todo
  std::vector<Genome> todo;
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
      todo.push_back(genomes[i]);
    }
  }
  if (todo.empty()) return out;
  if (before_batch) before_batch(todo.size());
  std::vector<Evaluation> done;
  if (todo.size() == 1 || (workers_.workers <= 1 && !distributed())) {
    // Too few designs to be worth a fork: in this process (the analytical model keeps no state).
    // Under mpirun one worker per rank still goes through the pool, which shares batches out.
    for (const auto& g : todo) done.push_back(evaluate_design(*problem_, space, g));
  } else {
    WorkerOptions w = workers_;
    // Four chunks per worker by default, of at least four designs: few forks (a fork of a process
    // holding every network costs milliseconds), and a chunk of slow designs (tiny crossbars,
    // hundreds of reload groups) does not leave the other workers idle at the end of the batch.
    const std::size_t chunks = 4 * w.workers;
    w.per_process =
        per_process_ > 0 ? per_process_ : std::max<std::size_t>(4, (todo.size() + chunks - 1) / chunks);
    done = evaluate_in_workers(
        todo, [this, &space](const Genome& g) { return evaluate_design(*problem_, space, g); }, w);
  }
  models_run_ += todo.size();
  for (std::size_t i = 0; i < genomes.size(); ++i)
    if (slot[i] != SIZE_MAX) out[i] = done[slot[i]];
  for (const auto& [key, k] : pending) memo_[key] = done[k];
  return out;
}

}  // namespace imc::nas::cosearch
