// Data movement: Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Slice, Split, Gather, Concat,
// Pad, Expand, Identity, Dropout. On activations they become Graph reshape/permute/slice/pad/concat
// nodes (no arithmetic); on constants they are evaluated.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "workloads/onnx/import_context.h"

namespace imc::workloads::onnx {

namespace {

using ::onnx::NodeProto;

// A constant with the same values in a new shape.
Value reshaped_const(const Value& x, Shape out) {
  Value v = x;
  v.id = -1;
  v.shape = std::move(out);
  return v;
}

// Output values of a constant by index mapping: src(out multi-index) = flat input index.
template <typename F>
Value remap(const Value& x, Shape out, F src) {
  Value v = x;
  v.id = -1;
  v.data.clear();
  v.has_data = false;
  v.shape = out;
  if (!x.has_data || numel(out) > kMaxConstValues) return v;
  std::vector<std::int64_t> idx(out.size(), 0);
  const std::int64_t n = numel(out);
  v.data.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    v.data[static_cast<std::size_t>(i)] = x.data[static_cast<std::size_t>(src(idx))];
    for (std::size_t k = out.size(); k-- > 0;) {
      if (++idx[k] < out[k]) break;
      idx[k] = 0;
    }
  }
  v.has_data = true;
  return v;
}

std::vector<std::int64_t> strides_of(const Shape& s) {
  std::vector<std::int64_t> st(s.size(), 1);
  for (std::size_t k = s.size(); k-- > 1;) st[k - 1] = st[k] * s[k];
  return st;
}

// An activation or constant given a new shape holding the same elements. A leading 1 of a rank >= 2
// result is taken as the batch dimension.
void reshape_to(Importer& c, const NodeProto& n, const Value& x, Shape out) {
  if (numel(out) != numel(x.shape))
    c.fail(n, fmt::format("cannot view {} as {}", shape_text(x.shape), shape_text(out)));
  if (!x.is_act) return c.output(n, 0, reshaped_const(x, std::move(out)));
  Value v = x;
  v.shape = out;
  v.batched = out.size() >= 2 && out[0] == 1;
  Shape gs = Importer::graph_shape(v);
  if (c.graph().node(x.node).out != gs) v.node = c.graph().reshape(x.node, gs, c.name(n));
  c.output(n, 0, v);
}

void reshape(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  std::vector<std::int64_t> target = c.has_input(n, 1)
                                         ? c.ints(n, c.input(n, 1), "the target shape (input 1)")
                                         : attr_ints(n, "shape");  // opset < 5
  const bool allowzero = attr_int(n, "allowzero", 0) != 0;
  Shape out(target.size());
  int infer = -1;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < target.size(); ++i) {
    std::int64_t d = target[i];
    if (d == 0 && !allowzero) {
      if (i >= x.shape.size()) c.fail(n, "a 0 in the target shape has no input dim to copy");
      d = x.shape[i];
    }
    if (d == -1) {
      if (infer >= 0) c.fail(n, "the target shape has more than one -1");
      infer = static_cast<int>(i);
      continue;
    }
    if (d < 0) c.fail(n, fmt::format("invalid target dim {}", d));
    out[i] = d;
    known *= d;
  }
  if (infer >= 0) {
    if (known == 0 || numel(x.shape) % known != 0)
      c.fail(n,
             fmt::format("cannot infer the -1 of {} for {}", shape_text(Shape(target)), shape_text(x.shape)));
    out[static_cast<std::size_t>(infer)] = numel(x.shape) / known;
  }
  reshape_to(c, n, x, out);
}

void flatten(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  auto a = attr_int(n, "axis", 1);
  if (a < 0) a += static_cast<std::int64_t>(x.shape.size());
  if (a < 0 || a > static_cast<std::int64_t>(x.shape.size())) c.fail(n, "axis out of range");
  std::int64_t lead = numel(Shape(x.shape.begin(), x.shape.begin() + a));
  reshape_to(c, n, x, {lead, numel(x.shape) / std::max<std::int64_t>(lead, 1)});
}

