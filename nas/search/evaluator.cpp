#include "nas/search/evaluator.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "arch/cost.h"
#include "arch/fields.h"
#include "arch/load.h"
#include "common/hash.h"
#include "nas/decode.h"
#include "nas/records.h"
#include "nas/workers.h"
#ifdef IMCSIM_HAS_ACCURACY
#include "nas/accuracy/accuracy.h"
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
  return {{"input", p.input},
          {"classes", p.classes},
          {"stages", p.stages},
          {"blocks_per_stage", p.blocks_per_stage},
          {"base_channels", p.base_channels},
          {"kernel", p.kernel},
          {"residual", p.residual},
          {"expansion", p.expansion},
          {"prune", p.prune},
          {"fc_hidden", p.fc_hidden}};
}

}  // namespace

double objective_value(const std::string& column, const nlohmann::json& m) {
  if (column == "hw_error_pct") return 100.0 * (1.0 - m.at("hardware_accuracy").get<double>());
  if (column == "neg_tops_per_w") return -m.at("tops_per_w").get<double>();
  return m.at(column).get<double>();
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
  o.overflow = config_.constraints.fits_on_chip ? "error" : "reload";
  return o;
}

Evaluation SearchEvaluator::evaluate_hardware(const Genome& genome) const {
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
  } catch (const common::InputError& e) {  // e.g. the network does not fit and fits_on_chip is set
    return Evaluation::infeasible(10.0, std::string("does not map: ") + e.what(), "analytical");
  }
  const sim::Report& r = est.report;
  Evaluation ev;
  ev.fidelity = "analytical";
  nlohmann::json m;
  m["energy_uj"] = r.energy_pj * 1e-6;
  m["latency_us"] = r.latency_ns * 1e-3;
  m["area_mm2"] = r.area_mm2;
  m["edap_j_s_mm2"] = r.edap();
  m["tops_per_w"] = r.tops_per_w();
  m["power_w"] = r.latency_ns > 0 ? r.energy_pj / r.latency_ns * 1e-3 : 0.0;
  m["latency_cycles"] = r.latency_cycles;
  m["macs"] = r.macs;
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
  limit("area", r.area_mm2, c.area_mm2_max, "mm2");
  limit("power", m["power_w"].get<double>(), c.power_w_max, "W");
  limit("latency", m["latency_us"].get<double>(), c.latency_us_max, "us");
  if (!why.empty()) {
    ev.reason = fmt::format("{}", fmt::join(why, "; "));
    return ev;
  }
  if (!config_.wants_accuracy())
    for (const auto& col : config_.objective_columns()) ev.objectives.push_back(objective_value(col, m));
  return ev;
}

std::vector<Evaluation> SearchEvaluator::operator()(const std::vector<Genome>& genomes) const {
  std::vector<Evaluation> evals;
  evals.reserve(genomes.size());
  for (const Genome& g : genomes) evals.push_back(evaluate_hardware(g));
  if (config_.wants_accuracy()) add_accuracy(genomes, evals);
  return evals;
}

void SearchEvaluator::add_accuracy(const std::vector<Genome>& genomes, std::vector<Evaluation>& evals) const {
#ifndef IMCSIM_HAS_ACCURACY
  (void)genomes;
  (void)evals;
  throw common::InputError(
      fmt::format("{}: key 'objectives': 'accuracy' needs libtorch; this build has "
                  "IMCSIM_WITH_TORCH=OFF",
                  config_.path));
#else
  // One group per network: its first candidate trains (or loads the cached weights), the others reuse them.
  std::map<std::string, std::vector<std::size_t> > groups;
  for (std::size_t i = 0; i < genomes.size(); ++i)
    if (evals[i].feasible()) {
      const nlohmann::json& m = evals[i].extra;
      groups[fmt::format("{}/{}/{}", m["network"].dump(), m["weight_bits"].get<int>(),
                         m["input_bits"].get<int>())]
          .push_back(i);
    }
  if (groups.empty()) return;
  std::vector<std::vector<std::size_t> > members;  // one job per group: the indices of its genomes
  for (auto& [key, idx] : groups) members.push_back(idx);
  const AccuracySettings& a = config_.accuracy;
  accuracy::AccuracyOptions opt;
  opt.train.epochs = static_cast<int>(a.epochs);
  opt.train.train_subset = a.train_subset;
  opt.train.batch_size = static_cast<int>(a.batch_size);
  opt.train.optimizer = a.optimizer;
  opt.train.learning_rate = a.learning_rate;
  opt.train.seed = static_cast<std::uint64_t>(a.seed);
  opt.train.quantization_aware = a.quantization_aware;
  opt.train.noise_sigma = a.noise_sigma;
  opt.test_subset = a.test_subset;
  opt.draws = static_cast<int>(a.draws);
  opt.seed = static_cast<std::uint64_t>(a.seed);
  opt.adc_range = a.adc_range;
  opt.calibration_images = a.calibration_images;
  opt.cache_dir = resolve_cache_dir(config_);
  opt.threads = 1;  // one thread per worker: the figures do not depend on how many workers run
  fs::create_directories(opt.cache_dir);

  auto train_group = [&](const std::vector<std::size_t>& group) {
    Evaluation out;
    nlohmann::json results = nlohmann::json::array();
    for (std::size_t i : group) {
      const Design d = decode(genomes[i]);
      results.push_back(accuracy::to_json(accuracy::evaluate_accuracy(d.spec, d.graph, opt)));
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

  const auto columns = config_.objective_columns();
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
      for (const auto& col : columns) ev.objectives.push_back(objective_value(col, m));
    }
  }
#endif
}

}  // namespace imc::nas::search
