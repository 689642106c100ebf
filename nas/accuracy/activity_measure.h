// Measures data-dependent activity (workloads/activity.h) on real activations: the density of
// 1-bits per input bit position of every crossbar layer's integer inputs, as its DACs see them
// (im2col patches including the zero padding; signed inputs with the +2^(b-1) offset the crossbar
// adds), while the products themselves come from another backend.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "nas/accuracy/graph_net.h"

namespace imc::nas::accuracy {

class ActivityBackend : public CrossbarBackend {
 public:
  ActivityBackend(GraphNet& net, CrossbarBackend& products);
  torch::Tensor matmul(int node, const torch::Tensor& x_int, std::uint64_t stream) override;
  // By layer name: density of 1-bits per bit position, LSB first (input_bits entries).
  std::map<std::string, std::vector<double>> densities() const;

 private:
  struct Counts {
    std::vector<std::int64_t> ones;  // per bit position
    std::int64_t elements = 0;
  };
  GraphNet& net_;
  CrossbarBackend& products_;
  mutable std::mutex mu_;
  std::map<int, Counts> counts_;
};

}  // namespace imc::nas::accuracy