std::vector<std::int64_t> axes_of(Importer& c, const NodeProto& n) {
  if (c.has_input(n, 1)) return c.ints(n, c.input(n, 1), "axes (input 1)");
  return attr_ints(n, "axes");
}

void squeeze(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  auto axes = axes_of(c, n);
  std::vector<bool> drop(x.shape.size(), false);
  if (axes.empty())
    for (std::size_t i = 0; i < x.shape.size(); ++i) drop[i] = x.shape[i] == 1;
  for (auto a : axes) {
    auto na = norm_axis(a, x.shape.size());
    if (!na || x.shape[static_cast<std::size_t>(*na)] != 1)
      c.fail(n, fmt::format("axis {} of {} is not a size-1 dim", a, shape_text(x.shape)));
    drop[static_cast<std::size_t>(*na)] = true;
  }
  Shape out;
  for (std::size_t i = 0; i < x.shape.size(); ++i)
    if (!drop[i]) out.push_back(x.shape[i]);
  reshape_to(c, n, x, out);
}

void unsqueeze(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  auto axes = axes_of(c, n);
  const std::size_t rank = x.shape.size() + axes.size();
  std::vector<bool> ins(rank, false);
  for (auto a : axes) {
    auto na = norm_axis(a, rank);
    if (!na) c.fail(n, fmt::format("axis {} out of range", a));
    ins[static_cast<std::size_t>(*na)] = true;
  }
  Shape out;
  std::size_t k = 0;
  for (std::size_t i = 0; i < rank; ++i) out.push_back(ins[i] ? 1 : x.shape[k++]);
  reshape_to(c, n, x, out);
}

void transpose(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  const std::size_t r = x.shape.size();
  auto perm = attr_ints(n, "perm");
  if (perm.empty())
    for (std::size_t i = 0; i < r; ++i) perm.push_back(static_cast<std::int64_t>(r - 1 - i));
  std::vector<std::int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  bool ok = perm.size() == r;
  for (std::size_t i = 0; ok && i < r; ++i) ok = sorted[i] == static_cast<std::int64_t>(i);
  if (!ok) c.fail(n, fmt::format("perm is not a permutation of the {} axes", r));
  Shape out(r);
  for (std::size_t i = 0; i < r; ++i) out[i] = x.shape[static_cast<std::size_t>(perm[i])];
  if (!x.is_act) {
    auto st = strides_of(x.shape);
    return c.output(n, 0, remap(x, out, [&](const std::vector<std::int64_t>& idx) {
                      std::int64_t off = 0;
                      for (std::size_t k = 0; k < r; ++k)
                        off += idx[k] * st[static_cast<std::size_t>(perm[k])];
                      return off;
                    }));
  }
  // The batch axis (size 1) moves nothing in memory: permute the other axes in the graph.
  std::vector<int> gperm;
  const int shift = x.batched ? 1 : 0;
  for (auto p : perm)
    if (!(x.batched && p == 0)) gperm.push_back(static_cast<int>(p) - shift);
  bool identity = true;
  for (std::size_t i = 0; i < gperm.size(); ++i) identity = identity && gperm[i] == static_cast<int>(i);
  std::string nm = c.name(n);
  int y = x.node;
  if (!identity) y = c.graph().permute(c.node_of(x, nm), gperm, nm);
  c.output(n, 0, c.act(y, out, x.batched && perm[0] == 0, nm));
}

// One contiguous or strided range along each axis of an activation: a chain of Graph slices.
struct Range1 {
  std::int64_t start = 0, len = 0, step = 1;
};

