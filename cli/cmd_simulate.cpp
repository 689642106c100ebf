// imcsim simulate: the cycle-level SystemC model on one or more networks. Same report and JSON keys
// as estimate, plus the stall cycles by reason and the simulation events. Each network runs in its
// own child process (SystemC elaborates once per process).
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/pipeline.h"
#include "cli/resource_guard.h"
#include "sim/systemc/systemc_model.h"

namespace imc::cli {
namespace {

// FILE.csv -> FILE_<workload>.csv when several networks are simulated.
std::string trace_path(const std::string& path, const std::string& workload, bool several) {
  if (path.empty() || !several) return path;
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return path + "_" + workload;
  return path.substr(0, dot) + "_" + workload + path.substr(dot);
}

// A progress line on stderr every few seconds once a run has taken more than two.
std::function<void(std::int64_t, std::int64_t, std::int64_t)> progress_printer(const std::string& workload) {
  using clock = std::chrono::steady_clock;
  auto start = std::make_shared<clock::time_point>(clock::now());
  auto last = std::make_shared<clock::time_point>(clock::now());
  return [=](std::int64_t done, std::int64_t total, std::int64_t cycle) {
    const auto now = clock::now();
    if (now - *start < std::chrono::seconds(2) || now - *last < std::chrono::seconds(2)) return;
    *last = now;
    fmt::print(stderr, "simulate {}: {}/{} ops ({:.0f}%), cycle {}, {:.0f} s\n", workload, done, total,
               100.0 * double(done) / double(total), cycle,
               std::chrono::duration<double>(now - *start).count());
  };
}

const Command kSimulate{
    "simulate", "Cycle-level SystemC simulation: contention, back-pressure and stalls by reason", 40,
    [](CLI::App& sub) -> Action {
      auto args = std::make_shared<EvalArgs>();
      auto trace = std::make_shared<std::string>();
      auto ideal = std::make_shared<bool>(false);
      add_eval_options(sub, *args);
      sub.add_option("--trace", *trace, "write utilization per unit kind over time (CSV, bucketed)");
      sub.add_flag("--ideal-buffers", *ideal, "buffers never stall (isolates the network's effect)");
      return [args, trace, ideal]() {
        const Session s = load_session(*args);
        std::vector<sim::Report> reports;
        nlohmann::json out = {
            {"arch", s.spec.chip.name}, {"arch_file", s.spec.source}, {"workloads", nlohmann::json::array()}};
        guard_systemc_memory(s.spec, nullptr);
        for (const auto& g : s.graphs) {
          Prepared p = prepare(s, g);
          guard_systemc_memory(s.spec, &p.program);
          sim::SystemCOptions opt;
          opt.trace_csv = trace_path(*trace, g.name(), s.graphs.size() > 1);
          opt.progress = progress_printer(g.name());
          opt.progress_every_ops = 1000;
          opt.finite_buffers = !*ideal;
          sim::ChildRunInfo info;
          sim::Report r = sim::run_systemc_in_child(s.spec, p.program, opt, &info);
          r.eval_us += p.prepare_us;
          print_report(r, p.program);
          fmt::print("simulated {} ops with {} events in {:.3f} s ({:.3g} events/s, peak {:.0f} MB)\n",
                     p.program.ops.size(), r.events, info.wall_s,
                     double(r.events) / std::max(1e-9, info.wall_s), double(info.peak_rss_kb) / 1024.0);
          if (!opt.trace_csv.empty()) fmt::print("utilization trace: {}\n", opt.trace_csv);
          out["workloads"].push_back(workload_json(r, p.program));
          reports.push_back(std::move(r));
        }
        write_outputs(*args, out, reports);
        return 0;
      };
    }};

}  // namespace
}  // namespace imc::cli
