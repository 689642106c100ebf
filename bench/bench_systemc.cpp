// Speed of the SystemC model: for each network (default vgg8 and resnet18, batch 1, on
// configs/arch/rram_default.toml), map and lower it, run the SystemC model in a child process and
// print the simulated cycles, events, wall time, events per second and the child's peak RSS.
//   bench_systemc [--arch FILE] [--batch N] [network ...]
#include <fmt/format.h>

#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "arch/cost.h"
#include "arch/load.h"
#include "mapping/mapping.h"
#include "sim/systemc/systemc_model.h"
#include "workloads/zoo.h"

int main(int argc, char** argv) {
  using namespace imc;
  std::string arch_file = "configs/arch/rram_default.toml";
  int batch = 1;
  std::vector<std::string> nets;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--arch" && i + 1 < argc)
      arch_file = argv[++i];
    else if (a == "--batch" && i + 1 < argc)
      batch = std::atoi(argv[++i]);
    else
      nets.push_back(a);
  }
  if (nets.empty()) nets = {"vgg8", "resnet18"};
  try {
    const arch::ArchSpec spec = arch::load_arch(arch_file);
    fmt::print("{:<10} {:>6} {:>8} {:>14} {:>12} {:>9} {:>12} {:>10}\n", "network", "batch", "ops", "cycles",
               "events", "wall s", "events/s", "peak MB");
    for (const std::string& net : nets) {
      const workloads::Graph g = workloads::zoo_network(net);
      mapping::MappingOptions opt;
      opt.batch = batch;
      opt.overflow = mapping::Overflow::Reload;
      const mapping::Program p = mapping::lower(spec, g, mapping::map(spec, g, opt));
      sim::ChildRunInfo info;
      const sim::Report r = sim::run_systemc_in_child(spec, p, {}, &info);
      fmt::print("{:<10} {:>6} {:>8} {:>14} {:>12} {:>9.3f} {:>12.3g} {:>10.1f}\n", net, batch, p.ops.size(),
                 r.latency_cycles, r.events, info.wall_s, double(r.events) / info.wall_s,
                 double(info.peak_rss_kb) / 1024.0);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_systemc: {}\n", e.what());
    return 1;
  }
  return 0;
}
