#include "nas/accuracy/dataset.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>

#include "common/config.h"

namespace imc::nas::accuracy {
namespace {

// The whole (decompressed) file; gzopen reads plain files unchanged.
std::vector<std::uint8_t> read_gz(const std::string& path) {
  if (!std::filesystem::exists(path))
    throw common::InputError(
        fmt::format("{}: no such file (Fashion-MNIST: install the Debian package dataset-fashion-mnist, "
                    "or set IMCSIM_FMNIST_DIR to a folder with the four *-ubyte.gz files)",
                    path));
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw common::InputError(fmt::format("{}: cannot open", path));
  gzbuffer(f, 1 << 20);
  std::vector<std::uint8_t> out;
  std::uint8_t buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
  int err = 0;
  const char* msg = gzerror(f, &err);
  std::string what = err != Z_OK && err != Z_STREAM_END ? msg : "";
  gzclose(f);
  if (n < 0 || !what.empty()) throw common::InputError(fmt::format("{}: corrupt gzip data ({})", path, what));
  return out;
}

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return std::uint32_t(b[at]) << 24 | std::uint32_t(b[at + 1]) << 16 | std::uint32_t(b[at + 2]) << 8 |
         b[at + 3];
}

}  // namespace

ImageSet read_idx_images(const std::string& path) {
  const auto b = read_gz(path);
  if (b.size() < 16 || be32(b, 0) != 0x00000803)
    throw common::InputError(fmt::format("{}: not an IDX image file (magic 0x00000803 expected)", path));
  ImageSet s;
  s.count = be32(b, 4);
  s.rows = be32(b, 8);
  s.cols = be32(b, 12);
  const std::size_t need = 16 + std::size_t(s.count * s.rows * s.cols);
  if (b.size() != need)
    throw common::InputError(fmt::format("{}: {} bytes, the header announces {}", path, b.size(), need));
  s.pixels.assign(b.begin() + 16, b.end());
  return s;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  const auto b = read_gz(path);
  if (b.size() < 8 || be32(b, 0) != 0x00000801)
    throw common::InputError(fmt::format("{}: not an IDX label file (magic 0x00000801 expected)", path));
  const std::size_t n = be32(b, 4);
  if (b.size() != 8 + n)
    throw common::InputError(fmt::format("{}: {} bytes, the header announces {}", path, b.size(), 8 + n));
  std::vector<std::uint8_t> labels(b.begin() + 8, b.end());
  for (auto l : labels)
    if (l > 9) throw common::InputError(fmt::format("{}: label {} outside 0..9", path, int(l)));
  return labels;
}

Dataset load_fashion_mnist(const std::string& dir_in) {
  std::string dir = dir_in;
  if (dir.empty()) {
    const char* env = std::getenv("IMCSIM_FMNIST_DIR");
    dir = env && *env ? env : kFashionMnistDir;
  }
  Dataset d;
  d.dir = dir;
  auto load = [&](ImageSet& set, const char* images, const char* labels) {
    set = read_idx_images(dir + "/" + images);
    set.labels = read_idx_labels(dir + "/" + labels);
    if (std::int64_t(set.labels.size()) != set.count)
      throw common::InputError(fmt::format("{}/{}: {} labels for {} images in {}", dir, labels,
                                           set.labels.size(), set.count, images));
  };
  load(d.train, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
  load(d.test, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
  return d;
}

}  // namespace imc::nas::accuracy
