// "parego": multi-objective Bayesian optimization by ParEGO (Knowles 2006). Every candidate of a
// generation gets its own random weight vector; the data are scalarized by the augmented Chebyshev
// function under it, a Gaussian process (Eigen) models that scalar, and the candidate is the genome
// of largest expected improvement, found by a small evolutionary search over the gene space.
//
// Kernel: exp(-d^2 / (2 l^2)) with d^2 the sum over free genes of (index difference / (values - 1))^2
// for ordinal genes and [values differ] for categorical ones (OptimizerSetup::categorical). The
// length scale l and the noise are chosen per candidate by marginal likelihood over a small grid
// (the Cholesky factors depend only on the data, so they are computed once per generation).
// Cost bound: the GP sees at most parego.max_points points — feasible ones by Pareto rank, then
// infeasible ones by violation, newest first within a rank — so a generation costs
// O(grid * max_points^3) for the factors plus O(population * acquisition evaluations * max_points^2).
#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "nas/optimizer_batch.h"

namespace imc::nas {

namespace {

// a dominates b (minimization). Not nas::dominates: nas/pareto.cpp links pagmo, which the CLI's
// registry (optimizer.cpp names this factory) must not pull in (tests/cli/test_lean_start.cpp).
bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool better = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    better = better || a[i] < b[i];
  }
  return better;
}

struct DataPoint {
  Genome genome;
  Evaluation evaluation;  // objectives and violation only
};

struct GpFit {
  double length = 1, noise = 1e-6;
  Eigen::LLT<Eigen::MatrixXd> llt;
  double log_det_half = 0;  // sum of log L_ii
};

class ParegoOptimizer final : public BatchOptimizer {
 public:
  explicit ParegoOptimizer(const OptimizerSetup& s) : BatchOptimizer(s, "parego") {
    for (std::size_t k = 0; k < s.cardinalities.size(); ++k)
      if (s.cardinalities[k] > 1) free_.push_back(k);
  }

 protected:
  std::vector<Genome> propose(std::size_t n) override {
    const auto& cfg = setup_.config.parego;
    ObjectiveBounds bounds;
    for (const auto& p : data_)
      if (p.evaluation.feasible()) bounds.update(p.evaluation.objectives);
    const std::vector<std::size_t> used = gp_points(static_cast<std::size_t>(cfg.max_points));
    const std::size_t m = used.size();
    Eigen::MatrixXd d2(m, m);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j <= i; ++j)
        d2(i, j) = d2(j, i) = distance2(data_[used[i]].genome, data_[used[j]].genome);
    std::vector<GpFit> fits = factorize(d2);

