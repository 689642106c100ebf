// The producers of constants (Constant, Shape, Size, ConstantOfShape, Range) and in-place index
// assignment (ScatterND, ScatterElements). torch.onnx.export computes reshape targets, position
// ids and attention masks with them; their values are evaluated at import.
#include <fmt/format.h>

#include <cmath>

#include "workloads/onnx/import_context.h"

namespace imc::workloads::onnx {

namespace {

using ::onnx::NodeProto;

void constant(Importer& c, const NodeProto& n) {
  Value v;
  if (const auto* a = find_attr(n, "value")) {
    v = const_from_tensor(a->t());
    v.source.clear();  // not a named initializer
  } else if (const auto* f = find_attr(n, "value_float")) {
    v.shape = {}, v.data = {f->f()}, v.has_data = true;
  } else if (const auto* fs = find_attr(n, "value_floats")) {
    v.shape = {fs->floats_size()}, v.data.assign(fs->floats().begin(), fs->floats().end()), v.has_data = true;
  } else if (const auto* i = find_attr(n, "value_int")) {
    v.shape = {}, v.data = {static_cast<double>(i->i())}, v.has_data = true, v.is_float = false;
  } else if (const auto* is = find_attr(n, "value_ints")) {
    v.shape = {is->ints_size()}, v.is_float = false, v.has_data = true;
    for (auto x : is->ints()) v.data.push_back(static_cast<double>(x));
  } else {
    c.fail(n, "only dense constants (value, value_float(s), value_int(s)) are supported");
  }
  c.output(n, 0, v);
}

void shape_of(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  const std::int64_t r = static_cast<std::int64_t>(x.shape.size());
  std::int64_t s = attr_int(n, "start", 0), e = attr_int(n, "end", r);
  if (s < 0) s += r;
  if (e < 0) e += r;
  s = std::max<std::int64_t>(0, std::min(s, r)), e = std::max<std::int64_t>(s, std::min(e, r));
  Value v;
  v.is_float = false;
  v.has_data = true;
  for (std::int64_t i = s; i < e; ++i)
    v.data.push_back(static_cast<double>(x.shape[static_cast<std::size_t>(i)]));
  v.shape = {e - s};
  c.output(n, 0, v);
}

void size_of(Importer& c, const NodeProto& n) {
  Value v;
  v.is_float = false;
  v.has_data = true;
  v.data = {static_cast<double>(numel(c.input(n, 0).shape))};
  c.output(n, 0, v);
}

void constant_of_shape(Importer& c, const NodeProto& n) {
  auto dims = c.ints(n, c.input(n, 0), "the shape (input 0)");
  Value v;
  v.shape.assign(dims.begin(), dims.end());
  double fill = 0;
  if (const auto* a = find_attr(n, "value")) {
    Value f = const_from_tensor(a->t());
    v.is_float = f.is_float;
    if (f.has_data && !f.data.empty()) fill = f.data[0];
  }
  if (numel(v.shape) <= kMaxConstValues) {
    v.data.assign(static_cast<std::size_t>(numel(v.shape)), fill);
    v.has_data = true;
  }
  c.output(n, 0, v);
}

void range(Importer& c, const NodeProto& n) {
  double s = c.real(n, c.input(n, 0), "start"), l = c.real(n, c.input(n, 1), "limit"),
         d = c.real(n, c.input(n, 2), "delta");
  if (d == 0) c.fail(n, "delta is 0");
  std::int64_t count = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil((l - s) / d)));
  Value v;
  v.shape = {count};
  v.is_float = c.input(n, 0).is_float;
  if (count <= kMaxConstValues) {
    for (std::int64_t i = 0; i < count; ++i) v.data.push_back(s + static_cast<double>(i) * d);
    v.has_data = true;
  }
  c.output(n, 0, v);
}

// ScatterND / ScatterElements: torch's in-place index assignment (attention-mask construction,
// x[..., idx] = y). On constants the result keeps the data's shape (values dropped); writing into
// an activation passes the activation through (an in-place update is data movement).
void scatter(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  const Value& upd = c.input(n, 2);
  if (upd.is_act && !x.is_act) c.fail(n, "scattering activations into a constant is not supported");
  if (x.is_act) return c.output(n, 0, x);
  Value v = x;
  v.id = -1;
  v.has_data = false;
  v.data.clear();
  v.runtime = v.runtime || upd.runtime || c.input(n, 1).runtime;
  c.output(n, 0, v);
}

}  // namespace

void register_constant_ops(Registry& r) {
  r["Constant"] = constant;
  r["Shape"] = shape_of;
  r["Size"] = size_of;
  r["ConstantOfShape"] = constant_of_shape;
  r["Range"] = range;
  r["ScatterND"] = scatter;
  r["ScatterElements"] = scatter;
}

}  // namespace imc::workloads::onnx
