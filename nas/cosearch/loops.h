// Running the co-search's search loops: each in its own subdirectory of the run directory, resumed
// from its checkpoint when asked.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nas/cosearch/cosearch.h"
#include "nas/loop.h"

namespace imc::nas::cosearch {

// LoopOptions for the loop stored in <out_dir>/<sub> ("" = the run directory itself).
LoopOptions loop_options(const RunOptions& options, const std::string& sub,
                         std::vector<std::string> objective_names, std::size_t generations,
                         const std::string& config_path);

// loop.resume(its run directory) when options.resume and a checkpoint is there, then loop.run().
void run_loop(SearchLoop& loop, const RunOptions& options);

}  // namespace imc::nas::cosearch
