// The outer loop of the differentiable search: an ask/tell optimizer of the registry (options.
// outer_optimizer) evolves the hardware genes; for every hardware genome it asks, the inner search
// (relaxation.h, run by the caller's hook) returns the most probable network on that chip; the pair is
// evaluated the normal way (the caller's hook: the search's evaluator) and told back to the optimizer
// as the hardware genome's evaluation. Torch-free (the hooks hold the torch side).
//
// State kept across generations: the outer optimizer (its save()), the generation count and every
// record; a checkpoint after each generation holds all of it, and run_outer_loop resumes from one.
// The inner searches start from uniform logits each time and are seeded by (seed, hardware genome), so
// they keep no state of their own.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "nas/differentiable/arch_space.h"
#include "nas/differentiable/options.h"
#include "nas/optimizer.h"

namespace imc::nas::differentiable {

struct OuterRecord {
  std::int64_t generation = 0;
  Genome outer;   // hardware genes
  Genome genome;  // the full genome: hardware genes + the inner search's network
  Evaluation evaluation;
  nlohmann::json inner;  // what the inner search reported (choice, probabilities, cost table summary)
};
nlohmann::json to_json(const OuterRecord& r);
OuterRecord outer_record_from_json(const nlohmann::json& j);

struct OuterHooks {
  // One inner search per hardware genome; each result holds at least "choice" (one value index per
  // network gene, ArchSpace order).
  std::function<std::vector<nlohmann::json>(const std::vector<Genome>& outer, std::int64_t generation)> inner;
  std::function<std::vector<Evaluation>(const std::vector<Genome>& genomes)> evaluate;
  std::function<void(const nlohmann::json& checkpoint)> checkpoint;  // optional, after every generation
};

struct OuterRun {
  std::vector<OuterRecord> records;
  std::int64_t generations_done = 0;
  nlohmann::json checkpoint;  // the state after the last generation run
};

// The seed of the inner search of a hardware genome: a hash of the options' seed and the genome, so
// a genome's inner search does not depend on when or in which worker it runs.
std::uint64_t inner_seed(std::int64_t seed, const Genome& outer);

// Runs options.outer_generations generations (or until `stop_after` generations are done, >= 0: tests
// interrupt a run that way), from the start or from `resume` (a checkpoint). `objectives` is the number
// of minimized objectives the evaluate hook returns.
OuterRun run_outer_loop(const ArchSpace& arch, const DifferentiableOptions& o, std::size_t objectives,
                        const OuterHooks& hooks, const nlohmann::json* resume = nullptr,
                        std::int64_t stop_after = -1);

}  // namespace imc::nas::differentiable
