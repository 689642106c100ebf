// Seeded random initializers for exported models.
#include "workloads/onnx/export_weights.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/config.h"
#include "common/hash.h"

namespace imc::workloads::onnx {

namespace {

// splitmix64: a tiny, well-mixed generator whose output is the same on every platform, so the
// exported weights are a pure function of (seed, tensor name).
struct SplitMix64 {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  float unit() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }  // [0, 1)
};

std::int64_t count(const std::vector<std::int64_t>& dims) {
  std::int64_t n = 1;
  for (auto d : dims) n *= d;
  return n;
}

void fill_values(std::string& out, std::int64_t n, Fill f, std::uint64_t seed) {
  SplitMix64 rng{seed};
  out.resize(static_cast<std::size_t>(n) * sizeof(float));
  char* p = out.data();
  for (std::int64_t i = 0; i < n; ++i) {
    float v = static_cast<float>(f.center + f.half * (2.0 * rng.unit() - 1.0));
    std::memcpy(p + i * 4, &v, 4);  // little-endian hosts: the ONNX raw_data byte order
  }
}

}  // namespace

WeightWriter::WeightWriter(const std::string& model_path, WeightData mode, std::uint64_t seed)
    : mode_(mode), seed_(seed) {
  data_path_ = model_path + ".data";
  location_ = std::filesystem::path(data_path_).filename().string();
  if (mode_ != WeightData::Embedded) {
    data_.open(data_path_, std::ios::binary | std::ios::trunc);
    if (!data_)
      throw common::InputError(
          fmt::format("{}: cannot write the external weight file: {}", data_path_, std::strerror(errno)));
  }
}

void WeightWriter::weight(::onnx::GraphProto& g, const std::string& name,
                          const std::vector<std::int64_t>& dims, Fill fill) {
  auto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::FLOAT);
  for (auto d : dims) t->add_dims(d);
  const std::int64_t n = count(dims);
  const std::uint64_t len = static_cast<std::uint64_t>(n) * sizeof(float);
  const std::uint64_t seed = seed_ ^ common::fnv1a64(name);
  if (mode_ == WeightData::Embedded) {
    fill_values(*t->mutable_raw_data(), n, fill, seed);
    return;
  }
  t->set_data_location(::onnx::TensorProto::EXTERNAL);
  auto entry = [&](const char* k, const std::string& v) {
    auto* e = t->add_external_data();
    e->set_key(k);
    e->set_value(v);
  };
  entry("location", location_);
  entry("offset", std::to_string(offset_));
  entry("length", std::to_string(len));
  if (mode_ == WeightData::External) {
    std::string buf;
    fill_values(buf, n, fill, seed);
    data_.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (!data_)
      throw common::InputError(fmt::format("{}: write failed: {}", data_path_, std::strerror(errno)));
  }
  offset_ += len;
}

void WeightWriter::ints(::onnx::GraphProto& g, const std::string& name,
                        const std::vector<std::int64_t>& values) {
  auto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::INT64);
  t->add_dims(static_cast<std::int64_t>(values.size()));
  for (auto v : values) t->add_int64_data(v);
}

void WeightWriter::scalar(::onnx::GraphProto& g, const std::string& name, float value) {
  auto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::FLOAT);
  t->add_float_data(value);
}

void WeightWriter::finish() {
  if (!data_.is_open()) return;
  data_.close();
  if (!data_) throw common::InputError(fmt::format("{}: write failed", data_path_));
  if (mode_ == WeightData::Zeros) {
    std::error_code ec;
    std::filesystem::resize_file(data_path_, offset_, ec);  // a hole: reads as zeros
    if (ec)
      throw common::InputError(fmt::format("{}: cannot size the weight file: {}", data_path_, ec.message()));
  }
}

}  // namespace imc::workloads::onnx
