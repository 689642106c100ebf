#include "nas/vit_supernet/space.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/config.h"
#include "common/hash.h"
#include "nas/decode_vit.h"

namespace imc::nas::vit_supernet {
namespace {

// Bump when the module layout or the training procedure changes (stale supernets are not reused).
constexpr int kFormatVersion = 1;

template <class T>
std::string where_not(const char* gene, const T& value, const std::vector<T>& choices) {
  return fmt::format("network.{} = {} is not one of the supernet's choices [{}]", gene, value,
                     fmt::join(choices, ", "));
}

std::vector<int> sorted(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

std::string to_string(const VitSubnet& s) {
  return fmt::format("{} w{}a{}", workloads::to_string(s.net), s.weight_bits, s.activation_bits);
}

VitSubnet vit_subnet_of(const SearchSpace& space, const Genome& genome, const VitSubnet& fixed) {
  VitSubnet s = fixed;
  s.net = vit_params(fixed.net, space, genome);
  const auto& genes = space.genes();
  for (std::size_t i = 0; i < genes.size(); ++i) {
    const GeneValue& v = genes[i].values.at(static_cast<std::size_t>(genome.at(i)));
    if (genes[i].name == "network.weight_bits") s.weight_bits = int(v.as_number());
    if (genes[i].name == "network.activation_bits") s.activation_bits = int(v.as_number());
  }
  return s;
}

VitSupernetSpace VitSupernetSpace::from_search_space(const SearchSpace& space, const VitSubnet& fixed) {
  check_vit_genes(space);
  VitSupernetSpace out;
  out.input = fixed.net.input;
  out.classes = fixed.net.classes;
  auto choices = [&](const char* field, int fallback) {
    const Gene* g = space.find(std::string("network.") + field);
    if (!g) return std::vector<int>{fallback};
    std::vector<int> v;
    for (const GeneValue& x : g->values) v.push_back(int(x.as_number()));
    return sorted(v);
  };
  out.patch = choices("patch", fixed.net.patch);
  out.depth = choices("depth", fixed.net.depth);
  out.embed = choices("embed", fixed.net.embed);
  out.heads = choices("heads", fixed.net.heads);
  out.mlp_ratio = choices("mlp_ratio", fixed.net.mlp_ratio);
  out.weight_bits = choices("weight_bits", fixed.weight_bits);
  out.activation_bits = choices("activation_bits", fixed.activation_bits);
  for (const char* bits : {"weight_bits", "activation_bits"})
    if (const Gene* g = space.find(std::string("network.") + bits))
      for (const GeneValue& v : g->values)
        if (!v.is_number() || v.as_number() < 2 || v.as_number() > 16)
          throw common::InputError(
              fmt::format("{}:{}: gene '{}': value '{}' cannot be held by the ViT supernet: "
                          "allowed bit-widths 2..16",
                          g->file, g->line, g->name, v.to_string()));
  // Undeclared genes take `fixed`'s values: those must be buildable with the declared ones too.
  for (int h : out.heads)
    for (int e : out.embed)
      if (e % h != 0)
        throw common::InputError(
            fmt::format("ViT supernet: heads {} does not divide embed {} (allowed: the "
                        "common divisors of every embed value)",
                        h, e));
  (void)workloads::build_vit_family(out.largest().net, "supernet-check");
  (void)workloads::build_vit_family(out.smallest().net, "supernet-check");
  return out;
}

VitSubnet VitSupernetSpace::largest() const {
  VitSubnet s;
  s.net.input = input, s.net.classes = classes;
  s.net.patch = patch.front(), s.net.depth = depth.back(), s.net.embed = embed.back();
  s.net.heads = heads.back(), s.net.mlp_ratio = mlp_ratio.back();
  s.weight_bits = weight_bits.back(), s.activation_bits = activation_bits.back();
  return s;
}

VitSubnet VitSupernetSpace::smallest() const {
  VitSubnet s;
  s.net.input = input, s.net.classes = classes;
  s.net.patch = patch.back(), s.net.depth = depth.front(), s.net.embed = embed.front();
  s.net.heads = heads.front(), s.net.mlp_ratio = mlp_ratio.front();
  s.weight_bits = weight_bits.front(), s.activation_bits = activation_bits.front();
  return s;
}

VitSubnet VitSupernetSpace::sample(std::mt19937_64& rng) const {
  auto pick = [&](const std::vector<int>& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  };
  VitSubnet s;
  s.net.input = input, s.net.classes = classes;
  s.net.patch = pick(patch), s.net.depth = pick(depth), s.net.embed = pick(embed);
  s.net.heads = pick(heads), s.net.mlp_ratio = pick(mlp_ratio);
  s.weight_bits = pick(weight_bits), s.activation_bits = pick(activation_bits);
  return s;
}

bool VitSupernetSpace::contains(const VitSubnet& s, std::string* why) const {
  auto in = [&](const char* gene, int v, const std::vector<int>& c) {
    if (std::find(c.begin(), c.end(), v) != c.end()) return true;
    if (why) *why = where_not(gene, v, c);
    return false;
  };
  if (s.net.input != input || s.net.classes != classes) {
    if (why) *why = "input shape or class count differs from the supernet's";
    return false;
  }
  return in("patch", s.net.patch, patch) && in("depth", s.net.depth, depth) &&
         in("embed", s.net.embed, embed) && in("heads", s.net.heads, heads) &&
         in("mlp_ratio", s.net.mlp_ratio, mlp_ratio) && in("weight_bits", s.weight_bits, weight_bits) &&
         in("activation_bits", s.activation_bits, activation_bits);
}

std::string VitSupernetSpace::canonical() const {
  return fmt::format("vit|in[{}]|c{}|patch[{}]|depth[{}]|embed[{}]|heads[{}]|mlp[{}]|wb[{}]|ab[{}]",
                     fmt::join(input, ","), classes, fmt::join(patch, ","), fmt::join(depth, ","),
                     fmt::join(embed, ","), fmt::join(heads, ","), fmt::join(mlp_ratio, ","),
                     fmt::join(weight_bits, ","), fmt::join(activation_bits, ","));
}

std::string vit_supernet_key(const VitSupernetSpace& space, const supernet::SupernetTrainOptions& o) {
  const std::string settings =
      fmt::format("vit-v{}|fashion-mnist|{}|e{}|n{}|b{}|lr{}|k{}|lw{}|s{}|noise{}", kFormatVersion,
                  space.canonical(), o.epochs, o.train_subset, o.batch_size, o.learning_rate,
                  o.random_subnets, o.label_weight, o.seed, o.supernet.noise_sigma);
  return common::hash_hex(common::hash64(settings));
}

std::string vit_supernet_file_name(const std::string& key) {
  return fmt::format("vit-supernet-{}.pt", key);
}

}  // namespace imc::nas::vit_supernet
