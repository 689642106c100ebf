// evaluator = "learned": gradient-boosted trees (boosted_trees.h) on design features
// (design_features.h) predicting log energy, log latency and log area, trained once on random designs
// of the space evaluated by the analytical model or SystemC ([estimator] train_source, train_designs)
// and stored beside a JSON file that keys them (space, base chip, mapping, training settings). A file
// built for anything else is rejected; a matching one is reused without training.
#pragma once

#include <array>

#include "nas/predictor/boosted_trees.h"
#include "nas/predictor/hardware_estimator.h"

namespace imc::nas::predictor {

// The designs a learned estimator with these settings trains on (held-out sets exclude them).
std::vector<Genome> training_genomes(const EstimatorContext& ctx);

class LearnedEstimator : public HardwareEstimator {
 public:
  // Loads ctx.file when it exists, else trains on `reference`'s figures and saves.
  LearnedEstimator(EstimatorContext ctx, const ReferenceFigures& reference);

  std::optional<HardwareFigures> estimate(const Genome& genome, const arch::ArchSpec& spec,
                                          const workloads::Graph& graph, std::string& why) override;
  const char* name() const override { return "learned"; }

  std::size_t training_designs() const { return trained_on_; }
  bool loaded_from_file() const { return loaded_; }

 private:
  EstimatorContext ctx_;
  std::array<BoostedTrees, 3> models_;  // log energy_pj, log latency_ns, log area_mm2
  std::size_t trained_on_ = 0;
  bool loaded_ = false;
};

}  // namespace imc::nas::predictor
