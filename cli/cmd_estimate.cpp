// imcsim estimate: the analytical model on one or more networks.
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/pipeline.h"
#include "sim/analytical/analytical_model.h"

namespace imc::cli {
namespace {

const Command kEstimate{
    "estimate", "Energy, latency, area and breakdowns from the analytical model", 30,
    [](CLI::App& sub) -> Action {
      auto args = std::make_shared<EvalArgs>();
      add_eval_options(sub, *args);
      return [args]() {
        const Session s = load_session(*args);
        std::vector<sim::Report> reports;
        nlohmann::json out = {
            {"arch", s.spec.chip.name}, {"arch_file", s.spec.source}, {"workloads", nlohmann::json::array()}};
        for (const auto& g : s.graphs) {
          const auto t0 = std::chrono::steady_clock::now();
          Prepared p = prepare(s, g);
          sim::AnalyticalModel model;
          sim::Report r = model.evaluate(s.spec, s.costs, p.program);
          r.eval_us =
              std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
          print_report(r, p.program);
          fmt::print("evaluated in {:.0f} us (mapping + lowering + model)\n", r.eval_us);
          out["workloads"].push_back(workload_json(r, p.program));
          reports.push_back(std::move(r));
        }
        write_outputs(*args, out, reports);
        return 0;
      };
    }};

}  // namespace
}  // namespace imc::cli
