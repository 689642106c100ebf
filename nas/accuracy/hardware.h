// Hardware-aware inference: the crossbar layers of a trained GraphNet run through sim/functional
// (one CrossbarLayer per weight-stationary node, programmed with that node's integer weights).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "arch/spec.h"
#include "nas/accuracy/graph_net.h"
#include "sim/functional/crossbar_layer.h"

namespace imc::nas::accuracy {

// The exact integer products x_int . w_int (double precision), for checks and calibration.
class ExactBackend : public CrossbarBackend {
 public:
  explicit ExactBackend(GraphNet& net);
  torch::Tensor matmul(int node, const torch::Tensor& x_int, std::uint64_t stream) override;

 private:
  std::map<int, torch::Tensor> w_;  // [groups, rows, cols] float64
};

class HardwareBackend : public CrossbarBackend {
 public:
  // `seed` keys this chip instance's device draws (variation, faults) and read noise.
  HardwareBackend(const arch::ArchSpec& spec, GraphNet& net, std::uint64_t seed);
  // Read noise of this call is keyed by (seed, node, stream): the same stream draws the same noise.
  torch::Tensor matmul(int node, const torch::Tensor& x_int, std::uint64_t stream) override;

  // Calibrated ADC range: runs `images` (training images) through the network with exact products,
  // records each layer's largest partial sum of one read and sets that layer's ADC full scale to it.
  void calibrate(GraphNet& net, const torch::Tensor& images);
  sim::functional::LayerStats stats() const;  // summed over layers
  const sim::functional::CrossbarLayer& layer(int node) const { return layers_.at(node); }

 private:
  std::map<int, sim::functional::CrossbarLayer> layers_;
};

}  // namespace imc::nas::accuracy
