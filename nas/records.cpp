#include "nas/records.h"

namespace imc::nas {

nlohmann::json to_json(const Candidate& c) {
  return {{"id", c.id},   {"generation", c.generation},       {"genome", c.genome},
          {"key", c.key}, {"hash", common::hash_hex(c.hash)}, {"evaluation", to_json(c.evaluation)}};
}

Candidate candidate_from_json(const nlohmann::json& j) {
  Candidate c;
  c.id = j.at("id").get<std::size_t>();
  c.generation = j.at("generation").get<std::size_t>();
  c.genome = j.at("genome").get<Genome>();
  c.key = j.at("key").get<std::string>();
  c.hash = common::hash64(c.key);
  if (common::hash_hex(c.hash) != j.at("hash").get<std::string>())
    throw std::runtime_error("candidate " + std::to_string(c.id) + ": stored hash does not match its key");
  c.evaluation = evaluation_from_json(j.at("evaluation"));
  return c;
}

nlohmann::json to_json(const GenerationStats& s) {
  return {{"generation", s.generation},
          {"asked", s.asked},
          {"evaluated", s.evaluated},
          {"cache_hits", s.cache_hits},
          {"rejected", s.rejected},
          {"feasible", s.feasible},
          {"front_size", s.front_size},
          {"hypervolume", s.hypervolume},
          {"best", s.best}};
}

GenerationStats stats_from_json(const nlohmann::json& j) {
  GenerationStats s;
  s.generation = j.at("generation").get<std::size_t>();
  s.asked = j.at("asked").get<std::size_t>();
  s.evaluated = j.at("evaluated").get<std::size_t>();
  s.cache_hits = j.at("cache_hits").get<std::size_t>();
  s.rejected = j.at("rejected").get<std::size_t>();
  s.feasible = j.at("feasible").get<std::size_t>();
  s.front_size = j.at("front_size").get<std::size_t>();
  s.hypervolume = j.at("hypervolume").get<double>();
  s.best = j.at("best").get<std::vector<double>>();
  return s;
}

}  // namespace imc::nas