Value slice_value(Importer& c, const NodeProto& n, const Value& x, const std::vector<Range1>& rs, Shape out,
                  const std::string& nm) {
  if (!x.is_act) {
    auto st = strides_of(x.shape);
    return remap(x, out, [&](const std::vector<std::int64_t>& idx) {
      std::int64_t off = 0;
      for (std::size_t k = 0; k < idx.size(); ++k) off += (rs[k].start + idx[k] * rs[k].step) * st[k];
      return off;
    });
  }
  int y = c.node_of(x, nm);
  const int shift = x.batched ? 1 : 0;
  int sliced = 0;
  for (std::size_t a = 0; a < rs.size(); ++a) sliced += rs[a].len != x.shape[a];
  for (std::size_t a = 0; a < rs.size(); ++a) {
    if (rs[a].len == x.shape[a]) continue;  // whole axis
    if (x.batched && a == 0) c.fail(n, "slicing the batch dimension is not supported");
    // A negative step visits the same elements in reverse; order is irrelevant to the workload.
    std::int64_t start = rs[a].step > 0 ? rs[a].start : rs[a].start + (rs[a].len - 1) * rs[a].step;
    y = c.graph().slice(y, static_cast<int>(a) - shift, start, rs[a].len, std::abs(rs[a].step),
                        c.name_for(sliced > 1 ? fmt::format("{}/axis{}", nm, a) : nm));
  }
  return c.act(y, std::move(out), x.batched, nm);
}

void slice(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  std::vector<std::int64_t> starts, ends, axes, steps;
  if (c.opset() < 10) {
    starts = attr_ints(n, "starts"), ends = attr_ints(n, "ends"), axes = attr_ints(n, "axes");
  } else {
    starts = c.ints(n, c.input(n, 1), "starts");
    ends = c.ints(n, c.input(n, 2), "ends");
    if (c.has_input(n, 3)) axes = c.ints(n, c.input(n, 3), "axes");
    if (c.has_input(n, 4)) steps = c.ints(n, c.input(n, 4), "steps");
  }
  if (axes.empty())
    for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    c.fail(n, "starts, ends, axes and steps must have equal lengths");
  std::vector<Range1> rs(x.shape.size());
  for (std::size_t a = 0; a < rs.size(); ++a) rs[a] = {0, x.shape[a], 1};
  for (std::size_t i = 0; i < starts.size(); ++i) {
    auto na = norm_axis(axes[i], x.shape.size());
    if (!na || steps[i] == 0) c.fail(n, "axis out of range or zero step");
    const std::int64_t dim = x.shape[static_cast<std::size_t>(*na)], st = steps[i];
    auto clampi = [](std::int64_t v, std::int64_t lo, std::int64_t hi) {
      return std::max(lo, std::min(v, hi));
    };
    std::int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
    std::int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
    std::int64_t len;
    if (st > 0) {
      s = clampi(s, 0, dim), e = clampi(e, 0, dim);
      len = e > s ? (e - s + st - 1) / st : 0;
    } else {
      s = clampi(s, 0, dim - 1), e = clampi(e, -1, dim - 1);
      len = s > e ? (s - e + (-st) - 1) / (-st) : 0;
    }
    rs[static_cast<std::size_t>(*na)] = {s, len, st};
  }
  Shape out;
  for (const auto& r : rs) out.push_back(r.len);
  if (numel(out) == 0) {
    // torch.roll by 0 exports an empty slice, later concatenated: an empty tensor (no node).
    Value e;
    e.shape = out;
    e.has_data = true;
    e.is_float = x.is_float;
    return c.output(n, 0, e);
  }
  c.output(n, 0, slice_value(c, n, x, rs, out, c.name(n)));
}

