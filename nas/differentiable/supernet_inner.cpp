#include "nas/differentiable/supernet_inner.h"

#include <fmt/format.h>

#include <chrono>

#include "common/config.h"
#include "nas/accuracy/train.h"
#include "nas/supernet/supernet.h"

namespace imc::nas::differentiable {

nlohmann::json to_json(const InnerResult& r) {
  return {{"choice", r.choice},
          {"probabilities", r.probabilities},
          {"logits", r.logits},
          {"expected_cost", r.expected_cost},
          {"loss", r.loss}};
}

nlohmann::json supernet_inner_search(const SupernetInnerSetup& setup, const accuracy::ImageSet& train,
                                     const CostTable& table, std::uint64_t seed) {
  const auto start = std::chrono::steady_clock::now();
  torch::set_num_threads(1);  // the result must not depend on the number of threads or workers
  torch::manual_seed(seed);
  supernet::Supernet net(setup.supernet_space, setup.supernet_options);
  try {
    torch::load(net, setup.supernet_file);
  } catch (const std::exception& e) {
    throw common::InputError(fmt::format("{}: cannot load the supernet ({})", setup.supernet_file, e.what()));
  }
  // Training mode: batch statistics for every subnet (the shared running statistics mean nothing for one).
  net->train();
  const bool train_weights = setup.options.weight_steps > 0;
  for (torch::Tensor& p : net->parameters()) p.set_requires_grad(train_weights);

  const Genome no_outer(setup.arch.outer_genes.size(), 0);
  auto subnet = [&](const std::vector<int>& choice) {
    return supernet::subnet_of(*setup.space, setup.arch.genome(no_outer, choice), setup.fixed);
  };
  const NetworkForward forward = [&](const torch::Tensor& x, const std::vector<int>& choice) {
    return net->forward(x, subnet(choice), accuracy::Precision::Quantized);
  };
  WeightStep weight_step;
  std::unique_ptr<torch::optim::Adam> adam;
  if (train_weights) {
    adam = std::make_unique<torch::optim::Adam>(
        net->parameters(), torch::optim::AdamOptions(setup.options.weight_learning_rate));
    weight_step = [&](const torch::Tensor& x, const torch::Tensor& y, const std::vector<int>& choice) {
      adam->zero_grad();
      torch::nn::functional::cross_entropy(net->forward(x, subnet(choice), accuracy::Precision::Quantized), y)
          .backward();
      adam->step();
    };
  }
  const std::int64_t n = std::min<std::int64_t>(setup.options.train_images, train.count);
  const torch::Tensor images = accuracy::image_tensor(train, 0, n);
  const torch::Tensor labels = accuracy::label_tensor(train, 0, n);
  const InnerResult r = inner_search(setup.arch, forward, weight_step, images, labels, table.cost,
                                     table.feasible, setup.options, seed);
  nlohmann::json j = to_json(r);
  j["subnet"] = supernet::to_string(subnet(r.choice));
  j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return j;
}

}  // namespace imc::nas::differentiable
