#include "nas/cosearch/fidelity.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "arch/cost.h"
#include "common/hash.h"
#include "common/run_dir.h"
#include "mapping/mapping.h"
#include "nas/decode.h"
#include "nas/records.h"
#include "sim/report_io.h"
#include "sim/systemc/systemc_model.h"

namespace imc::nas::cosearch {

namespace fs = std::filesystem;

std::vector<Finalist> reevaluate_finalists(const Problem& problem, const SearchSpace& space,
                                           const std::vector<Design>& designs, WorkerOptions workers,
                                           bool systemc) {
  std::vector<Finalist> out;
  for (std::size_t i = 0; i < designs.size(); ++i) {
    Finalist f;
    f.rank = i + 1;
    f.design = designs[i];
    const std::vector<sim::Report> reports = analytical_reports(problem, space, designs[i].genome);
    for (std::size_t n = 0; n < problem.graphs.size(); ++n)
      f.networks.push_back({problem.graphs[n].name(), reports[n], std::nullopt, "", 0.0});
    out.push_back(std::move(f));
  }
  if (!systemc || designs.empty()) return out;

  // One job per (design, network): a child each (SystemC elaborates once per process).
  struct Job {
    std::size_t design, network;
  };
  const std::size_t nets = problem.graphs.size();
  std::vector<Job> jobs;
  for (std::size_t d = 0; d < designs.size(); ++d)
    for (std::size_t n = 0; n < nets; ++n) jobs.push_back({d, n});
  workers.per_process = 1;
  workers.failures_are_infeasible = true;
  const auto results = evaluate_in_workers(
      jobs,
      [&](const Job& job) {
        const std::size_t d = job.design, n = job.network;
        const auto t0 = std::chrono::steady_clock::now();
        try {
          const arch::ArchSpec spec =
              decode_hardware(problem.base, space, designs[d].genome, problem.tech_dir);
          const arch::cost::CostTable costs = arch::cost::build(spec);
          const mapping::Mapping m = mapping::map(spec, problem.graphs[n], problem.mapping);
          const mapping::Program program = mapping::lower(spec, problem.graphs[n], m);
          sim::SystemCModel model;
          const sim::Report r = model.evaluate(spec, costs, program);
          Evaluation e;
          e.fidelity = "systemc";
          e.extra = {
              {"report", sim::to_json(r)},
              {"wall_s", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}};
          return e;
        } catch (const std::exception& err) {  // recorded for this finalist, the run goes on
          return Evaluation::infeasible(1.0, err.what(), "systemc");
        }
      },
      workers);
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    FinalistNetwork& fn = out[j / nets].networks[j % nets];
    const Evaluation& e = results[j];
    if (!e.feasible() || !e.extra.contains("report")) {
      fn.error = e.reason.empty() ? "no report" : e.reason;
      continue;
    }
    fn.systemc = sim::report_from_json(e.extra["report"]);
    fn.systemc_wall_s = e.extra.value("wall_s", 0.0);
  }
  return out;
}

void write_finalists(const std::vector<Finalist>& finalists, const SearchSpace& space,
                     const std::string& dir) {
  for (const Finalist& f : finalists) {
    const fs::path d =
        fs::path(dir) /
        fmt::format("{}_{}", f.rank, common::hash_hex(common::hash64(space.key(f.design.genome))));
    fs::create_directories(d);
    nlohmann::json design = {
        {"rank", f.rank}, {"genes", f.design.genes}, {"figures", f.design.evaluation.extra}};
    common::write_file_atomically((d / "design.json").string(), design.dump(2) + "\n");
    for (const FinalistNetwork& n : f.networks) {
      common::write_file_atomically((d / (n.network + ".analytical.json")).string(),
                                    sim::to_json(n.analytical).dump(2) + "\n");
      if (n.systemc)
        common::write_file_atomically((d / (n.network + ".systemc.json")).string(),
                                      sim::to_json(*n.systemc).dump(2) + "\n");
    }
  }
}

}  // namespace imc::nas::cosearch
