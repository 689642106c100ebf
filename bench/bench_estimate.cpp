// Benchmark (not a test): microseconds per design for the analytical path — map and evaluate every
// network of a suite (default mixed9) on one chip, as the search does per candidate.
// Usage: bench_estimate [arch.toml] [suite] [repetitions] [fast|program|both] [chunks_per_layer: auto|N]
//   fast     sim::estimate (the lowering with the analytical walk sink, default)
//   program  sim::estimate_program (map -> lower -> AnalyticalModel: the lowering with the
//            Program sink)
//   both     the two, and whether their reports agree
// Or: bench_estimate verify [suite]  — the walk against the Program path over the cross
//   product tests/analytical samples: rram_default, sram_default, isaac x crossbar/PE/tile
//   overrides x pipeline/layer/wavefront x batch 1 and 4 x the suite (default: the whole zoo);
//   prints each combination's times and the first difference of any network; exit 1 if any.
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "arch/cost.h"
#include "arch/load.h"
#include "arch/overrides.h"
#include "common/config.h"
#include "mapping/mapping.h"
#include "sim/analytical/estimate.h"
#include "sim/analytical/report_diff.h"
#include "workloads/load.h"

namespace {

using namespace imc;

struct Run {
  double median_us = 0, min_us = 0, max_us = 0;
  double median_cpu_us = 0;  // thread CPU time: what the wall time would be on an idle machine
  std::size_t ops = 0;
  double checksum = 0;
};

double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) * 1e-3;
}

template <class F>
Run measure(const arch::ArchSpec& spec, const std::vector<workloads::Graph>& graphs, int reps, int chunks,
            F&& estimate) {
  std::vector<double> per_design_us, per_design_cpu_us;
  Run run;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_us();
    const arch::cost::CostTable costs = arch::cost::build(spec);  // per design, as in the search
    run.ops = 0;
    run.checksum = 0;
    for (const auto& g : graphs) {
      mapping::MappingOptions options;
      options.chunks_per_layer = chunks;
      const sim::Estimate e = estimate(spec, costs, g, options);
      run.ops += e.ops;
      run.checksum += e.report.energy_pj + double(e.report.latency_cycles);
    }
    per_design_us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    per_design_cpu_us.push_back(thread_cpu_us() - c0);
  }
  std::sort(per_design_cpu_us.begin(), per_design_cpu_us.end());
  run.median_cpu_us = per_design_cpu_us[per_design_cpu_us.size() / 2];
  std::sort(per_design_us.begin(), per_design_us.end());
  run.median_us = per_design_us[per_design_us.size() / 2];
  run.min_us = per_design_us.front();
  run.max_us = per_design_us.back();
  return run;
}

void print(const char* label, const Run& r, int reps, std::size_t networks) {
  fmt::print(
      "  {:8} per design: median {:.0f} us (CPU {:.0f} us), min {:.0f} us, max {:.0f} us over {} "
      "repetitions; per network {:.1f} us; checksum {:.9g}\n",
      label, r.median_us, r.median_cpu_us, r.min_us, r.max_us, reps, r.median_us / double(networks),
      r.checksum);
}

double wall_us_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

