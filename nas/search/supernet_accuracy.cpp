// [accuracy] method = "supernet": candidates take their weights from the search space's supernet
// (nas/supernet, docs/supernet.md) instead of training their own. The supernet is found (shipped
// beside the configs, or in the cache) or trained once, in a worker process; candidates are then
// scored in worker processes, one chunk each, so every worker loads the dataset and the supernet once.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "nas/decode.h"
#include "nas/decode_vit.h"
#include "nas/search/evaluator.h"
#include "nas/workers.h"
#ifdef IMCSIM_HAS_ACCURACY
#include "nas/accuracy/torch_plugin.h"
#include "nas/supernet/space.h"
#endif

namespace imc::nas::search {
namespace fs = std::filesystem;

#ifdef IMCSIM_HAS_ACCURACY
namespace {

struct SupernetJob {
  std::vector<std::size_t> candidates;
};

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

}  // namespace
#endif

const std::string& SearchEvaluator::supernet_file() const {
#ifdef IMCSIM_HAS_ACCURACY
  if (vit_only_space(config_.space)) return vit_supernet_file();
  if (!supernet_file_.empty()) return supernet_file_;
  const supernet::SupernetSpace space = supernet::SupernetSpace::from_search_space(
      config_.space,
      supernet::Subnet{network_defaults_, base_.precision.weight_bits, base_.precision.input_bits});
  accuracy::AccuracyOptions o = supernet_worker_accuracy_options(config_);
  fs::create_directories(o.cache_dir);
  const accuracy::TorchPlugin& torch = accuracy::torch_plugin();  // before the fork
  WorkerOptions wo;
  wo.workers = 1;
  const std::vector<Evaluation> done = evaluate_in_workers(
      std::vector<int>{0},
      [&](int) {
        Evaluation ev;
        ev.extra = torch.prepare_supernet(space, o);
        return ev;
      },
      wo);
  supernet_file_ = done.at(0).extra.at("file").get<std::string>();
  fmt::print(stderr, "supernet {} ({}; {:.1f} s training)\n", supernet_file_,
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
  if (vit_only_space(config_.space)) return add_vit_supernet_accuracy(genomes, metrics, evals);
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < genomes.size(); ++i)
    if (evals[i].feasible()) todo.push_back(i);
  if (todo.empty()) return;
  const std::string& file = supernet_file();
  const supernet::Subnet fixed{network_defaults_, base_.precision.weight_bits, base_.precision.input_bits};
  const supernet::SupernetSpace space = supernet::SupernetSpace::from_search_space(config_.space, fixed);
  // Candidates of one network next to each other, then one contiguous chunk per worker.
  std::stable_sort(todo.begin(), todo.end(), [&](std::size_t a, std::size_t b) {
    return network_key(config_.space, genomes[a]) < network_key(config_.space, genomes[b]);
  });
  const std::size_t workers = std::min(worker_options().workers, todo.size());
  std::vector<SupernetJob> jobs(workers);
  for (std::size_t k = 0; k < todo.size(); ++k) jobs[k * workers / todo.size()].candidates.push_back(todo[k]);

  const accuracy::AccuracyOptions o = supernet_worker_accuracy_options(config_);
  const bool measure = config_.search.activity == ActivitySource::kMeasured;
  const accuracy::TorchPlugin& torch = accuracy::torch_plugin();  // before the workers fork
  auto score_chunk = [&](const SupernetJob& job) {
    Evaluation out;
    nlohmann::json results = nlohmann::json::array();
    for (std::size_t i : job.candidates) {
      const Design d = decode(genomes[i]);
      const supernet::Subnet s{d.params, d.spec.precision.weight_bits, d.spec.precision.input_bits};
      std::string why;
      if (!space.contains(s, &why)) {
        results.push_back({{"error", "not a subnet of the supernet: " + why}});
        continue;
      }
      accuracy::AccuracyOptions member = o;
      member.measure_activity = measure;
      results.push_back(torch.to_json(torch.evaluate_subnet(d.spec, space, s, file, member)));
    }
    out.extra["results"] = results;
    return out;
  };
  WorkerOptions wo;
  wo.workers = workers;
  wo.per_process = 1;
  wo.failures_are_infeasible = true;
  const std::vector<Evaluation> done = evaluate_in_workers(jobs, score_chunk, wo);

  std::vector<std::pair<std::size_t, nlohmann::json> > measured;
  for (std::size_t k = 0; k < jobs.size(); ++k)
    if (done[k].feasible() && measure)
      for (std::size_t j = 0; j < jobs[k].candidates.size(); ++j) {
        const nlohmann::json& r = done[k].extra.at("results").at(j);
        if (!r.contains("error")) measured.emplace_back(jobs[k].candidates[j], r.at("input_bit_density"));
      }
  apply_measured_activity(genomes, measured, evals, metrics);

  for (std::size_t k = 0; k < jobs.size(); ++k)
    for (std::size_t j = 0; j < jobs[k].candidates.size(); ++j) {
      const std::size_t i = jobs[k].candidates[j];
      Evaluation& ev = evals[i];
      const nlohmann::json* r = done[k].feasible() ? &done[k].extra.at("results").at(j) : nullptr;
      if (!r || r->contains("error")) {
        ev.violation = 50.0;
        ev.reason = "accuracy evaluation failed: " + (r ? r->at("error").get<std::string>() : done[k].reason);
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
  if (vit_only_space(config_.space)) return final_front_vit_accuracy(genomes);
  const std::string& file = supernet_file();
  const supernet::Subnet fixed{network_defaults_, base_.precision.weight_bits, base_.precision.input_bits};
  const supernet::SupernetSpace space = supernet::SupernetSpace::from_search_space(config_.space, fixed);
  accuracy::AccuracyOptions o = supernet_worker_accuracy_options(config_);
  o.test_subset = config_.accuracy.supernet.final_test_subset;
  const accuracy::TorchPlugin& torch = accuracy::torch_plugin();
  auto score_member = [&](const std::size_t& i) {
    Evaluation ev;
    const Design d = decode(genomes[i]);
    const supernet::Subnet s{d.params, d.spec.precision.weight_bits, d.spec.precision.input_bits};
    ev.extra["subnet"] = supernet::to_string(s);
    ev.extra["supernet"] = accuracy_metrics(torch.to_json(torch.evaluate_subnet(d.spec, space, s, file, o)));
    if (config_.accuracy.supernet.finetune_epochs > 0) {
      const nlohmann::json r = torch.to_json(torch.finetune_subnet(d.spec, space, s, file, o));
      ev.extra["finetuned"] = accuracy_metrics(r);
      ev.extra["finetuned"]["epochs"] = config_.accuracy.supernet.finetune_epochs;
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
  std::vector<std::size_t> ids(genomes.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = i;
  WorkerOptions wo = worker_options();  // one member per process, failures infeasible
  wo.workers = std::min(wo.workers, ids.size());
  const std::vector<Evaluation> done = evaluate_in_workers(ids, score_member, wo);
  for (const Evaluation& ev : done)
    out.push_back(ev.feasible() ? ev.extra : nlohmann::json{{"error", ev.reason}});
#else
  (void)genomes;
#endif
  return out;
}

}  // namespace imc::nas::search
