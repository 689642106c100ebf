#include "nas/differentiable/outer_loop.h"

#include <fmt/format.h>

#include "common/config.h"
#include "common/hash.h"

namespace imc::nas::differentiable {

nlohmann::json to_json(const OuterRecord& r) {
  return {{"generation", r.generation},
          {"outer", r.outer},
          {"genome", r.genome},
          {"evaluation", nas::to_json(r.evaluation)},
          {"inner", r.inner}};
}

OuterRecord outer_record_from_json(const nlohmann::json& j) {
  OuterRecord r;
  r.generation = j.at("generation").get<std::int64_t>();
  r.outer = j.at("outer").get<Genome>();
  r.genome = j.at("genome").get<Genome>();
  r.evaluation = evaluation_from_json(j.at("evaluation"));
  r.inner = j.at("inner");
  return r;
}

std::uint64_t inner_seed(std::int64_t seed, const Genome& outer) {
  return common::hash64(fmt::format("differentiable/{}/{}", seed, fmt::join(outer, ",")));
}

OuterRun run_outer_loop(const ArchSpace& arch, const DifferentiableOptions& o, std::size_t objectives,
                        const OuterHooks& hooks, const nlohmann::json* resume, std::int64_t stop_after) {
  OptimizerSetup setup;
  setup.config.name = o.outer_optimizer;
  setup.config.population = o.outer_population;
  setup.config.seed = o.seed;
  setup.cardinalities = arch.outer_cardinalities;
  setup.objectives = objectives;
  std::unique_ptr<Optimizer> optimizer = make_optimizer(setup);

  OuterRun run;
  if (resume) {
    if (resume->at("outer_optimizer").get<std::string>() != o.outer_optimizer)
      throw common::InputError(
          fmt::format("checkpoint: written by outer optimizer '{}', the config asks for '{}'",
                      resume->at("outer_optimizer").get<std::string>(), o.outer_optimizer));
    optimizer->load(resume->at("optimizer"));
    run.generations_done = resume->at("generations_done").get<std::int64_t>();
    for (const nlohmann::json& r : resume->at("records")) run.records.push_back(outer_record_from_json(r));
  }
  const std::int64_t last = stop_after >= 0 ? std::min(stop_after, o.outer_generations) : o.outer_generations;
  while (run.generations_done < last) {
    const std::size_t before = optimizer->generation();
    while (optimizer->generation() == before) {  // sequential optimizers take several rounds
      const std::vector<Genome> outer = optimizer->ask();
      const std::vector<nlohmann::json> inner = hooks.inner(outer, run.generations_done);
      std::vector<Genome> genomes;
      for (std::size_t i = 0; i < outer.size(); ++i)
        genomes.push_back(arch.genome(outer[i], inner.at(i).at("choice").get<std::vector<int>>()));
      const std::vector<Evaluation> evals = hooks.evaluate(genomes);
      for (std::size_t i = 0; i < outer.size(); ++i)
        run.records.push_back({run.generations_done, outer[i], genomes[i], evals.at(i), inner[i]});
      optimizer->tell(outer, evals);
    }
    ++run.generations_done;
    nlohmann::json records = nlohmann::json::array();
    for (const OuterRecord& r : run.records) records.push_back(to_json(r));
    run.checkpoint = {{"outer_optimizer", o.outer_optimizer},
                      {"generations_done", run.generations_done},
                      {"optimizer", optimizer->save()},
                      {"records", records}};
    if (hooks.checkpoint) hooks.checkpoint(run.checkpoint);
  }
  return run;
}

}  // namespace imc::nas::differentiable
