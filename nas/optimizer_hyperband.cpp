// "hyperband": successive halving / Hyperband over the training budget, as a scheduler around any
// other optimizer (the sampler, [optimizer.hyperband] sampler).
//
// A bracket s (0 <= s <= s_max, s_max = floor(log_eta(1 / min_budget))) has rungs i = 0..s. Rung 0
// is one generation of the sampler (its `population` candidates) evaluated at the budget
// eta^-s of the full one; at the end of rung i the best floor(n_i / eta) (at least 1) of its n_i
// candidates are promoted to rung i + 1 at eta times the budget, so rung s runs at the full budget.
// brackets = "hyperband" cycles s = s_max, s_max - 1, ..., 0 (the last is the sampler at full
// budget); "successive_halving" repeats s = s_max. Unlike Li et al.'s Hyperband every bracket starts
// from `population` candidates (the sampler's generation size is fixed), so the brackets cost
// different budgets.
//
// Each rung is one generation of this optimizer (the loop checkpoints between rungs): the state is
// the bracket counter, the current bracket and rung, the candidates promoted into it, and the
// sampler's own state. The sampler learns only its rung-0 evaluations (the low-budget ones).
//
// Ranking for promotion: feasible before infeasible; feasible ones by Pareto rank (non-dominated
// sorting), then by the sum of objectives normalized over the rung, then ask order; infeasible ones
// by violation.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include "nas/optimizer.h"

namespace imc::nas {

namespace {

class HyperbandOptimizer final : public Optimizer {
 public:
  explicit HyperbandOptimizer(const OptimizerSetup& setup) : config_(setup.config.hyperband) {
    if (config_.sampler == "hyperband")
      throw common::InputError("optimizer.hyperband.sampler: \"hyperband\" cannot sample for itself");
    OptimizerSetup inner = setup;
    inner.config.name = config_.sampler;
    // Monte Carlo sampling wraps this scheduler (make_optimizer) and reaches the sampler through
    // hot_start(); wrapping the sampler too would draw the first population twice.
    inner.config.sampling = Sampling::kUniform;
    if (!setup.make_inner) throw std::logic_error("hyperband: built outside make_optimizer (no make_inner)");
    sampler_ = setup.make_inner(inner);
    const double levels = std::log(1.0 / config_.min_budget) / std::log(config_.eta);
    s_max_ = static_cast<int>(std::floor(levels + 1e-9));
    if (s_max_ < 1)
      throw common::InputError(
          fmt::format("optimizer.hyperband.min_budget: {} leaves no rung below the full budget with eta = {}",
                      config_.min_budget, config_.eta));
    start_bracket();
  }

  std::string name() const override { return "hyperband"; }
  void hot_start(const std::vector<Genome>& genomes) override { sampler_->hot_start(genomes); }

  std::vector<Genome> ask() override {
    if (rung_ == 0) return sampler_->ask();
    std::vector<Genome> out;
    for (const auto& g : promoted_)
      if (!told_.count(g)) out.push_back(g);
    return out;
  }

  void tell(const std::vector<Genome>& genomes, const std::vector<Evaluation>& evals) override {
    if (genomes.size() != evals.size())
      throw std::invalid_argument(
          fmt::format("tell(): {} genomes but {} evaluations", genomes.size(), evals.size()));
    for (std::size_t i = 0; i < genomes.size(); ++i) {
      if (rung_ > 0 && std::find(promoted_.begin(), promoted_.end(), genomes[i]) == promoted_.end())
        throw std::invalid_argument("tell(): a genome that was not asked");
      if (told_.emplace(genomes[i], evals[i]).second) order_.push_back(genomes[i]);
    }
    bool complete = false;
    if (rung_ == 0) {
      const std::size_t before = sampler_->generation();
      sampler_->tell(genomes, evals);
      complete = sampler_->generation() > before;
    } else {
      complete =
          std::all_of(promoted_.begin(), promoted_.end(), [&](const Genome& g) { return told_.count(g); });
    }
    if (complete) end_rung();
  }

  double budget() const override { return std::pow(config_.eta, static_cast<double>(rung_ - s_)); }
  std::size_t generation() const override { return generation_; }
  std::vector<Genome> population() const override { return last_; }

  nlohmann::json save() const override {
    if (!told_.empty()) throw std::logic_error("optimizer state can only be saved between generations");
    return {{"name", "hyperband"},
            {"generation", generation_},
            {"brackets_started", brackets_started_},
            {"bracket", s_},
            {"rung", rung_},
            {"promoted", promoted_},
            {"last", last_},
            {"sampler", sampler_->save()}};
  }

