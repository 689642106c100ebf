#include "nas/differentiable/arch_space.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/config.h"

namespace imc::nas::differentiable {

using common::InputError;

ArchSpace ArchSpace::of(const SearchSpace& space, const std::string& config_path, std::size_t max_subnets,
                        std::size_t lambda_levels) {
  ArchSpace a;
  std::size_t free_network = 0, free_outer = 0;
  for (std::size_t i = 0; i < space.size(); ++i) {
    const Gene& g = space.genes()[i];
    if (g.group() == "network") {
      a.network_genes.push_back(i);
      a.choices.push_back(g.values.size());
      free_network += g.values.size() > 1;
    } else {
      a.outer_genes.push_back(i);
      a.outer_cardinalities.push_back(g.values.size());
      free_outer += g.values.size() > 1;
    }
  }
  if (free_network == 0)
    throw InputError(
        fmt::format("{}: [network]: the differentiable search needs at least one network gene "
                    "with two or more values (its architecture distribution)",
                    config_path));
  if (free_outer == 0)
    throw InputError(
        fmt::format("{}: [hardware]: the differentiable search needs at least one hardware gene "
                    "with two or more values (its outer loop)",
                    config_path));
  double count = 1;
  for (std::size_t c : a.choices) count *= double(c);
  if (count > double(max_subnets))
    throw InputError(
        fmt::format("{}: [network]: {} networks (the product of the network genes' choices) "
                    "exceed differentiable.max_subnets = {}; allowed: at most max_subnets",
                    config_path, count, max_subnets));
  a.lambda_levels = std::max<std::size_t>(1, lambda_levels);
  if (a.lambda_levels > 1) a.outer_cardinalities.push_back(a.lambda_levels);
  return a;
}

std::size_t ArchSpace::lambda_index(const Genome& outer) const {
  return lambda_levels > 1 ? std::size_t(outer.at(outer_genes.size())) : 0;
}

std::size_t ArchSpace::subnet_count() const {
  std::size_t n = 1;
  for (std::size_t c : choices) n *= c;
  return n;
}

std::vector<int> ArchSpace::choice_of(std::size_t subnet) const {
  std::vector<int> c(choices.size());
  for (std::size_t g = choices.size(); g-- > 0;) {
    c[g] = int(subnet % choices[g]);
    subnet /= choices[g];
  }
  return c;
}

std::size_t ArchSpace::index_of(const std::vector<int>& choice) const {
  std::size_t i = 0;
  for (std::size_t g = 0; g < choices.size(); ++g) i = i * choices[g] + std::size_t(choice.at(g));
  return i;
}

Genome ArchSpace::genome(const Genome& outer, const std::vector<int>& choice) const {
  Genome full(network_genes.size() + outer_genes.size(), 0);
  for (std::size_t k = 0; k < outer_genes.size(); ++k) full[outer_genes[k]] = outer.at(k);
  for (std::size_t k = 0; k < network_genes.size(); ++k) full[network_genes[k]] = choice.at(k);
  return full;
}

Genome ArchSpace::outer_of(const Genome& full) const {
  Genome outer;
  for (std::size_t i : outer_genes) outer.push_back(full.at(i));
  return outer;
}

std::vector<int> ArchSpace::choice_of_genome(const Genome& full) const {
  std::vector<int> c;
  for (std::size_t i : network_genes) c.push_back(full.at(i));
  return c;
}

}  // namespace imc::nas::differentiable
