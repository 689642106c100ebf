#include "nas/predictor/learned_estimator.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/config.h"
#include "common/run_dir.h"
#include "nas/decode.h"
#include "nas/predictor/design_features.h"

namespace imc::nas::predictor {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "imcsim-learned-hw-2";
constexpr std::array<const char*, 3> kTargets = {"energy", "latency", "area"};

std::string model_file(const std::string& meta, const char* target) {
  fs::path p(meta);
  return (p.parent_path() / (p.stem().string() + "." + target + ".json")).string();
}

}  // namespace

std::vector<Genome> training_genomes(const EstimatorContext& ctx) {
  return sample_valid_genomes(ctx, std::size_t(ctx.options.train_designs),
                              std::uint64_t(ctx.options.seed) * 7919 + 17);
}

LearnedEstimator::LearnedEstimator(EstimatorContext ctx, const ReferenceFigures& reference)
    : ctx_(std::move(ctx)) {
  const EstimatorOptions& o = ctx_.options;
  const nlohmann::json key =
      estimator_key(ctx_, {{"format", kFormat},
                           {"train_designs", o.train_designs},
                           {"train_source", common::name_of(o.train_source, training_source_names())},
                           {"trees", o.trees},
                           {"max_depth", o.max_depth},
                           {"seed", o.seed}});
  const std::size_t width = design_feature_names(*ctx_.space).size();
  if (fs::exists(ctx_.file)) {
    nlohmann::json meta;
    try {
      std::ifstream in(ctx_.file);
      meta = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw common::InputError(fmt::format("{}: not a learned-estimator file ({})", ctx_.file, e.what()));
    }
    check_estimator_key(ctx_.file, meta.value("key", nlohmann::json()), key);
    for (std::size_t t = 0; t < kTargets.size(); ++t) {
      try {
        models_[t].load(model_file(ctx_.file, kTargets[t]), width);
      } catch (const std::runtime_error& e) {
        throw common::InputError(e.what());
      }
    }
    trained_on_ = meta.at("trained_on").get<std::size_t>();
    loaded_ = true;
    return;
  }
  const std::vector<Genome> genomes = training_genomes(ctx_);
  const std::vector<std::optional<HardwareFigures>> figures = reference(genomes);
  FeatureMatrix x;
  std::array<std::vector<double>, 3> y;
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    if (!figures[i] || figures[i]->energy_pj <= 0 || figures[i]->latency_ns <= 0 || figures[i]->area_mm2 <= 0)
      continue;
    const auto params = network_params(ctx_.network_defaults, *ctx_.space, genomes[i]);
    x.add_row(design_features(*ctx_.space, genomes[i], decode_network(params, "train"),
                              decode_hardware(ctx_.base, *ctx_.space, genomes[i], ctx_.tech_dir)));
    y[0].push_back(std::log(figures[i]->energy_pj));
    y[1].push_back(std::log(figures[i]->latency_ns));
    y[2].push_back(std::log(figures[i]->area_mm2));
  }
  if (x.rows() < 4)
    throw common::InputError(
        fmt::format("{}: key 'estimator.train_designs': only {} of {} training designs could be evaluated; "
                    "the space needs "
                    "more valid, mappable designs for evaluator 'learned'",
                    ctx_.config_path, x.rows(), genomes.size()));
  TreeSettings s;
  s.trees = static_cast<int>(o.trees);
  s.max_depth = static_cast<int>(o.max_depth);
  s.seed = std::uint64_t(o.seed);
  for (std::size_t t = 0; t < kTargets.size(); ++t) models_[t].fit(x, y[t], s);
  trained_on_ = x.rows();
  if (const fs::path dir = fs::path(ctx_.file).parent_path(); !dir.empty()) fs::create_directories(dir);
  for (std::size_t t = 0; t < kTargets.size(); ++t) models_[t].save(model_file(ctx_.file, kTargets[t]));
  // The key last, so an interrupted save leaves no file that claims models it does not have.
  common::write_file_atomically(ctx_.file, nlohmann::json{{"format", kFormat},
                                                          {"key", key},
                                                          {"trained_on", trained_on_},
                                                          {"features", design_feature_names(*ctx_.space)}}
                                               .dump(1));
}

std::optional<HardwareFigures> LearnedEstimator::estimate(const Genome& genome, const arch::ArchSpec& spec,
                                                          const workloads::Graph& graph, std::string& why) {
  (void)why;
  const std::vector<double> row = design_features(*ctx_.space, genome, graph, spec);
  HardwareFigures f;
  f.energy_pj = std::exp(models_[0].predict_one(row));
  f.latency_ns = std::exp(models_[1].predict_one(row));
  f.area_mm2 = std::exp(models_[2].predict_one(row));
  return f;
}

}  // namespace imc::nas::predictor