void split(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  auto na = norm_axis(attr_int(n, "axis", 0), x.shape.size());
  if (!na) c.fail(n, "axis out of range");
  const std::int64_t dim = x.shape[static_cast<std::size_t>(*na)];
  std::vector<std::int64_t> sizes =
      c.has_input(n, 1) ? c.ints(n, c.input(n, 1), "split") : attr_ints(n, "split");
  if (sizes.empty()) {
    const std::int64_t parts = has_attr(n, "num_outputs") ? attr_int(n, "num_outputs", 1) : n.output_size();
    const std::int64_t each = (dim + parts - 1) / parts;  // the last part may be smaller (opset 18)
    for (std::int64_t i = 0, left = dim; i < parts; ++i, left -= each) sizes.push_back(std::min(each, left));
  }
  if (static_cast<int>(sizes.size()) != n.output_size() ||
      std::accumulate(sizes.begin(), sizes.end(), std::int64_t{0}) != dim)
    c.fail(n, fmt::format("split sizes do not add up to dim {} over {} outputs", dim, n.output_size()));
  std::int64_t at = 0;
  for (int i = 0; i < n.output_size(); ++i) {
    std::vector<Range1> rs(x.shape.size());
    for (std::size_t a = 0; a < rs.size(); ++a) rs[a] = {0, x.shape[a], 1};
    rs[static_cast<std::size_t>(*na)] = {at, sizes[static_cast<std::size_t>(i)], 1};
    Shape out = x.shape;
    out[static_cast<std::size_t>(*na)] = sizes[static_cast<std::size_t>(i)];
    if (sizes[static_cast<std::size_t>(i)] < 1) c.fail(n, "empty split output");
    c.output(n, i, slice_value(c, n, x, rs, out, c.name(n, fmt::format("/{}", i))));
    at += sizes[static_cast<std::size_t>(i)];
  }
}

void gather(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  const Value& ix = c.input(n, 1);
  auto na = norm_axis(attr_int(n, "axis", 0), x.shape.size());
  if (!na) c.fail(n, "axis out of range");
  const std::size_t a = static_cast<std::size_t>(*na);
  Shape out(x.shape.begin(), x.shape.begin() + static_cast<std::ptrdiff_t>(a));
  out.insert(out.end(), ix.shape.begin(), ix.shape.end());
  out.insert(out.end(), x.shape.begin() + static_cast<std::ptrdiff_t>(a) + 1, x.shape.end());
  if (ix.is_act) c.fail(n, "indices computed from activations are not supported");
  if (!x.is_act && !ix.has_data && ix.runtime) {
    // An embedding lookup by token ids: the looked-up rows are what the network reads.
    std::string nm = c.name(n);
    Value v;
    v.shape = out;
    v.batched = out.size() >= 2 && out[0] == 1;
    v.is_act = true;
    Shape gs = Importer::graph_shape(v);
    v.node = c.tied_tables.count(x.source) ? c.graph().input(gs, c.name_for(n.input(1)))
                                           : c.graph().parameter(gs, x.stored, nm);
    return c.output(n, 0, v);
  }
  if (!ix.has_data) {
    if (x.is_act) c.fail(n, "indices into an activation must be known at import time");
    Value v = reshaped_const(x, out);
    v.has_data = false;
    v.data.clear();
    v.runtime = v.runtime || ix.runtime;
    return c.output(n, 0, v);
  }
  std::vector<std::int64_t> idx = c.ints(n, ix, "indices");
  const std::int64_t dim = x.shape[a];
  for (auto& i : idx) {
    if (i < 0) i += dim;
    if (i < 0 || i >= dim) c.fail(n, fmt::format("index out of range for axis {} of size {}", a, dim));
  }
  if (!x.is_act) {
    auto st = strides_of(x.shape);
    const std::size_t ir = ix.shape.size();
    return c.output(n, 0, remap(x, out, [&](const std::vector<std::int64_t>& o) {
                      std::int64_t flat_i = 0;
                      for (std::size_t k = 0; k < ir; ++k) flat_i = flat_i * ix.shape[k] + o[a + k];
                      std::int64_t off = idx[static_cast<std::size_t>(flat_i)] * st[a];
                      for (std::size_t k = 0; k < a; ++k) off += o[k] * st[k];
                      for (std::size_t k = a + 1; k < x.shape.size(); ++k) off += o[k - 1 + ir] * st[k];
                      return off;
                    }));
  }
  // Gathering from an activation: a (strided) slice when the indices are an arithmetic progression.
  if (idx.empty()) c.fail(n, "empty indices");
  std::int64_t step = idx.size() > 1 ? idx[1] - idx[0] : 1;
  for (std::size_t i = 1; i < idx.size(); ++i)
    if (idx[i] - idx[i - 1] != step || step == 0)
      c.fail(n, "gathering an activation at arbitrary indices is not supported (only evenly spaced ones)");
  std::vector<Range1> rs(x.shape.size());
  for (std::size_t k = 0; k < rs.size(); ++k) rs[k] = {0, x.shape[k], 1};
  rs[a] = {idx[0], static_cast<std::int64_t>(idx.size()), step};
  Shape sliced = x.shape;
  sliced[a] = static_cast<std::int64_t>(idx.size());
  std::string nm = c.name(n);
  Value v = slice_value(c, n, x, rs, sliced, nm);
  bool batched = out.size() >= 2 && out[0] == 1 && (a != 0 || !x.batched);
  c.output(n, 0, c.act(v.node, out, batched, nm));
}

