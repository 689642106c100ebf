// The one exported symbol of libimcsim_nas.so: the search and the co-search (nas/nas_plugin.h).
// Everything else in the library is hidden (--exclude-libs).
//
// Under mpirun every rank runs the same search (nas/distributed.h); ranks other than 0 write into a
// scratch copy of the run directory and print nothing on standard output.
#include <optional>

#include "nas/distributed.h"
#include "nas/nas_plugin.h"

namespace {

nlohmann::json run_search(const imc::nas::search::RunOptions& in) {
  if (in.dry_run || !imc::nas::launched_by_mpi()) return imc::nas::search::run_search(in);
  imc::nas::start_ranks();
  imc::nas::search::RunOptions o = in;
  std::optional<imc::nas::RankScratchDir> scratch;
  if (imc::nas::ranks().rank != 0) {
    scratch.emplace(in.resume_dir);
    if (!in.resume_dir.empty()) o.resume_dir = scratch->path();
    o.out_dir = scratch->path();
    o.progress = nullptr;
    imc::nas::silence_stdout();
  }
  imc::nas::barrier();  // rank 0 writes nothing before the others have copied what they resume from
  nlohmann::json summary = imc::nas::search::run_search(o);
  imc::nas::stop_ranks();
  return summary;
}

std::vector<imc::nas::cosearch::Result> run_cosearch(const imc::nas::cosearch::Config& c,
                                                     const imc::nas::cosearch::RunOptions& in) {
  if (!imc::nas::launched_by_mpi()) return imc::nas::cosearch::run_seeds(c, in);
  imc::nas::start_ranks();
  imc::nas::cosearch::RunOptions o = in;
  std::optional<imc::nas::RankScratchDir> scratch;
  if (imc::nas::ranks().rank != 0) {
    if (!in.out_dir.empty()) {
      scratch.emplace(in.resume ? in.out_dir : std::string());
      o.out_dir = scratch->path();
    }
    o.progress = nullptr;
    imc::nas::silence_stdout();
  }
  imc::nas::barrier();  // rank 0 writes nothing before the others have copied what they resume from
  std::vector<imc::nas::cosearch::Result> results = imc::nas::cosearch::run_seeds(c, o);
  imc::nas::stop_ranks();
  return results;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const imc::nas::NasPlugin* imcsim_nas_plugin_v2() {
  static const imc::nas::NasPlugin plugin{&run_search, &run_cosearch};
  return &plugin;
}
