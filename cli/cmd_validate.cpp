// imcsim validate: the analytical model (in process) against the SystemC model (in a child
// process) on the same hardware and the same Program, layer by layer: cycles of each, the gap, the
// stall that explains it, and whether the action counts (hence dynamic energies) are identical.
// Exit 1 if any action counts differ, or if SystemC finishes a layer earlier than the analytical
// model (which has no contention, so it is a lower bound): both are bugs, not modeling gaps.
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/pipeline.h"
#include "cli/resource_guard.h"
#include "sim/analytical/analytical_model.h"
#include "sim/systemc/systemc_model.h"

namespace imc::cli {
namespace {

double gap_pct(double analytical, double systemc) {
  return analytical > 0 ? 100.0 * (systemc - analytical) / analytical : (systemc > 0 ? 100.0 : 0.0);
}

// The stall that explains a gap: the largest SystemC-only delay on the critical path to the
// layer's end (buffer_full or network_contention; sim/systemc/critical_path.h), or "none".
std::string main_stall(const std::map<std::string, std::int64_t>& path) {
  std::string best = "none";
  std::int64_t most = 0;
  for (const auto& [k, v] : path)
    if (v > most) {
      best = k;
      most = v;
    }
  return best;
}

const Command kValidate{
    "validate", "Analytical vs SystemC model layer by layer: cycles, gap, main stall, action counts", 50,
    [](CLI::App& sub) -> Action {
      auto args = std::make_shared<EvalArgs>();
      auto ideal = std::make_shared<bool>(false);
      add_eval_options(sub, *args);
      sub.add_flag("--ideal-buffers", *ideal, "SystemC buffers never stall (isolates the network's effect)");
      return [args, ideal]() {
        const Session s = load_session(*args);
        nlohmann::json out = {
            {"arch", s.spec.chip.name}, {"arch_file", s.spec.source}, {"workloads", nlohmann::json::array()}};
        bool failed = false;
        std::string csv =
            "workload,layer,op,analytical_cycles,systemc_cycles,gap_pct,end_delay_cycles,main_stall,"
            "actions_equal\n";
        guard_systemc_memory(s.spec, nullptr);
        for (const auto& g : s.graphs) {
          Prepared p = prepare(s, g);
          guard_systemc_memory(s.spec, &p.program);
          const sim::Report a = sim::AnalyticalModel().evaluate(s.spec, s.costs, p.program);
          sim::ChildRunInfo info;
          sim::SystemCOptions opt;
          opt.finite_buffers = !*ideal;
          const sim::Report c = sim::run_systemc_in_child(s.spec, p.program, opt, &info);
          fmt::print("\n== {} (batch {}): analytical vs SystemC ==\n", g.name(), p.program.batch);
          fmt::print("{:<28} {:>14} {:>14} {:>9} {:>11} {:<19} {:>9} {:>8}\n", "layer", "analytical cyc",
                     "systemc cyc", "gap %", "end delay", "main stall", "energy %", "actions");
          nlohmann::json layers = nlohmann::json::array();
          bool actions_ok = a.actions == c.actions;
          bool bound_ok = a.latency_cycles <= c.latency_cycles;
          for (std::size_t i = 0; i < a.layers.size(); ++i) {
            const sim::LayerReport& la = a.layers[i];
            const sim::LayerReport& lc = c.layers.at(i);
            const bool eq = la.actions == lc.actions;
            actions_ok = actions_ok && eq;
            bound_ok = bound_ok && la.end_cycle <= lc.end_cycle;
            if (la.actions == arch::ActionCounts{} && la.macs == 0) continue;  // folded into another layer
            const double gap = gap_pct(double(la.latency_cycles), double(lc.latency_cycles));
            const double egap = gap_pct(la.energy_pj, lc.energy_pj);
            const auto& path = info.critical_path.layers.at(i);
            const std::string stall = main_stall(path);
            fmt::print("{:<28.28} {:>14} {:>14} {:>9.2f} {:>11} {:<19} {:>9.3f} {:>8}\n", la.name,
                       la.latency_cycles, lc.latency_cycles, gap, lc.end_cycle - la.end_cycle, stall, egap,
                       eq ? "equal" : "DIFFER");
            csv +=
                fmt::format("{},{},{},{},{},{:.4f},{},{},{}\n", g.name(), la.name, la.op, la.latency_cycles,
                            lc.latency_cycles, gap, lc.end_cycle - la.end_cycle, stall, eq ? 1 : 0);
            layers.push_back({{"name", la.name},
                              {"op", la.op},
                              {"analytical_cycles", la.latency_cycles},
                              {"systemc_cycles", lc.latency_cycles},
                              {"analytical_end_cycle", la.end_cycle},
                              {"systemc_end_cycle", lc.end_cycle},
                              {"gap_pct", gap},
                              {"end_delay_cycles", lc.end_cycle - la.end_cycle},
                              {"main_stall", stall},
                              {"critical_path_stalls", path},
                              {"stall_cycles", lc.stall_cycles},
                              {"energy_gap_pct", egap},
                              {"actions_equal", eq}});
          }
          const double gap = gap_pct(double(a.latency_cycles), double(c.latency_cycles));
          const double egap = gap_pct(a.energy_pj, c.energy_pj);
          fmt::print("{:<28} {:>14} {:>14} {:>9.2f} {:>11} {:<19} {:>9.3f} {:>8}\n", "total",
                     a.latency_cycles, c.latency_cycles, gap, c.latency_cycles - a.latency_cycles,
                     main_stall(info.critical_path.total), egap, actions_ok ? "equal" : "DIFFER");
          fmt::print("on the critical path:");
          for (const auto& [k, v] : info.critical_path.total) fmt::print(" {}={}", k, v);
          fmt::print("; all waits of all ops:");
          for (const auto& [k, v] : c.stalls) fmt::print(" {}={}", k, v);
          fmt::print("\nSystemC: {} events in {:.3f} s; energy gap is leakage over the longer run\n",
                     c.events, info.wall_s);
          if (!actions_ok) fmt::print("FAIL: action counts differ between the models\n");
          if (!bound_ok) fmt::print("FAIL: SystemC finished before the contention-free analytical bound\n");
          failed = failed || !actions_ok || !bound_ok;
          out["workloads"].push_back({{"workload", g.name()},
                                      {"batch", p.program.batch},
                                      {"analytical_cycles", a.latency_cycles},
                                      {"systemc_cycles", c.latency_cycles},
                                      {"gap_pct", gap},
                                      {"main_stall", main_stall(info.critical_path.total)},
                                      {"critical_path_stalls", info.critical_path.total},
                                      {"stalls", c.stalls},
                                      {"analytical_energy_pj", a.energy_pj},
                                      {"systemc_energy_pj", c.energy_pj},
                                      {"energy_gap_pct", egap},
                                      {"actions_equal", actions_ok},
                                      {"analytical_bound_holds", bound_ok},
                                      {"systemc_events", c.events},
                                      {"systemc_wall_s", info.wall_s},
                                      {"layers", layers}});
        }
        if (!args->json_out.empty()) write_json(args->json_out, out);
        if (!args->csv_out.empty()) write_text(args->csv_out, csv);
        return failed ? 1 : 0;
      };
    }};

}  // namespace
}  // namespace imc::cli
