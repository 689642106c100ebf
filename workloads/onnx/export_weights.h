// Internal to the ONNX exporter: initializers with seeded random values, stored inside the model or
// in an external data file, or zeros in a sparse external file (see WeightData in onnx_io.h).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "workloads/onnx/onnx_io.h"

namespace imc::workloads::onnx {

// How the values of one weight tensor are drawn (uniform in [center - half, center + half]).
struct Fill {
  double center = 0;
  double half = 0;
  static Fill uniform(double bound) { return {0, bound}; }
  static Fill around(double center, double half) { return {center, half}; }
};

class WeightWriter {
 public:
  // `mode` must not be Auto. External and Zeros write "<model_path>.data".
  WeightWriter(const std::string& model_path, WeightData mode, std::uint64_t seed);

  // Adds a float weight initializer named `name` (values a pure function of seed and name).
  void weight(::onnx::GraphProto& g, const std::string& name, const std::vector<std::int64_t>& dims,
              Fill fill);
  // Small constants (shapes, scalars of decomposed ops): always stored inside the model.
  static void ints(::onnx::GraphProto& g, const std::string& name, const std::vector<std::int64_t>& values);
  static void scalar(::onnx::GraphProto& g, const std::string& name, float value);

  void finish();  // completes the external data file
  bool external() const { return mode_ != WeightData::Embedded; }
  std::uint64_t bytes() const { return offset_; }

 private:
  WeightData mode_;
  std::uint64_t seed_;
  std::string data_path_, location_;
  std::ofstream data_;
  std::uint64_t offset_ = 0;
};

}  // namespace imc::workloads::onnx
