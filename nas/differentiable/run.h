// `imcsim_differentiable`: the differentiable search on a search config with a [differentiable]
// section (docs/differentiable.md). The parent process never runs libtorch (as the search's: forked
// workers stay safe); the supernet is found or trained, and every inner search runs, in forked workers.
//
//   <out>/checkpoint.json  after every outer generation (the outer optimizer, every record)
//   <out>/records.json     every (hardware genome, network) pair: inner result, cost table summary,
//   evaluation <out>/front.json       the feasible records' Pareto front (objectives, genes, hardware
//   accuracy) <out>/summary.json     wall and CPU time, evaluations, hypervolume, best hardware-aware
//   accuracy
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace imc::nas::differentiable {

struct DifferentiableRunOptions {
  std::string config_path;
  std::string out_dir;
  bool resume = false;           // continue from <out>/checkpoint.json
  std::int64_t workers = 0;      // inner searches at a time (0 = the config's search.workers, else cores)
  std::int64_t stop_after = -1;  // stop after this many outer generations (>= 0; tests, time limits)
};

// Returns the summary written to summary.json. Bad input: common::InputError.
nlohmann::json run_differentiable(const DifferentiableRunOptions& options);

}  // namespace imc::nas::differentiable
