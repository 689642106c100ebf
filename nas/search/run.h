// One search run from a config file to a run directory: the loop (analytical + accuracy for every
// candidate), then the SystemC re-evaluation of the finalists, then the reports. `imcsim search`
// is a thin shell around run_search().
#pragma once

#include <cstdint>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
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
      hot_start;       // designs for the first population: a .toml with [[design]] tables, or a run directory
  bool force = false;  // a fresh run in a non-empty out_dir: empty it first (a run's files only)
  bool dry_run = false;  // load and check the config and overrides, return a summary, run nothing
  // Command-line overrides of the config (nullopt / empty = keep the config's value). Each is checked
  // against the declaration of its config key (an InputError naming the flag and the range). On a
  // resume only generations (to run more), workers and finalists may be given.
  std::optional<std::int64_t> seed;
  std::optional<std::int64_t> generations;
  std::optional<std::int64_t> population;
  std::optional<std::int64_t> workers;
  std::optional<std::int64_t> finalists;
  std::string optimizer;
  std::ostream* progress = &std::cerr;
};

// Runs (or resumes) a search; returns the summary also written to <out>/summary.json (with dry_run:
// {config, genes, free_genes, log10_candidates, objectives}, and nothing is written).
nlohmann::json run_search(const RunOptions& options);

// Hot-start designs: [[design]] tables mapping gene names to values (fixed genes may be omitted),
// or a previous run directory (its front.json). A gene a design does not give (a run of a smaller
// space) takes its base value (the network family's default, `base_arch_file`'s value) when the
// space allows it, with a note on stderr; otherwise an InputError names every such gene and its
// allowed values. Throws common::InputError naming the file and entry.
std::vector<Genome> load_designs(const std::string& path, const SearchSpace& space,
                                 const std::string& base_arch_file = "");

}  // namespace imc::nas::search