void concat(Importer& c, const NodeProto& n) {
  std::vector<const Value*> xs;
  for (int i = 0; i < n.input_size(); ++i)
    if (!n.input(i).empty()) xs.push_back(&c.input(n, i));
  if (xs.empty()) c.fail(n, "no inputs");
  const std::size_t r = xs[0]->shape.size();
  auto na = norm_axis(attr_int(n, "axis", 0), r);
  if (!na) c.fail(n, "axis out of range");
  const std::size_t a = static_cast<std::size_t>(*na);
  Shape out = xs[0]->shape;
  out[a] = 0;
  bool any_act = false;
  for (const Value* x : xs) {
    bool ok = x->shape.size() == r;
    for (std::size_t k = 0; ok && k < r; ++k) ok = k == a || x->shape[k] == out[k];
    if (!ok)
      c.fail(n, fmt::format("shapes {} and {} do not concatenate along axis {}", shape_text(xs[0]->shape),
                            shape_text(x->shape), a));
    out[a] += x->shape[a];
    any_act = any_act || x->is_act;
  }
  std::vector<const Value*> parts;
  for (const Value* x : xs)
    if (x->shape[a] > 0) parts.push_back(x);  // torch concatenates empty tensors at times
  if (parts.size() == 1) return c.output(n, 0, *parts[0]);
  if (!any_act) {
    // Constants (shape vectors mostly): values by walking the output along the axis.
    Value v;
    v.shape = out;
    v.has_data = numel(out) <= kMaxConstValues;
    v.is_float = false;
    for (const Value* x : parts) {
      v.has_data = v.has_data && x->has_data;
      v.runtime = v.runtime || x->runtime;
      v.stored += x->stored;
      v.is_float = v.is_float || x->is_float;
    }
    if (v.has_data) {
      const std::int64_t outer = numel(Shape(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(a)));
      for (std::int64_t o = 0; o < outer; ++o)
        for (const Value* x : parts) {
          const std::int64_t chunk =
              numel(Shape(x->shape.begin() + static_cast<std::ptrdiff_t>(a), x->shape.end()));
          v.data.insert(v.data.end(), x->data.begin() + o * chunk, x->data.begin() + (o + 1) * chunk);
        }
    }
    return c.output(n, 0, v);
  }
  // Activations (constant parts, such as a ViT class token, become parameter nodes).
  bool batched = r >= 2 && a != 0 && out[0] == 1;
  for (const Value* x : parts) batched = batched && x->shape[0] == 1;
  std::string nm = c.name(n);
  std::vector<int> nodes;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    Shape gs = parts[i]->shape;
    if (batched) gs.erase(gs.begin());
    nodes.push_back(c.node_as(*parts[i], gs, fmt::format("{}/{}", nm, i)));
  }
  int y = c.graph().concat(nodes, static_cast<int>(a) - (batched ? 1 : 0), nm);
  c.output(n, 0, c.act(y, out, batched, nm));
}

