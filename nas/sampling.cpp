#include "nas/sampling.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <stdexcept>

namespace imc::nas {

std::vector<Genome> monte_carlo_sample(const OptimizerSetup& setup, std::size_t n, std::uint64_t seed) {
  if (!setup.violation_estimate)
    throw common::InputError(
        "optimizer.sampling = \"monte_carlo\" needs a feasibility estimate (the search loop "
        "provides the space's conditions)");
  std::mt19937_64 rng(seed ^ 0x6d6f6e746563726cULL);  // its own stream: the optimizer's is untouched
  const std::size_t draws =
      n * static_cast<std::size_t>(std::max<std::int64_t>(1, setup.config.monte_carlo.oversample));
  std::vector<std::pair<double, Genome>> keyed;  // (log key, genome)
  std::set<Genome> seen;
  for (std::size_t i = 0; i < draws; ++i) {
    Genome g(setup.cardinalities.size(), 0);
    for (std::size_t k = 0; k < g.size(); ++k)
      if (setup.cardinalities[k] > 1) g[k] = static_cast<int>(rng() % setup.cardinalities[k]);
    const double u = (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
    if (!seen.insert(g).second) continue;
    const double v = setup.violation_estimate(g);
    const double log_weight = -setup.config.monte_carlo.beta * (std::isfinite(v) ? v : 1e6);
    // key = u^(1/weight): the n largest keys are a weighted sample without replacement. In logs:
    // log(u) / weight = log(u) * exp(-log_weight).
    keyed.emplace_back(std::log(u) * std::exp(-log_weight), std::move(g));
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<Genome> out;
  for (std::size_t i = 0; i < keyed.size() && out.size() < n; ++i) out.push_back(keyed[i].second);
  return out;
}

namespace {

class SampledStart final : public Optimizer {
 public:
  SampledStart(const OptimizerSetup& s, std::unique_ptr<Optimizer> inner)
      : setup_(s), inner_(std::move(inner)) {}

  std::string name() const override { return inner_->name(); }
  void hot_start(const std::vector<Genome>& genomes) override {
    if (started_) throw std::logic_error("hot_start() must come before the first ask()");
    hot_ = genomes;
  }
  std::vector<Genome> ask() override {
    if (!started_ && inner_->generation() == 0) {
      const auto np = static_cast<std::size_t>(setup_.config.population);
      std::vector<Genome> first = hot_;
      if (first.size() < np) {
        auto mc =
            monte_carlo_sample(setup_, np - first.size(), static_cast<std::uint64_t>(setup_.config.seed));
        first.insert(first.end(), mc.begin(), mc.end());
      }
      inner_->hot_start(first);
    }
    started_ = true;
    return inner_->ask();
  }
  void tell(const std::vector<Genome>& g, const std::vector<Evaluation>& e) override { inner_->tell(g, e); }
  std::size_t generation() const override { return inner_->generation(); }
  std::vector<Genome> population() const override { return inner_->population(); }
  nlohmann::json save() const override { return inner_->save(); }
  void load(const nlohmann::json& state) override {
    inner_->load(state);
    started_ = true;  // a saved state is past the first population
  }

 private:
  OptimizerSetup setup_;
  std::unique_ptr<Optimizer> inner_;
  std::vector<Genome> hot_;
  bool started_ = false;
};

}  // namespace

std::unique_ptr<Optimizer> with_initial_sampling(const OptimizerSetup& setup,
                                                 std::unique_ptr<Optimizer> inner) {
  if (setup.config.sampling != Sampling::kMonteCarlo) return inner;
  if (!setup.violation_estimate)
    throw common::InputError(
        "optimizer.sampling = \"monte_carlo\" needs a feasibility estimate (the search loop "
        "provides the space's conditions)");
  return std::make_unique<SampledStart>(setup, std::move(inner));
}

}  // namespace imc::nas
