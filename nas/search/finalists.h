// The high-fidelity step of the search: the final front's members re-evaluated with the cycle-level
// SystemC model (one forked process per finalist, all cores), and the comparison with the
// analytical figures that chose them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nas/loop.h"
#include "nas/search/evaluator.h"

namespace imc::nas::search {

// Up to `count` members of the front (candidate ids), spread evenly along the first objective.
std::vector<std::size_t> pick_finalists(const SearchLoop& loop, std::size_t count);

struct FinalistResult {
  std::size_t id = 0;
  nlohmann::json analytical;              // sim::to_json of the analytical report
  nlohmann::json systemc;                 // same for the SystemC report; null when the run failed
  std::string error;                      // why the SystemC run failed
  std::int64_t latency_bound_cycles = 0;  // sim::latency_bound of the Program: both models respect it
};

std::vector<FinalistResult> reevaluate_finalists(const SearchLoop& loop, const SearchEvaluator& evaluator,
                                                 const std::vector<std::size_t>& ids, std::size_t workers);

// Analytical vs SystemC per finalist (latency, energy, the gap), and whether the order of the
// finalists changes in any hardware objective, or any of them becomes dominated, once SystemC's
// figures replace the analytical ones.
nlohmann::json compare_finalists(const SearchLoop& loop, const SearchConfig& config,
                                 const std::vector<FinalistResult>& results);

// finalists/<id>.json (genes, both reports, the candidate's metrics) and finalists.csv.
void write_finalists(const SearchLoop& loop, const std::vector<FinalistResult>& results,
                     const nlohmann::json& comparison, const std::string& run_dir);

}  // namespace imc::nas::search