void pad(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  const std::size_t r = x.shape.size();
  std::vector<std::int64_t> pads = c.opset() < 11 ? attr_ints(n, "pads") : c.ints(n, c.input(n, 1), "pads");
  std::vector<std::int64_t> axes;
  if (c.has_input(n, 3)) axes = c.ints(n, c.input(n, 3), "axes");
  if (axes.empty())
    for (std::size_t i = 0; i < r; ++i) axes.push_back(static_cast<std::int64_t>(i));
  if (pads.size() != 2 * axes.size()) c.fail(n, "pads must hold a begin and an end per axis");
  Shape out = x.shape;
  std::vector<std::pair<std::int64_t, std::int64_t>> per(r, {0, 0});
  for (std::size_t i = 0; i < axes.size(); ++i) {
    auto na = norm_axis(axes[i], r);
    if (!na) c.fail(n, "axis out of range");
    per[static_cast<std::size_t>(*na)] = {pads[i], pads[i + axes.size()]};
    out[static_cast<std::size_t>(*na)] += pads[i] + pads[i + axes.size()];
  }
  for (auto d : out)
    if (d < 1) c.fail(n, "the padded tensor would be empty");
  if (!x.is_act) {
    Value v = reshaped_const(x, out);
    v.has_data = false;
    v.data.clear();
    return c.output(n, 0, v);
  }
  if (x.batched && (per[0].first != 0 || per[0].second != 0))
    c.fail(n, "padding the batch dimension is not supported");
  std::string nm = c.name(n);
  int y = c.node_of(x, nm);
  const int shift = x.batched ? 1 : 0;
  int padded = 0;
  for (const auto& [b, e] : per) padded += b != 0 || e != 0;
  Shape cur = x.shape;
  for (std::size_t k = 0; k < r; ++k) {
    auto [b, e] = per[k];
    if (b == 0 && e == 0) continue;
    const int ga = static_cast<int>(k) - shift;
    std::string step_name = c.name_for(padded > 1 ? fmt::format("{}/axis{}", nm, k) : nm);
    // Negative pads crop: a slice first, then the positive side as padding.
    if (b < 0 || e < 0) {
      std::int64_t cb = std::max<std::int64_t>(0, -b), ce = std::max<std::int64_t>(0, -e);
      y = c.graph().slice(y, ga, cb, cur[k] - cb - ce, 1, c.name_for(step_name + "/crop"));
      cur[k] -= cb + ce;
      b = std::max<std::int64_t>(0, b), e = std::max<std::int64_t>(0, e);
    }
    if (b > 0 || e > 0) y = c.graph().pad(y, ga, b, e, step_name);
    cur[k] += b + e;
  }
  c.output(n, 0, c.act(y, out, x.batched, nm));
}

void expand(Importer& c, const NodeProto& n) {
  const Value& x = c.input(n, 0);
  auto target = c.ints(n, c.input(n, 1), "the target shape (input 1)");
  for (auto d : target)
    if (d < 0) c.fail(n, fmt::format("the target shape {} has a negative dim", shape_text(Shape(target))));
  auto out = broadcast(x.shape, Shape(target.begin(), target.end()));
  if (!out)
    c.fail(n, fmt::format("{} does not broadcast to {}", shape_text(x.shape), shape_text(Shape(target))));
  if (x.is_act) {
    if (numel(*out) != numel(x.shape))
      c.fail(n, fmt::format("expanding an activation {} to {} is not supported", shape_text(x.shape),
                            shape_text(*out)));
    return reshape_to(c, n, x, *out);
  }
  const std::size_t r = out->size(), off = r - x.shape.size();
  auto st = strides_of(x.shape);
  Value v = remap(x, *out, [&](const std::vector<std::int64_t>& o) {
    std::int64_t f = 0;
    for (std::size_t k = 0; k < x.shape.size(); ++k) f += (x.shape[k] == 1 ? 0 : o[k + off]) * st[k];
    return f;
  });
  c.output(n, 0, v);
}

void identity(Importer& c, const NodeProto& n) {
  c.output(n, 0, c.input(n, 0));
}

}  // namespace

void register_movement_ops(Registry& r) {
  r["Reshape"] = reshape;
  r["Flatten"] = flatten;
  r["Squeeze"] = squeeze;
  r["Unsqueeze"] = unsqueeze;
  r["Transpose"] = transpose;
  r["Slice"] = slice;
  r["Split"] = split;
  r["Gather"] = gather;
  r["Concat"] = concat;
  r["Pad"] = pad;
  r["Expand"] = expand;
  r["Identity"] = identity;
  r["Dropout"] = identity;
}

}  // namespace imc::workloads::onnx
