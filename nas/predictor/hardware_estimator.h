// Hardware-cost estimators of the HW-NAS taxonomy beside the analytical model and SystemC: a lookup
// table (layer_lut.h) and a learned predictor (learned_estimator.h). Both give a design's energy,
// latency and area without mapping and lowering it; the search (nas/search/evaluator.cpp) turns their
// figures into a report and judges the constraints as for the other models.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "arch/spec.h"
#include "mapping/mapping.h"
#include "nas/genome.h"
#include "nas/predictor/estimator_options.h"
#include "nas/space.h"
#include "workloads/family.h"
#include "workloads/graph.h"

namespace imc::nas::predictor {

struct HardwareFigures {
  double energy_pj = 0;   // one batch, dynamic + leakage
  double latency_ns = 0;  // one batch
  double area_mm2 = 0;
};

// What an estimator needs to know of the search: the space, the chip its genes override, the
// mapping options, and where its files live.
struct EstimatorContext {
  std::string config_path;  // for messages
  const SearchSpace* space = nullptr;
  arch::ArchSpec base;  // the base chip
  std::string base_arch_file;
  std::string tech_dir;  // resolves the tech file of decoded chips
  mapping::MappingOptions mapping;
  workloads::CnnFamilyParams network_defaults;
  EstimatorOptions options;
  std::string file;  // the table / model file (explicit in the config, or in the cache)
  bool file_from_config = false;
};

// Figures of genomes from a reference model (analytical or SystemC), nullopt where the design is
// invalid or does not map; the learned estimator trains on them.
using ReferenceFigures =
    std::function<std::vector<std::optional<HardwareFigures>>(const std::vector<Genome>&)>;

class HardwareEstimator {
 public:
  virtual ~HardwareEstimator() = default;
  // The figures of a decoded design (`spec`, `graph` decoded from `genome`); nullopt with `why` set
  // when the estimator has no figure for it (e.g. no layer of it maps at any neighbouring table point).
  virtual std::optional<HardwareFigures> estimate(const Genome& genome, const arch::ArchSpec& spec,
                                                  const workloads::Graph& graph, std::string& why) = 0;
  // Persists what was learned or tabulated since the last save (no-op when nothing changed).
  virtual void save() {}
  virtual const char* name() const = 0;
};

// Genomes drawn uniformly per gene that satisfy the space's conditions and decode to a valid chip
// and network; deterministic for a seed. Stops after 50 x count draws.
std::vector<Genome> sample_valid_genomes(const EstimatorContext& ctx, std::size_t count, std::uint64_t seed);

// What an estimator's file is valid for, one entry per part: "space" (every gene, domain and
// condition: the hardware grid and the network set), "arch" (the base chip's every parameter, hashed),
// "mapping" (schedule, batch, overflow) and "settings" (`settings`: grid points, training settings).
nlohmann::json estimator_key(const EstimatorContext& ctx, const nlohmann::json& settings);
// Throws common::InputError naming the file, the first part of the key that differs and what this
// config allows, when `stored` (read from `file`) is not `expected`.
void check_estimator_key(const std::string& file, const nlohmann::json& stored,
                         const nlohmann::json& expected);

}  // namespace imc::nas::predictor
