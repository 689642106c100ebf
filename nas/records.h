// What a search run records: every evaluated candidate and per-generation statistics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/hash.h"
#include "nas/genome.h"
#include "nas/optimizer.h"

namespace imc::nas {

// One evaluated candidate (each distinct key is evaluated once; repeats are cache hits).
struct Candidate {
  std::size_t id = 0;          // order of evaluation, from 0
  std::size_t generation = 0;  // generation that first asked for it
  Genome genome;
  std::string key;         // the caller's key of the decoded candidate
  std::uint64_t hash = 0;  // hash64(key) (common/hash.h), the cache key
  Evaluation evaluation;   // a genome violating a space condition gets fidelity "conditions"
};

// Cumulative counters at the end of one generation.
struct GenerationStats {
  std::size_t generation = 0;
  std::size_t asked = 0;       // genomes proposed by the optimizer
  std::size_t evaluated = 0;   // genomes sent to the evaluator
  std::size_t cache_hits = 0;  // proposals answered from the cache (incl. repeats within a batch)
  std::size_t rejected = 0;    // proposals violating a space condition (never sent to the evaluator)
  std::size_t feasible = 0;    // feasible candidates so far
  std::size_t front_size = 0;
  double hypervolume = 0.0;  // of the feasible front so far, w.r.t. the run's reference point
  std::vector<double> best;  // per objective, the best feasible value so far (empty if none)
};

nlohmann::json to_json(const Candidate& c);
Candidate candidate_from_json(const nlohmann::json& j);
nlohmann::json to_json(const GenerationStats& s);
GenerationStats stats_from_json(const nlohmann::json& j);

}  // namespace imc::nas
