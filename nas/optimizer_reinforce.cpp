// "reinforce": a policy-gradient NAS controller (Williams' REINFORCE, as in Zoph & Le's NAS).
//
// The policy: a one-hidden-layer MLP maps a random weight vector w (uniform on the simplex, one per
// sample) to one categorical distribution per free gene (softmax of that gene's logits); a genome
// is drawn gene by gene. Its reward is minus the augmented Chebyshev scalarization of its normalized
// objectives under the same w (infeasible: below every feasible reward, lower with more violation),
// so one controller learns the whole Pareto front, each w steering it to one part of it.
// Update, once per generation: Adam ascent on mean_i A_i log pi(g_i | w_i) + entropy * H(pi), with
// the advantage A_i = r_i - b_i, b_i the mean reward of the generation's other genomes under w_i
// (a per-weight baseline), scaled to unit RMS. The first (uniform or hot-started) population only
// sets the objective normalization: it was not drawn from the policy. Genomes seen before are redrawn.
//
// Why an Eigen MLP with hand-written gradients and not libtorch: the search runs in
// libimcsim_nas.so, which must not map libtorch for hardware-only searches (tests/cli/
// test_lean_start.cpp); a two-layer network needs a dozen lines of backpropagation, runs in
// microseconds per sample, and its weights and Adam moments serialize exactly into checkpoint.json.
// Size: (objectives + 1) x hidden + hidden x (sum of free genes' values) weights.
#include <fmt/format.h>

#include <Eigen/Dense>
#include <cmath>
#include <map>
#include <set>
#include <type_traits>

#include "nas/optimizer_batch.h"

namespace imc::nas {

namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

nlohmann::json vector_json(const VectorXd& v) {
  return std::vector<double>(v.data(), v.data() + v.size());
}
VectorXd vector_from_json(const nlohmann::json& j, Index size, const char* what) {
  auto x = j.get<std::vector<double>>();
  if (static_cast<Index>(x.size()) != size)
    throw common::InputError(
        fmt::format("checkpoint: reinforce {} has {} values, the controller needs {}", what, x.size(), size));
  return Eigen::Map<VectorXd>(x.data(), size);
}

class ReinforceOptimizer final : public BatchOptimizer {
 public:
  explicit ReinforceOptimizer(const OptimizerSetup& s) : BatchOptimizer(s, "reinforce") {
    for (std::size_t k = 0; k < s.cardinalities.size(); ++k)
      if (s.cardinalities[k] > 1) {
        free_.push_back(k);
        offset_.push_back(outputs_);
        outputs_ += static_cast<Index>(s.cardinalities[k]);
      }
    inputs_ = static_cast<Index>(s.objectives) + 1;  // w and a constant 1
    hidden_ = static_cast<Index>(s.config.reinforce.hidden);
    theta_ = VectorXd::Zero(inputs_ * hidden_ + hidden_ + outputs_ * hidden_ + outputs_);
    // W1 ~ N(0, 1 / inputs) (Box-Muller on rng_, the same on every standard library); the output
    // layer starts at zero, i.e. the uniform policy.
    for (Index i = 0; i < inputs_ * hidden_; ++i) {
      const double u1 = (static_cast<double>(rng_() >> 11) + 0.5) * 0x1.0p-53;
      const double u2 = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
      theta_(i) =
          std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2) / std::sqrt(static_cast<double>(inputs_));
    }
    m_ = v_ = VectorXd::Zero(theta_.size());
  }

 protected:
  std::vector<Genome> propose(std::size_t n) override {
    std::vector<Genome> out;
    for (std::size_t i = 0; i < n; ++i) {
      const std::vector<double> w = random_simplex_weights(setup_.objectives, rng_);
      const Forward f = forward(w);
      // A genome evaluated before (or drawn already in this generation) would cost budget and
      // teach nothing new: redraw it, up to kRedraws times (NAS controllers do the same; it biases
      // the gradient slightly toward unexplored genomes).
      constexpr int kRedraws = 20;
      Genome g;
      for (int t = 0; t <= kRedraws; ++t) {
        g = draw(f);
        if (!seen_.count(g) && !weights_of_.count(g)) break;
      }
      if (!weights_of_.count(g)) weights_of_[g] = w;  // a duplicate is asked once: learn its first w
      out.push_back(std::move(g));
    }
    return out;
  }