    std::set<Genome> taken;  // evaluated or already chosen in this batch
    for (const auto& p : data_) taken.insert(p.genome);
    std::vector<Genome> out;
    for (std::size_t c = 0; c < n; ++c) {
      const std::vector<double> w = random_simplex_weights(setup_.objectives, rng_);
      Eigen::VectorXd y(static_cast<Eigen::Index>(m));
      for (std::size_t i = 0; i < m; ++i)
        y(static_cast<Eigen::Index>(i)) = scalar_cost(data_[used[i]].evaluation, bounds, w, cfg.rho);
      const double mean = y.mean();
      const double sd = std::sqrt((y.array() - mean).square().mean());
      y = (y.array() - mean) / (sd > 0 ? sd : 1.0);
      const GpFit* best_fit = nullptr;
      double best_lml = -INFINITY;
      Eigen::VectorXd alpha;
      for (const auto& f : fits) {
        Eigen::VectorXd a = f.llt.solve(y);
        const double lml = -0.5 * y.dot(a) - f.log_det_half;
        if (lml > best_lml) {
          best_lml = lml;
          best_fit = &f;
          alpha = std::move(a);
        }
      }
      const double y_best = y.minCoeff();
      auto ei = [&](const Genome& g) {
        if (taken.count(g)) return -1.0;
        Eigen::VectorXd k(static_cast<Eigen::Index>(m));
        for (std::size_t i = 0; i < m; ++i)
          k(static_cast<Eigen::Index>(i)) =
              std::exp(-distance2(g, data_[used[i]].genome) / (2 * best_fit->length * best_fit->length));
        const double mu = k.dot(alpha);
        const Eigen::VectorXd v = best_fit->llt.matrixL().solve(k);
        const double sigma = std::sqrt(std::max(1e-12, 1.0 - v.squaredNorm()));
        const double z = (y_best - mu) / sigma;
        const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
        const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
        return (y_best - mu) * cdf + sigma * pdf;
      };
      Genome g = maximize(ei, y, used);
      taken.insert(g);
      out.push_back(std::move(g));
    }
    return out;
  }

  void learn(const std::vector<Genome>& genomes, const std::vector<Evaluation>& evals) override {
    for (std::size_t i = 0; i < genomes.size(); ++i) {
      DataPoint p;
      p.genome = genomes[i];
      p.evaluation.objectives = evals[i].objectives;
      p.evaluation.violation = evals[i].violation;
      data_.push_back(std::move(p));
    }
  }

  nlohmann::json save_state() const override {
    nlohmann::json pts = nlohmann::json::array();
    for (const auto& p : data_) pts.push_back({{"genome", p.genome}, {"evaluation", to_json(p.evaluation)}});
    return {{"data", pts}};
  }

  void load_state(const nlohmann::json& j) override {
    data_.clear();
    for (const auto& p : j.at("data")) {
      DataPoint d;
      d.genome = p.at("genome").get<Genome>();
      check(d.genome);
      d.evaluation = evaluation_from_json(p.at("evaluation"));
      data_.push_back(std::move(d));
    }
  }

 private:
  bool categorical(std::size_t k) const { return k < setup_.categorical.size() && setup_.categorical[k]; }

  double distance2(const Genome& a, const Genome& b) const {
    double s = 0;
    for (auto k : free_) {
      if (categorical(k)) {
        s += a[k] != b[k];
      } else {
        const double d = (a[k] - b[k]) / static_cast<double>(setup_.cardinalities[k] - 1);
        s += d * d;
      }
    }
    return s;
  }

  // Indices into data_ of the points the GP sees (at most `cap`).
  std::vector<std::size_t> gp_points(std::size_t cap) const {
    std::vector<std::size_t> all(data_.size());
    std::iota(all.begin(), all.end(), 0);
    if (data_.size() <= cap) return all;
    std::vector<std::size_t> feasible, infeasible;
    for (auto i : all) (data_[i].evaluation.feasible() ? feasible : infeasible).push_back(i);
    std::vector<std::vector<double>> objs;
    for (auto i : feasible) objs.push_back(data_[i].evaluation.objectives);
    const std::vector<std::size_t> rank = pareto_ranks(objs);
    std::vector<std::size_t> order(feasible.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return rank[a] != rank[b] ? rank[a] < rank[b] : feasible[a] > feasible[b];
    });
    std::vector<std::size_t> out;
    for (auto o : order) out.push_back(feasible[o]);
    std::stable_sort(infeasible.begin(), infeasible.end(), [&](std::size_t a, std::size_t b) {
      const double va = data_[a].evaluation.violation, vb = data_[b].evaluation.violation;
      return va != vb ? va < vb : a > b;
    });
    out.insert(out.end(), infeasible.begin(), infeasible.end());
    out.resize(cap);
    return out;
  }

  static std::vector<std::size_t> pareto_ranks(const std::vector<std::vector<double>>& f) {
    std::vector<std::size_t> rank(f.size(), 0);
    std::vector<bool> done(f.size(), false);
    std::size_t left = f.size();
    for (std::size_t r = 0; left > 0; ++r) {
      std::vector<std::size_t> front;
      for (std::size_t i = 0; i < f.size(); ++i) {
        if (done[i]) continue;
        bool dominated = false;
        for (std::size_t j = 0; j < f.size() && !dominated; ++j)
          dominated = !done[j] && j != i && dominates(f[j], f[i]);
        if (!dominated) front.push_back(i);
      }
      for (auto i : front) {
        rank[i] = r;
        done[i] = true;
      }
      left -= front.size();
    }
    return rank;
  }

  std::vector<GpFit> factorize(const Eigen::MatrixXd& d2) const {
    const double scale = std::sqrt(static_cast<double>(free_.size()));
    std::vector<GpFit> fits;
    for (double c : {0.05, 0.1, 0.2, 0.4, 0.8})
      for (double noise : {1e-6, 1e-3, 1e-1}) {
        GpFit f;
        f.length = c * scale;
        f.noise = noise;
        Eigen::MatrixXd k = (-d2.array() / (2 * f.length * f.length)).exp().matrix();
        k.diagonal().array() += noise;
        f.llt.compute(k);
        if (f.llt.info() != Eigen::Success) continue;
        f.log_det_half = f.llt.matrixLLT().diagonal().array().log().sum();
        fits.push_back(std::move(f));
      }
    if (fits.empty()) throw std::runtime_error("parego: no kernel matrix could be factorized");
    return fits;
  }

  // Evolutionary maximization of `acq` over the genome space, seeded with the best data points
  // (by this candidate's scalarization) and random genomes.
  template <class Acq>
  Genome maximize(const Acq& acq, const Eigen::VectorXd& y, const std::vector<std::size_t>& used) {
    const auto& cfg = setup_.config.parego;
    const auto np = static_cast<std::size_t>(cfg.acquisition_population);
    std::vector<std::size_t> order(used.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return y(static_cast<Eigen::Index>(a)) < y(static_cast<Eigen::Index>(b));
    });
    std::vector<std::pair<double, Genome>> pop;
    for (std::size_t i = 0; i < order.size() && pop.size() < np / 2; ++i) {
      Genome g = data_[used[order[i]]].genome;
      pop.emplace_back(acq(g), std::move(g));
    }
    while (pop.size() < np) {
      Genome g = random_genome();
      pop.emplace_back(acq(g), std::move(g));
    }
    const double p_mut = 1.0 / static_cast<double>(free_.size());
    auto uniform01 = [this] { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; };
    auto tournament = [&]() -> const Genome& {
      const auto& a = pop[rng_() % pop.size()];
      const auto& b = pop[rng_() % pop.size()];
      return a.first >= b.first ? a.second : b.second;
    };
    for (std::int64_t gen = 0; gen < cfg.acquisition_generations; ++gen) {
      std::vector<std::pair<double, Genome>> next = pop;
      for (std::size_t i = 0; i < np; ++i) {
        Genome child = tournament();
        const Genome& other = tournament();
        for (auto k : free_)
          if (rng_() & 1) child[k] = other[k];
        bool mutated = false;
        for (auto k : free_) {
          if (uniform01() >= p_mut) continue;
          mutated = true;
          const auto card = static_cast<int>(setup_.cardinalities[k]);
          if (categorical(k) || uniform01() < 0.3) {
            child[k] = static_cast<int>(rng_() % setup_.cardinalities[k]);
          } else {  // ordinal: a local step of up to 10% of the range
            const int reach = std::max(1, card / 10);
            int step = static_cast<int>(rng_() % static_cast<std::uint64_t>(reach)) + 1;
            child[k] = std::clamp(child[k] + ((rng_() & 1) ? step : -step), 0, card - 1);
          }
        }
        if (!mutated) {
          const auto k = free_[rng_() % free_.size()];
          child[k] = static_cast<int>(rng_() % setup_.cardinalities[k]);
        }
        next.emplace_back(acq(child), std::move(child));
      }
      std::stable_sort(next.begin(), next.end(),
                       [](const auto& a, const auto& b) { return a.first > b.first; });
      pop.clear();
      std::set<Genome> seen;
      for (auto& e : next)
        if (pop.size() < np && seen.insert(e.second).second) pop.push_back(std::move(e));
    }
    if (pop.front().first >= 0) return pop.front().second;
    for (int tries = 0; tries < 1000; ++tries) {  // every genome found was taken: any new one
      Genome g = random_genome();
      if (acq(g) >= 0) return g;
    }
    return pop.front().second;  // (a space nearly exhausted) a repeat is answered from the cache
  }

  std::vector<std::size_t> free_;
  std::vector<DataPoint> data_;
};

}  // namespace

std::unique_ptr<Optimizer> make_parego_optimizer(const OptimizerSetup& setup) {
  return std::make_unique<ParegoOptimizer>(setup);
}

}  // namespace imc::nas
