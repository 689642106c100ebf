// The inner search on the space's trained supernet (relaxation.h with the supernet's forward as the
// accuracy term's model): one hardware genome's cost table in, the most probable feasible network out.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "nas/accuracy/dataset.h"
#include "nas/differentiable/cost_table.h"
#include "nas/differentiable/relaxation.h"
#include "nas/supernet/options.h"
#include "nas/supernet/space.h"

namespace imc::nas::differentiable {

struct SupernetInnerSetup {
  const SearchSpace* space = nullptr;
  ArchSpace arch;
  supernet::Subnet fixed;  // the values of the network genes the space does not declare
  supernet::SupernetSpace supernet_space;
  supernet::SupernetOptions supernet_options;
  std::string supernet_file;  // a trained supernet (supernet-<key>.pt)
  DifferentiableOptions options;
};

// Loads the supernet (a fresh copy: weight_steps change it), runs inner_search on the first
// options.train_images images of `train` on one torch thread, and returns the InnerResult as JSON
// ({"choice", "probabilities", "logits", "expected_cost", "loss", "seconds", "subnet"}).
nlohmann::json supernet_inner_search(const SupernetInnerSetup& setup, const accuracy::ImageSet& train,
                                     const CostTable& table, std::uint64_t seed);

// The result as JSON and back (the checkpoint and the worker processes carry it).
nlohmann::json to_json(const InnerResult& r);

}  // namespace imc::nas::differentiable
