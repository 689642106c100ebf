// Reading and writing the TOML workload format. Each op declares the keys it accepts and how many
// inputs it takes, so that unknown ops, unknown keys, unknown input names and wrong input counts
// are reported with the file, line, key and the allowed values.
#include "workloads/toml_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <optional>

#include "common/config.h"

namespace imc::workloads {

using common::ConfigNode;

namespace {

// How many inputs an op reads: exactly `n`, or at least 2 for kVariadic.
constexpr int kVariadic = -1;

struct OpSpec {
  const char* op;
  int arity;
  std::vector<const char*> keys;  // op attributes besides name, op, inputs
  std::vector<const char*> required;
};

const std::vector<OpSpec>& op_specs() {
  static const std::vector<OpSpec> specs = {
      {"input", 0, {"shape"}, {"shape"}},
      {"parameter", 0, {"shape", "stored"}, {"shape"}},
      {"conv",
       1,
       {"out_channels", "kernel", "stride", "pad", "dilation", "groups", "bias", "input_bit_density"},
       {"out_channels", "kernel"}},
      {"linear", 1, {"out_features", "bias", "input_bit_density"}, {"out_features"}},
      {"matmul", 2, {}, {}},
      {"maxpool", 1, {"kernel", "stride", "pad"}, {"kernel"}},
      {"avgpool", 1, {"kernel", "stride", "pad"}, {"kernel"}},
      {"global_avgpool", 1, {}, {}},
      {"add", 2, {}, {}},
      {"mul", 2, {}, {}},
      {"concat", kVariadic, {"axis"}, {}},
      {"relu", 1, {}, {}},
      {"relu6", 1, {}, {}},
      {"gelu", 1, {}, {}},
      {"sigmoid", 1, {}, {}},
      {"hardsigmoid", 1, {}, {}},
      {"hardswish", 1, {}, {}},
      {"tanh", 1, {}, {}},
      {"silu", 1, {}, {}},
      {"batchnorm", 1, {"axis"}, {}},
      {"layernorm", 1, {}, {}},
      {"softmax", 1, {}, {}},
      {"reshape", 1, {"shape"}, {"shape"}},
      {"flatten", 1, {}, {}},
      {"transpose", 1, {}, {}},
      {"permute", 1, {"perm"}, {"perm"}},
      {"slice", 1, {"axis", "start", "length", "step"}, {"axis", "length"}},
      {"pad", 1, {"axis", "before", "after"}, {"axis"}},
  };
  return specs;
}

const ActKind kActs[] = {ActKind::ReLU,        ActKind::ReLU6,     ActKind::GELU, ActKind::Sigmoid,
                         ActKind::HardSigmoid, ActKind::HardSwish, ActKind::Tanh, ActKind::SiLU};

std::optional<ActKind> act_of(const std::string& op) {
  for (ActKind a : kActs)
    if (op == to_string(a)) return a;
  return std::nullopt;
}

std::int64_t int_key(const ConfigNode& t, const char* key, std::int64_t def, std::int64_t lo) {
  ConfigNode n = t.get(key);
  if (!n.valid()) return def;
  if (!n.is_integer()) n.fail(fmt::format("expected an integer >= {}, found {}", lo, n.type_name()));
  std::int64_t v = n.as_int();
  if (v < lo) n.fail(fmt::format("{} is out of range: allowed >= {}", v, lo));
  return v;
}

// An integer, or [height, width].
std::pair<std::int64_t, std::int64_t> pair_key(const ConfigNode& t, const char* key, std::int64_t def,
                                               std::int64_t lo) {
  ConfigNode n = t.get(key);
  if (!n.valid()) return {def, def};
  if (n.is_array()) {
    if (n.size() != 2)
      n.fail(fmt::format("expected an integer or [height, width], found {} values", n.size()));
    std::int64_t v[2];
    for (std::size_t i = 0; i < 2; ++i) {
      ConfigNode e = n.at(i);
      if (!e.is_integer()) e.fail(fmt::format("expected an integer >= {}, found {}", lo, e.type_name()));
      v[i] = e.as_int();
      if (v[i] < lo) e.fail(fmt::format("{} is out of range: allowed >= {}", v[i], lo));
    }
    return {v[0], v[1]};
  }
  if (!n.is_integer())
    n.fail(fmt::format("expected an integer >= {} or [height, width], found {}", lo, n.type_name()));
  std::int64_t v = n.as_int();
  if (v < lo) n.fail(fmt::format("{} is out of range: allowed >= {}", v, lo));
  return {v, v};
}

std::vector<std::int64_t> ints_key(const ConfigNode& t, const char* key, std::int64_t lo, const char* what) {
  ConfigNode n = t.require(key);
  if (!n.is_array() || n.size() == 0) n.fail(fmt::format("expected {}, found {}", what, n.type_name()));
  std::vector<std::int64_t> v;
  for (std::size_t i = 0; i < n.size(); ++i) {
    ConfigNode e = n.at(i);
    if (!e.is_integer())
      e.fail(fmt::format("expected an integer >= {} ({}), found {}", lo, what, e.type_name()));
    std::int64_t x = e.as_int();
    if (x < lo) e.fail(fmt::format("{} is out of range: allowed >= {} ({})", x, lo, what));
    v.push_back(x);
  }
  return v;
}

// Data-dependent activity (workloads/activity.h): a number or a list of numbers in [0, 1], the
// density of 1-bits per input bit position (LSB first); absent = worst case (empty).
std::vector<double> density_key(const ConfigNode& t) {
  ConfigNode n = t.get("input_bit_density");
  std::vector<double> v;
  if (!n.valid()) return v;
  auto one = [&](const ConfigNode& e) {
    if (!e.is_number()) e.fail(fmt::format("expected a number in [0, 1], found {}", e.type_name()));
    const double x = e.as_real();
    if (!(x >= 0.0 && x <= 1.0)) e.fail(fmt::format("{} is out of range: allowed [0, 1]", x));
    v.push_back(x);
  };
  if (n.is_array()) {
    if (n.size() == 0) n.fail("expected a density or a list of densities per input bit, found []");
    for (std::size_t i = 0; i < n.size(); ++i) one(n.at(i));
  } else {
    one(n);
  }
  return v;
}

bool bool_key(const ConfigNode& t, const char* key, bool def) {
  ConfigNode n = t.get(key);
  return n.valid() ? n.as_bool() : def;
}

std::string names_list(const Graph& g) {
  constexpr int kMax = 40;
  std::string s;
  int shown = std::min(g.size(), kMax);
  for (int i = g.size() - shown; i < g.size(); ++i) s += (s.empty() ? "" : ", ") + g.node(i).name;
  if (g.size() > kMax) s = fmt::format("(last {} of {}) {}", kMax, g.size(), s);
  return s;
}

// Resolves `inputs` (a name or an array of names); the default is the previous layer.
std::vector<int> read_inputs(const ConfigNode& layer, const Graph& g, int prev, const OpSpec& spec) {
  ConfigNode n = layer.get("inputs");
  std::vector<int> ids;
  if (!n.valid()) {
    if (spec.arity == 0) return ids;
    if (prev < 0)
      layer.fail(fmt::format(
          "op \"{}\" needs inputs and there is no previous layer: set 'inputs' or [network] input", spec.op));
    ids.push_back(prev);
  } else {
    if (spec.arity == 0) n.fail(fmt::format("op \"{}\" takes no inputs", spec.op));
    std::vector<ConfigNode> items;
    if (n.is_string()) {
      items.push_back(n);
    } else if (n.is_array()) {
      for (std::size_t i = 0; i < n.size(); ++i) items.push_back(n.at(i));
    } else {
      n.fail(fmt::format("expected a layer name or an array of layer names, found {}", n.type_name()));
    }
    for (const auto& item : items) {
      std::string name = item.as_string();
      int id = g.find(name);
      if (id < 0)
        item.fail(fmt::format("unknown layer \"{}\"; a layer reads only layers defined above it: {}", name,
                              g.size() ? names_list(g) : "(none yet)"));
      ids.push_back(id);
    }
  }
  bool ok = spec.arity == kVariadic ? ids.size() >= 2 : static_cast<int>(ids.size()) == spec.arity;
  if (!ok) {
    std::string want = spec.arity == kVariadic ? "at least 2" : std::to_string(spec.arity);
    (n.valid() ? n : layer)
        .fail(fmt::format("op \"{}\" takes {} input(s), found {}", spec.op, want, ids.size()));
  }
  return ids;
}

// Reads a layer's attributes (errors name their key) and returns the builder call to make, so that
// what the builder rejects (shapes, duplicate names) can be reported at the layer.
using Build = std::function<int(Graph&)>;

Build plan_layer(const ConfigNode& L, const OpSpec& spec, const std::vector<int>& in,
                 const std::string& name) {
  const std::string op = spec.op;
  if (op == "input") {
    auto shape = ints_key(L, "shape", 1, "a shape such as [3, 224, 224]");
    return [=](Graph& g) { return g.input(shape, name); };
  }
  if (op == "parameter") {
    auto shape = ints_key(L, "shape", 1, "a shape such as [197, 768]");
    auto stored = int_key(L, "stored", 0, 0);
    return [=](Graph& g) { return g.parameter(shape, stored, name); };
  }
  if (op == "conv") {
    Node a;
    a.out_channels = int_key(L, "out_channels", 0, 1);
    std::tie(a.kernel_h, a.kernel_w) = pair_key(L, "kernel", 1, 1);
    std::tie(a.stride_h, a.stride_w) = pair_key(L, "stride", 1, 1);
    std::tie(a.dilation_h, a.dilation_w) = pair_key(L, "dilation", 1, 1);
    // Default padding is "same": (kernel - 1) / 2 * dilation.
    auto [ph, pw] = pair_key(L, "pad", -1, 0);
    a.pad_h = ph < 0 ? (a.kernel_h - 1) / 2 * a.dilation_h : ph;
    a.pad_w = pw < 0 ? (a.kernel_w - 1) / 2 * a.dilation_w : pw;
    a.groups = int_key(L, "groups", 1, 1);
    a.bias = bool_key(L, "bias", false);
    const std::vector<double> density = density_key(L);
    return [=](Graph& g) {
      const int i = g.conv2d(in[0], a, name);
      g.set_input_bit_density(i, density);
      return i;
    };
  }
  if (op == "linear") {
    auto f = int_key(L, "out_features", 0, 1);
    bool bias = bool_key(L, "bias", true);
    const std::vector<double> density = density_key(L);
    return [=](Graph& g) {
      const int i = g.linear(in[0], f, bias, name);
      g.set_input_bit_density(i, density);
      return i;
    };
  }
  if (op == "maxpool" || op == "avgpool") {
    std::int64_t k = int_key(L, "kernel", 1, 1);
    std::int64_t s = int_key(L, "stride", k, 1);
    std::int64_t p = int_key(L, "pad", 0, 0);
    bool max = op == "maxpool";
    return [=](Graph& g) { return max ? g.maxpool(in[0], k, s, p, name) : g.avgpool(in[0], k, s, p, name); };
  }
  if (op == "concat" || op == "batchnorm") {
    int axis = static_cast<int>(int_key(L, "axis", 0, -8));
    if (op == "concat") return [=](Graph& g) { return g.concat(in, axis, name); };
    return [=](Graph& g) { return g.affine(in[0], axis, name); };
  }
  if (auto act = act_of(op)) return [=, a = *act](Graph& g) { return g.activation(in[0], a, name); };
  if (op == "reshape") {
    auto shape = ints_key(L, "shape", -1, "a shape; one dim may be -1");
    return [=](Graph& g) { return g.reshape(in[0], shape, name); };
  }
  if (op == "permute") {
    std::vector<int> perm;
    for (auto v : ints_key(L, "perm", 0, "a permutation of the axes such as [1, 0, 2]"))
      perm.push_back(static_cast<int>(v));
    return [=](Graph& g) { return g.permute(in[0], perm, name); };
  }
  if (op == "slice") {
    int axis = static_cast<int>(int_key(L, "axis", 0, -8));
    auto start = int_key(L, "start", 0, 0), length = int_key(L, "length", 1, 1),
         step = int_key(L, "step", 1, 1);
    return [=](Graph& g) { return g.slice(in[0], axis, start, length, step, name); };
  }
  if (op == "pad") {
    int axis = static_cast<int>(int_key(L, "axis", 0, -8));
    auto before = int_key(L, "before", 0, 0), after = int_key(L, "after", 0, 0);
    return [=](Graph& g) { return g.pad(in[0], axis, before, after, name); };
  }
  if (op == "matmul") return [=](Graph& g) { return g.matmul(in[0], in[1], name); };
  if (op == "add") return [=](Graph& g) { return g.add(in[0], in[1], name); };
  if (op == "mul") return [=](Graph& g) { return g.mul(in[0], in[1], name); };
  if (op == "global_avgpool") return [=](Graph& g) { return g.global_avgpool(in[0], name); };
  if (op == "layernorm") return [=](Graph& g) { return g.layernorm(in[0], name); };
  if (op == "softmax") return [=](Graph& g) { return g.softmax(in[0], name); };
  if (op == "flatten") return [=](Graph& g) { return g.flatten(in[0], name); };
  if (op == "transpose") return [=](Graph& g) { return g.transpose_last2(in[0], name); };
  L.fail(fmt::format("op \"{}\" has no builder", op));  // unreachable: every spec has a branch above
}

Graph from_config(const ConfigNode& root, const std::string& default_name) {
  for (const auto& k : root.keys())
    if (k != "network" && k != "layer")
      root.get(k).fail("unknown top-level key; allowed: [network], [[layer]]");
  ConfigNode net = root.require("network");
  if (!net.is_table()) net.fail(fmt::format("expected a table, found {}", net.type_name()));
  for (const auto& k : net.keys())
    if (k != "name" && k != "input") net.get(k).fail("unknown key; allowed keys here: name, input");
  Graph g(net.get("name").valid() ? net.get("name").as_string() : default_name);
  int prev = -1;
  if (net.get("input").valid()) {
    const auto shape = ints_key(net, "input", 1, "a shape such as [3, 224, 224]");
    try {
      prev = g.input(shape, "input");
    } catch (const common::InputError& e) {
      net.get("input").fail(e.what());
    }
  }

  ConfigNode layers = root.require("layer");
  if (!layers.is_array() || layers.size() == 0)
    layers.fail(fmt::format("expected one or more [[layer]] tables, found {}", layers.type_name()));
  std::string op_list;
  for (const auto& s : op_specs()) op_list += (op_list.empty() ? "" : ", ") + std::string(s.op);

  for (std::size_t i = 0; i < layers.size(); ++i) {
    ConfigNode L = layers.at(i);
    if (!L.is_table()) L.fail(fmt::format("expected a [[layer]] table, found {}", L.type_name()));
    ConfigNode opn = L.require("op");
    std::string op = opn.as_string();
    auto it = std::find_if(op_specs().begin(), op_specs().end(), [&](const OpSpec& s) { return op == s.op; });
    if (it == op_specs().end()) opn.fail(fmt::format("unknown op \"{}\"; allowed ops: {}", op, op_list));
    const OpSpec& spec = *it;
    std::vector<std::string> allowed = {"name", "op"};
    if (spec.arity != 0) allowed.emplace_back("inputs");
    for (const char* k : spec.keys) allowed.emplace_back(k);
    for (const auto& k : L.keys())
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
        L.get(k).fail(
            fmt::format("unknown key for op \"{}\"; allowed keys: {}", op, fmt::join(allowed, ", ")));
    for (const char* k : spec.required)
      if (!L.get(k).valid()) L.fail(fmt::format("op \"{}\" requires key '{}'", op, k));
    std::string name = L.get("name").valid() ? L.get("name").as_string() : "";
    std::vector<int> in = read_inputs(L, g, prev, spec);
    Build build = plan_layer(L, spec, in, name);
    try {
      prev = build(g);
    } catch (const common::InputError& e) {
      L.fail(e.what());
    }
  }
  return g;
}

std::string stem_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  auto dot = base.find_last_of('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

}  // namespace

std::vector<std::string> toml_op_names() {
  std::vector<std::string> v;
  for (const auto& s : op_specs()) v.emplace_back(s.op);
  return v;
}

Graph load_toml_workload(const std::string& path) {
  return from_config(ConfigNode::parse_file(path), stem_of(path));
}

Graph parse_toml_workload(std::string_view text, const std::string& source_name) {
  return from_config(ConfigNode::parse_string(text, source_name), stem_of(source_name));
}

}  // namespace imc::workloads
