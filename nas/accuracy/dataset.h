// Fashion-MNIST from the gzip IDX files of the Debian package dataset-fashion-mnist
// (/usr/share/datasets/fashion-mnist/), read through zlib.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace imc::nas::accuracy {

struct ImageSet {
  std::int64_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // count x rows x cols, 0..255
  std::vector<std::uint8_t> labels;  // count, 0..9
};

struct Dataset {
  std::string dir;
  ImageSet train, test;
};

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// `dir` empty = $IMCSIM_FMNIST_DIR if set, else kFashionMnistDir. Throws common::InputError naming the
// missing file and the package that provides it, or the file and what is wrong with it.
Dataset load_fashion_mnist(const std::string& dir = "");
// One IDX file (images: idx3, labels: idx1), gzip-compressed or not.
ImageSet read_idx_images(const std::string& path);
std::vector<std::uint8_t> read_idx_labels(const std::string& path);

}  // namespace imc::nas::accuracy
