// Shared machinery of the optimizers that ask one population-sized batch per generation and learn
// from it as a whole (parego, reinforce): ask/tell bookkeeping, hot start, the first population,
// genome checks, RNG and state serialization, and the scalarization of objective vectors.
#pragma once

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "nas/optimizer.h"

namespace imc::nas {

class BatchOptimizer : public Optimizer {
 public:
  BatchOptimizer(const OptimizerSetup& setup, std::string name);

  std::string name() const override { return name_; }
  void hot_start(const std::vector<Genome>& genomes) override;
  std::vector<Genome> ask() override;
  void tell(const std::vector<Genome>& genomes, const std::vector<Evaluation>& evaluations) override;
  std::size_t generation() const override { return generation_; }
  std::vector<Genome> population() const override { return last_; }
  nlohmann::json save() const override;
  void load(const nlohmann::json& state) override;

 protected:
  // The next generation's genomes (generation() >= 1; the first is hot start + uniform). Each
  // should be new; duplicates are asked once.
  virtual std::vector<Genome> propose(std::size_t n) = 0;
  // A completed generation: its distinct genomes in ask order with their evaluations.
  virtual void learn(const std::vector<Genome>& genomes, const std::vector<Evaluation>& evaluations) = 0;
  virtual nlohmann::json save_state() const = 0;
  virtual void load_state(const nlohmann::json& state) = 0;

  Genome random_genome();
  std::size_t free_genes() const;
  void check(const Genome& g) const;

  const OptimizerSetup setup_;
  std::mt19937_64 rng_;

 private:
  std::string name_;
  std::size_t generation_ = 0;
  std::vector<Genome> hot_, batch_, last_;
  std::map<Genome, Evaluation> told_;  // the current generation's evaluations so far
};

// Per-objective bounds of the feasible points seen so far, to map objectives onto [0, 1].
struct ObjectiveBounds {
  std::vector<double> lo, hi;
  void update(const std::vector<double>& objectives);
  bool empty() const { return lo.empty(); }
  std::vector<double> normalize(const std::vector<double>& objectives) const;
  nlohmann::json to_json() const;
  static ObjectiveBounds from_json(const nlohmann::json& j);
};

// A weight vector drawn uniformly from the simplex (Dirichlet(1, ..., 1)).
std::vector<double> random_simplex_weights(std::size_t n, std::mt19937_64& rng);

// ParEGO's augmented Chebyshev scalarization of normalized objectives:
// max_i w_i f_i + rho * sum_i w_i f_i (minimized). Every Pareto-optimal point minimizes it for some w.
double augmented_chebyshev(const std::vector<double>& normalized, const std::vector<double>& weights,
                           double rho);

// The scalar cost of an evaluation under weights: the augmented Chebyshev value of a feasible one,
// and for an infeasible one a value above every feasible one's (1 + rho is the feasible maximum
// on [0, 1]) that grows with the violation, so that scalar learners are pulled to feasibility.
double scalar_cost(const Evaluation& e, const ObjectiveBounds& bounds, const std::vector<double>& weights,
                   double rho);

std::string rng_to_string(const std::mt19937_64& rng);
void rng_from_string(std::mt19937_64& rng, const std::string& text);

}  // namespace imc::nas
