#include "nas/loop.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "common/hash.h"
#include "common/run_dir.h"
#include "nas/report.h"

namespace imc::nas {

namespace fs = std::filesystem;
using common::InputError;

namespace {

constexpr const char* kCheckpointFormat = "imcsim-nas-checkpoint";
constexpr int kCheckpointVersion = 1;

// Writes `text` to `path` through a temporary file and a rename, so that a kill never leaves a
// half-written file behind.
void write_atomically(const fs::path& path, const std::string& text) {
  common::write_file_atomically(path.string(), text);
}

std::string duration_text(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 90) return fmt::format("{:.1f} s", s);
  if (s < 5400) return fmt::format("{:.1f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}

}  // namespace

double training_budget(const Evaluation& e) {
  return e.extra.is_object() ? e.extra.value("training_budget", 1.0) : 1.0;
}

void check_evaluation(const Evaluation& e, std::size_t objectives, const std::string& key) {
  if (std::isnan(e.violation) || e.violation < 0)
    throw InputError(
        fmt::format("evaluation of '{}': violation must be >= 0 (0 = feasible), found {}", key, e.violation));
  if (!e.feasible()) return;
  if (e.objectives.size() != objectives)
    throw InputError(fmt::format("evaluation of '{}': {} objective values, the search has {} objectives", key,
                                 e.objectives.size(), objectives));
  for (std::size_t i = 0; i < objectives; ++i)
    if (!std::isfinite(e.objectives[i]) || std::abs(e.objectives[i]) > kMaxObjectiveMagnitude)
      throw InputError(
          fmt::format("evaluation of '{}': objective #{} = {} must be finite with magnitude <= {:g}", key, i,
                      e.objectives[i], kMaxObjectiveMagnitude));
}

SearchLoop::SearchLoop(SearchSpace space, OptimizerConfig config, BatchEvaluator evaluate,
                       LoopOptions options, KeyFunction key)
    : space_(std::move(space)),
      config_(std::move(config)),
      evaluate_(std::move(evaluate)),
      options_(std::move(options)),
      key_(std::move(key)) {
  if (options_.objective_names.empty()) throw InputError("search: at least one objective must be named");
  if (!options_.reference_point.empty() && options_.reference_point.size() != options_.objective_names.size())
    throw InputError(fmt::format("search: reference point has {} values for {} objectives",
                                 options_.reference_point.size(), options_.objective_names.size()));
  if (!evaluate_) throw std::invalid_argument("SearchLoop: no evaluator");
  if (!key_) key_ = [this](const Genome& g) { return space_.key(g); };
  reference_ = options_.reference_point;
  OptimizerSetup setup;
  setup.config = config_;
  setup.cardinalities = space_.cardinalities();
  setup.objectives = options_.objective_names.size();
  for (const auto& g : space_.genes()) setup.categorical.push_back(!g.numeric());
  // Cheap feasibility for Monte Carlo sampling: the space's conditions, then the caller's estimate.
  setup.violation_estimate = [this](const Genome& g) {
    const double v = space_.check(g).violation;
    return v > 0 || !options_.feasibility_estimate ? v : options_.feasibility_estimate(g);
  };
  optimizer_ = make_optimizer(setup);
  if (optimizer_traits(config_.name).budgeted && !options_.evaluate_at_budget)
    throw InputError(fmt::format(
        "optimizer.name = \"{}\" schedules training budgets, but this search has no training budget to "
        "scale (no accuracy objective); use another optimizer",
        config_.name));
}

SearchLoop::~SearchLoop() = default;

std::size_t SearchLoop::generation() const {
  return optimizer_->generation();
}

void SearchLoop::hot_start(const std::vector<Genome>& genomes) {
  if (started_) throw std::logic_error("hot_start() must come before run() and resume()");
  for (const auto& g : genomes) space_.validate(g);
  optimizer_->hot_start(genomes);
}

nlohmann::json SearchLoop::settings_json() const {
  OptimizerConfig c = config_;
  return {{"optimizer", common::dump_fields([&](common::Fields& f) { describe(f, c); })},
          {"weights", config_.weights},
          {"objectives", options_.objective_names},
          {"space_fingerprint", common::hash_hex(common::hash64(space_.fingerprint()))}};
}

void SearchLoop::start() {
  started_ = true;
  if (options_.run_dir.empty()) return;
  fs::create_directories(options_.run_dir);
  nlohmann::json run = settings_json();
  run["seed"] = config_.seed;
  run["generations"] = options_.generations;
  run["reference_point"] = options_.reference_point;
  run["space"] = space_.fingerprint();
  run["log10_candidates"] = space_.log10_candidates();
  write_atomically(fs::path(options_.run_dir) / "run.json", run.dump(2) + "\n");
  if (!options_.config_path.empty()) {
    if (!fs::is_regular_file(options_.config_path))
      throw InputError(
          fmt::format("search: config file '{}' not found (LoopOptions::config_path)", options_.config_path));
    fs::path dst = fs::path(options_.run_dir) / "config.toml";
    if (!fs::exists(dst) || !fs::equivalent(options_.config_path, dst))
      fs::copy_file(options_.config_path, dst, fs::copy_options::overwrite_existing);
  }
}

void SearchLoop::run() {
  if (!started_) start();
  while (optimizer_->generation() < options_.generations) {
    const std::size_t gen = optimizer_->generation();
    auto t0 = std::chrono::steady_clock::now();
    while (optimizer_->generation() == gen) round(gen);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    end_generation(gen, s);
  }
}

std::size_t SearchLoop::add_candidate(std::size_t generation, const Genome& g, std::string key,
                                      std::uint64_t h, Evaluation e) {
  Candidate c;
  c.id = candidates_.size();
  c.generation = generation;
  c.genome = g;
  c.key = std::move(key);
  c.hash = h;
  c.evaluation = std::move(e);
  if (c.evaluation.feasible()) {
    // A lower-budget result is a noisier estimate, not an answer: it stays out of the front.
    if (training_budget(c.evaluation) >= 1.0) front_.insert(c.id, c.evaluation.objectives);
    ++counters_.feasible;
  }
  // On the (astronomically unlikely) collision of two keys the first keeps the cache slot.
  cache_.emplace(h, c.id);
  candidates_.push_back(std::move(c));
  return candidates_.back().id;
}

void SearchLoop::round(std::size_t generation) {
  const std::vector<Genome> genomes = optimizer_->ask();
  const double budget = optimizer_->budget();
  if (!(budget > 0 && budget <= 1))
    throw std::logic_error(fmt::format("optimizer '{}' asked at budget {}", config_.name, budget));
  const bool reduced = budget < 1.0;
  const std::size_t n = genomes.size();
  counters_.asked += n;
  std::vector<Evaluation> results(n);
  std::vector<std::size_t> to_evaluate;                      // indices into genomes
  std::vector<std::pair<std::size_t, std::size_t>> repeats;  // (index, index it repeats)
  std::unordered_map<std::uint64_t, std::size_t> in_batch;   // hash -> first index in this batch
  std::vector<std::string> keys(n);
  std::vector<std::uint64_t> hashes(n);

  for (std::size_t i = 0; i < n; ++i) {
    space_.validate(genomes[i]);
    keys[i] = key_(genomes[i]);
    if (reduced) keys[i] += fmt::format(" @training_budget={:.9g}", budget);
    hashes[i] = common::hash64(keys[i]);
    if (auto it = cache_.find(hashes[i]); it != cache_.end() && candidates_[it->second].key == keys[i]) {
      results[i] = candidates_[it->second].evaluation;
      ++counters_.cache_hits;
      continue;
    }
    if (auto it = in_batch.find(hashes[i]); it != in_batch.end() && keys[it->second] == keys[i]) {
      repeats.emplace_back(i, it->second);
      ++counters_.cache_hits;
      continue;
    }
    in_batch.emplace(hashes[i], i);
    Feasibility f = space_.check(genomes[i]);
    if (!f.ok()) {
      results[i] = Evaluation::infeasible(f.violation, f.reason, "conditions");
      if (reduced) results[i].extra["training_budget"] = budget;
      add_candidate(generation, genomes[i], keys[i], hashes[i], results[i]);
      ++counters_.rejected;
      continue;
    }
    to_evaluate.push_back(i);
  }

  if (!to_evaluate.empty()) {
    std::vector<Genome> batch;
    batch.reserve(to_evaluate.size());
    for (auto i : to_evaluate) batch.push_back(genomes[i]);
    std::vector<Evaluation> evals = reduced ? options_.evaluate_at_budget(batch, budget) : evaluate_(batch);
    if (evals.size() != batch.size())
      throw std::runtime_error(
          fmt::format("the evaluator returned {} evaluations for {} genomes", evals.size(), batch.size()));
    counters_.evaluated += batch.size();
    for (std::size_t k = 0; k < batch.size(); ++k) {
      const std::size_t i = to_evaluate[k];
      check_evaluation(evals[k], options_.objective_names.size(), keys[i]);
      if (reduced) {
        if (!evals[k].extra.is_object()) evals[k].extra = nlohmann::json::object();
        evals[k].extra["training_budget"] = budget;
      }
      results[i] = evals[k];
      add_candidate(generation, genomes[i], keys[i], hashes[i], std::move(evals[k]));
    }
  }
  for (auto [i, first] : repeats) results[i] = results[first];
  optimizer_->tell(genomes, results);
}

std::vector<std::size_t> SearchLoop::front() const {
  std::vector<std::size_t> ids;
  for (const auto& e : front_.entries()) ids.push_back(e.id);
  std::sort(ids.begin(), ids.end(), [&](std::size_t a, std::size_t b) {
    const auto& fa = candidates_[a].evaluation.objectives;
    const auto& fb = candidates_[b].evaluation.objectives;
    return fa != fb ? fa < fb : a < b;
  });
  return ids;
}

void SearchLoop::end_generation(std::size_t generation, double seconds) {
  const std::size_t m = options_.objective_names.size();
  if (reference_.empty() && front_.size() > 0) {
    std::vector<double> lo(m, INFINITY), hi(m, -INFINITY);
    for (const auto& c : candidates_)
      if (c.evaluation.feasible() && training_budget(c.evaluation) >= 1.0)
        for (std::size_t i = 0; i < m; ++i) {
          lo[i] = std::min(lo[i], c.evaluation.objectives[i]);
          hi[i] = std::max(hi[i], c.evaluation.objectives[i]);
        }
    reference_.resize(m);
    for (std::size_t i = 0; i < m; ++i) {
      double span = hi[i] - lo[i];
      if (span <= 0) span = std::max(std::abs(hi[i]), 1.0);
      reference_[i] = hi[i] + 0.1 * span;
    }
  }
  GenerationStats s = counters_;
  s.generation = generation;
  s.front_size = front_.size();
  s.hypervolume = reference_.empty() ? 0.0 : hypervolume(front_.points(), reference_);
  s.best.clear();
  for (const auto& e : front_.entries()) {
    if (s.best.empty()) s.best = e.objectives;
    for (std::size_t i = 0; i < m; ++i) s.best[i] = std::min(s.best[i], e.objectives[i]);
  }
  history_.push_back(s);

  if (!options_.run_dir.empty()) {
    save_checkpoint();
    write_reports();
  }

  seconds_ += seconds;
  ++timed_generations_;
  if (options_.progress) {
    std::string best;
    for (std::size_t i = 0; i < s.best.size(); ++i)
      best += fmt::format(" {}={:.4g}", options_.objective_names[i], s.best[i]);
    const double per_gen = seconds_ / static_cast<double>(timed_generations_);
    const double remaining = static_cast<double>(options_.generations - (generation + 1));
    std::size_t prev_eval = history_.size() > 1 ? history_[history_.size() - 2].evaluated : 0;
    *options_.progress << fmt::format(
        "[nas] gen {}/{}  evals {} (+{})  cache hits {}  rejected {}  front {}  best{}  HV {:.6g}  {}/gen  "
        "ETA {}\n",
        generation + 1, options_.generations, s.evaluated, s.evaluated - prev_eval, s.cache_hits, s.rejected,
        s.front_size, best.empty() ? " (none feasible)" : best, s.hypervolume, duration_text(per_gen),
        duration_text(per_gen * remaining));
    options_.progress->flush();
  }
}

void SearchLoop::save_checkpoint() const {
  nlohmann::json j;
  j["format"] = kCheckpointFormat;
  j["version"] = kCheckpointVersion;
  j["generation"] = optimizer_->generation();
  j["settings"] = settings_json();
  j["optimizer"] = optimizer_->save();
  j["reference_point"] = reference_;
  j["counters"] = to_json(counters_);
  nlohmann::json hist = nlohmann::json::array();
  for (const auto& h : history_) hist.push_back(to_json(h));
  j["history"] = std::move(hist);
  nlohmann::json cands = nlohmann::json::array();
  for (const auto& c : candidates_) cands.push_back(to_json(c));
  j["candidates"] = std::move(cands);
  write_atomically(fs::path(options_.run_dir) / "checkpoint.json",
                   j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void SearchLoop::resume(const std::string& dir) {
  if (started_) throw std::logic_error("resume() must come before run()");
  const fs::path path = fs::path(dir) / "checkpoint.json";
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot read the checkpoint (no such file?)", path.string()));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not a valid checkpoint: {}", path.string(), e.what()));
  }
  if (!j.is_object() || !j.contains("settings") || !j.at("settings").is_object())
    throw InputError(
        fmt::format("{}: not an imcsim search checkpoint (not a JSON object with settings)", path.string()));
  if (j.value("format", "") != kCheckpointFormat || j.value("version", 0) != kCheckpointVersion)
    throw InputError(
        fmt::format("{}: not an imcsim search checkpoint (version {})", path.string(), kCheckpointVersion));
  const nlohmann::json now = settings_json();
  for (const auto& [k, v] : now.items())
    if (j.at("settings").value(k, nlohmann::json()) != v)
      throw InputError(
          fmt::format("{}: the checkpoint was written with different '{}' ({} there, {} now); "
                      "resume with the run's own configuration",
                      path.string(), k, j.at("settings").value(k, nlohmann::json()).dump(), v.dump()));
  try {
    optimizer_->load(j.at("optimizer"));
    reference_ = j.at("reference_point").get<std::vector<double>>();
    counters_ = stats_from_json(j.at("counters"));
    history_.clear();
    for (const auto& h : j.at("history")) history_.push_back(stats_from_json(h));
    candidates_.clear();
    cache_.clear();
    front_ = ParetoArchive();
    for (const auto& cj : j.at("candidates")) {
      Candidate c = candidate_from_json(cj);
      if (c.id != candidates_.size()) throw std::runtime_error("candidate ids are not consecutive");
      try {
        space_.validate(c.genome);
      } catch (const InputError& e) {
        throw InputError(
            fmt::format("{}: damaged checkpoint: candidate {}: {}", path.string(), c.id, e.what()));
      }
      if (c.evaluation.feasible() && training_budget(c.evaluation) >= 1.0)
        front_.insert(c.id, c.evaluation.objectives);
      cache_.emplace(c.hash, c.id);
      candidates_.push_back(std::move(c));
    }
    check_resumed_state(j.at("generation").get<std::size_t>());
  } catch (const InputError& e) {  // e.g. a genome outside the space: name the file it came from
    const std::string what = e.what();
    if (what.rfind(path.string(), 0) == 0) throw;
    throw InputError(fmt::format("{}: damaged checkpoint: {}", path.string(), what));
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}: damaged checkpoint: {}", path.string(), e.what()));
  }
  if (options_.run_dir.empty()) options_.run_dir = dir;
  start();
}

