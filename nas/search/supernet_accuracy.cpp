// [accuracy] method = "supernet": candidates take their weights from the search space's supernet
// instead of training their own — the CNN supernet (nas/supernet, docs/supernet.md) or, on a ViT space,
// the ViT supernet (nas/vit_supernet, docs/vit.md); a `SupernetFamily` is all that differs. The
// supernet is found (shipped beside the configs, or in the cache) or trained once, in a worker process;
// candidates are then scored in worker processes, one chunk each, so every worker loads the dataset and
// the supernet once.
//
// A candidate's hardware-aware accuracy depends on its subnet and on the chip fields the functional
// model reads (device, crossbar, DAC, ADC, precision: functional_chip_key), not on tiles, routers,
// buffers, clock or supply. Candidates that agree on those share one scoring — within a batch and
// across the run (accuracy_memo_) — and get the very figures a scoring of their own would give.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "nas/decode.h"
#include "nas/decode_vit.h"
#include "nas/search/evaluator.h"
#include "nas/workers.h"
#ifdef IMCSIM_HAS_ACCURACY
#include "nas/accuracy/torch_plugin.h"
#include "nas/supernet/space.h"
#include "nas/vit_supernet/space.h"
#endif

namespace imc::nas::search {
namespace fs = std::filesystem;

std::string functional_chip_key(const arch::ArchSpec& s) {
  const arch::DeviceSpec& d = s.device;
  return fmt::format(
      "device {} {} {:a} {:a} {:a} {:a} {:a} {:a} {:a} {:a} {:a} {:a} {:a} {}|crossbar {} {} {} {} {}|dac {} "
      "{}|adc {} {}|precision {} {}",
      int(d.type), d.bits_per_cell, d.r_on_ohm, d.r_off_ohm, d.read_voltage_v, d.read_pulse_ns,
      d.variation_sigma, d.read_noise_sigma, d.stuck_on_rate, d.stuck_off_rate, d.drift_nu, d.drift_t0_s,
      d.drift_time_s, d.stuck_aware_programming, s.crossbar.rows, s.crossbar.cols, s.crossbar.rows_parallel,
      int(s.crossbar.signed_scheme), s.crossbar.combine_bit_columns, s.dac.bits, int(s.dac.style),
      int(s.adc.type), s.adc.bits, s.precision.weight_bits, s.precision.input_bits);
}

#ifdef IMCSIM_HAS_ACCURACY
namespace {

// One supernet family as this file uses it.
struct SupernetFamily {
  std::string label;  // in messages: "supernet", "ViT supernet"
  std::function<nlohmann::json(const accuracy::TorchPlugin&, const accuracy::AccuracyOptions&)> prepare;
  // The design's subnet in the supernet's notation, or "" with `why` when the supernet does not hold it.
  std::function<std::string(const Design&, std::string* why)> subnet_name;
  std::function<accuracy::AccuracyResult(const accuracy::TorchPlugin&, const Design&, const std::string&file,
                                         const accuracy::AccuracyOptions&)>
      score, finetune;  // finetune empty: the family has none (the ViT's)
};

SupernetFamily supernet_family(const SearchConfig& config, const arch::ArchSpec& base,
                               const workloads::CnnFamilyParams& network_defaults) {
  SupernetFamily f;
  if (vit_only_space(config.space)) {
    vit_supernet::VitSubnet fixed;
    fixed.weight_bits = base.precision.weight_bits, fixed.activation_bits = base.precision.input_bits;
    const auto space = vit_supernet::VitSupernetSpace::from_search_space(config.space, fixed);
    auto subnet_of = [](const Design& d) {
      return vit_supernet::VitSubnet{d.vit, d.spec.precision.weight_bits, d.spec.precision.input_bits};
    };
    f.label = "ViT supernet";
    f.prepare = [space](const accuracy::TorchPlugin& t, const accuracy::AccuracyOptions& o) {
      return t.prepare_vit_supernet(space, o);
    };
    f.subnet_name = [space, subnet_of](const Design& d, std::string* why) {
      const vit_supernet::VitSubnet s = subnet_of(d);
      return space.contains(s, why) ? vit_supernet::to_string(s) : std::string();
    };
    f.score = [space, subnet_of](const accuracy::TorchPlugin& t, const Design& d, const std::string& file,
                                 const accuracy::AccuracyOptions& o) {
      return t.evaluate_vit_subnet(d.spec, space, subnet_of(d), file, o);
    };
    return f;
  }
  const supernet::SupernetSpace space = supernet::SupernetSpace::from_search_space(
      config.space,
      supernet::Subnet{network_defaults, base.precision.weight_bits, base.precision.input_bits});
  auto subnet_of = [](const Design& d) {
    return supernet::Subnet{d.params, d.spec.precision.weight_bits, d.spec.precision.input_bits};
  };
  f.label = "supernet";
  f.prepare = [space](const accuracy::TorchPlugin& t, const accuracy::AccuracyOptions& o) {
    return t.prepare_supernet(space, o);
  };
  f.subnet_name = [space, subnet_of](const Design& d, std::string* why) {
    const supernet::Subnet s = subnet_of(d);
    return space.contains(s, why) ? supernet::to_string(s) : std::string();
  };
  f.score = [space, subnet_of](const accuracy::TorchPlugin& t, const Design& d, const std::string& file,
                               const accuracy::AccuracyOptions& o) {
    return t.evaluate_subnet(d.spec, space, subnet_of(d), file, o);
  };
  f.finetune = [space, subnet_of](const accuracy::TorchPlugin& t, const Design& d, const std::string& file,
                                  const accuracy::AccuracyOptions& o) {
    return t.finetune_subnet(d.spec, space, subnet_of(d), file, o);
  };
  return f;
}

accuracy::AccuracyOptions supernet_worker_accuracy_options(const SearchConfig& config) {
  accuracy::AccuracyOptions o = config.accuracy;
  o.cache_dir = resolve_cache_dir(config);
  o.threads = 1;  // one thread per worker: the figures do not depend on how many workers run
  return o;
}

nlohmann::json accuracy_metrics(const nlohmann::json& r) {
  return {{"float_accuracy", r.at("float_accuracy")},
          {"quantized_accuracy", r.at("quantized_accuracy")},
          {"hardware_accuracy", r.at("hardware_accuracy_mean")},
          {"hardware_accuracy_std", r.at("hardware_accuracy_std")},
          {"test_images", r.at("test_images")}};
}

// What one scoring is shared by: the subnet and the chip as the functional model sees it.
std::string accuracy_key(const std::string& subnet, const Design& d) {
  return subnet + "|" + functional_chip_key(d.spec);
}

}  // namespace
#endif

const std::string& SearchEvaluator::supernet_file() const {
#ifdef IMCSIM_HAS_ACCURACY
  if (!supernet_file_.empty()) return supernet_file_;
  const SupernetFamily family = supernet_family(config_, base_, network_defaults_);
  accuracy::AccuracyOptions o = supernet_worker_accuracy_options(config_);
  fs::create_directories(o.cache_dir);
  const accuracy::TorchPlugin& torch = accuracy::torch_plugin();  // before the fork
  WorkerOptions wo;
  wo.workers = 1;
  wo.per_process = 1;
  wo.failures_are_infeasible = true;
  const std::vector<Evaluation> done = evaluate_in_workers(
      std::vector<int>{0},
      [&](int) {
        Evaluation ev;
        ev.extra = family.prepare(torch, o);
        return ev;
      },
      wo);
  if (!done.at(0).feasible())
    throw common::InputError(fmt::format("{} training failed: {}", family.label, done.at(0).reason));
  supernet_file_ = done.at(0).extra.at("file").get<std::string>();
  fmt::print(stderr, "{} {} ({}; {:.1f} s training)\n", family.label, supernet_file_,
             done.at(0).extra.at("source").get<std::string>(),
             done.at(0).extra.at("train_seconds").get<double>());
#endif
  return supernet_file_;
}

void SearchEvaluator::add_supernet_accuracy(const std::vector<Genome>& genomes,
                                            std::vector<sim::DesignMetrics>& metrics,
                                            std::vector<Evaluation>& evals) const {
#ifndef IMCSIM_HAS_ACCURACY
  (void)genomes, (void)metrics, (void)evals;
#else
  const SupernetFamily family = supernet_family(config_, base_, network_defaults_);
  const bool measure = config_.search.activity == ActivitySource::kMeasured;
  // Each feasible candidate's scoring key; "" (with the reason) for a design the supernet does not hold.
  std::vector<std::size_t> todo;
  std::map<std::size_t, std::string> key_of, not_held;
  std::vector<std::size_t> to_score;  // one candidate per key not scored yet in this run
  std::map<std::string, std::size_t> first_of;
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    if (!evals[i].feasible()) continue;
    todo.push_back(i);
    const Design d = decode(genomes[i]);
    std::string why;
    const std::string subnet = family.subnet_name(d, &why);
    if (subnet.empty()) {
      not_held[i] = fmt::format("accuracy evaluation failed: not a subnet of the {}: {}", family.label, why);
      continue;
    }
    const std::string key = accuracy_key(subnet, d);
    key_of[i] = key;
    if (!accuracy_memo_.count(key) && first_of.emplace(key, i).second) to_score.push_back(i);
  }
  if (todo.empty()) return;

