// Benchmark (not a test): microseconds per design for the analytical path — map, lower and
// evaluate every network of a suite (default mixed9) on one chip, as the search does per candidate.
// Usage: bench_estimate [arch.toml] [suite] [repetitions]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "arch/cost.h"
#include "arch/load.h"
#include "mapping/mapping.h"
#include "sim/analytical/estimate.h"
#include "workloads/load.h"

int main(int argc, char** argv) {
  using namespace imc;
  const std::string arch_file = argc > 1 ? argv[1] : "configs/arch/rram_default.toml";
  const std::string suite = argc > 2 ? argv[2] : "mixed9";
  const int reps = argc > 3 ? std::atoi(argv[3]) : 20;
  const arch::ArchSpec spec = arch::load_arch(arch_file);
  const std::vector<workloads::Graph> graphs = workloads::load_workloads(suite);
  std::vector<double> per_design_us;
  std::size_t ops = 0;
  double checksum = 0;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const arch::cost::CostTable costs = arch::cost::build(spec);  // per design, as in the search
    ops = 0;
    for (const auto& g : graphs) {
      const sim::Estimate e = sim::estimate(spec, costs, g, {});
      ops += e.ops;
      checksum += e.report.energy_pj + double(e.report.latency_cycles);
    }
    per_design_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(per_design_us.begin(), per_design_us.end());
  fmt::print("bench_estimate: {} networks ({}) on {}: {} ops per design\n", graphs.size(), suite, arch_file, ops);
  fmt::print("  per design: median {:.0f} us, min {:.0f} us, max {:.0f} us over {} repetitions\n",
             per_design_us[per_design_us.size() / 2], per_design_us.front(), per_design_us.back(), reps);
  fmt::print("  per network: median {:.1f} us\n", per_design_us[per_design_us.size() / 2] / double(graphs.size()));
  fmt::print("  (checksum {:.6g})\n", checksum);
  return 0;
}
