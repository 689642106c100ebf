// Accuracy of a network on a chip: train it on Fashion-MNIST with libtorch (quantization-aware,
// optionally with noise injection), then classify the test images three ways: in float, with the
// quantized weights and inputs in software, and through the simulated crossbars (sim/functional)
// with the chip's cells, DACs and ADCs, over K random draws of device variation and faults.
//
// This header does not include libtorch. Trained weights are cached (see docs/accuracy.md):
// <cache_dir>/<graph name>-<key>.pt (torch::save of the module) and .json (settings and figures),
// key = hash of the graph structure, the quantization bits and the training options.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "arch/spec.h"
#include "nas/accuracy/options.h"
#include "workloads/graph.h"

namespace imc::nas::accuracy {

// The zoo network the accuracy checks and the benchmark use (conv8, conv16, fc10; docs/accuracy.md).
inline constexpr const char* kReferenceCnn = "fmnist_small";

struct AccuracyResult {
  std::string workload;
  std::string key;           // training cache key (16 hex digits)
  std::string weights_file;  // "" when not cached
  bool from_cache = false;
  int weight_bits = 0, input_bits = 0;
  std::int64_t train_images = 0;  // per epoch
  std::int64_t test_images = 0;
  double train_seconds = 0;               // 0 when loaded from the cache
  double float_accuracy = 0;              // trained weights, no quantization
  double quantized_accuracy = 0;          // quantized weights and inputs, exact integer products
  std::vector<double> hardware_accuracy;  // per draw
  double hardware_accuracy_mean = 0;
  double hardware_accuracy_std = 0;  // sample std over draws (0 for one draw)
  double hardware_agreement = 0;     // mean fraction of images where hardware = quantized prediction
  double hardware_seconds = 0;       // inference time over all draws
  std::int64_t adc_conversions = 0;  // over all draws
  std::int64_t adc_clipped = 0;      // conversions clipped at either end
  // With measure_activity: per crossbar layer (by name), the density of 1-bits per input bit
  // position (LSB first) over the test images, quantized inputs with exact products.
  std::map<std::string, std::vector<double>> input_bit_density;
};

AccuracyResult evaluate_accuracy(const arch::ArchSpec& spec, const workloads::Graph& graph,
                                 const AccuracyOptions& options);
nlohmann::json to_json(const AccuracyResult& r);

// Stable text of a graph's structure (ops, shapes, attributes, connections; not names), and the
// cache key built from it, the bits and the training options.
std::string canonical_graph(const workloads::Graph& graph);
std::string training_key(const workloads::Graph& graph, int weight_bits, int input_bits,
                         const TrainOptions& options);

}  // namespace imc::nas::accuracy
