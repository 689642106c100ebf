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
#include "cli/model_comparison.h"
#include "cli/output.h"
#include "cli/pipeline.h"
#include "cli/resource_guard.h"
#include "sim/analytical/analytical_model.h"
#include "sim/systemc/systemc_model.h"

namespace imc::cli {
namespace {

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
          const nlohmann::json w = compare_models(s.spec, s.costs, g.name(), p.program, a, c, info);
          fmt::print("\n== {} (batch {}): analytical vs SystemC ==\n", g.name(), p.program.batch);
          fmt::print("{:<28} {:>14} {:>14} {:>9} {:>11} {:<19} {:>9} {:>8}\n", "layer", "analytical cyc",
                     "systemc cyc", "gap %", "end delay", "main stall", "energy %", "actions");
          for (const auto& l : w.at("layers")) {
            const bool eq = l.at("actions_equal").get<bool>();
            const auto name = l.at("name").get<std::string>();
            const auto analytical = l.at("analytical_cycles").get<std::int64_t>();
            const auto systemc = l.at("systemc_cycles").get<std::int64_t>();
            const auto gap = l.at("gap_pct").get<double>();
            const auto end_delay = l.at("end_delay_cycles").get<std::int64_t>();
            const auto stall = l.at("main_stall").get<std::string>();
            fmt::print("{:<28.28} {:>14} {:>14} {:>9.2f} {:>11} {:<19} {:>9.3f} {:>8}\n", name, analytical,
                       systemc, gap, end_delay, stall, l.at("energy_gap_pct").get<double>(),
                       eq ? "equal" : "DIFFER");
            csv +=
                fmt::format("{},{},{},{},{},{:.4f},{},{},{}\n", g.name(), name, l.at("op").get<std::string>(),
                            analytical, systemc, gap, end_delay, stall, eq ? 1 : 0);
          }
          const bool actions_ok = w.at("actions_equal").get<bool>();
          const bool bound_ok = w.at("latency_bound_holds").get<bool>();
          fmt::print("{:<28} {:>14} {:>14} {:>9.2f} {:>11} {:<19} {:>9.3f} {:>8}\n", "total",
                     a.latency_cycles, c.latency_cycles, w.at("gap_pct").get<double>(),
                     c.latency_cycles - a.latency_cycles, w.at("main_stall").get<std::string>(),
                     w.at("energy_gap_pct").get<double>(), actions_ok ? "equal" : "DIFFER");
          fmt::print("on the critical path:");
          for (const auto& [k, v] : info.critical_path.total) fmt::print(" {}={}", k, v);
          fmt::print("; all waits of all ops:");
          for (const auto& [k, v] : c.stalls) fmt::print(" {}={}", k, v);
          fmt::print("\nSystemC: {} events in {:.3f} s; energy gap is leakage over the longer run\n",
                     c.events, info.wall_s);
          if (!actions_ok) fmt::print("FAIL: action counts differ between the models\n");
          fmt::print(
              "latency bound {} (dependency chain {}, busiest unit {}); SystemC {} the analytical model",
              w.at("latency_bound_cycles").get<std::int64_t>(),
              w.at("latency_bound_dependency_cycles").get<std::int64_t>(),
              w.at("latency_bound_unit_cycles").get<std::int64_t>(),
              c.latency_cycles >= a.latency_cycles ? "at or above" : "BELOW");
          fmt::print("; {} layer(s) end earlier in SystemC\n",
                     w.at("layers_ending_earlier_in_systemc").get<int>());
          if (!bound_ok) fmt::print("FAIL: a model reports less than the latency bound\n");
          failed = failed || !actions_ok || !bound_ok;
          out["workloads"].push_back(w);
        }
        if (!args->json_out.empty()) write_json(args->json_out, out);
        if (!args->csv_out.empty()) write_text(args->csv_out, csv);
        return failed ? 1 : 0;
      };
    }};

}  // namespace
}  // namespace imc::cli
