#include "nas/supernet/space.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "common/config.h"
#include "nas/decode.h"

namespace imc::nas::supernet {
namespace {

std::string where(const Gene& g) {
  return g.file.empty() ? fmt::format("gene '{}'", g.name)
                        : fmt::format("{}:{}: gene '{}'", g.file, g.line, g.name);
}

template <class T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

int whole(const Gene& g, const GeneValue& v) {
  if (!v.is_number() || std::floor(v.as_number()) != v.as_number())
    throw common::InputError(
        fmt::format("{}: value '{}' must be a whole number for a supernet", where(g), v.to_string()));
  return int(v.as_number());
}

bool residual_of(const Gene& g, const GeneValue& v) {
  if (v.is_number()) return v.as_number() != 0;
  const std::string& s = v.as_string();
  if (s == "true" || s == "residual" || s == "yes") return true;
  if (s == "false" || s == "plain" || s == "no") return false;
  throw common::InputError(fmt::format("{}: value '{}': allowed true|false|residual|plain|0|1", where(g), s));
}

template <class T>
T pick(const std::vector<T>& v, std::mt19937_64& rng) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}

template <class T>
bool has(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

std::string to_string(const Subnet& s) {
  const auto& n = s.net;
  return fmt::format("stages={} blocks={} ch={} k={} {} e{} p{} fc{} w{}a{}", n.stages, n.blocks_per_stage,
                     n.base_channels, n.kernel, n.residual ? "residual" : "plain", n.expansion, n.prune,
                     n.fc_hidden, s.weight_bits, s.activation_bits);
}

Subnet subnet_of(const SearchSpace& space, const Genome& genome, const Subnet& fixed) {
  Subnet s = fixed;
  s.net = network_params(fixed.net, space, genome);
  for (std::size_t i = 0; i < space.genes().size(); ++i) {
    const Gene& g = space.genes()[i];
    if (g.name != "network.weight_bits" && g.name != "network.activation_bits") continue;
    const int bits = whole(g, g.values.at(std::size_t(genome.at(i))));
    (g.name == "network.weight_bits" ? s.weight_bits : s.activation_bits) = bits;
  }
  return s;
}

SupernetSpace SupernetSpace::from_search_space(const SearchSpace& space, const Subnet& fixed) {
  SupernetSpace s;
  s.input = fixed.net.input;
  s.classes = fixed.net.classes;
  std::vector<const Gene*> declared;  // network genes, to check each value against the family
  for (const Gene& g : space.genes()) {
    if (g.group() != "network") continue;
    const std::string f = g.name.substr(8);
    declared.push_back(&g);
    for (const GeneValue& v : g.values) {
      if (f == "stages")
        s.stages.push_back(whole(g, v));
      else if (f == "blocks_per_stage")
        s.blocks_per_stage.push_back(whole(g, v));
      else if (f == "base_channels")
        s.base_channels.push_back(whole(g, v));
      else if (f == "kernel")
        s.kernel.push_back(whole(g, v));
      else if (f == "expansion")
        s.expansion.push_back(whole(g, v));
      else if (f == "fc_hidden")
        s.fc_hidden.push_back(whole(g, v));
      else if (f == "residual")
        s.residual.push_back(residual_of(g, v));
      else if (f == "weight_bits")
        s.weight_bits.push_back(whole(g, v));
      else if (f == "activation_bits")
        s.activation_bits.push_back(whole(g, v));
      else if (f == "prune") {
        if (!v.is_number())
          throw common::InputError(fmt::format("{}: value '{}' must be a number", where(g), v.to_string()));
        s.prune.push_back(v.as_number());
      } else {
        throw common::InputError(fmt::format(
            "{}: a supernet holds the CNN family's genes only; allowed: stages, blocks_per_stage, "
            "base_channels, kernel, residual, expansion, prune, fc_hidden, weight_bits, activation_bits",
            where(g)));
      }
    }
  }
  // Genes the space does not declare are fixed at the given network's value.
  auto fill = [](auto& v, auto value) {
    if (v.empty()) v.push_back(value);
    sort_unique(v);
  };
  fill(s.stages, fixed.net.stages), fill(s.blocks_per_stage, fixed.net.blocks_per_stage);
  fill(s.base_channels, fixed.net.base_channels), fill(s.kernel, fixed.net.kernel);
  fill(s.expansion, fixed.net.expansion), fill(s.fc_hidden, fixed.net.fc_hidden);
  fill(s.residual, fixed.net.residual), fill(s.prune, fixed.net.prune);
  fill(s.weight_bits, fixed.weight_bits), fill(s.activation_bits, fixed.activation_bits);

  // Every value must build with the other genes at the family's defaults (each gene's range does
  // not depend on the others; the stages' depends on the input resolution only).
  for (const Gene* g : declared) {
    const std::string f = g->name.substr(8);
    for (const GeneValue& v : g->values) {
      Subnet sub;
      sub.net.input = s.input, sub.net.classes = s.classes;
      std::string why;
      try {
        if (f == "weight_bits" || f == "activation_bits") {
          const int b = whole(*g, v);
          if (b < 2 || b > 16) why = fmt::format("{} bits not in [2, 16]", b);
        } else {
          workloads::for_each_field(sub.net, sub.net, [&](const char* name, auto& field, auto&) {
            using T = std::decay_t<decltype(field)>;
            if (f != name) return;
            if constexpr (std::is_same_v<T, int>)
              field = whole(*g, v);
            else if constexpr (std::is_same_v<T, bool>)
              field = residual_of(*g, v);
            else if constexpr (std::is_same_v<T, double>)
              field = v.as_number();
          });
          workloads::build_cnn_family(sub.net, "supernet-check");
        }
      } catch (const common::InputError& e) {
        why = e.what();
      }
      if (!why.empty())
        throw common::InputError(
            fmt::format("{}: value '{}' cannot be held by the supernet: {}", where(*g), v.to_string(), why));
    }
  }
  return s;
}

Subnet SupernetSpace::largest() const {
  Subnet s;
  s.net.input = input, s.net.classes = classes;
  s.net.stages = stages.back(), s.net.blocks_per_stage = blocks_per_stage.back();
  s.net.base_channels = base_channels.back(), s.net.kernel = kernel.back();
  s.net.residual = residual.back(), s.net.expansion = expansion.back();
  s.net.prune = prune.front(), s.net.fc_hidden = fc_hidden.back();
  s.weight_bits = weight_bits.back(), s.activation_bits = activation_bits.back();
  return s;
}

Subnet SupernetSpace::largest_plain() const {
  Subnet s = largest();
  s.net.residual = residual.front();
  return s;
}

Subnet SupernetSpace::smallest() const {
  Subnet s;
  s.net.input = input, s.net.classes = classes;
  s.net.stages = stages.front(), s.net.blocks_per_stage = blocks_per_stage.front();
  s.net.base_channels = base_channels.front(), s.net.kernel = kernel.front();
  s.net.residual = residual.front(), s.net.expansion = expansion.front();
  s.net.prune = prune.back(), s.net.fc_hidden = fc_hidden.front();
  s.weight_bits = weight_bits.front(), s.activation_bits = activation_bits.front();
  return s;
}

Subnet SupernetSpace::sample(std::mt19937_64& rng) const {
  Subnet s;
  s.net.input = input, s.net.classes = classes;
  s.net.stages = pick(stages, rng), s.net.blocks_per_stage = pick(blocks_per_stage, rng);
  s.net.base_channels = pick(base_channels, rng), s.net.kernel = pick(kernel, rng);
  s.net.residual = pick(residual, rng), s.net.expansion = pick(expansion, rng);
  s.net.prune = pick(prune, rng), s.net.fc_hidden = pick(fc_hidden, rng);
  s.weight_bits = pick(weight_bits, rng), s.activation_bits = pick(activation_bits, rng);
  return s;
}

bool SupernetSpace::contains(const Subnet& s, std::string* why) const {
  auto no = [&](const char* gene, const std::string& value) {
    if (why) *why = fmt::format("network.{} = {} is not a choice of the supernet", gene, value);
    return false;
  };
  const auto& n = s.net;
  if (n.input != input || n.classes != classes) return no("input", "(another input or class count)");
  if (!has(stages, n.stages)) return no("stages", std::to_string(n.stages));
  if (!has(blocks_per_stage, n.blocks_per_stage))
    return no("blocks_per_stage", std::to_string(n.blocks_per_stage));
  if (!has(base_channels, n.base_channels)) return no("base_channels", std::to_string(n.base_channels));
  if (!has(kernel, n.kernel)) return no("kernel", std::to_string(n.kernel));
  if (!has(residual, n.residual)) return no("residual", n.residual ? "residual" : "plain");
  if (!has(expansion, n.expansion)) return no("expansion", std::to_string(n.expansion));
  if (!has(prune, n.prune)) return no("prune", fmt::format("{}", n.prune));
  if (!has(fc_hidden, n.fc_hidden)) return no("fc_hidden", std::to_string(n.fc_hidden));
  if (!has(weight_bits, s.weight_bits)) return no("weight_bits", std::to_string(s.weight_bits));
  if (!has(activation_bits, s.activation_bits))
    return no("activation_bits", std::to_string(s.activation_bits));
  return true;
}

std::string SupernetSpace::canonical() const {
  std::string residual_text;  // fmt::join does not take std::vector<bool>'s proxies everywhere
  for (bool r : residual) residual_text += residual_text.empty() ? (r ? "1" : "0") : (r ? ",1" : ",0");
  return fmt::format(
      "input={};classes={};stages={};blocks={};channels={};kernel={};residual={};expansion={};prune={};"
      "fc_hidden={};wbits={};abits={}",
      fmt::join(input, ","), classes, fmt::join(stages, ","), fmt::join(blocks_per_stage, ","),
      fmt::join(base_channels, ","), fmt::join(kernel, ","), residual_text, fmt::join(expansion, ","),
      fmt::join(prune, ","), fmt::join(fc_hidden, ","), fmt::join(weight_bits, ","),
      fmt::join(activation_bits, ","));
}

}  // namespace imc::nas::supernet
