// [accuracy] method = "supernet" on a ViT space: candidates take their weights from the space's ViT
// supernet (nas/vit_supernet, docs/vit.md). The same flow as supernet_accuracy.cpp (CNN): the
// supernet is found (shipped beside the configs, or in the cache) or trained once in a worker
// process; candidates are scored in worker processes, one contiguous chunk each (sorted by network),
// so every worker loads the dataset and the supernet once.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "nas/decode.h"
#include "nas/search/evaluator.h"
#include "nas/workers.h"
#ifdef IMCSIM_HAS_ACCURACY
#include "nas/accuracy/torch_plugin.h"
#include "nas/vit_supernet/space.h"
#endif

namespace imc::nas::search {
namespace fs = std::filesystem;

#ifdef IMCSIM_HAS_ACCURACY
namespace {

accuracy::AccuracyOptions worker_options_of(const SearchConfig& config) {
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

vit_supernet::VitSupernetSpace vit_space_of(const SearchConfig& config, const arch::ArchSpec& base) {
  vit_supernet::VitSubnet fixed;
  fixed.weight_bits = base.precision.weight_bits, fixed.activation_bits = base.precision.input_bits;
  return vit_supernet::VitSupernetSpace::from_search_space(config.space, fixed);
}

vit_supernet::VitSubnet subnet_of(const Design& d) {
  return {d.vit, d.spec.precision.weight_bits, d.spec.precision.input_bits};
}

}  // namespace
#endif

const std::string& SearchEvaluator::vit_supernet_file() const {
#ifdef IMCSIM_HAS_ACCURACY
  if (!supernet_file_.empty()) return supernet_file_;
  const vit_supernet::VitSupernetSpace space = vit_space_of(config_, base_);
  accuracy::AccuracyOptions o = worker_options_of(config_);
  fs::create_directories(o.cache_dir);
  const accuracy::TorchPlugin& torch = accuracy::torch_plugin();  // before the fork
  WorkerOptions wo;
  wo.workers = 1;
  const std::vector<Evaluation> done = evaluate_in_workers(
      std::vector<int>{0},
      [&](int) {
        Evaluation ev;
        ev.extra = torch.prepare_vit_supernet(space, o);
        return ev;
      },
      wo);
  if (!done.at(0).feasible()) throw common::InputError("ViT supernet training failed: " + done.at(0).reason);
  supernet_file_ = done.at(0).extra.at("file").get<std::string>();
  fmt::print(stderr, "ViT supernet {} ({}; {:.1f} s training)\n", supernet_file_,
             done.at(0).extra.at("source").get<std::string>(),
             done.at(0).extra.at("train_seconds").get<double>());
#endif
  return supernet_file_;
}

void SearchEvaluator::add_vit_supernet_accuracy(const std::vector<Genome>& genomes,
                                                std::vector<sim::DesignMetrics>& metrics,
                                                std::vector<Evaluation>& evals) const {
#ifndef IMCSIM_HAS_ACCURACY
  (void)genomes, (void)metrics, (void)evals;
#else
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < genomes.size(); ++i)
    if (evals[i].feasible()) todo.push_back(i);
  if (todo.empty()) return;
  const std::string& file = vit_supernet_file();
  const vit_supernet::VitSupernetSpace space = vit_space_of(config_, base_);
  std::stable_sort(todo.begin(), todo.end(), [&](std::size_t a, std::size_t b) {
    return network_key(config_.space, genomes[a]) < network_key(config_.space, genomes[b]);
  });
  const std::size_t workers = std::min(worker_options().workers, todo.size());
  std::vector<std::vector<std::size_t> > jobs(workers);
  for (std::size_t k = 0; k < todo.size(); ++k) jobs[k * workers / todo.size()].push_back(todo[k]);

  const accuracy::AccuracyOptions o = worker_options_of(config_);
  const bool measure = config_.search.activity == ActivitySource::kMeasured;
  const accuracy::TorchPlugin& torch = accuracy::torch_plugin();  // before the workers fork
  auto score_chunk = [&](const std::vector<std::size_t>& job) {
    Evaluation out;
    nlohmann::json results = nlohmann::json::array();
    for (std::size_t i : job) {
      const Design d = decode(genomes[i]);
      const vit_supernet::VitSubnet s = subnet_of(d);
      std::string why;
      if (!space.contains(s, &why)) {
        results.push_back({{"error", "not a subnet of the ViT supernet: " + why}});
        continue;
      }
      accuracy::AccuracyOptions member = o;
      member.measure_activity = measure;
      results.push_back(torch.to_json(torch.evaluate_vit_subnet(d.spec, space, s, file, member)));
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
      for (std::size_t j = 0; j < jobs[k].size(); ++j) {
        const nlohmann::json& r = done[k].extra.at("results").at(j);
        if (!r.contains("error")) measured.emplace_back(jobs[k][j], r.at("input_bit_density"));
      }
  apply_measured_activity(genomes, measured, evals, metrics);

  for (std::size_t k = 0; k < jobs.size(); ++k)
    for (std::size_t j = 0; j < jobs[k].size(); ++j) {
      const std::size_t i = jobs[k][j];
      Evaluation& ev = evals[i];
      const nlohmann::json* r = done[k].feasible() ? &done[k].extra.at("results").at(j) : nullptr;
      if (!r || r->contains("error")) {
        ev.violation = 50.0;
        ev.reason = "accuracy evaluation failed: " + (r ? r->at("error").get<std::string>() : done[k].reason);
        continue;
      }
      if (!ev.feasible()) continue;
      const nlohmann::json figures = accuracy_metrics(*r);
      for (const auto& [key, value] : figures.items()) ev.extra[key] = value;
      ev.extra["train_seconds"] = 0.0;
      ev.extra["from_cache"] = true;
      ev.extra["accuracy_method"] = "supernet";
      ev.fidelity += "+supernet";
      set_objectives(ev, metrics[i], r->at("hardware_accuracy_mean").get<double>());
    }
#endif
}

nlohmann::json SearchEvaluator::final_front_vit_accuracy(const std::vector<Genome>& genomes) const {
  nlohmann::json out = nlohmann::json::array();
#ifdef IMCSIM_HAS_ACCURACY
  const std::string& file = vit_supernet_file();
  const vit_supernet::VitSupernetSpace space = vit_space_of(config_, base_);
  accuracy::AccuracyOptions o = worker_options_of(config_);
  o.test_subset = config_.accuracy.supernet.final_test_subset;
  const accuracy::TorchPlugin& torch = accuracy::torch_plugin();
  auto score_member = [&](const std::size_t& i) {
    Evaluation ev;
    const Design d = decode(genomes[i]);
    const vit_supernet::VitSubnet s = subnet_of(d);
    ev.extra["subnet"] = vit_supernet::to_string(s);
    ev.extra["supernet"] =
        accuracy_metrics(torch.to_json(torch.evaluate_vit_subnet(d.spec, space, s, file, o)));
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
  WorkerOptions wo = worker_options();
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
