// The one exported symbol of libimcsim_nas.so: the search and the co-search (nas/nas_plugin.h).
// Everything else in the library is hidden (--exclude-libs).
#include "nas/nas_plugin.h"

namespace {
std::vector<imc::nas::cosearch::Result> run_cosearch(const imc::nas::cosearch::Config& c,
                                                     const imc::nas::cosearch::RunOptions& o) {
  return imc::nas::cosearch::run_seeds(c, o);
}
}  // namespace

extern "C" __attribute__((visibility("default"))) const imc::nas::NasPlugin* imcsim_nas_plugin_v2() {
  static const imc::nas::NasPlugin plugin{&imc::nas::search::run_search, &run_cosearch};
  return &plugin;
}
