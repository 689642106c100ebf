#include "nas/cosearch/loops.h"

#include <filesystem>

namespace imc::nas::cosearch {

namespace fs = std::filesystem;

LoopOptions loop_options(const RunOptions& options, const std::string& sub,
                         std::vector<std::string> objective_names, std::size_t generations,
                         const std::string& config_path) {
  LoopOptions o;
  o.objective_names = std::move(objective_names);
  o.generations = generations;
  if (!options.out_dir.empty()) {
    o.run_dir = sub.empty() ? options.out_dir : (fs::path(options.out_dir) / sub).string();
    fs::create_directories(o.run_dir);
    o.config_path = config_path;
  }
  o.progress = options.progress;
  return o;
}

void run_loop(SearchLoop& loop, const RunOptions& options) {
  const std::string& dir = loop.options().run_dir;
  if (options.resume && !dir.empty() && fs::exists(fs::path(dir) / "checkpoint.json")) loop.resume(dir);
  loop.run();
}

}  // namespace imc::nas::cosearch
