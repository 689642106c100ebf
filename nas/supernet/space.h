// The space a supernet covers: for every network gene of a search space (workloads::CnnFamilyParams
// fields plus the weight and activation bit-widths), the list of values it may take. The supernet
// holds the weights of the largest choice of every gene; a subnet is one choice of each.
// Torch-free, so a search config can be checked against it without libtorch.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "nas/space.h"
#include "workloads/family.h"

namespace imc::nas::supernet {

// One network of the space: the CNN family's parameters and the bit-widths it is quantized to.
struct Subnet {
  workloads::CnnFamilyParams net;
  int weight_bits = 8;
  int activation_bits = 8;
};
std::string to_string(const Subnet& s);  // "stages=2 blocks=1 ch=16 k=3 plain e1 p0 fc0 w8a8"

// The network of a search genome: its network genes over `fixed` (nas::network_params), the bits
// from network.weight_bits / network.activation_bits when declared. Throws nas::DecodeError as
// network_params does.
Subnet subnet_of(const SearchSpace& space, const Genome& genome, const Subnet& fixed = {});

struct SupernetSpace {
  std::vector<std::int64_t> input = {1, 28, 28};
  int classes = 10;
  // Choices of every gene, sorted ascending, no duplicates (residual: false < true).
  std::vector<int> stages, blocks_per_stage, base_channels, kernel, expansion, fc_hidden;
  std::vector<bool> residual;
  std::vector<double> prune;
  std::vector<int> weight_bits, activation_bits;

  // The network genes of a search space ("network.<field>"); a field without a gene takes the
  // value of `fixed` (bits: `fixed_bits`). Throws common::InputError naming the gene's file:line
  // and what is allowed when a value is not one a supernet can hold.
  static SupernetSpace from_search_space(const SearchSpace& space, const Subnet& fixed = {});

  Subnet largest() const;        // every gene at its largest (residual if allowed, prune at its least)
  Subnet largest_plain() const;  // the largest with residual at its first choice (plain when allowed)
  Subnet smallest() const;       // every gene at its smallest (plain if allowed, prune at its most)
  Subnet sample(std::mt19937_64& rng) const;  // every gene uniformly from its choices
  // Whether `s` is a choice of every gene; `why` gets the first gene that is not.
  bool contains(const Subnet& s, std::string* why = nullptr) const;
  // Stable text of every gene's choices (the supernet cache key reads it).
  std::string canonical() const;
};

}  // namespace imc::nas::supernet