  void learn(const std::vector<Genome>& genomes, const std::vector<Evaluation>& evals) override {
    const auto& cfg = setup_.config.reinforce;
    seen_.insert(genomes.begin(), genomes.end());
    for (const auto& e : evals)
      if (e.feasible()) bounds_.update(e.objectives);
    std::vector<std::vector<double>> ws;
    for (const auto& g : genomes) {
      auto it = weights_of_.find(g);
      ws.push_back(it != weights_of_.end() ? it->second : random_simplex_weights(setup_.objectives, rng_));
    }
    const bool on_policy = !weights_of_.empty();
    weights_of_.clear();
    const std::size_t n = genomes.size();
    if (!on_policy || n < 2) return;
    // Baseline of sample i: the mean reward of the generation's other genomes under i's own weights
    // (leave-one-out, so it does not depend on i's action). A baseline shared by all samples would
    // mix up "a good genome" with "weights that make every reward high".
    VectorXd advantage(static_cast<Index>(n));
    for (std::size_t i = 0; i < n; ++i) {
      const double r = -scalar_cost(evals[i], bounds_, ws[i], cfg.rho);
      double others = 0;
      for (std::size_t j = 0; j < n; ++j)
        if (j != i) others -= scalar_cost(evals[j], bounds_, ws[i], cfg.rho);
      advantage(static_cast<Index>(i)) = r - others / static_cast<double>(n - 1);
    }
    const double sd = std::sqrt(advantage.squaredNorm() / static_cast<double>(n));
    if (sd > 1e-12) advantage /= sd;
    VectorXd grad = VectorXd::Zero(theta_.size());
    for (std::size_t i = 0; i < n; ++i)
      accumulate_gradient(ws[i], genomes[i], advantage(static_cast<Index>(i)) / static_cast<double>(n),
                          cfg.entropy / static_cast<double>(n), grad);
    adam_ascent(grad);
  }

  nlohmann::json save_state() const override {
    return {{"theta", vector_json(theta_)}, {"adam_m", vector_json(m_)},   {"adam_v", vector_json(v_)},
            {"adam_steps", steps_},         {"bounds", bounds_.to_json()}, {"seen", seen_}};
  }

  void load_state(const nlohmann::json& j) override {
    theta_ = vector_from_json(j.at("theta"), theta_.size(), "theta");
    m_ = vector_from_json(j.at("adam_m"), theta_.size(), "adam_m");
    v_ = vector_from_json(j.at("adam_v"), theta_.size(), "adam_v");
    steps_ = j.at("adam_steps").get<std::int64_t>();
    bounds_ = ObjectiveBounds::from_json(j.at("bounds"));
    seen_ = j.at("seen").get<std::set<Genome>>();
    weights_of_.clear();
  }

 private:
  struct Forward {
    VectorXd input, hidden, logits;
  };

  // Views of the flat parameter vector: W1 (hidden x inputs), b1, W2 (outputs x hidden), b2.
  template <class V>
  auto w1(V& t) const {
    return Eigen::Map<std::conditional_t<std::is_const_v<V>, const MatrixXd, MatrixXd>>(t.data(), hidden_,
                                                                                        inputs_);
  }
  template <class V>
  auto b1(V& t) const {
    return t.segment(inputs_ * hidden_, hidden_);
  }
  template <class V>
  auto w2(V& t) const {
    return Eigen::Map<std::conditional_t<std::is_const_v<V>, const MatrixXd, MatrixXd>>(
        t.data() + inputs_ * hidden_ + hidden_, outputs_, hidden_);
  }
  template <class V>
  auto b2(V& t) const {
    return t.segment(inputs_ * hidden_ + hidden_ + outputs_ * hidden_, outputs_);
  }

