// make_optimizer: the one place that links the pagmo2 optimizers (make_pagmo_optimizer), kept apart
// from the registry (optimizer.cpp) so that reading optimizer settings does not link libpagmo.
#include <fmt/format.h>

#include <stdexcept>

#include "common/config.h"
#include "nas/optimizer.h"
#include "nas/sampling.h"

namespace imc::nas {

using common::InputError;

std::unique_ptr<Optimizer> make_optimizer(const OptimizerSetup& setup) {
  const OptimizerFactory f = registered_factory(setup.config.name);
  if (setup.objectives == 0) throw InputError("optimizer: the search needs at least one objective");
  std::size_t free = 0;
  for (auto c : setup.cardinalities) {
    if (c == 0) throw InputError("optimizer: a gene has no values");
    free += c > 1;
  }
  if (free == 0) throw InputError("optimizer: every gene of the search space is fixed; nothing to search");
  if (setup.config.population < 2)
    throw InputError(
        fmt::format("optimizer.population: {} is too small (at least 2)", setup.config.population));
  if (!setup.config.weights.empty() && setup.config.weights.size() != setup.objectives)
    throw InputError(fmt::format("optimizer: {} scalarization weights for {} objectives",
                                 setup.config.weights.size(), setup.objectives));
  if (!setup.categorical.empty() && setup.categorical.size() != setup.cardinalities.size())
    throw std::invalid_argument("optimizer: categorical flags do not match the genes");
  // No factory: a built-in pagmo2 optimizer. Monte Carlo sampling wraps any optimizer.
  OptimizerSetup with_inner = setup;
  with_inner.make_inner = make_optimizer;
  return with_initial_sampling(with_inner, f ? f(with_inner) : make_pagmo_optimizer(with_inner));
}

}  // namespace imc::nas