int verify(const std::string& suite) {
  using arch::Override;
  const std::vector<workloads::Graph> graphs = workloads::load_workloads(suite);
  const std::vector<std::vector<Override>> shapes = {
      {},
      {{"crossbar.rows", 32.0}, {"crossbar.cols", 32.0}},
      {{"crossbar.rows", 64.0}, {"crossbar.cols", 128.0}, {"tile.pes", 4.0}},
      {{"crossbar.rows", 512.0}, {"crossbar.cols", 512.0}},
      {{"crossbar.rows", 512.0}, {"crossbar.cols", 256.0}, {"noc.routers", 4.0}},
      {{"noc.routers", 2.0}, {"tile.pes", 2.0}},
  };
  int failures = 0;
  for (const std::string arch_name : {"rram_default", "sram_default", "isaac"})
    for (const auto& shape : shapes) {
      arch::ArchSpec spec = arch::load_arch("configs/arch/" + arch_name + ".toml");
      arch::apply_overrides(spec, shape, "configs/arch");
      const arch::cost::CostTable costs = arch::cost::build(spec);
      std::string shape_name;
      for (const auto& o : shape) shape_name += fmt::format(" {}={}", o.key, std::get<double>(o.value));
      for (const mapping::Schedule schedule :
           {mapping::Schedule::Pipeline, mapping::Schedule::Layer, mapping::Schedule::Wavefront})
        for (int batch : {1, 4}) {
          mapping::MappingOptions options;
          options.schedule = schedule;
          options.batch = batch;
          double fast_us = 0, program_us = 0;
          std::size_t ops = 0;
          int refused = 0;
          std::string first_difference;
          for (const auto& g : graphs) {
            sim::Estimate p, f;
            auto t0 = std::chrono::steady_clock::now();
            try {
              p = sim::estimate_program(spec, costs, g, options);
            } catch (const common::InputError&) {
              ++refused;
              continue;
            }
            program_us += wall_us_since(t0);
            t0 = std::chrono::steady_clock::now();
            f = sim::estimate(spec, costs, g, options);
            fast_us += wall_us_since(t0);
            ops += p.ops;
            std::string d = f.ops != p.ops ? fmt::format("ops {} vs {}", f.ops, p.ops)
                                           : sim::report_difference(f.report, p.report);
            if (!d.empty() && first_difference.empty()) first_difference = g.name() + ": " + d;
            if (!d.empty()) ++failures;
          }
          fmt::print("{}{} {} batch {}: {} ops, program {:.0f} us, fast {:.0f} us{}{}\n", arch_name,
                     shape_name, mapping::to_string(schedule), batch, ops, program_us, fast_us,
                     refused ? fmt::format(", {} refused by map()", refused) : "",
                     first_difference.empty() ? ", equal" : ", DIFFERENT: " + first_difference);
          std::fflush(stdout);
        }
    }
  fmt::print("verify: {} networks differ\n", failures);
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "verify") return verify(argc > 2 ? argv[2] : "all");
  const std::string arch_file = argc > 1 ? argv[1] : "configs/arch/rram_default.toml";
  const std::string suite = argc > 2 ? argv[2] : "mixed9";
  const int reps = std::max(1, argc > 3 ? std::atoi(argv[3]) : 20);
  const std::string mode = argc > 4 ? argv[4] : "fast";
  const std::string chunks_text = argc > 5 ? argv[5] : "auto";
  const int chunks = chunks_text == "auto" ? 0 : std::atoi(chunks_text.c_str());
  if (chunks < 0 || (chunks == 0 && chunks_text != "auto")) {
    fmt::print(stderr, "bench_estimate: chunks_per_layer must be auto or a positive number (got \"{}\")\n",
               chunks_text);
    return 2;
  }
  if (mode != "fast" && mode != "program" && mode != "both") {
    fmt::print(stderr, "bench_estimate: mode must be fast, program or both (got \"{}\")\n", mode);
    return 2;
  }
  const arch::ArchSpec spec = arch::load_arch(arch_file);
  const std::vector<workloads::Graph> graphs = workloads::load_workloads(suite);
  Run fast, totals, program;
  using Options = mapping::MappingOptions;
  if (mode != "program") {
    fast = measure(spec, graphs, reps, chunks,
                   [](const arch::ArchSpec& s, const arch::cost::CostTable& c, const workloads::Graph& g,
                      const Options& o) { return sim::estimate(s, c, g, o); });
    totals = measure(spec, graphs, reps, chunks,
                     [](const arch::ArchSpec& s, const arch::cost::CostTable& c, const workloads::Graph& g,
                        const Options& o) { return sim::estimate(s, c, g, o, sim::EstimateDetail::Totals); });
  }
  if (mode != "fast") program = measure(spec, graphs, reps, chunks, sim::estimate_program);
  fmt::print("bench_estimate: {} networks ({}) on {}, chunks_per_layer {}: {} ops per design\n",
             graphs.size(), suite, arch_file, chunks_text, mode == "program" ? program.ops : fast.ops);
  if (mode != "program") {
    print("fast", fast, reps, graphs.size());
    print("totals", totals, reps, graphs.size());  // EstimateDetail::Totals: no per-layer reports
  }
  if (mode != "fast") print("program", program, reps, graphs.size());
  if (mode == "both") {
    const bool same = fast.ops == program.ops && totals.ops == program.ops &&
                      std::abs(fast.checksum - program.checksum) <= 1e-9 * std::abs(program.checksum) &&
                      std::abs(totals.checksum - program.checksum) <= 1e-9 * std::abs(program.checksum);
    fmt::print("  speedup {:.1f}x; fast and program paths {}\n", program.median_us / fast.median_us,
               same ? "agree" : "DISAGREE");
    if (!same) return 1;
  }
  return 0;
}
