// How the differentiable search splits a search space: the network genes carry the architecture
// distribution (one categorical per gene, trained by gradient in the inner loop), every other gene
// (the hardware genes) is the outer loop's genome. A network of the space is one choice per network
// gene, numbered in row-major order (the first network gene varies slowest), which is the order of
// the flattened outer product of the genes' probabilities (relaxation.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nas/genome.h"
#include "nas/space.h"

namespace imc::nas::differentiable {

struct ArchSpace {
  std::vector<std::size_t> network_genes;  // indices into SearchSpace::genes(), "network.*" genes
  std::vector<std::size_t> outer_genes;    // every other gene
  std::vector<std::size_t> choices;        // values of each network gene
  // Of the outer genome: one per outer gene, then (lambda_levels > 1) the lambda gene's.
  std::vector<std::size_t> outer_cardinalities;
  std::size_t lambda_levels = 1;

  // Throws common::InputError naming `config_path` and [network] when the space has no free network
  // gene, no free outer gene, or more than `max_subnets` networks.
  static ArchSpace of(const SearchSpace& space, const std::string& config_path, std::size_t max_subnets,
                      std::size_t lambda_levels = 1);
  // The index into lambda_values() of an outer genome (the last one when lambda is not a gene).
  std::size_t lambda_index(const Genome& outer) const;

  std::size_t subnet_count() const;
  std::vector<int> choice_of(std::size_t subnet) const;  // one value index per network gene
  std::size_t index_of(const std::vector<int>& choice) const;
  // The full genome of an outer genome (one index per outer gene, the lambda gene ignored) and a network
  // choice.
  Genome genome(const Genome& outer, const std::vector<int>& choice) const;
  Genome outer_of(const Genome& full) const;  // the hardware genes only (no lambda gene)
  std::vector<int> choice_of_genome(const Genome& full) const;
};

}  // namespace imc::nas::differentiable
