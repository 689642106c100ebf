// The importer's tensor table, attribute access and constant decoding.
#include "workloads/onnx/import_context.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/config.h"

namespace imc::workloads::onnx {

using common::InputError;

Importer::Importer(std::string file, const ImportOptions& options)
    : file_(std::move(file)), options_(options) {}

const Value& Importer::value(const std::string& tensor) const {
  auto it = values_.find(tensor);
  if (it == values_.end())
    throw InputError(
        fmt::format("tensor '{}' is used before it is produced (the graph must be in "
                    "topological order, as ONNX requires)",
                    tensor));
  return it->second;
}

void Importer::define(const std::string& tensor, Value v) {
  if (!v.is_act && v.id < 0) v.id = next_id_++;
  values_[tensor] = std::move(v);
}

bool Importer::has_input(const ::onnx::NodeProto& n, int i) const {
  return i < n.input_size() && !n.input(i).empty();
}

const Value& Importer::input(const ::onnx::NodeProto& n, int i) const {
  if (!has_input(n, i)) fail(n, fmt::format("input {} is missing", i));
  const Value& v = value(n.input(i));
  if (!shape_only_ || !v.is_act) return v;
  Value s;
  s.shape = v.shape;
  s.runtime = true;
  stand_ins_.push_back(std::move(s));
  return stand_ins_.back();
}

void Importer::output(const ::onnx::NodeProto& n, int i, Value v) {
  if (i < n.output_size() && !n.output(i).empty()) define(n.output(i), std::move(v));
}

Shape Importer::graph_shape(const Value& v) {
  if (v.batched) return Shape(v.shape.begin() + 1, v.shape.end());
  if (v.shape.empty()) return Shape{1};  // a scalar is one element
  return v.shape;
}

int Importer::node_as(const Value& v, const Shape& gshape, const std::string& hint) {
  if (!v.is_act) {
    // A constant read by a compute node or combined with activations: a learned tensor the network
    // reads (ViT class token, position tables). Reused when several nodes read the same constant.
    auto it = materialized_.find(v.id);
    int p;
    if (it != materialized_.end()) {
      p = it->second;
    } else {
      std::string base = v.source.empty() ? hint + "/const" : v.source;
      std::string nm = base;
      for (int k = 2; graph_.find(nm) >= 0; ++k) nm = fmt::format("{}_{}", base, k);
      p = graph_.parameter(gshape, v.stored, nm);  // 0 (not a learned tensor): counts what is read
      materialized_.emplace(v.id, p);
    }
    if (graph_.node(p).out == gshape) return p;
    return graph_.reshape(p, gshape, name_for(hint + "/view"));
  }
  const Shape& have = graph_.node(v.node).out;
  if (have == gshape) return v.node;
  if (numel(have) != numel(gshape))
    throw InputError(fmt::format("activation '{}' has shape {} but {} is needed here",
                                 graph_.node(v.node).name, shape_text(have), shape_text(gshape)));
  return graph_.reshape(v.node, gshape, name_for(hint + "/view"));
}

std::string Importer::name_for(const std::string& base) const {
  std::string nm = base;
  for (int k = 2; graph_.find(nm) >= 0; ++k) nm = fmt::format("{}_{}", base, k);
  return nm;
}

Value Importer::act(int node, Shape shape, bool batched, const std::string& hint) {
  Value v;
  v.is_act = true;
  v.batched = batched && shape.size() >= 2 && shape[0] == 1;
  v.shape = std::move(shape);
  Shape want = graph_shape(v);
  const Shape& have = graph_.node(node).out;
  if (have != want) {
    if (numel(have) != numel(want))
      throw InputError(fmt::format("the ONNX output shape {} and the workload graph's {} disagree",
                                   shape_text(v.shape), shape_text(have)));
    node = graph_.reshape(node, want, name_for(hint + "/view"));
  }
  v.node = node;
  return v;
}

std::string Importer::name(const ::onnx::NodeProto& n, const std::string& suffix) {
  std::string base = n.name().empty() ? fmt::format("{}_{}", n.op_type(), node_index_) : n.name();
  return name_for(base + suffix);
}

std::vector<std::int64_t> Importer::ints(const ::onnx::NodeProto& n, const Value& v, const char* what) const {
  if (v.is_act) fail(n, fmt::format("{} must be a constant, but it is computed from activations", what));
  if (!v.has_data)
    fail(n, fmt::format("{} is not known at import time (it depends on a model input or is too large); "
                        "export with fixed shapes",
                        what));
  std::vector<std::int64_t> r;
  r.reserve(v.data.size());
  // Values are held as doubles: INT64_MAX/MIN (torch's "to the end" slice bounds) saturate.
  constexpr double big = 9.2e18;
  for (double d : v.data)
    r.push_back(d >= big ? INT64_MAX : d <= -big ? INT64_MIN : static_cast<std::int64_t>(std::llround(d)));
  return r;
}

double Importer::real(const ::onnx::NodeProto& n, const Value& v, const char* what) const {
  if (v.is_act || !v.has_data || v.data.size() != 1)
    fail(n, fmt::format("{} must be a scalar constant", what));
  return v.data[0];
}

void Importer::fail(const ::onnx::NodeProto&, const std::string& what) const {
  throw InputError(what);
}

// ---- attributes -------------------------------------------------------------------------------

const ::onnx::AttributeProto* find_attr(const ::onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

bool has_attr(const ::onnx::NodeProto& n, const char* name) {
  return find_attr(n, name) != nullptr;
}

std::int64_t attr_int(const ::onnx::NodeProto& n, const char* name, std::int64_t def) {
  const auto* a = find_attr(n, name);
  return a ? a->i() : def;
}

float attr_float(const ::onnx::NodeProto& n, const char* name, float def) {
  const auto* a = find_attr(n, name);
  return a ? a->f() : def;
}

std::string attr_string(const ::onnx::NodeProto& n, const char* name, const std::string& def) {
  const auto* a = find_attr(n, name);
  return a ? a->s() : def;
}

std::vector<std::int64_t> attr_ints(const ::onnx::NodeProto& n, const char* name) {
  const auto* a = find_attr(n, name);
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}

// ---- constants --------------------------------------------------------------------------------

bool is_float_type(int t) {
  using T = ::onnx::TensorProto;
  return t == T::FLOAT || t == T::DOUBLE || t == T::FLOAT16 || t == T::BFLOAT16;
}

namespace {

double half_to_double(std::uint16_t h) {
  int exp = (h >> 10) & 0x1f;
  int mant = h & 0x3ff;
  double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exp == 0) return sign * std::ldexp(mant, -24);
  if (exp == 31) return mant ? std::nan("") : sign * INFINITY;
  return sign * std::ldexp(mant + 1024, exp - 25);
}

double bf16_to_double(std::uint16_t h) {
  std::uint32_t bits = static_cast<std::uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Bytes per element in raw_data; 0 for types whose values we do not decode.
std::size_t elem_size(int t) {
  using T = ::onnx::TensorProto;
  switch (t) {
    case T::FLOAT:
    case T::INT32:
    case T::UINT32:
      return 4;
    case T::DOUBLE:
    case T::INT64:
    case T::UINT64:
      return 8;
    case T::FLOAT16:
    case T::BFLOAT16:
    case T::INT16:
    case T::UINT16:
      return 2;
    case T::INT8:
    case T::UINT8:
    case T::BOOL:
      return 1;
    default:
      return 0;
  }
}

template <typename X>
X load(const char* p) {
  X x;
  std::memcpy(&x, p, sizeof x);  // ONNX raw_data is little-endian, as is every host we build for
  return x;
}

double decode(int t, const char* p) {
  using T = ::onnx::TensorProto;
  switch (t) {
    case T::FLOAT:
      return load<float>(p);
    case T::DOUBLE:
      return load<double>(p);
    case T::INT32:
      return load<std::int32_t>(p);
    case T::UINT32:
      return load<std::uint32_t>(p);
    case T::INT64:
      return static_cast<double>(load<std::int64_t>(p));
    case T::UINT64:
      return static_cast<double>(load<std::uint64_t>(p));
    case T::INT16:
      return load<std::int16_t>(p);
    case T::UINT16:
      return load<std::uint16_t>(p);
    case T::INT8:
      return load<std::int8_t>(p);
    case T::UINT8:
    case T::BOOL:
      return load<std::uint8_t>(p);
    case T::FLOAT16:
      return half_to_double(load<std::uint16_t>(p));
    case T::BFLOAT16:
      return bf16_to_double(load<std::uint16_t>(p));
    default:
      return 0;
  }
}

}  // namespace

Value const_from_tensor(const ::onnx::TensorProto& t) {
  using T = ::onnx::TensorProto;
  Value v;
  v.shape.assign(t.dims().begin(), t.dims().end());
  for (auto d : v.shape)
    if (d < 0)
      throw InputError(fmt::format("tensor '{}' has a negative dimension {}", t.name(), shape_text(v.shape)));
  const int dt = t.data_type();
  v.is_float = is_float_type(dt);
  const std::int64_t n = numel(v.shape);
  v.stored = v.is_float ? n : 0;
  v.source = t.name();
  if (t.data_location() == T::EXTERNAL || n > kMaxConstValues) return v;
  std::vector<double> d;
  if (t.has_raw_data()) {
    std::size_t es = elem_size(dt);
    if (es == 0) return v;
    if (t.raw_data().size() != static_cast<std::size_t>(n) * es)
      throw InputError(fmt::format("tensor '{}' of shape {} holds {} bytes of raw data, {} expected",
                                   t.name(), shape_text(v.shape), t.raw_data().size(),
                                   static_cast<std::size_t>(n) * es));
    d.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) d.push_back(decode(dt, t.raw_data().data() + i * es));
  } else if (t.float_data_size() > 0) {
    d.assign(t.float_data().begin(), t.float_data().end());
  } else if (t.double_data_size() > 0) {
    d.assign(t.double_data().begin(), t.double_data().end());
  } else if (t.int64_data_size() > 0) {
    for (auto x : t.int64_data()) d.push_back(static_cast<double>(x));
  } else if (t.uint64_data_size() > 0) {
    for (auto x : t.uint64_data()) d.push_back(static_cast<double>(x));
  } else if (t.int32_data_size() > 0) {
    // int32_data also carries 8/16-bit integers, bools and the bit patterns of float16/bfloat16.
    for (auto x : t.int32_data()) {
      if (dt == T::FLOAT16)
        d.push_back(half_to_double(static_cast<std::uint16_t>(x)));
      else if (dt == T::BFLOAT16)
        d.push_back(bf16_to_double(static_cast<std::uint16_t>(x)));
      else
        d.push_back(x);
    }
  } else if (n == 0) {
    v.has_data = true;
    return v;
  } else {
    return v;  // strings or no payload at all: shape only
  }
  if (static_cast<std::int64_t>(d.size()) != n)
    throw InputError(fmt::format("tensor '{}' of shape {} holds {} values, {} expected", t.name(),
                                 shape_text(v.shape), d.size(), n));
  v.data = std::move(d);
  v.has_data = true;
  return v;
}

// ---- shapes -----------------------------------------------------------------------------------

std::int64_t numel(const Shape& s) {
  std::int64_t e = 1;
  for (auto d : s) e *= d;
  return e;
}

std::string shape_text(const Shape& s) {
  return fmt::format("[{}]", fmt::join(s, ","));
}

std::optional<Shape> broadcast(const Shape& a, const Shape& b) {
  std::size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (std::size_t i = 0; i < r; ++i) {
    std::int64_t x = i < r - a.size() ? 1 : a[i - (r - a.size())];
    std::int64_t y = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (x != y && x != 1 && y != 1) return std::nullopt;
    out[i] = x == 1 ? y : x;
  }
  return out;
}

std::optional<int> norm_axis(std::int64_t axis, std::size_t rank) {
  std::int64_t r = static_cast<std::int64_t>(rank);
  std::int64_t a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) return std::nullopt;
  return static_cast<int>(a);
}

}  // namespace imc::workloads::onnx
