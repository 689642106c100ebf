// The search's evaluator: genome -> (ArchSpec, Graph) -> analytical report for every candidate,
// constraints, then hardware-aware accuracy (proxy training, cached per network, and inference
// through the candidate's crossbars) for the candidates that are otherwise feasible.
//
// Training runs in forked worker processes (one per network in a batch, one torch thread each, so
// results do not depend on how many run at once); the parent never touches libtorch, which keeps
// fork() safe. Trained weights are shared between candidates and runs through the weight cache.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arch/spec.h"
#include "mapping/mapping.h"
#include "nas/decode_vit.h"
#include "nas/optimizer.h"
#include "nas/predictor/accuracy_prescreen.h"
#include "nas/predictor/hardware_estimator.h"
#include "nas/search/config.h"
#include "nas/workers.h"
#include "sim/analytical/estimate.h"
#include "workloads/family.h"
#include "workloads/graph.h"

namespace imc::nas::search {

struct Design {
  Genome genome;  // what it was decoded from
  arch::ArchSpec spec;
  workloads::CnnFamilyParams params;  // family kCnn
  workloads::VitFamilyParams vit;     // family kVit (nas/decode_vit.h)
  NetworkFamily family = NetworkFamily::kCnn;
  workloads::Graph graph;
  std::string network_key;  // network genes only
};

class SearchEvaluator {
 public:
  explicit SearchEvaluator(const SearchConfig& config);

  // Throws DecodeError when the genome is no valid design.
  Design decode(const Genome& genome) const;
  // Cache key: a hash of the decoded design (the chip's every parameter and the network's), so that
  // genomes decoding to the same design share one evaluation. Undecodable genomes: their gene text.
  std::string key(const Genome& genome) const;
  mapping::MappingOptions mapping_options() const;

  std::vector<Evaluation> operator()(const std::vector<Genome>& genomes) const;

  // [accuracy] method = "supernet", the final front (supernet_accuracy.cpp): each genome's
  // hardware-aware accuracy from inherited weights on final_test_subset test images, and, when
  // configured, after fine-tuning and after stand-alone training; one JSON object per genome.
  nlohmann::json final_front_accuracy(const std::vector<Genome>& genomes) const;

  // The analytical half alone (objectives without accuracy; accuracy columns left 0). `metrics`
  // (optional) receives the design's figures when it is evaluated.
  Evaluation evaluate_hardware(const Genome& genome, sim::DesignMetrics* metrics = nullptr) const;
  // The same for a decoded design (its graph may carry measured activity), analytical model.
  Evaluation evaluate_design(const Design& d, sim::DesignMetrics* metrics = nullptr) const;
  // The hardware half of genomes with the model `kind` (not necessarily the config's evaluator):
  // what `imcsim estimators` compares.
  std::vector<Evaluation> evaluate_hardware_with(const std::vector<Genome>& genomes,
                                                 EvaluatorKind kind) const;
  // What the lut / learned estimators are built from (their file: the config's, or in the cache).
  predictor::EstimatorContext estimator_context(EvaluatorKind kind) const;
  // The lut / learned estimator (built, trained or loaded on first use); persists its table on save().
  predictor::HardwareEstimator& estimator(EvaluatorKind kind) const;
  // With [estimator] prescreen_warmup > 0 and the accuracy objective: the run directory whose
  // accuracy_predictor.csv receives one row per evaluated batch ("" = none).
  void set_run_dir(const std::string& dir) const;
  const predictor::AccuracyPrescreen* prescreen() const { return prescreen_.get(); }

