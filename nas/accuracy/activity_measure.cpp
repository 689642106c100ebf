#include "nas/accuracy/activity_measure.h"

namespace imc::nas::accuracy {

ActivityBackend::ActivityBackend(GraphNet& net, CrossbarBackend& products) : net_(net), products_(products) {}

torch::Tensor ActivityBackend::matmul(int node, const torch::Tensor& x_int, std::uint64_t stream) {
  const int bits = net_->bits().input_bits;
  const std::int64_t offset = net_->signed_inputs(node) ? std::int64_t(1) << (bits - 1) : 0;
  const torch::Tensor dac = (x_int + double(offset)).to(torch::kInt64);
  std::vector<std::int64_t> ones(std::size_t(bits), 0);
  for (int b = 0; b < bits; ++b)
    ones[std::size_t(b)] =
        torch::bitwise_and(torch::bitwise_right_shift(dac, b), 1).sum().item<std::int64_t>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    Counts& c = counts_[node];
    c.ones.resize(std::size_t(bits), 0);
    for (int b = 0; b < bits; ++b) c.ones[std::size_t(b)] += ones[std::size_t(b)];
    c.elements += dac.numel();
  }
  return products_.matmul(node, x_int, stream);
}

std::map<std::string, std::vector<double>> ActivityBackend::densities() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, std::vector<double>> out;
  for (const auto& [node, c] : counts_) {
    std::vector<double>& d = out[net_->graph().node(node).name];
    for (std::int64_t k : c.ones) d.push_back(c.elements ? double(k) / double(c.elements) : 0.0);
  }
  return out;
}

}  // namespace imc::nas::accuracy
