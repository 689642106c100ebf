#include "nas/differentiable/relaxation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace imc::nas::differentiable {

namespace {

// The flattened outer product of the genes' probabilities: entry s = prod_g p_g(s_g), the first gene
// varying slowest (ArchSpace numbering).
torch::Tensor joint_probabilities(const std::vector<torch::Tensor>& alpha) {
  torch::Tensor joint = torch::ones({1}, torch::kFloat64);
  for (const torch::Tensor& a : alpha) {
    const torch::Tensor p = torch::softmax(a.to(torch::kFloat64), 0);
    joint = (joint.unsqueeze(1) * p.unsqueeze(0)).reshape({-1});
  }
  return joint;
}

std::vector<double> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace

torch::Tensor expected_cost(const std::vector<torch::Tensor>& alpha, const std::vector<double>& cost) {
  const torch::Tensor joint = joint_probabilities(alpha);
  if (joint.numel() != std::int64_t(cost.size()))
    throw std::invalid_argument("expected_cost: the cost table does not match the network genes");
  const torch::Tensor c = torch::tensor(cost, torch::kFloat64);
  return (joint * c).sum();
}

std::vector<int> most_probable(const std::vector<torch::Tensor>& alpha, const ArchSpace& arch,
                               const std::vector<bool>& allowed) {
  const std::vector<double> joint = to_vector(joint_probabilities(alpha));
  std::size_t best = joint.size();
  for (std::size_t s = 0; s < joint.size(); ++s) {
    if (!allowed.empty() && !allowed[s]) continue;
    if (best == joint.size() || joint[s] > joint[best]) best = s;
  }
  return arch.choice_of(best == joint.size() ? 0 : best);
}

InnerResult inner_search(const ArchSpace& arch, const NetworkForward& forward, const WeightStep& weight_step,
                         const torch::Tensor& images, const torch::Tensor& labels,
                         const std::vector<double>& cost, const std::vector<bool>& feasible,
                         const DifferentiableOptions& o, std::uint64_t seed,
                         const std::vector<std::vector<double>>& alpha0) {
  const std::size_t genes = arch.choices.size();
  std::vector<torch::Tensor> alpha;
  for (std::size_t g = 0; g < genes; ++g) {
    torch::Tensor a = alpha0.empty() ? torch::zeros({std::int64_t(arch.choices[g])}, torch::kFloat64)
                                     : torch::tensor(alpha0.at(g), torch::kFloat64);
    alpha.push_back(a.set_requires_grad(true));
  }
  torch::optim::Adam adam(alpha, torch::optim::AdamOptions(o.arch_learning_rate));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(1e-12, 1.0);

  // With weight steps the images are split: architecture batches from the first half, weight batches from
  // the second (DARTS' validation / training split).
  const std::int64_t n = images.size(0);
  const std::int64_t arch_n = weight_step ? std::max<std::int64_t>(1, n / 2) : n;
  const std::int64_t batch = std::min<std::int64_t>(o.batch_size, arch_n);
  auto slice = [&](std::int64_t first, std::int64_t count, std::int64_t lo, std::int64_t span) {
    std::vector<std::int64_t> idx;
    for (std::int64_t k = 0; k < count; ++k) idx.push_back(lo + (first + k) % span);
    const torch::Tensor at = torch::tensor(idx, torch::kInt64);
    return std::make_pair(images.index_select(0, at), labels.index_select(0, at));
  };

  InnerResult r;
  const std::int64_t steps = o.inner_steps;
  for (std::int64_t t = 0; t < steps; ++t) {
    const double frac = steps > 1 ? double(t) / double(steps - 1) : 1.0;
    const double tau = o.tau_start * std::pow(o.tau_end / o.tau_start, frac);
    const auto [x, y] = slice(t * batch, batch, 0, arch_n);

    // Gumbel noise for every choice; the hard sample is argmax(alpha + G) per gene.
    std::vector<torch::Tensor> noisy;
    std::vector<int> sample(genes);
    for (std::size_t g = 0; g < genes; ++g) {
      std::vector<double> gumbel(arch.choices[g]);
      for (double& v : gumbel) v = -std::log(-std::log(uniform(rng)));
      noisy.push_back(alpha[g] + torch::tensor(gumbel, torch::kFloat64));
      sample[g] = int(noisy[g].argmax().item<std::int64_t>());
    }
    std::map<std::vector<int>, torch::Tensor> outputs;  // one forward per network of this step
    auto output_of = [&](const std::vector<int>& choice) -> const torch::Tensor& {
      auto it = outputs.find(choice);
      if (it == outputs.end()) it = outputs.emplace(choice, forward(x, choice).to(torch::kFloat64)).first;
      return it->second;
    };
    torch::Tensor ce = torch::zeros({}, torch::kFloat64);
    int mixed = 0;
    for (std::size_t g = 0; g < genes; ++g) {
      if (arch.choices[g] < 2) continue;
      const torch::Tensor w = torch::softmax(noisy[g] / tau, 0);
      torch::Tensor logits;
      for (std::size_t j = 0; j < arch.choices[g]; ++j) {
        std::vector<int> c = sample;
        c[g] = int(j);
        const torch::Tensor term = w[std::int64_t(j)] * output_of(c);
        logits = logits.defined() ? logits + term : term;
      }
      ce = ce + torch::nn::functional::cross_entropy(logits, y);
      ++mixed;
    }
    ce = ce / std::max(1, mixed);
    const torch::Tensor hardware = expected_cost(alpha, cost);
    const torch::Tensor loss = ce + o.lambda * hardware;
    adam.zero_grad();
    loss.backward();
    adam.step();
    r.loss.push_back(loss.item<double>());

    if (weight_step)
      for (std::int64_t k = 0; k < o.weight_steps; ++k) {
        const auto [wx, wy] =
            slice((t * o.weight_steps + k) * batch, batch, arch_n, std::max<std::int64_t>(1, n - arch_n));
        weight_step(wx, wy, sample);
      }
  }
  torch::NoGradGuard no_grad;
  r.expected_cost = expected_cost(alpha, cost).item<double>();
  r.choice = most_probable(alpha, arch, feasible);
  for (const torch::Tensor& a : alpha) {
    r.logits.push_back(to_vector(a));
    r.probabilities.push_back(to_vector(torch::softmax(a, 0)));
  }
  return r;
}

}  // namespace imc::nas::differentiable
