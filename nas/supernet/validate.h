// Validating the supernet shortcut (issue 16 item 3): subnets trained stand-alone, their accuracy
// kept in a CSV keyed by subnet and training settings (so a retrained supernet is compared again
// without retraining them), and the rank agreement (Kendall tau-b) between the supernet's estimate
// and the stand-alone accuracy. Torch-free: the tests and the CSV need no libtorch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace imc::nas::supernet {

// One subnet trained stand-alone from scratch (full training set, quantization-aware).
struct StandaloneRecord {
  std::string subnet;  // to_string(Subnet), e.g. "stages=2 blocks=1 ch=16 k=3 plain e1 p0 fc0 w8a8"
  int epochs = 0;
  int batch_size = 0;
  double learning_rate = 0;
  std::uint64_t seed = 0;
  std::int64_t test_images = 0;  // first N test images (10000 = all)
  double float_accuracy = 0, quantized_accuracy = 0;
  double train_seconds = 0;  // wall time of the training on the machine that ran it
};

// The header line of the CSV.
std::string standalone_csv_header();
// Reads a CSV written by append_standalone_csv (empty when the file does not exist). A malformed
// line is a common::InputError naming the file and line.
std::vector<StandaloneRecord> read_standalone_csv(const std::string& path);
// Appends one record (writes the header first when the file is new or empty).
void append_standalone_csv(const std::string& path, const StandaloneRecord& r);
// The record of the same subnet and training settings (epochs, batch, learning rate, seed, test
// images), or nullptr.
const StandaloneRecord* find_standalone(const std::vector<StandaloneRecord>& records,
                                        const StandaloneRecord& wanted);

// Kendall's tau-b of two equally long samples (ties in either counted as in scipy.stats.kendalltau):
// (concordant - discordant) / sqrt((n0 - ties_x)(n0 - ties_y)). Throws std::invalid_argument for
// different lengths or fewer than two pairs; 0 when one sample is constant.
double kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace imc::nas::supernet