 private:
  // The constraints and figures of a design from a report of either model.
  Evaluation judge(const Design& d, const sim::Report& r, int reload_groups, const char* fidelity,
                   sim::DesignMetrics* metrics) const;
  // Figures of decoded designs into evals[at[k]] / metrics[at[k]]: the analytical model here, or a
  // SystemC run per design in forked workers (evaluator = "systemc").
  void hardware_figures(const std::vector<Design>& designs, const std::vector<std::size_t>& at,
                        std::vector<Evaluation>& evals, std::vector<sim::DesignMetrics>& metrics) const {
    hardware_figures(designs, at, evals, metrics, config_.search.evaluator);
  }
  void hardware_figures(const std::vector<Design>& designs, const std::vector<std::size_t>& at,
                        std::vector<Evaluation>& evals, std::vector<sim::DesignMetrics>& metrics,
                        EvaluatorKind kind) const;
  // Figures of designs from the lut / learned estimator.
  Evaluation estimated(const Design& d, EvaluatorKind kind, sim::DesignMetrics* metrics) const;
  // Re-evaluates trained candidates with their network's measured input bit densities (layer name ->
  // per-bit densities, from accuracy::to_json); updates their hardware figures and metrics.
  void apply_measured_activity(const std::vector<Genome>& genomes,
                               const std::vector<std::pair<std::size_t, nlohmann::json>>& measured,
                               std::vector<Evaluation>& evals,
                               std::vector<sim::DesignMetrics>& metrics) const;
  // Decodes each genome; the decodable ones go to designs (at = their positions), the others become
  // "invalid design" infeasibles in evals.
  void decode_all(const std::vector<Genome>& genomes, std::vector<Design>& designs,
                  std::vector<std::size_t>& at, std::vector<Evaluation>& evals) const;
  void add_accuracy(const std::vector<Genome>& genomes, std::vector<sim::DesignMetrics>& metrics,
                    std::vector<Evaluation>& evals) const;
  // The worker pool of SystemC runs and training groups: search.workers processes (0 = one per
  // core), one job per process, a failed job makes its candidates infeasible.
  WorkerOptions worker_options() const;
  // method = "supernet": the candidates' subnets scored in worker processes, one chunk each.
  void add_supernet_accuracy(const std::vector<Genome>& genomes, std::vector<sim::DesignMetrics>& metrics,
                             std::vector<Evaluation>& evals) const;
  // The trained supernet's file: found or trained (in a worker process) on first use.
  const std::string& supernet_file() const;
  // The optimizer's values (nas/search/formulation.h) from a design's figures and accuracy.
  void set_objectives(Evaluation& ev, const sim::DesignMetrics& m, double hardware_accuracy) const;

  const SearchConfig& config_;
  arch::ArchSpec base_;
  std::string tech_dir_;
  workloads::CnnFamilyParams network_defaults_;
  mutable std::unique_ptr<predictor::HardwareEstimator> lut_, learned_;
  // The accuracy pre-screen between the hardware figures and training (operator()).
  mutable std::unique_ptr<predictor::AccuracyPrescreen> prescreen_;
  // The pre-screen's half of operator(): marks the screened-out candidates (before training), then
  // hands the measured accuracies to it (after).
  void screen(const std::vector<Genome>& genomes, std::vector<Evaluation>& evals) const;
  void learn_accuracies(const std::vector<Genome>& genomes, const std::vector<Evaluation>& evals) const;
  mutable std::string supernet_file_;  // method = supernet, set by supernet_file()
  // method = supernet: scorings by subnet and functional chip (supernet_accuracy.cpp), for the run.
  mutable std::map<std::string, nlohmann::json> accuracy_memo_;
};

// The fields of a chip the functional model (sim/functional) reads, as a key: two chips with the same
// key give a network the same hardware-aware accuracy.
std::string functional_chip_key(const arch::ArchSpec& spec);

// What candidates share one trained network: the network's genes and the quantization bits.
struct NetworkIdentity {
  workloads::CnnFamilyParams params;
  int weight_bits = 0;
  int input_bits = 0;
  std::string vit;  // a ViT's parameters (workloads::to_string); "" for a CNN
  bool operator<(const NetworkIdentity& o) const;
};

}  // namespace imc::nas::search
