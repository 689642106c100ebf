#include "nas/search/evaluator.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <thread>
#include <tuple>

#include "arch/cost.h"
#include "arch/fields.h"
#include "arch/load.h"
#include "common/hash.h"
#include "mapping/mapping.h"
#include "nas/decode.h"
#include "nas/records.h"
#include "nas/search/formulation.h"
#include "nas/workers.h"
#include "sim/analytical/latency_bound.h"
#include "sim/report_io.h"
#include "sim/systemc/systemc_model.h"
#include "workloads/activity.h"
#ifdef IMCSIM_HAS_ACCURACY
#include "nas/accuracy/torch_plugin.h"
#endif

namespace imc::nas::search {
namespace fs = std::filesystem;

namespace {

// Violation of one upper limit: 1 + the relative excess, so any violation outweighs a feasible
// candidate and larger excesses rank further from feasible.
double excess(double value, double limit) {
  return limit > 0 && value > limit ? 1.0 + (value - limit) / limit : 0.0;
}

nlohmann::json params_json(const workloads::CnnFamilyParams& p) {
  nlohmann::json j = nlohmann::json::object();
  workloads::for_each_field(p, p, [&](const char* name, const auto& v, const auto&) { j[name] = v; });
  return j;
}

}  // namespace

bool NetworkIdentity::operator<(const NetworkIdentity& o) const {
  int order = 0;  // the first differing field decides
  workloads::for_each_field(params, o.params, [&](const char*, const auto& a, const auto& b) {
    if (order == 0) order = a < b ? -1 : b < a ? 1 : 0;
  });
  if (order != 0) return order < 0;
  return std::tie(weight_bits, input_bits) < std::tie(o.weight_bits, o.input_bits);
}

SearchEvaluator::SearchEvaluator(const SearchConfig& config) : config_(config) {
  base_ = arch::load_arch(config.base_arch_file);
  tech_dir_ = fs::path(config.base_arch_file).parent_path().string();
}

Design SearchEvaluator::decode(const Genome& genome) const {
  Design d;
  d.spec = decode_hardware(base_, config_.space, genome, tech_dir_);
  d.params = network_params(network_defaults_, config_.space, genome);
  d.network_key = network_key(config_.space, genome);
  d.graph = decode_network(d.params, "cnn-" + common::hash_hex(common::hash64(d.network_key)).substr(0, 8));
  return d;
}

std::string SearchEvaluator::key(const Genome& genome) const {
  try {
    const Design d = decode(genome);
    arch::ArchSpec spec = d.spec;  // dump_fields reads through non-const references
    arch::TechSpec tech = d.spec.tech;
    const nlohmann::json j = {
        {"arch", common::dump_fields([&](common::Fields& f) { arch::describe(f, spec); })},
        {"tech", common::dump_fields([&](common::Fields& f) { arch::describe(f, tech); })},
        {"network", params_json(d.params)}};
    return "design-" + common::hash_hex(common::hash64(j.dump()));
  } catch (const DecodeError&) {
    return config_.space.key(genome);
  }
}

mapping::MappingOptions SearchEvaluator::mapping_options() const {
  mapping::MappingOptions o;
  o.schedule = config_.search.schedule;
  o.batch = static_cast<int>(config_.search.batch);
  o.overflow = config_.constraints.weight_fetch ? mapping::Overflow::Reload : mapping::Overflow::Error;
  return o;
}

Evaluation SearchEvaluator::evaluate_hardware(const Genome& genome, sim::DesignMetrics* metrics) const {
  Design d;
  try {
    d = decode(genome);
  } catch (const DecodeError& e) {
    return Evaluation::infeasible(100.0, std::string("invalid design: ") + e.what(), "decode");
  }
  return evaluate_design(d, metrics);
}

Evaluation SearchEvaluator::evaluate_design(const Design& d, sim::DesignMetrics* metrics) const {
  sim::Estimate est;
  try {
    est = sim::estimate(d.spec, arch::cost::build(d.spec), d.graph, mapping_options(),
                        sim::EstimateDetail::Totals);
  } catch (const common::InputError& e) {  // e.g. the network does not fit and weight_fetch is off
    return Evaluation::infeasible(10.0, std::string("does not map: ") + e.what(), "analytical");
  }
  return judge(d, est.report, est.reload_groups, "analytical", metrics);
}

Evaluation SearchEvaluator::judge(const Design& d, const sim::Report& r, int reload_groups,
                                  const char* fidelity, sim::DesignMetrics* metrics) const {
  const sim::DesignMetrics dm = sim::metrics_of(r);
  if (metrics) *metrics = dm;
  Evaluation ev;
  ev.fidelity = fidelity;
  nlohmann::json m;
  m["energy_uj"] = objective_value(Objective::kEnergy, dm);
  m["latency_us"] = objective_value(Objective::kLatency, dm);
  m["area_mm2"] = dm.area_mm2;
  m["edap_j_s_mm2"] = dm.edap_j_s_mm2;
  m["tops_per_w"] = dm.tops_per_w;
  m["power_w"] = dm.power_w;
  m["latency_cycles"] = dm.latency_cycles;
  m["macs"] = dm.macs;
  m["params"] = d.graph.total_params();
  m["utilization"] = r.utilization;
  m["reload_groups"] = reload_groups;
  m["network"] = params_json(d.params);
  m["weight_bits"] = d.spec.precision.weight_bits;
  m["input_bits"] = d.spec.precision.input_bits;
  ev.extra = m;

  const Constraints& c = config_.constraints;
  std::vector<std::string> why;
  auto limit = [&](const char* what, double value, double lim, const char* unit) {
    const double x = excess(value, lim);
    if (x > 0) {
      ev.violation += x;
      why.push_back(fmt::format("{} {:.4g} {} > {:.4g}", what, value, unit, lim));
    }
  };
  limit("area", dm.area_mm2, c.area_mm2_max, "mm2");
  limit("power", dm.power_w, c.power_w_max, "W");
  limit("latency", dm.latency_ns * 1e-3, c.latency_us_max, "us");
  if (!why.empty()) {
    ev.reason = fmt::format("{}", fmt::join(why, "; "));
    return ev;
  }
  if (!config_.wants_accuracy()) set_objectives(ev, dm, 0.0);
  return ev;
}

void SearchEvaluator::set_objectives(Evaluation& ev, const sim::DesignMetrics& m,
                                     double hardware_accuracy) const {
  std::vector<double> raw;
  for (Objective o : config_.objectives) raw.push_back(objective_value(o, m, hardware_accuracy));
  ev.objectives = formulate(config_, raw);
  if (config_.formulation.kind != FormulationKind::kPareto) {  // the parts of the optimizer's one value
    nlohmann::json parts = nlohmann::json::object();
    for (std::size_t i = 0; i < raw.size(); ++i) parts[objective_def(config_.objectives[i]).column] = raw[i];
    ev.extra["objectives"] = parts;
  }
}

std::size_t SearchEvaluator::worker_count() const {
  return config_.search.workers > 0 ? static_cast<std::size_t>(config_.search.workers)
                                    : std::max(1u, std::thread::hardware_concurrency());
}

void SearchEvaluator::hardware_figures(const std::vector<Design>& designs, const std::vector<std::size_t>& at,
                                       std::vector<Evaluation>& evals,
                                       std::vector<sim::DesignMetrics>& metrics) const {
  if (config_.search.evaluator != EvaluatorKind::kSystemC) {
    for (std::size_t k = 0; k < designs.size(); ++k)
      evals[at[k]] = evaluate_design(designs[k], &metrics[at[k]]);
    return;
  }
  // SystemC elaborates once per process: one forked child per design; the child sends its report
  // back and the constraints are judged here, by the same code as the analytical figures.
  std::vector<std::size_t> jobs(designs.size());
  std::iota(jobs.begin(), jobs.end(), std::size_t{0});
  auto simulate = [&](std::size_t k) {
    const Design& d = designs[k];
    Evaluation e;
    try {
      const mapping::Mapping m = mapping::map(d.spec, d.graph, mapping_options());
      const mapping::Program p = mapping::lower(d.spec, d.graph, m);
      const arch::cost::CostTable costs = arch::cost::build(d.spec);
      e.extra["report"] = sim::to_json(sim::SystemCModel().evaluate(d.spec, costs, p));
      e.extra["reload_groups"] = m.reload_groups;
      e.extra["latency_bound_cycles"] = sim::latency_bound(d.spec, costs, p).cycles();
    } catch (const common::InputError& err) {
      return Evaluation::infeasible(10.0, std::string("does not map: ") + err.what(), "systemc");
    }
    return e;
  };
  WorkerOptions wo;
  wo.workers = worker_count();
  wo.per_process = 1;
  wo.failures_are_infeasible = true;
  const std::vector<Evaluation> done = evaluate_in_workers(jobs, simulate, wo);
  for (std::size_t k = 0; k < designs.size(); ++k) {
    const Evaluation& e = done[k];
    if (!e.feasible() || !e.extra.is_object() || !e.extra.contains("report")) {
      evals[at[k]] = e;
      if (evals[at[k]].feasible())
        evals[at[k]] = Evaluation::infeasible(50.0, "SystemC run sent no report", "systemc");
      continue;
    }
    evals[at[k]] = judge(designs[k], sim::report_from_json(e.extra.at("report")),
                         e.extra.at("reload_groups").get<int>(), "systemc", &metrics[at[k]]);
    evals[at[k]].extra["latency_bound_cycles"] = e.extra.at("latency_bound_cycles");
  }
}

std::vector<Evaluation> SearchEvaluator::operator()(const std::vector<Genome>& genomes) const {
  std::vector<Evaluation> evals(genomes.size());
  std::vector<sim::DesignMetrics> metrics(genomes.size());
  std::vector<Design> designs;
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    try {
      designs.push_back(decode(genomes[i]));
      at.push_back(i);
    } catch (const DecodeError& e) {
      evals[i] = Evaluation::infeasible(100.0, std::string("invalid design: ") + e.what(), "decode");
    }
  }
  hardware_figures(designs, at, evals, metrics);
  if (config_.wants_accuracy()) add_accuracy(genomes, metrics, evals);
  return evals;
}