void SearchLoop::check_resumed_state(std::size_t generation) const {
  // The parts of a checkpoint must tell one story: a list cut short (an emptied candidates list)
  // or an edited counter would otherwise resume silently with part of the history gone.
  auto bad = [](const std::string& what) { throw std::runtime_error(what); };
  const std::size_t m = options_.objective_names.size();
  if (optimizer_->generation() != generation)
    bad(fmt::format("generation {} but the optimizer's state is at generation {}", generation,
                    optimizer_->generation()));
  if (history_.size() != generation)
    bad(fmt::format("generation {} but {} history entries", generation, history_.size()));
  for (std::size_t i = 0; i < history_.size(); ++i)
    if (history_[i].generation != i)
      bad(fmt::format("history entry {} says generation {}", i, history_[i].generation));
  if (!history_.empty()) {
    const GenerationStats& last = history_.back();
    if (last.asked != counters_.asked || last.evaluated != counters_.evaluated ||
        last.rejected != counters_.rejected || last.feasible != counters_.feasible)
      bad("the counters differ from the last history entry");
  }
  if (candidates_.size() != counters_.evaluated + counters_.rejected)
    bad(fmt::format("{} candidates but the counters say {} evaluated + {} rejected", candidates_.size(),
                    counters_.evaluated, counters_.rejected));
  std::size_t feasible = 0;
  for (const Candidate& c : candidates_) {
    if (c.generation >= std::max<std::size_t>(generation, 1))
      bad(fmt::format("candidate {} is from generation {}, after the checkpoint's {}", c.id, c.generation,
                      generation));
    try {
      check_evaluation(c.evaluation, m, c.key);
    } catch (const std::exception& e) {
      bad(fmt::format("candidate {}: {}", c.id, e.what()));
    }
    feasible += c.evaluation.feasible();
  }
  if (feasible != counters_.feasible)
    bad(fmt::format("{} feasible candidates but the counters say {}", feasible, counters_.feasible));
  if (!reference_.empty() && reference_.size() != m)
    bad(fmt::format("reference_point has {} values for {} objectives", reference_.size(), m));
  for (double r : reference_)
    if (!std::isfinite(r)) bad("reference_point holds a value that is not finite");
  if (reference_.empty() && front_.size() > 0 && !history_.empty())
    bad("no reference_point although feasible candidates exist");
}

void SearchLoop::write_reports(const std::vector<std::size_t>& finalists) const {
  if (options_.run_dir.empty()) throw std::logic_error("write_reports(): the loop has no run directory");
  ReportInput in{space_, options_.objective_names, candidates_, front(), history_, reference_, finalists};
  write_all_reports(in, options_.run_dir);
}

}  // namespace imc::nas