  void load(const nlohmann::json& j) override {
    if (j.at("name").get<std::string>() != "hyperband")
      throw common::InputError(fmt::format("checkpoint holds optimizer '{}', the run uses 'hyperband'",
                                           j.at("name").get<std::string>()));
    generation_ = j.at("generation").get<std::size_t>();
    brackets_started_ = j.at("brackets_started").get<std::size_t>();
    s_ = j.at("bracket").get<int>();
    rung_ = j.at("rung").get<int>();
    if (s_ < 0 || s_ > s_max_ || rung_ < 0 || rung_ > s_)
      throw std::runtime_error(fmt::format(
          "hyperband state: bracket {} rung {} outside the schedule (s_max {})", s_, rung_, s_max_));
    promoted_ = j.at("promoted").get<std::vector<Genome>>();
    last_ = j.at("last").get<std::vector<Genome>>();
    told_.clear();
    order_.clear();
    sampler_->load(j.at("sampler"));
  }

 private:
  void start_bracket() {
    s_ = config_.successive_halving ? s_max_ : s_max_ - static_cast<int>(brackets_started_ % (s_max_ + 1));
    ++brackets_started_;
    rung_ = 0;
    promoted_.clear();
  }

  void end_rung() {
    std::vector<Evaluation> evals;
    for (const auto& g : order_) evals.push_back(told_.at(g));
    last_ = order_;
    ++generation_;
    if (rung_ == s_) {
      start_bracket();
    } else {
      const std::vector<std::size_t> ranked = rank(evals);
      const auto keep = std::max<std::size_t>(
          1, static_cast<std::size_t>(std::floor(static_cast<double>(order_.size()) / config_.eta)));
      promoted_.clear();
      for (std::size_t k = 0; k < keep && k < ranked.size(); ++k) promoted_.push_back(order_[ranked[k]]);
      ++rung_;
    }
    told_.clear();
    order_.clear();
  }

  // Indices of `evals`, best first (see the file comment).
  static std::vector<std::size_t> rank(const std::vector<Evaluation>& evals) {
    std::vector<std::size_t> feasible, infeasible;
    for (std::size_t i = 0; i < evals.size(); ++i) (evals[i].feasible() ? feasible : infeasible).push_back(i);
    // Pareto rank by repeated front peeling (rungs are small: O(n^2) per front is fine). Written
    // here rather than with nas/pareto.h, which links pagmo2 (see make_inner in nas/optimizer.h).
    auto dominates = [&](std::size_t a, std::size_t b) {
      bool strictly = false;
      for (std::size_t o = 0; o < evals[a].objectives.size(); ++o) {
        if (evals[a].objectives[o] > evals[b].objectives[o]) return false;
        strictly |= evals[a].objectives[o] < evals[b].objectives[o];
      }
      return strictly;
    };
    std::vector<std::size_t> pareto_rank(evals.size(), 0);
    std::vector<std::size_t> left = feasible;
    for (std::size_t r = 0; !left.empty(); ++r) {
      std::vector<std::size_t> rest;
      std::vector<std::size_t> front;
      for (auto i : left) {
        const bool dominated =
            std::any_of(left.begin(), left.end(), [&](std::size_t j) { return dominates(j, i); });
        (dominated ? rest : front).push_back(i);
      }
      for (auto i : front) pareto_rank[i] = r;
      left = std::move(rest);
    }
    std::vector<double> normalized_sum(evals.size(), 0.0);
    if (!feasible.empty()) {
      const std::size_t m = evals[feasible.front()].objectives.size();
      for (std::size_t o = 0; o < m; ++o) {
        double lo = INFINITY, hi = -INFINITY;
        for (auto i : feasible)
          lo = std::min(lo, evals[i].objectives[o]), hi = std::max(hi, evals[i].objectives[o]);
        for (auto i : feasible)
          normalized_sum[i] += hi > lo ? (evals[i].objectives[o] - lo) / (hi - lo) : 0.0;
      }
    }
    std::stable_sort(feasible.begin(), feasible.end(), [&](std::size_t a, std::size_t b) {
      if (pareto_rank[a] != pareto_rank[b]) return pareto_rank[a] < pareto_rank[b];
      return normalized_sum[a] < normalized_sum[b];
    });
    std::stable_sort(infeasible.begin(), infeasible.end(),
                     [&](std::size_t a, std::size_t b) { return evals[a].violation < evals[b].violation; });
    feasible.insert(feasible.end(), infeasible.begin(), infeasible.end());
    return feasible;
  }

  const OptimizerConfig::Hyperband config_;
  std::unique_ptr<Optimizer> sampler_;
  int s_max_ = 1;
  int s_ = 0;     // the current bracket: its rung 0 runs at eta^-s of the full budget
  int rung_ = 0;  // the current rung of that bracket
  std::size_t brackets_started_ = 0;
  std::size_t generation_ = 0;         // completed rungs
  std::vector<Genome> promoted_;       // the current rung's candidates when rung_ > 0
  std::vector<Genome> last_;           // the last completed rung's candidates
  std::map<Genome, Evaluation> told_;  // the current rung's evaluations so far
  std::vector<Genome> order_;          // their genomes in the order first told
};

}  // namespace

std::unique_ptr<Optimizer> make_hyperband_optimizer(const OptimizerSetup& setup) {
  return std::make_unique<HyperbandOptimizer>(setup);
}

}  // namespace imc::nas
