// `imcsim estimators`: the analytical model, the lookup table and the learned predictor validated
// against SystemC on held-out designs of a search space — mean and worst relative error per
// objective, Kendall tau of each objective's ranking, and the time per evaluation (docs/estimators.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace imc::nas::predictor {

struct ValidationOptions {
  std::string config_path;
  std::size_t designs = 30;  // held-out designs drawn (those SystemC cannot run are left out)
  std::uint64_t seed = 20261206;
  std::size_t workers = 1;  // SystemC processes (1: the time per evaluation is one core's)
  std::string out_dir;      // "" = no files; else estimators.json, estimators.csv, estimators.md
};

// Throws common::InputError for a bad config (and anything the estimators reject).
nlohmann::json validate_estimators(const ValidationOptions& options);
// The table as markdown (for the README).
std::string validation_table(const nlohmann::json& result);

}  // namespace imc::nas::predictor
