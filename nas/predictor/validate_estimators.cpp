#include "nas/predictor/validate_estimators.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "common/rank_correlation.h"
#include "common/run_dir.h"
#include "nas/predictor/learned_estimator.h"
#include "nas/search/config.h"
#include "nas/search/evaluator.h"
#include "nas/space.h"

namespace imc::nas::predictor {
namespace fs = std::filesystem;
using search::EvaluatorKind;

namespace {

struct Model {
  const char* name;
  EvaluatorKind kind;
};

constexpr const char* kColumns[] = {"energy_uj", "latency_us", "area_mm2"};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

nlohmann::json validate_estimators(const ValidationOptions& o) {
  search::SearchConfig cfg = search::load_search_config(o.config_path);
  cfg.search.workers = static_cast<std::int64_t>(std::max<std::size_t>(1, o.workers));
  const search::SearchEvaluator ev(cfg);

  // Build the estimators first: their one-off cost (training, a cold table) is reported apart.
  const auto t_learned = std::chrono::steady_clock::now();
  auto& learned = dynamic_cast<LearnedEstimator&>(ev.estimator(EvaluatorKind::kLearned));
  const double learned_build_s = seconds_since(t_learned);

  // Held-out designs: drawn with another seed, minus every design the learned model trained on.
  const EstimatorContext ctx = ev.estimator_context(EvaluatorKind::kLearned);
  const std::vector<Genome> train = training_genomes(ctx);
  std::vector<Genome> held;
  for (const Genome& g : sample_valid_genomes(ctx, o.designs + train.size(), o.seed)) {
    if (held.size() == o.designs) break;
    if (std::find(train.begin(), train.end(), g) == train.end()) held.push_back(g);
  }

  const Model models[] = {{"systemc", EvaluatorKind::kSystemC},
                          {"analytical", EvaluatorKind::kAnalytical},
                          {"lut (cold)", EvaluatorKind::kLut},
                          {"lut (warm)", EvaluatorKind::kLut},
                          {"learned", EvaluatorKind::kLearned}};
  std::vector<std::vector<Evaluation>> evals;
  std::vector<double> seconds;
  for (const Model& m : models) {
    const auto t0 = std::chrono::steady_clock::now();
    evals.push_back(ev.evaluate_hardware_with(held, m.kind));
    seconds.push_back(seconds_since(t0));
  }

  // Designs every model has figures for (SystemC and the analytical model fail on the same unmappable
  // designs; the estimators may have none where no neighbouring table point maps).
  std::vector<std::size_t> common_ids;
  for (std::size_t i = 0; i < held.size(); ++i) {
    bool all = true;
    for (const auto& e : evals) all = all && e[i].extra.is_object() && e[i].extra.contains("energy_uj");
    if (all) common_ids.push_back(i);
  }

  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t k = 1; k < std::size(models); ++k) {
    nlohmann::json row = {{"model", models[k].name},
                          {"seconds_per_design", seconds[k] / double(std::max<std::size_t>(1, held.size()))}};
    for (const char* col : kColumns) {
      std::vector<double> ref, est;
      double sum = 0, worst = 0;
      for (std::size_t i : common_ids) {
        const double r = evals[0][i].extra.at(col).get<double>(), e = evals[k][i].extra.at(col).get<double>();
        ref.push_back(r);
        est.push_back(e);
        const double rel = std::abs(e - r) / std::abs(r);
        sum += rel;
        worst = std::max(worst, rel);
      }
      const std::optional<double> tau = common::kendall_tau_b(est, ref);
      row[col] = {{"mean_rel_error", common_ids.empty() ? 0.0 : sum / double(common_ids.size())},
                  {"worst_rel_error", worst},
                  {"kendall_tau", tau ? nlohmann::json(*tau) : nlohmann::json(nullptr)}};
    }
    rows.push_back(row);
  }
  // Every compared design's figures by model (for a closer look at where an estimator errs).
  nlohmann::json per_design = nlohmann::json::array();
  for (std::size_t i : common_ids) {
    nlohmann::json d = {{"genes", genes_json(cfg.space, held[i])}};
    for (std::size_t k = 0; k < std::size(models); ++k) {
      nlohmann::json f = nlohmann::json::object();
      for (const char* col : kColumns) f[col] = evals[k][i].extra.at(col);
      d[models[k].name] = f;
    }
    per_design.push_back(d);
  }
  nlohmann::json result = {
      {"config", fs::absolute(o.config_path).string()},
      {"designs_drawn", held.size()},
      {"designs_compared", common_ids.size()},
      {"seed", o.seed},
      {"workers", cfg.search.workers},
      {"systemc_seconds_per_design", seconds[0] / double(std::max<std::size_t>(1, held.size()))},
      {"learned",
       {{"training_designs", learned.training_designs()},
        {"loaded_from_file", learned.loaded_from_file()},
        {"build_seconds", learned_build_s},
        {"train_source", common::name_of(cfg.estimator.train_source, training_source_names())},
        {"file", ctx.file}}},
      {"lut",
       {{"file", ev.estimator_context(EvaluatorKind::kLut).file},
        {"grid_points", cfg.estimator.lut_grid_points}}},
      {"rows", rows},
      {"designs", per_design}};
  if (!o.out_dir.empty()) {
    fs::create_directories(o.out_dir);
    common::write_file_atomically((fs::path(o.out_dir) / "estimators.json").string(), result.dump(1) + "\n");
    common::write_file_atomically((fs::path(o.out_dir) / "estimators.md").string(), validation_table(result));
    std::string csv = "model,seconds_per_design";
    for (const char* col : kColumns)
      csv += fmt::format(",{0}_mean_rel_error,{0}_worst_rel_error,{0}_kendall_tau", col);
    csv += "\n";
    for (const auto& r : rows) {
      csv += fmt::format("{},{:.6g}", r.at("model").get<std::string>(),
                         r.at("seconds_per_design").get<double>());
      for (const char* col : kColumns) {
        const auto& c = r.at(col);
        csv += fmt::format(
            ",{:.6g},{:.6g},{}", c.at("mean_rel_error").get<double>(), c.at("worst_rel_error").get<double>(),
            c.at("kendall_tau").is_null() ? "" : fmt::format("{:.4f}", c.at("kendall_tau").get<double>()));
      }
      csv += "\n";
    }
    common::write_file_atomically((fs::path(o.out_dir) / "estimators.csv").string(), csv);
  }
  return result;
}

std::string validation_table(const nlohmann::json& r) {
  std::string out = fmt::format(
      "Against SystemC on {} held-out designs ({} drawn; SystemC {:.3g} s per design, {} worker(s)); "
      "relative error mean / worst, Kendall tau of the ranking:\n\n",
      r.at("designs_compared").get<std::size_t>(), r.at("designs_drawn").get<std::size_t>(),
      r.at("systemc_seconds_per_design").get<double>(), r.at("workers").get<std::int64_t>());
  out +=
      "| model | energy error | energy tau | latency error | latency tau | area error | area tau | time per "
      "design |\n";
  out += "|---|---|---|---|---|---|---|---|\n";
  for (const auto& row : r.at("rows")) {
    out += "| " + row.at("model").get<std::string>();
    for (const char* col : kColumns) {
      const auto& c = row.at(col);
      out += fmt::format(
          " | {:.1f}% / {:.1f}% | {}", 100 * c.at("mean_rel_error").get<double>(),
          100 * c.at("worst_rel_error").get<double>(),
          c.at("kendall_tau").is_null() ? "-" : fmt::format("{:.3f}", c.at("kendall_tau").get<double>()));
    }
    const double s = row.at("seconds_per_design").get<double>();
    out += s < 1e-3 ? fmt::format(" | {:.1f} us |\n", s * 1e6) : fmt::format(" | {:.2f} ms |\n", s * 1e3);
  }
  const auto& l = r.at("learned");
  out += fmt::format(
      "\nlearned: {} training designs from {} ({}, {:.2f} s); lut: {} grid points per ordinal gene. SystemC "
      "is the "
      "reference (its own row would be 0% / tau 1).\n",
      l.at("training_designs").get<std::size_t>(), l.at("train_source").get<std::string>(),
      l.at("loaded_from_file").get<bool>() ? "loaded from its file" : "trained in this run",
      l.at("build_seconds").get<double>(), r.at("lut").at("grid_points").get<std::int64_t>());
  return out;
}

}  // namespace imc::nas::predictor
