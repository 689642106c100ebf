// [formulation] kind = "two_stage": the network first, then the hardware for it, as two Pareto
// searches in one run directory:
//   <out>/stage1.toml, <out>/stage1/   the network genes only ([hardware] dropped: the base chip;
//                                      [constraints] dropped: they limit stage 2's chip),
//                                      objectives = stage1_objectives, round(stage1_share x
//                                      search.generations) generations (at least 1)
//   <out>/stage2.toml, <out>/stage2/   the hardware genes with every network gene fixed to stage 1's
//                                      best network (lowest first stage-1 column on its front), all
//                                      objectives, the remaining generations
//   <out>/two_stage.json               the split, the chosen network, each stage's state
//   <out>/summary.json                 stage 2's summary with "two_stage": {network, stage1}
// The stage configs are the run's config rewritten (paths made absolute), so each stage directory is
// an ordinary search run (reports, checkpoint). Resume (--resume <out>) continues the stage that was
// interrupted and skips a completed one.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "nas/search/config.h"
#include "nas/search/run.h"

namespace imc::nas::search {

// True when `dir` holds a two-stage run (its two_stage.json).
bool is_two_stage_run(const std::string& dir);

// Checks a two-stage config before anything runs: free network and hardware genes, at least 2
// generations; InputError naming the file and key.
void check_two_stage(const SearchConfig& cfg);

// Runs a fresh two-stage search (cfg loaded from options.config_path, overrides applied), or
// resumes one (options.resume_dir set, cfg ignored). Returns the summary written to summary.json
// (with dry_run: run_search's dry-run fields plus the split, and nothing is written).
nlohmann::json run_two_stage(const RunOptions& options, const SearchConfig* cfg);

}  // namespace imc::nas::search
