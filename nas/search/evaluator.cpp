#include "nas/search/evaluator.h"

#include <fmt/format.h>

#include <cmath>
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
#include "nas/distributed.h"
#include "nas/predictor/layer_lut.h"
#include "nas/predictor/learned_estimator.h"
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

// The network of a design as JSON: the CNN family's fields, or the ViT's with "family": "vit".
nlohmann::json network_json(const Design& d) {
  if (d.family == NetworkFamily::kCnn) return params_json(d.params);
  nlohmann::json j{{"family", "vit"}};
  workloads::for_each_vit_field(d.vit, d.vit,
                                [&](const char* name, const auto& v, const auto&) { j[name] = v; });
  return j;
}

}  // namespace

bool NetworkIdentity::operator<(const NetworkIdentity& o) const {
  int order = 0;  // the first differing field decides
  workloads::for_each_field(params, o.params, [&](const char*, const auto& a, const auto& b) {
    if (order == 0) order = a < b ? -1 : b < a ? 1 : 0;
  });
  if (order != 0) return order < 0;
  return std::tie(weight_bits, input_bits, vit) < std::tie(o.weight_bits, o.input_bits, o.vit);
}

SearchEvaluator::SearchEvaluator(const SearchConfig& config) : config_(config) {
  base_ = arch::load_arch(config.base_arch_file);
  tech_dir_ = fs::path(config.base_arch_file).parent_path().string();
  if (config.wants_accuracy() && config.estimator.prescreen_warmup > 0)
    prescreen_ = std::make_unique<predictor::AccuracyPrescreen>(config.space, config.estimator);
}

void SearchEvaluator::set_run_dir(const std::string& dir) const {
  if (prescreen_ && !dir.empty())
    prescreen_ = std::make_unique<predictor::AccuracyPrescreen>(
        config_.space, config_.estimator, (fs::path(dir) / "accuracy_predictor.csv").string());
}

void SearchEvaluator::screen(const std::vector<Genome>& genomes, std::vector<Evaluation>& evals) const {
  std::vector<std::size_t> offered;  // hardware-feasible: the ones training would run for
  std::vector<Genome> proposals;
  for (std::size_t i = 0; i < genomes.size(); ++i)
    if (evals[i].feasible()) offered.push_back(i), proposals.push_back(genomes[i]);
  const std::vector<bool> keep = prescreen_->select(proposals);
  for (std::size_t k = 0; k < offered.size(); ++k) {
    if (keep[k]) continue;
    // Infeasible by a margin that ranks it behind every measured candidate; its hardware figures stay.
    Evaluation& ev = evals[offered[k]];
    ev.violation = 1.0;
    ev.reason = fmt::format("screened out by the accuracy predictor (predicted hardware accuracy {:.1f}%)",
                            100.0 * prescreen_->predict(proposals[k]).value_or(0.0));
    ev.fidelity += "+prescreen";
  }
}

void SearchEvaluator::learn_accuracies(const std::vector<Genome>& genomes,
                                       const std::vector<Evaluation>& evals) const {
  std::vector<Genome> measured;
  std::vector<double> accuracy;
  for (std::size_t i = 0; i < genomes.size(); ++i)
    if (evals[i].extra.is_object() && evals[i].extra.contains("hardware_accuracy")) {
      measured.push_back(genomes[i]);
      accuracy.push_back(evals[i].extra.at("hardware_accuracy").get<double>());
    }
  prescreen_->observe(measured, accuracy);
}

Design SearchEvaluator::decode(const Genome& genome) const {
  Design d;
  d.genome = genome;
  d.spec = decode_hardware(base_, config_.space, genome, tech_dir_);
  d.params = network_params(network_defaults_, config_.space, genome);
  d.network_key = network_key(config_.space, genome);
  const std::string hash = common::hash_hex(common::hash64(d.network_key)).substr(0, 8);
  d.family = network_family(config_.space, genome);
  if (d.family == NetworkFamily::kVit) {
    d.vit = vit_params(workloads::VitFamilyParams{}, config_.space, genome);
    d.graph = decode_vit_network(d.vit, "vit-" + hash);
  } else {
    d.graph = decode_network(d.params, "cnn-" + hash);
  }
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
        {"network", network_json(d)}};
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
  m["network"] = network_json(d);
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

