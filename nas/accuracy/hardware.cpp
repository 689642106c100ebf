#include "nas/accuracy/hardware.h"

#include "sim/functional/cell_model.h"

namespace imc::nas::accuracy {
namespace {

torch::Tensor weights_tensor(GraphNet& net, int node) {
  const workloads::WeightMatrix m = net->graph().weight_matrix(node);
  std::vector<std::int32_t> w = net->int_weights(node);
  return torch::from_blob(w.data(), {m.groups, m.rows, m.cols}, torch::kInt32).to(torch::kFloat64);
}

torch::Tensor exact(const torch::Tensor& w, const torch::Tensor& x_int) {
  const std::int64_t G = w.size(0), R = w.size(1), C = w.size(2), V = x_int.size(0);
  const torch::Tensor x = x_int.to(torch::kFloat64).view({V, G, R}).permute({1, 0, 2});  // [G, V, R]
  return torch::bmm(x, w).permute({1, 0, 2}).reshape({V, G * C});
}

}  // namespace

ExactBackend::ExactBackend(GraphNet& net) {
  for (int node : net->crossbar_nodes()) w_[node] = weights_tensor(net, node);
}

torch::Tensor ExactBackend::matmul(int node, const torch::Tensor& x_int, std::uint64_t) {
  return exact(w_.at(node), x_int).to(torch::kFloat32);
}

HardwareBackend::HardwareBackend(const arch::ArchSpec& spec, GraphNet& net, std::uint64_t seed) {
  for (int node : net->crossbar_nodes()) {
    sim::functional::LayerOptions o;
    o.weight_bits = net->bits().weight_bits;
    o.input_bits = net->bits().input_bits;
    o.signed_inputs = net->signed_inputs(node);
    o.seed = sim::functional::mix64(seed ^ sim::functional::mix64(std::uint64_t(node)));
    layers_.emplace(node, sim::functional::CrossbarLayer(spec, net->graph().weight_matrix(node),
                                                         net->int_weights(node), o));
  }
}

torch::Tensor HardwareBackend::matmul(int node, const torch::Tensor& x_int, std::uint64_t stream) {
  auto& layer = layers_.at(node);
  const auto& t = layer.tiling();
  const torch::Tensor x = x_int.contiguous();
  torch::Tensor y = torch::empty({x.size(0), t.groups * t.cols}, torch::kFloat32);
  layer.run(x.data_ptr<float>(), x.size(0), y.data_ptr<float>(), stream);
  return y;
}

namespace {
// Exact products plus, per layer, the largest partial sum of a single read.
class CalibrationBackend : public CrossbarBackend {
 public:
  CalibrationBackend(GraphNet& net, std::map<int, sim::functional::CrossbarLayer>& layers)
      : exact_(net), layers_(layers) {}
  torch::Tensor matmul(int node, const torch::Tensor& x_int, std::uint64_t stream) override {
    const torch::Tensor x = x_int.contiguous();
    double& m = max_[node];
    m = std::max(m, layers_.at(node).max_partial_sum(x.data_ptr<float>(), x.size(0)));
    return exact_.matmul(node, x, stream);
  }
  std::map<int, double> max_;

 private:
  ExactBackend exact_;
  std::map<int, sim::functional::CrossbarLayer>& layers_;
};
}  // namespace

void HardwareBackend::calibrate(GraphNet& net, const torch::Tensor& images) {
  CalibrationBackend cal(net, layers_);
  torch::NoGradGuard ng;
  net->eval();
  net->forward(images, Precision::Quantized, &cal);
  for (auto& [node, layer] : layers_) layer.set_adc_full_scale(std::max(1.0, cal.max_[node]));
}

sim::functional::LayerStats HardwareBackend::stats() const {
  sim::functional::LayerStats s;
  for (const auto& [node, layer] : layers_) {
    s.conversions += layer.stats().conversions;
    s.clipped_high += layer.stats().clipped_high;
    s.clipped_low += layer.stats().clipped_low;
  }
  return s;
}

}  // namespace imc::nas::accuracy
