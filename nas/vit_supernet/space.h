// The space a ViT supernet covers: for every ViT gene of a search space (workloads::VitFamilyParams
// fields plus the weight and activation bit-widths), the values it may take. The supernet holds the
// weights of the largest choice of every gene; a subnet is one choice of each. Torch-free, so a search
// config can be checked against it in every build.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "nas/space.h"
#include "nas/supernet/options.h"
#include "workloads/vit_family.h"

namespace imc::nas::vit_supernet {

// One network of the space: the ViT's parameters and the bit-widths it is quantized to.
struct VitSubnet {
  workloads::VitFamilyParams net;
  int weight_bits = 8;
  int activation_bits = 8;
};
std::string to_string(const VitSubnet& s);  // "p7 d4 e64 h4 r2 w8a8"

// The ViT of a search genome: its ViT genes over `fixed` (nas::vit_params), the bits from
// network.weight_bits / network.activation_bits when declared. Throws nas::DecodeError.
VitSubnet vit_subnet_of(const SearchSpace& space, const Genome& genome, const VitSubnet& fixed = {});

struct VitSupernetSpace {
  std::vector<std::int64_t> input = {1, 28, 28};
  int classes = 10;
  // Choices of every gene, sorted ascending, no duplicates.
  std::vector<int> patch, depth, embed, heads, mlp_ratio, weight_bits, activation_bits;

  // The ViT genes of a search space; a gene the space does not declare is fixed at `fixed`'s value.
  // Throws common::InputError naming the gene's file:line and what is allowed (nas::check_vit_genes,
  // bits in [2, 16]).
  static VitSupernetSpace from_search_space(const SearchSpace& space, const VitSubnet& fixed = {});

  VitSubnet largest() const;   // deepest, widest, most heads, widest MLP, the smallest patch (most tokens)
  VitSubnet smallest() const;  // the opposite of every gene, the largest patch
  VitSubnet sample(std::mt19937_64& rng) const;  // every gene uniformly from its choices
  bool contains(const VitSubnet& s, std::string* why = nullptr) const;
  std::string canonical() const;  // stable text of every gene's choices (the cache key reads it)
};

// 16 hex digits over the space's choices, every training option and a format version.
std::string vit_supernet_key(const VitSupernetSpace& space, const supernet::SupernetTrainOptions& options);
std::string vit_supernet_file_name(const std::string& key);  // "vit-supernet-<key>.pt"

}  // namespace imc::nas::vit_supernet