  if (!to_score.empty()) {
    const std::string& file = supernet_file();
    // Candidates of one network next to each other, then one contiguous chunk per worker.
    std::stable_sort(to_score.begin(), to_score.end(), [&](std::size_t a, std::size_t b) {
      return network_key(config_.space, genomes[a]) < network_key(config_.space, genomes[b]);
    });
    const std::size_t workers = std::min(worker_options().workers, to_score.size());
    std::vector<std::vector<std::size_t> > jobs(workers);
    for (std::size_t k = 0; k < to_score.size(); ++k)
      jobs[k * workers / to_score.size()].push_back(to_score[k]);
    accuracy::AccuracyOptions o = supernet_worker_accuracy_options(config_);
    o.measure_activity = measure;
    const accuracy::TorchPlugin& torch = accuracy::torch_plugin();  // before the workers fork
    auto score_chunk = [&](const std::vector<std::size_t>& job) {
      Evaluation out;
      nlohmann::json results = nlohmann::json::array();
      for (std::size_t i : job)
        results.push_back(torch.to_json(family.score(torch, decode(genomes[i]), file, o)));
      out.extra["results"] = results;
      return out;
    };
    WorkerOptions wo;
    wo.workers = workers;
    wo.per_process = 1;
    wo.failures_are_infeasible = true;
    const std::vector<Evaluation> done = evaluate_in_workers(jobs, score_chunk, wo);
    for (std::size_t k = 0; k < jobs.size(); ++k)
      for (std::size_t j = 0; j < jobs[k].size(); ++j) {
        const std::size_t i = jobs[k][j];
        if (done[k].feasible())
          accuracy_memo_[key_of.at(i)] = done[k].extra.at("results").at(j);
        else  // a crashed worker: not remembered, so a later batch tries again
          not_held[i] = "accuracy evaluation failed: " + done[k].reason;
      }
  }
  // The result of each candidate: its own scoring or the one it shares.
  auto result_of = [&](std::size_t i) -> const nlohmann::json* {
    if (not_held.count(i)) return nullptr;
    const std::size_t first = first_of.count(key_of.at(i)) ? first_of.at(key_of.at(i)) : i;
    if (not_held.count(first)) return nullptr;
    return &accuracy_memo_.at(key_of.at(i));
  };
  auto failure_of = [&](std::size_t i) {
    if (not_held.count(i)) return not_held.at(i);
    return not_held.at(first_of.at(key_of.at(i)));
  };

