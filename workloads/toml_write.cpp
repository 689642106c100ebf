// Writing a Graph in the TOML workload format (the inverse of parse_toml_workload). Plain text
// output: this file does not need toml++.
#include <fmt/format.h>

#include "workloads/toml_format.h"

namespace imc::workloads {

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

template <typename T>
std::string array(const std::vector<T>& v) {
  return fmt::format("[{}]", fmt::join(v, ", "));
}

std::string pair(std::int64_t h, std::int64_t w) {
  return h == w ? std::to_string(h) : fmt::format("[{}, {}]", h, w);
}

void attributes(std::string& s, const Graph& g, int i) {
  const Node& n = g.node(i);
  auto kv = [&s](const char* key, const std::string& value) { s += fmt::format("{} = {}\n", key, value); };
  switch (n.op) {
    case OpKind::Input:
      kv("shape", array(n.out));
      if (n.learned_params > 0) kv("stored", std::to_string(n.learned_params));
      break;
    case OpKind::Conv2d:
      kv("out_channels", std::to_string(n.out_channels));
      kv("kernel", pair(n.kernel_h, n.kernel_w));
      kv("stride", pair(n.stride_h, n.stride_w));
      kv("pad", pair(n.pad_h, n.pad_w));
      if (n.dilation_h != 1 || n.dilation_w != 1) kv("dilation", pair(n.dilation_h, n.dilation_w));
      if (n.groups != 1) kv("groups", std::to_string(n.groups));
      kv("bias", n.bias ? "true" : "false");
      break;
    case OpKind::Linear:
      kv("out_features", std::to_string(n.out_features));
      kv("bias", n.bias ? "true" : "false");
      break;
    case OpKind::MaxPool:
    case OpKind::AvgPool:
      kv("kernel", std::to_string(n.kernel_h));
      kv("stride", std::to_string(n.stride_h));
      if (n.pad_h) kv("pad", std::to_string(n.pad_h));
      break;
    case OpKind::Concat:
      kv("axis", std::to_string(n.axis));
      break;
    case OpKind::BatchNorm:
      if (n.axis != 0) kv("axis", std::to_string(n.axis));
      break;
    case OpKind::Reshape:
      switch (n.move) {
        case MoveKind::Reshape:
          kv("shape", array(n.out));
          break;
        case MoveKind::Permute:
          kv("perm", array(n.perm));
          break;
        case MoveKind::Slice:
          kv("axis", std::to_string(n.axis));
          kv("start", std::to_string(n.start));
          kv("length", std::to_string(n.out[static_cast<std::size_t>(n.axis)]));
          if (n.step != 1) kv("step", std::to_string(n.step));
          break;
        case MoveKind::Pad: {
          const Node& in = g.node(n.inputs.at(0));
          auto ax = static_cast<std::size_t>(n.axis);
          kv("axis", std::to_string(n.axis));
          kv("before", std::to_string(n.pad_before));
          kv("after", std::to_string(n.out[ax] - in.out[ax] - n.pad_before));
          break;
        }
      }
      break;
    default:
      break;
  }
  if (!n.input_bit_density.empty()) {
    std::vector<std::string> d;
    for (double x : n.input_bit_density) d.push_back(fmt::format("{}", x));
    kv("input_bit_density", fmt::format("[{}]", fmt::join(d, ", ")));
  }
}

}  // namespace

std::string to_toml(const Graph& g) {
  std::string s =
      fmt::format("# Workload '{}' in imcsim's TOML workload format (docs/workloads.md).\n", g.name());
  s += fmt::format("[network]\nname = {}\n", quoted(g.name()));
  int first = 0;
  if (g.size() > 0 && g.node(0).op == OpKind::Input && g.node(0).learned_params == 0 &&
      g.node(0).name == "input") {
    s += fmt::format("input = {}\n", array(g.node(0).out));
    first = 1;
  }
  for (int i = first; i < g.size(); ++i) {
    const Node& n = g.node(i);
    s += fmt::format("\n[[layer]]\nname = {}\nop = {}\n", quoted(n.name), quoted(op_label(n)));
    // `inputs` defaults to the previous layer.
    bool is_default = n.inputs.size() == 1 && n.inputs[0] == i - 1;
    if (!n.inputs.empty() && !is_default) {
      std::vector<std::string> names;
      for (int in : n.inputs) names.push_back(quoted(g.node(in).name));
      s += fmt::format("inputs = [{}]\n", fmt::join(names, ", "));
    }
    attributes(s, g, i);
  }
  return s;
}

}  // namespace imc::workloads