void SearchEvaluator::apply_measured_activity(
    const std::vector<Genome>& genomes, const std::vector<std::pair<std::size_t, nlohmann::json>>& measured,
    std::vector<Evaluation>& evals, std::vector<sim::DesignMetrics>& metrics) const {
  std::vector<Design> designs;
  std::vector<std::size_t> at;
  for (std::size_t k = 0; k < measured.size(); ++k) {
    Design d = decode(genomes[measured[k].first]);
    workloads::apply_activity_json(d.graph, measured[k].second, "measured activity of " + d.graph.name());
    designs.push_back(std::move(d));
    at.push_back(k);
  }
  std::vector<Evaluation> again(measured.size());
  std::vector<sim::DesignMetrics> again_metrics(measured.size());
  hardware_figures(designs, at, again, again_metrics);
  for (std::size_t k = 0; k < measured.size(); ++k) {
    Evaluation& ev = evals[measured[k].first];
    if (!again[k].feasible()) {  // cannot happen for the analytical model; a SystemC child may fail
      ev = again[k];
      continue;
    }
    // Activity lowers energy and power only (cycles and area do not depend on it), so a candidate
    // feasible at the worst case stays feasible; the worst-case energy is kept beside the measured one.
    ev.extra["energy_uj_worst_case"] = ev.extra.at("energy_uj");
    for (const auto& [key, value] : again[k].extra.items()) ev.extra[key] = value;
    ev.extra["activity"] = "measured";
    ev.extra["input_bit_density"] = measured[k].second;
    metrics[measured[k].first] = again_metrics[k];
  }
}