  std::vector<std::pair<std::size_t, nlohmann::json> > measured;
  if (measure)
    for (std::size_t i : todo)
      if (const nlohmann::json* r = result_of(i)) measured.emplace_back(i, r->at("input_bit_density"));
  apply_measured_activity(genomes, measured, evals, metrics);
  for (std::size_t i : todo) {
    Evaluation& ev = evals[i];
    const nlohmann::json* r = result_of(i);
    if (!r) {
      ev.violation = 50.0;
      ev.reason = failure_of(i);
      continue;
    }
    if (!ev.feasible()) continue;  // its re-simulation with the measured activity failed
    const nlohmann::json figures = accuracy_metrics(*r);  // a named object: items() does not own it
    for (const auto& [key, value] : figures.items()) ev.extra[key] = value;
    ev.extra["train_seconds"] = 0.0;
    ev.extra["from_cache"] = true;
    ev.extra["accuracy_method"] = "supernet";
    ev.fidelity += "+supernet";
    set_objectives(ev, metrics[i], r->at("hardware_accuracy_mean").get<double>());
  }
#endif
}

nlohmann::json SearchEvaluator::final_front_accuracy(const std::vector<Genome>& genomes) const {
  nlohmann::json out = nlohmann::json::array();
#ifdef IMCSIM_HAS_ACCURACY
  if (config_.accuracy.method != accuracy::AccuracyMethod::kSupernet || genomes.empty()) return out;
  const SupernetFamily family = supernet_family(config_, base_, network_defaults_);
  const std::string& file = supernet_file();
  accuracy::AccuracyOptions o = supernet_worker_accuracy_options(config_);
  o.test_subset = config_.accuracy.supernet.final_test_subset;
  const accuracy::TorchPlugin& torch = accuracy::torch_plugin();
  const int finetune_epochs = family.finetune ? config_.accuracy.supernet.finetune_epochs : 0;
  // Front members that agree on subnet and functional chip are scored (and fine-tuned, trained) once.
  std::vector<std::size_t> ids, owner(genomes.size());
  std::map<std::string, std::size_t> first_of;
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    const Design d = decode(genomes[i]);
    std::string why;
    const std::string subnet = family.subnet_name(d, &why);
    const auto [at, added] =
        first_of.emplace(subnet.empty() ? "#" + std::to_string(i) : accuracy_key(subnet, d), i);
    owner[i] = at->second;
    if (added) ids.push_back(i);
  }
  auto score_member = [&](const std::size_t& i) {
    Evaluation ev;
    const Design d = decode(genomes[i]);
    std::string why;
    ev.extra["subnet"] = family.subnet_name(d, &why);
    if (!why.empty()) throw common::InputError(fmt::format("not a subnet of the {}: {}", family.label, why));
    ev.extra["supernet"] = accuracy_metrics(torch.to_json(family.score(torch, d, file, o)));
    if (finetune_epochs > 0) {
      const nlohmann::json r = torch.to_json(family.finetune(torch, d, file, o));
      ev.extra["finetuned"] = accuracy_metrics(r);
      ev.extra["finetuned"]["epochs"] = finetune_epochs;
      ev.extra["finetuned"]["train_seconds"] = r.at("train_seconds");
    }
    if (config_.accuracy.supernet.standalone_epochs > 0) {
      accuracy::AccuracyOptions alone = o;  // the stand-alone path of method = "train", full data
      alone.train.epochs = config_.accuracy.supernet.standalone_epochs;
      alone.train.train_subset = 0;
      const nlohmann::json r = torch.to_json(torch.evaluate_accuracy(d.spec, d.graph, alone));
      ev.extra["standalone"] = accuracy_metrics(r);
      ev.extra["standalone"]["epochs"] = alone.train.epochs;
      ev.extra["standalone"]["train_seconds"] = r.at("train_seconds");
    }
    return ev;
  };
  WorkerOptions wo = worker_options();  // one member per process, failures infeasible
  wo.workers = std::min(wo.workers, ids.size());
  const std::vector<Evaluation> done = evaluate_in_workers(ids, score_member, wo);
  std::map<std::size_t, nlohmann::json> scored;
  for (std::size_t k = 0; k < ids.size(); ++k)
    scored[ids[k]] = done[k].feasible() ? done[k].extra : nlohmann::json{{"error", done[k].reason}};
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    nlohmann::json member = scored.at(owner[i]);
    if (owner[i] != i) member["shared_with_member"] = owner[i];  // same subnet and functional chip
    out.push_back(member);
  }
#else
  (void)genomes;
#endif
  return out;
}

}  // namespace imc::nas::search
