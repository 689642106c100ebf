// imcsim validate: the analytical model (in process) against the SystemC model (in a child
// process) on the same hardware and the same Program, layer by layer: cycles of each, the gap, the
// stall that explains it, and whether the action counts (hence dynamic energies) are identical.
// Exit 1 if any action counts differ, or if either model reports less than the latency bound of
// sim/analytical/latency_bound.h (which holds for any execution): both are bugs, not modeling gaps.
// SystemC below the analytical model is reported, not failed: the analytical model's shared-unit
// rule is not a bound on a causal arbiter (docs/systemc.md).
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/pipeline.h"
#include "cli/resource_guard.h"
#include "sim/analytical/analytical_model.h"
#include "sim/analytical/latency_bound.h"
#include "sim/systemc/systemc_model.h"

namespace imc::cli {
namespace {

double gap_pct(double analytical, double systemc) {
  return analytical > 0 ? 100.0 * (systemc - analytical) / analytical : (systemc > 0 ? 100.0 : 0.0);
}

// The stall that explains a gap of `gap_cycles`: the largest SystemC-only delay on the critical path
// to the layer's end (buffer_full or network_contention; sim/systemc/critical_path.h); with none,
// the unit kind the path queued longest for ("tile_bus_queue": the arbiters ordered the ops
// differently); "none" when SystemC is not later.
std::string main_stall(const std::map<std::string, std::int64_t>& path, std::int64_t gap_cycles) {
  if (gap_cycles <= 0) return "none";
  std::string best = "none";
  std::int64_t most = 0;
  for (const std::string k : {"buffer_full", "network_contention"})
    if (path.count(k) && path.at(k) > most) {
      best = k;
      most = path.at(k);
    }
  if (most > 0) return best;
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
          const sim::LatencyBound bound = sim::latency_bound(s.spec, s.costs, p.program);
          const bool bound_ok = a.latency_cycles >= bound.cycles() && c.latency_cycles >= bound.cycles();
          int earlier_layers = 0;  // layers SystemC finishes before the analytical model
          for (std::size_t i = 0; i < a.layers.size(); ++i) {
            const sim::LayerReport& la = a.layers[i];
            const sim::LayerReport& lc = c.layers.at(i);
            const bool eq = la.actions == lc.actions;
            actions_ok = actions_ok && eq;
            if (lc.end_cycle < la.end_cycle) ++earlier_layers;
            if (la.actions == arch::ActionCounts{} && la.macs == 0) continue;  // folded into another layer
            const double gap = gap_pct(double(la.latency_cycles), double(lc.latency_cycles));
            const double egap = gap_pct(la.energy_pj, lc.energy_pj);
            const auto& path = info.critical_path.layers.at(i);
            const std::string stall = main_stall(path, lc.latency_cycles - la.latency_cycles);
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
                     main_stall(info.critical_path.total, c.latency_cycles - a.latency_cycles), egap,
                     actions_ok ? "equal" : "DIFFER");
          fmt::print("on the critical path:");
          for (const auto& [k, v] : info.critical_path.total) fmt::print(" {}={}", k, v);
          fmt::print("; all waits of all ops:");
          for (const auto& [k, v] : c.stalls) fmt::print(" {}={}", k, v);
          fmt::print("\nSystemC: {} events in {:.3f} s; energy gap is leakage over the longer run\n",
                     c.events, info.wall_s);
          if (!actions_ok) fmt::print("FAIL: action counts differ between the models\n");
          fmt::print(
              "latency bound {} (dependency chain {}, busiest unit {}); SystemC {} the analytical model",
              bound.cycles(), bound.dependency_cycles, bound.unit_cycles,
              c.latency_cycles >= a.latency_cycles ? "at or above" : "BELOW");
          fmt::print("; {} layer(s) end earlier in SystemC\n", earlier_layers);
          if (!bound_ok) fmt::print("FAIL: a model reports less than the latency bound\n");
          failed = failed || !actions_ok || !bound_ok;
          out["workloads"].push_back(
              {{"workload", g.name()},
               {"batch", p.program.batch},
               {"analytical_cycles", a.latency_cycles},
               {"systemc_cycles", c.latency_cycles},
               {"gap_pct", gap},
               {"main_stall", main_stall(info.critical_path.total, c.latency_cycles - a.latency_cycles)},
               {"critical_path_stalls", info.critical_path.total},
               {"stalls", c.stalls},
               {"analytical_energy_pj", a.energy_pj},
               {"systemc_energy_pj", c.energy_pj},
               {"energy_gap_pct", egap},
               {"actions_equal", actions_ok},
               {"latency_bound_cycles", bound.cycles()},
               {"latency_bound_holds", bound_ok},
               {"systemc_at_least_analytical", c.latency_cycles >= a.latency_cycles},
               {"layers_ending_earlier_in_systemc", earlier_layers},
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