  Forward forward(const std::vector<double>& w) const {
    Forward f;
    f.input = VectorXd::Ones(inputs_);
    for (std::size_t i = 0; i < w.size(); ++i) f.input(static_cast<Index>(i)) = w[i];
    f.hidden = (w1(theta_) * f.input + b1(theta_)).array().tanh();
    f.logits = w2(theta_) * f.hidden + b2(theta_);
    return f;
  }

  Genome draw(const Forward& f) {
    Genome g(setup_.cardinalities.size(), 0);
    for (std::size_t j = 0; j < free_.size(); ++j) {
      const VectorXd p = probabilities(f, j);
      double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
      Index a = 0;
      while (a + 1 < p.size() && u >= p(a)) u -= p(a++);
      g[free_[j]] = static_cast<int>(a);
    }
    return g;
  }

  VectorXd probabilities(const Forward& f, std::size_t j) const {
    const Index n = static_cast<Index>(setup_.cardinalities[free_[j]]);
    VectorXd z = f.logits.segment(offset_[j], n);
    z.array() -= z.maxCoeff();
    z = z.array().exp();
    return z / z.sum();
  }

  // grad += d/dtheta [ advantage * log pi(g | w) + entropy_weight * sum_j H(pi_j(. | w)) ].
  void accumulate_gradient(const std::vector<double>& w, const Genome& g, double advantage,
                           double entropy_weight, VectorXd& grad) const {
    const Forward f = forward(w);
    VectorXd g_logits = VectorXd::Zero(outputs_);
    for (std::size_t j = 0; j < free_.size(); ++j) {
      const VectorXd p = probabilities(f, j);
      const VectorXd logp = p.array().max(1e-300).log();
      const double h = -(p.array() * logp.array()).sum();
      // d log p_a / d z = onehot(a) - p;  d H / d z = -p (log p + H).
      VectorXd d = -advantage * p - entropy_weight * (p.array() * (logp.array() + h)).matrix();
      d(g[free_[j]]) += advantage;
      g_logits.segment(offset_[j], p.size()) = d;
    }
    w2(grad) += g_logits * f.hidden.transpose();
    b2(grad) += g_logits;
    const VectorXd g_pre = (w2(theta_).transpose() * g_logits).array() * (1 - f.hidden.array().square());
    w1(grad) += g_pre * f.input.transpose();
    b1(grad) += g_pre;
  }

  void adam_ascent(const VectorXd& grad) {
    constexpr double kB1 = 0.9, kB2 = 0.999, kEps = 1e-8;
    ++steps_;
    m_ = kB1 * m_ + (1 - kB1) * grad;
    v_ = kB2 * v_ + (1 - kB2) * grad.cwiseAbs2();
    const double c1 = 1 - std::pow(kB1, static_cast<double>(steps_));
    const double c2 = 1 - std::pow(kB2, static_cast<double>(steps_));
    theta_.array() +=
        setup_.config.reinforce.learning_rate * (m_.array() / c1) / ((v_.array() / c2).sqrt() + kEps);
  }

  std::vector<std::size_t> free_;
  std::vector<Index> offset_;
  Index inputs_ = 0, hidden_ = 0, outputs_ = 0;
  VectorXd theta_, m_, v_;
  std::int64_t steps_ = 0;
  ObjectiveBounds bounds_;
  std::set<Genome> seen_;                             // every genome learned from
  std::map<Genome, std::vector<double>> weights_of_;  // this generation's samples -> their w
};

}  // namespace

std::unique_ptr<Optimizer> make_reinforce_optimizer(const OptimizerSetup& setup) {
  return std::make_unique<ReinforceOptimizer>(setup);
}

}  // namespace imc::nas
