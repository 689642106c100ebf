// One search run from a config file to a run directory: the loop (analytical + accuracy for every
// candidate), then the SystemC re-evaluation of the finalists, then the reports. `imcsim search`
// is a thin shell around run_search().
#pragma once

#include <cstdint>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nas/genome.h"
#include "nas/space.h"

namespace imc::nas::search {

struct RunOptions {
  std::string config_path;  // required unless resume_dir is set
  std::string out_dir;      // run directory; required unless resume_dir is set (then defaults to it)
  std::string resume_dir;   // continue the run saved there (its config.toml and run.json)
  std::string
      hot_start;  // designs for the first population: a .toml with [[design]] tables, or a run directory
  // Command-line overrides of the config (kKeep / empty = keep the config's value). Each is checked
  // against the declaration of its config key (an InputError naming the flag and the range).
  static constexpr std::int64_t kKeep = -1;
  std::int64_t seed = -1;
  std::int64_t generations = -1;
  std::int64_t population = -1;
  std::int64_t workers = -1;
  std::int64_t finalists = -1;
  std::string optimizer;
  std::ostream* progress = &std::cerr;
};

// Runs (or resumes) a search; returns the summary also written to <out>/summary.json.
nlohmann::json run_search(const RunOptions& options);

// Hot-start designs: [[design]] tables mapping gene names to values (fixed genes may be omitted),
// or a previous run directory (its front.json). Throws common::InputError naming the file and entry.
std::vector<Genome> load_designs(const std::string& path, const SearchSpace& space);

}  // namespace imc::nas::search
