// "random": uniform random sampling of the genome space, one population-sized batch per
// generation. The baseline every real optimizer must beat.
#include <fmt/format.h>

#include <random>
#include <set>
#include <sstream>

#include "nas/optimizer.h"

namespace imc::nas {

namespace {

class RandomOptimizer final : public Optimizer {
 public:
  explicit RandomOptimizer(const OptimizerSetup& s)
      : setup_(s), rng_(static_cast<std::uint64_t>(s.config.seed)) {}

  std::string name() const override { return "random"; }

  void hot_start(const std::vector<Genome>& genomes) override {
    if (generation_ > 0 || !pending_.empty())
      throw std::logic_error("hot_start() must come before the first ask()");
    for (const auto& g : genomes) check(g);
    hot_ = genomes;
  }

  std::vector<Genome> ask() override {
    if (batch_.empty()) {
      const auto np = static_cast<std::size_t>(setup_.config.population);
      if (generation_ == 0)
        for (std::size_t i = 0; i < hot_.size() && batch_.size() < np; ++i) batch_.push_back(hot_[i]);
      while (batch_.size() < np) {
        Genome g(setup_.cardinalities.size(), 0);
        for (std::size_t k = 0; k < g.size(); ++k)
          if (setup_.cardinalities[k] > 1) g[k] = static_cast<int>(rng_() % setup_.cardinalities[k]);
        batch_.push_back(std::move(g));
      }
      pending_ = std::set<Genome>(batch_.begin(), batch_.end());
    }
    std::vector<Genome> out;  // batch order, each pending genome once
    std::set<Genome> seen;
    for (const auto& g : batch_)
      if (pending_.count(g) && seen.insert(g).second) out.push_back(g);
    return out;
  }

  void tell(const std::vector<Genome>& genomes, const std::vector<Evaluation>& evals) override {
    if (genomes.size() != evals.size())
      throw std::invalid_argument(
          fmt::format("tell(): {} genomes but {} evaluations", genomes.size(), evals.size()));
    for (const auto& g : genomes) {
      check(g);
      pending_.erase(g);
    }
    if (!batch_.empty() && pending_.empty()) {
      last_ = std::move(batch_);
      batch_.clear();
      ++generation_;
    }
  }

  std::size_t generation() const override { return generation_; }
  std::vector<Genome> population() const override { return last_; }

  nlohmann::json save() const override {
    if (!batch_.empty()) throw std::logic_error("optimizer state can only be saved between generations");
    std::ostringstream rng;
    rng << rng_;
    return {{"name", "random"},
            {"generation", generation_},
            {"rng", rng.str()},
            {"hot_start", hot_},
            {"last", last_}};
  }

  void load(const nlohmann::json& j) override {
    if (j.at("name").get<std::string>() != "random")
      throw common::InputError(fmt::format("checkpoint holds optimizer '{}', the run uses 'random'",
                                           j.at("name").get<std::string>()));
    generation_ = j.at("generation").get<std::size_t>();
    std::istringstream(j.at("rng").get<std::string>()) >> rng_;
    hot_ = j.at("hot_start").get<std::vector<Genome>>();
    last_ = j.at("last").get<std::vector<Genome>>();
    batch_.clear();
    pending_.clear();
  }

 private:
  void check(const Genome& g) const { check_genome(setup_.cardinalities, g); }

  OptimizerSetup setup_;
  std::mt19937_64 rng_;
  std::size_t generation_ = 0;
  std::vector<Genome> hot_, batch_, last_;
  std::set<Genome> pending_;
};

}  // namespace

std::unique_ptr<Optimizer> make_random_optimizer(const OptimizerSetup& setup) {
  return std::make_unique<RandomOptimizer>(setup);
}

}  // namespace imc::nas
