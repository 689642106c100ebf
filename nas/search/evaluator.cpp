#include "nas/search/evaluator.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "arch/cost.h"
#include "arch/fields.h"
#include "arch/load.h"
#include "common/hash.h"
#include "nas/decode.h"
#include "nas/records.h"
#include "nas/workers.h"
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
  sim::Estimate est;
  try {
    est = sim::estimate(d.spec, arch::cost::build(d.spec), d.graph, mapping_options(),
                        sim::EstimateDetail::Totals);
  } catch (const common::InputError& e) {  // e.g. the network does not fit and weight_fetch is off
    return Evaluation::infeasible(10.0, std::string("does not map: ") + e.what(), "analytical");
  }
  const sim::Report& r = est.report;
  const sim::DesignMetrics dm = sim::metrics_of(r);
  if (metrics) *metrics = dm;
  Evaluation ev;
  ev.fidelity = "analytical";
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
  m["reload_groups"] = est.reload_groups;
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
  if (!config_.wants_accuracy())
    for (Objective o : config_.objectives) ev.objectives.push_back(objective_value(o, dm));
  return ev;
}

std::vector<Evaluation> SearchEvaluator::operator()(const std::vector<Genome>& genomes) const {
  std::vector<Evaluation> evals;
  std::vector<sim::DesignMetrics> metrics(genomes.size());
  evals.reserve(genomes.size());
  for (std::size_t i = 0; i < genomes.size(); ++i)
    evals.push_back(evaluate_hardware(genomes[i], &metrics[i]));
  if (config_.wants_accuracy()) add_accuracy(genomes, metrics, evals);
  return evals;
}

void SearchEvaluator::add_accuracy(const std::vector<Genome>& genomes,
                                   const std::vector<sim::DesignMetrics>& metrics,
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
  // One group per network: its first candidate trains (or loads the cached weights), the others reuse them.
  std::map<NetworkIdentity, std::vector<std::size_t> > groups;
  for (std::size_t i = 0; i < genomes.size(); ++i)
    if (evals[i].feasible()) {
      const Design d = decode(genomes[i]);
      groups[NetworkIdentity{d.params, d.spec.precision.weight_bits, d.spec.precision.input_bits}].push_back(
          i);
    }
  if (groups.empty()) return;
  std::vector<std::vector<std::size_t> > members;  // one job per group: the indices of its genomes
  for (auto& [key, idx] : groups) members.push_back(idx);
  accuracy::AccuracyOptions opt = config_.accuracy;
  opt.cache_dir = resolve_cache_dir(config_);
  opt.threads = 1;  // one thread per worker: the figures do not depend on how many workers run
  fs::create_directories(opt.cache_dir);

  // Load libtorch here, before the workers fork, so that each worker inherits it instead of loading it.
  const accuracy::TorchPlugin& torch = accuracy::torch_plugin();
  auto train_group = [&](const std::vector<std::size_t>& group) {
    Evaluation out;
    nlohmann::json results = nlohmann::json::array();
    for (std::size_t i : group) {
      const Design d = decode(genomes[i]);
      results.push_back(torch.to_json(torch.evaluate_accuracy(d.spec, d.graph, opt)));
    }
    out.extra["results"] = results;
    return out;
  };
  WorkerOptions wo;
  wo.workers = config_.search.workers > 0 ? static_cast<std::size_t>(config_.search.workers)
                                          : std::max(1u, std::thread::hardware_concurrency());
  wo.per_process = 1;
  wo.failures_are_infeasible = true;
  const std::vector<Evaluation> done = evaluate_in_workers(members, train_group, wo);

  for (std::size_t k = 0; k < members.size(); ++k) {
    for (std::size_t j = 0; j < members[k].size(); ++j) {
      Evaluation& ev = evals[members[k][j]];
      if (!done[k].feasible()) {
        ev.violation = 50.0;
        ev.reason = "accuracy evaluation failed: " + done[k].reason;
        continue;
      }
      const nlohmann::json& r = done[k].extra.at("results").at(j);
      nlohmann::json& m = ev.extra;
      m["float_accuracy"] = r.at("float_accuracy");
      m["quantized_accuracy"] = r.at("quantized_accuracy");
      m["hardware_accuracy"] = r.at("hardware_accuracy_mean");
      m["hardware_accuracy_std"] = r.at("hardware_accuracy_std");
      m["train_seconds"] = r.at("train_seconds");
      m["from_cache"] = r.at("from_cache");
      ev.fidelity = "analytical+accuracy";
      ev.objectives.clear();
      const double hardware_accuracy = r.at("hardware_accuracy_mean").get<double>();
      for (Objective o : config_.objectives)
        ev.objectives.push_back(objective_value(o, metrics[members[k][j]], hardware_accuracy));
    }
  }
#endif
}

}  // namespace imc::nas::search