WorkerOptions SearchEvaluator::worker_options() const {
  WorkerOptions wo;
  wo.workers = config_.search.workers > 0 ? static_cast<std::size_t>(config_.search.workers)
                                          : std::max(1u, std::thread::hardware_concurrency());
  wo.per_process = 1;  // a SystemC model elaborates once per process; a training group is one job
  wo.failures_are_infeasible = true;
  return wo;
}

void SearchEvaluator::hardware_figures(const std::vector<Design>& designs, const std::vector<std::size_t>& at,
                                       std::vector<Evaluation>& evals,
                                       std::vector<sim::DesignMetrics>& metrics, EvaluatorKind kind) const {
  if (kind == EvaluatorKind::kLut || kind == EvaluatorKind::kLearned) {
    for (std::size_t k = 0; k < designs.size(); ++k)
      evals[at[k]] = estimated(designs[k], kind, &metrics[at[k]]);
    estimator(kind).save();  // the table grows as new layers and grid points are met
    return;
  }
  if (kind != EvaluatorKind::kSystemC) {
    if (!distributed()) {
      for (std::size_t k = 0; k < designs.size(); ++k)
        evals[at[k]] = evaluate_design(designs[k], &metrics[at[k]]);
      return;
    }
    // Under mpirun (nas/distributed.h): each rank estimates its share in process (a millisecond
    // each, not worth a fork); the reports travel and every rank judges them as a SystemC run's.
    const std::vector<std::size_t> share = rank_share(designs.size());
    std::vector<common::ChildOutcome<Evaluation>> mine(share.size());
    for (std::size_t j = 0; j < share.size(); ++j) {
      const Design& d = designs[share[j]];
      Evaluation e;
      try {
        const sim::Estimate est = sim::estimate(d.spec, arch::cost::build(d.spec), d.graph, mapping_options(),
                                                sim::EstimateDetail::Totals);
        e.extra["report"] = sim::to_json(est.report);
        e.extra["reload_groups"] = est.reload_groups;
      } catch (const common::InputError& err) {
        e = Evaluation::infeasible(10.0, std::string("does not map: ") + err.what(), "analytical");
      }
      mine[j].result = std::move(e);
    }
    const auto all = gather_outcomes(designs.size(), share, std::move(mine));
    for (std::size_t k = 0; k < designs.size(); ++k) {
      const Evaluation& e = all[k].value();
      evals[at[k]] = e.extra.is_object() && e.extra.contains("report")
                         ? judge(designs[k], sim::report_from_json(e.extra.at("report")),
                                 e.extra.at("reload_groups").get<int>(), "analytical", &metrics[at[k]])
                         : e;
    }
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
  const std::vector<Evaluation> done = evaluate_in_workers(jobs, simulate, worker_options());
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

predictor::EstimatorContext SearchEvaluator::estimator_context(EvaluatorKind kind) const {
  predictor::EstimatorContext ctx;
  ctx.config_path = config_.path;
  ctx.space = &config_.space;
  ctx.base = base_;
  ctx.base_arch_file = config_.base_arch_file;
  ctx.tech_dir = tech_dir_;
  ctx.mapping = mapping_options();
  ctx.network_defaults = network_defaults_;
  ctx.options = config_.estimator;
  const bool lut = kind == EvaluatorKind::kLut;
  ctx.file = lut ? config_.lut_file : config_.learned_file;
  ctx.file_from_config = !ctx.file.empty();
  if (ctx.file.empty()) {  // in the cache, named by the key, so different spaces never meet
    const nlohmann::json key =
        predictor::estimator_key(ctx, {{"options", common::dump_fields([&](common::Fields& f) {
                                          predictor::EstimatorOptions o = config_.estimator;
                                          predictor::describe(f, o);
                                        })}});
    ctx.file =
        (fs::path(resolve_cache_dir(config_)).parent_path() / "estimators" /
         fmt::format("{}-{}.json", lut ? "lut5" : "learned2", common::hash_hex(common::hash64(key.dump()))))
            .string();
  }
  return ctx;
}

predictor::HardwareEstimator& SearchEvaluator::estimator(EvaluatorKind kind) const {
  if (kind == EvaluatorKind::kLut) {
    if (!lut_) lut_ = std::make_unique<predictor::LayerLut>(estimator_context(kind));
    return *lut_;
  }
  if (kind != EvaluatorKind::kLearned) throw std::logic_error("estimator(): not a lut/learned evaluator");
  if (!learned_) {
    // Training figures from the model the config names, through this evaluator (SystemC: forked workers).
    const EvaluatorKind source = config_.estimator.train_source == predictor::TrainingSource::kSystemC
                                     ? EvaluatorKind::kSystemC
                                     : EvaluatorKind::kAnalytical;
    auto reference = [this, source](const std::vector<Genome>& genomes) {
      const std::vector<Evaluation> evals = evaluate_hardware_with(genomes, source);
      std::vector<std::optional<predictor::HardwareFigures>> out(genomes.size());
      for (std::size_t i = 0; i < genomes.size(); ++i) {
        const nlohmann::json& m = evals[i].extra;
        // Designs outside the constraints still have figures, and the model should know them.
        if (!m.is_object() || !m.contains("energy_uj")) continue;
        out[i] = predictor::HardwareFigures{m.at("energy_uj").get<double>() * 1e6,
                                            m.at("latency_us").get<double>() * 1e3,
                                            m.at("area_mm2").get<double>()};
      }
      return out;
    };
    learned_ = std::make_unique<predictor::LearnedEstimator>(estimator_context(kind), reference);
  }
  return *learned_;
}

Evaluation SearchEvaluator::estimated(const Design& d, EvaluatorKind kind,
                                      sim::DesignMetrics* metrics) const {
  predictor::HardwareEstimator& est = estimator(kind);
  std::string why;
  const std::optional<predictor::HardwareFigures> f = est.estimate(d.genome, d.spec, d.graph, why);
  if (!f) return Evaluation::infeasible(10.0, std::string("does not map: ") + why, est.name());
  // A report holding the estimated totals; metrics_of derives the rest as for the models' reports.
  sim::Report r;
  r.model = est.name();
  r.workload = d.graph.name();
  r.macs = d.graph.total_macs() * std::max(1, config_.search.batch);
  r.energy_pj = f->energy_pj;
  r.latency_ns = f->latency_ns;
  r.latency_cycles = std::llround(f->latency_ns * d.spec.chip.clock_ghz);
  r.inference_latency_cycles = r.latency_cycles;
  r.area_mm2 = f->area_mm2;
  return judge(d, r, 1, est.name(), metrics);
}

void SearchEvaluator::decode_all(const std::vector<Genome>& genomes, std::vector<Design>& designs,
                                 std::vector<std::size_t>& at, std::vector<Evaluation>& evals) const {
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    try {
      designs.push_back(decode(genomes[i]));
      at.push_back(i);
    } catch (const DecodeError& e) {
      evals[i] = Evaluation::infeasible(100.0, std::string("invalid design: ") + e.what(), "decode");
    }
  }
}

std::vector<Evaluation> SearchEvaluator::evaluate_hardware_with(const std::vector<Genome>& genomes,
                                                                EvaluatorKind kind) const {
  std::vector<Evaluation> evals(genomes.size());
  std::vector<sim::DesignMetrics> metrics(genomes.size());
  std::vector<Design> designs;
  std::vector<std::size_t> at;
  decode_all(genomes, designs, at, evals);
  hardware_figures(designs, at, evals, metrics, kind);
  return evals;
}

std::vector<Evaluation> SearchEvaluator::operator()(const std::vector<Genome>& genomes) const {
  std::vector<Evaluation> evals(genomes.size());
  std::vector<sim::DesignMetrics> metrics(genomes.size());
  std::vector<Design> designs;
  std::vector<std::size_t> at;
  decode_all(genomes, designs, at, evals);
  hardware_figures(designs, at, evals, metrics);
  if (config_.wants_accuracy()) {
    if (prescreen_) screen(genomes, evals);  // the loop's cache hits never get here
    add_accuracy(genomes, metrics, evals);
    if (prescreen_) learn_accuracies(genomes, evals);
  }
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
      groups[NetworkIdentity{d.params, d.spec.precision.weight_bits, d.spec.precision.input_bits,
                             d.family == NetworkFamily::kVit ? workloads::to_string(d.vit) : ""}]
          .push_back(i);
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
  const std::vector<Evaluation> done = evaluate_in_workers(members, train_group, worker_options());

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