void SearchEvaluator::add_accuracy(const std::vector<Genome>& genomes,
                                   std::vector<sim::DesignMetrics>& metrics,
                                   std::vector<Evaluation>& evals) const {
#ifndef IMCSIM_HAS_ACCURACY
  (void)genomes;
  (void)metrics;
  (void)evals;
  throw common::InputError(
      fmt::format("{}: key 'objectives': 'accuracy' needs libtorch; this build has "
                  "IMCSIM_WITH_TORCH=OFF",
                  config_.path));
#else
  if (config_.accuracy.method == accuracy::AccuracyMethod::kSupernet) {
    add_supernet_accuracy(genomes, metrics, evals);
    return;
  }
  // One group per network: its first candidate trains (or loads the cached weights), the others reuse them.
  std::map<NetworkIdentity, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < genomes.size(); ++i)
    if (evals[i].feasible()) {
      const Design d = decode(genomes[i]);
      groups[NetworkIdentity{d.params, d.spec.precision.weight_bits, d.spec.precision.input_bits}].push_back(
          i);
    }
  if (groups.empty()) return;
  std::vector<std::vector<std::size_t>> members;  // one job per group: the indices of its genomes
  for (auto& [key, idx] : groups) members.push_back(idx);
  accuracy::AccuracyOptions opt = config_.accuracy;
  opt.cache_dir = resolve_cache_dir(config_);
  opt.threads = 1;  // one thread per worker: the figures do not depend on how many workers run
  fs::create_directories(opt.cache_dir);

  // A network's activity depends on its trained weights and input bits, not on the chip: the group's
  // first candidate measures it (one more exact-product pass), the others reuse it.
  const bool measure = config_.search.activity == ActivitySource::kMeasured;
  // Load libtorch here, before the workers fork, so that each worker inherits it instead of loading it.
  const accuracy::TorchPlugin& torch = accuracy::torch_plugin();
  auto train_group = [&](const std::vector<std::size_t>& group) {
    Evaluation out;
    nlohmann::json results = nlohmann::json::array();
    for (std::size_t j = 0; j < group.size(); ++j) {
      const Design d = decode(genomes[group[j]]);
      accuracy::AccuracyOptions member = opt;
      member.measure_activity = measure && j == 0;
      results.push_back(torch.to_json(torch.evaluate_accuracy(d.spec, d.graph, member)));
    }
    out.extra["results"] = results;
    return out;
  };
  WorkerOptions wo;
  wo.workers = worker_count();
  wo.per_process = 1;
  wo.failures_are_infeasible = true;
  const std::vector<Evaluation> done = evaluate_in_workers(members, train_group, wo);

  std::vector<std::pair<std::size_t, nlohmann::json>> measured;  // (candidate, its network's densities)
  for (std::size_t k = 0; k < members.size(); ++k)
    if (done[k].feasible() && measure)
      for (std::size_t i : members[k])
        measured.emplace_back(i, done[k].extra.at("results").at(0).at("input_bit_density"));
  apply_measured_activity(genomes, measured, evals, metrics);

  for (std::size_t k = 0; k < members.size(); ++k) {
    for (std::size_t j = 0; j < members[k].size(); ++j) {
      Evaluation& ev = evals[members[k][j]];
      if (!done[k].feasible()) {
        ev.violation = 50.0;
        ev.reason = "accuracy evaluation failed: " + done[k].reason;
        continue;
      }
      if (!ev.feasible()) continue;  // its re-simulation with the measured activity failed
      const nlohmann::json& r = done[k].extra.at("results").at(j);
      nlohmann::json& m = ev.extra;
      m["float_accuracy"] = r.at("float_accuracy");
      m["quantized_accuracy"] = r.at("quantized_accuracy");
      m["hardware_accuracy"] = r.at("hardware_accuracy_mean");
      m["hardware_accuracy_std"] = r.at("hardware_accuracy_std");
      m["train_seconds"] = r.at("train_seconds");
      m["from_cache"] = r.at("from_cache");
      ev.fidelity += "+accuracy";
      set_objectives(ev, metrics[members[k][j]], r.at("hardware_accuracy_mean").get<double>());
    }
  }
#endif
}

}  // namespace imc::nas::search
