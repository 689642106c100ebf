// This round's config keys, each given values it must refuse, through the binary: [search] evaluator,
// [estimator], [optimizer] sampling and its monte_carlo / parego / reinforce / hyperband tables, the
// weighted-sum and two_stage formulations, [accuracy] method and [accuracy.supernet], and the
// benchmark configs. Every case must end in exit 2 with exactly one "imcsim: error:" line that names
// the mutated file and the key (never exit 0, a crash, a timeout or NaN in the output); an unknown key
// in each of the new tables likewise. The random fuzzer (test_fuzz_inputs.cpp) mutates the same seed
// files blindly; this test makes sure each key is reached with the values at its edges.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "mutate.h"
#include "runner.h"

namespace fs = std::filesystem;
using imc::fuzz::Job;
using imc::fuzz::Result;

namespace {

std::string read_text(const fs::path& p) {
  return imc::fuzz::read_all(p.string());
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

// The config's relative paths made absolute (base_arch, search_config, table_file), so a copy loads.
std::string absolute_paths(const fs::path& file) {
  std::string text = read_text(file);
  for (const char* key : {"base_arch", "search_config", "table_file"}) {
    const std::string head = std::string(key) + " = \"";
    const auto at = text.find(head);
    if (at == std::string::npos || text[at + head.size()] == '/') continue;
    const auto end = text.find('"', at + head.size());
    const std::string rel = text.substr(at + head.size(), end - at - head.size());
    text.replace(at + head.size(), rel.size(),
                 (fs::absolute(file.parent_path()) / rel).lexically_normal().string());
  }
  return text;
}

// Replaces the value of `key` in the table `section` ("" = the top level). REQUIREs that it is there.
std::string with_value(std::string text, const std::string& section, const std::string& key,
                       const std::string& value) {
  std::size_t from = 0;
  if (!section.empty()) {
    from = text.find("\n[" + section + "]\n");
    REQUIRE_MESSAGE(from != std::string::npos, "no [" << section << "]");
  }
  const auto at = text.find("\n" + key + " = ", from);
  REQUIRE_MESSAGE(at != std::string::npos, "no " << key << " in [" << section << "]");
  const auto value_at = at + key.size() + 4;
  const auto end = text.find('\n', value_at);
  return text.replace(value_at, end - value_at, value);
}

std::string with_line_after_header(std::string text, const std::string& section, const std::string& line) {
  const auto at = text.find("\n[" + section + "]\n");
  REQUIRE_MESSAGE(at != std::string::npos, "no [" << section << "]");
  return text.insert(at + section.size() + 4, line + "\n");
}

struct KeyCase {
  std::string seed;     // the shipped or test file mutated
  std::string section;  // its TOML table
  std::string key;
  std::vector<std::string> bad_values;
  std::string named;    // what the message must name besides the file (default: section.key)
  std::string allowed;  // a label keys' message lists what is allowed: one of them ("" = no check)
};

const std::vector<std::string> kNumber = {"nan", "-1", "1e30", "\"text\"", "[]"};
const std::vector<std::string> kFraction = {"nan", "-0.5", "1e30", "\"text\"", "inf"};
const std::vector<std::string> kLabel = {"\"nosuch\"", "1", "[]", "nan"};

std::vector<KeyCase> key_cases() {
  const std::string hw = "tests/fuzz/data/search_new_keys.toml";
  const std::string sn = "tests/fuzz/data/search_two_stage_supernet.toml";
  const std::string bench = "configs/benchmark/hw_small.toml";
  std::vector<KeyCase> c = {
      {hw, "search", "evaluator", kLabel, "", "\"analytical\""},
      {hw, "estimator", "lut_grid_points", kNumber, "", ""},
      {hw, "estimator", "train_designs", kNumber, "", ""},
      {hw, "estimator", "train_source", kLabel, "", "\"systemc\""},
      {hw, "estimator", "trees", kNumber, "", ""},
      {hw, "estimator", "max_depth", kNumber, "", ""},
      {hw, "estimator", "seed", kNumber, "", ""},
      {hw, "estimator", "prescreen_warmup", kNumber, "", ""},
      {hw, "estimator", "prescreen_keep", kFraction, "", ""},
      {hw, "optimizer", "sampling", kLabel, "", "\"monte_carlo\""},
      {hw, "optimizer.monte_carlo", "oversample", kNumber, "", ""},
      {hw, "optimizer.monte_carlo", "beta", kFraction, "", ""},
      {hw, "optimizer.parego", "max_points", kNumber, "", ""},
      {hw, "optimizer.parego", "rho", kFraction, "", ""},
      {hw, "optimizer.parego", "acquisition_population", kNumber, "", ""},
      {hw, "optimizer.parego", "acquisition_generations", kNumber, "", ""},
      {hw, "optimizer.reinforce", "hidden", kNumber, "", ""},
      {hw, "optimizer.reinforce", "learning_rate", kFraction, "", ""},
      {hw, "optimizer.reinforce", "entropy", kFraction, "", ""},
      {hw, "optimizer.reinforce", "rho", kFraction, "", ""},
      {hw, "optimizer.hyperband", "sampler", {"\"nosuch\"", "\"hyperband\"", "1", "[]"}, "", "\"nsga2\""},
      {hw, "optimizer.hyperband", "eta", {"nan", "1", "1e30", "\"text\""}, "", ""},
      {hw, "optimizer.hyperband", "min_budget", {"nan", "0", "2", "\"text\""}, "", ""},
      {hw, "optimizer.hyperband", "brackets", kLabel, "", "\"successive_halving\""},
      {hw, "formulation", "kind", kLabel, "", "\"two_stage\""},
      {hw,
       "formulation",
       "weights",
       {"[1.0, 2.0]", "[1.0, nan, 1.0]", "[1.0, -2.0, 1.0]", "\"text\"", "[]"},
       "",
       ""},
      {sn, "accuracy", "method", kLabel, "", "\"supernet\""},
      {sn,
       "formulation",
       "stage1_objectives",
       {"[\"speed\"]", "[\"area\"]", "[]", "1", "[\"energy\", \"energy\"]"},
       "",
       ""},
      {sn, "formulation", "stage1_share", {"nan", "0", "1", "1e30", "\"text\""}, "", ""},
      {sn, "optimizer", "name", {"\"bayes\"", "1", "[]"}, "", "\"parego\""},
      {bench, "", "algorithms", {"[\"hillclimb\"]", "[]", "\"nsga2\"", "[1]"}, "algorithms", "reinforce"},
      {bench, "", "search_config", {"\"nosuch.toml\"", "1", "[]"}, "search_config", ""},
      {bench, "", "table_file", {"\"nosuch.json\"", "\"/etc/passwd\"", "1", "[]"}, "table_file", ""},
      {bench, "benchmark", "seeds", kNumber, "", ""},
      {bench, "benchmark", "budget_evaluations", kNumber, "", ""},
      {bench, "benchmark", "population", kNumber, "", ""},
      {bench, "table", "accuracy_source", kLabel, "", "none"},
      {bench, "table", "systemc_sample", kNumber, "", ""},
  };
  for (const char* k :
       {"epochs", "train_subset", "batch_size", "random_subnets", "seed", "recalibration_images",
        "final_test_subset", "finetune_epochs", "standalone_epochs", "train_threads"})
    c.push_back({sn, "accuracy.supernet", k, kNumber, "", ""});
  for (const char* k : {"learning_rate", "label_weight", "noise_sigma"})
    c.push_back({sn, "accuracy.supernet", k, kFraction, "", ""});
  c.push_back({sn, "accuracy.supernet", "kernel_transform", {"nan", "1", "\"text\"", "[]"}, "", ""});
  return c;
}

std::vector<std::string> args_for(const std::string& seed, const fs::path& file) {
  if (seed.find("benchmark") != std::string::npos)
    return {"benchmark", "--dry-run", "--config", file.string()};
  return {"search", "--dry-run", "--config", file.string()};
}

// "" when the case did what it must (see the file comment).
std::string judge(const Result& r, const std::string& file_name, const std::string& key,
                  const std::string& allowed) {
  if (r.timed_out) return "timed out";
  if (r.signal) return "killed by signal " + std::to_string(r.signal);
  if (r.exit_code != 2)
    return "exit " + std::to_string(r.exit_code) + ": " + r.out.substr(0, 200) + r.err.substr(0, 200);
  std::size_t errors = 0;
  std::string line;
  for (const auto& l : imc::fuzz::split_lines(r.err))
    if (l.rfind("imcsim: error:", 0) == 0) {
      ++errors;
      line = l;
    }
  if (errors != 1) return "not exactly one 'imcsim: error:' line: " + r.err.substr(0, 300);
  if (line.find(file_name) == std::string::npos)
    return "the message does not name " + file_name + ": " + line;
  if (line.find(key) == std::string::npos) return "the message does not name " + key + ": " + line;
  if (!allowed.empty() && line.find(allowed) == std::string::npos)
    return "the message does not list the allowed values (" + allowed + "): " + line;
  for (const char* bad : {"nan ", "inf "})
    if (line.find(std::string("= ") + bad) != std::string::npos && line.find("finite") == std::string::npos)
      return "a non-finite value reported as a figure: " + line;
  return "";
}

}  // namespace

TEST_CASE("this round's keys: every bad value is exit 2 naming the file and the key") {
  const char* bin = std::getenv("IMCSIM_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "IMCSIM_BIN must name the imcsim binary (set by ctest)");
  const fs::path dir = fs::temp_directory_path() / ("imcsim_new_keys_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);

  struct Planned {
    std::string what, file_name, key, allowed;
  };
  std::vector<Planned> planned;
  std::vector<Job> jobs;
  auto add = [&](const std::string& seed, const std::string& text, const std::string& what,
                 const std::string& key, const std::string& allowed) {
    const fs::path cdir = dir / ("case" + std::to_string(jobs.size()));
    fs::create_directories(cdir);
    const fs::path f = cdir / fs::path(seed).filename();
    write_text(f, text);
    jobs.push_back({args_for(seed, f), (cdir / "stdout").string(), (cdir / "stderr").string()});
    planned.push_back({what, f.filename().string(), key, allowed});
  };
  // The seeds themselves load (else every case below would fail for another reason).
  for (const std::string seed :
       {"tests/fuzz/data/search_new_keys.toml", "tests/fuzz/data/search_two_stage_supernet.toml",
        "configs/benchmark/hw_small.toml"}) {
    const fs::path f = dir / ("seed_" + fs::path(seed).filename().string());
    write_text(f, absolute_paths(seed));
    const Result r =
        imc::fuzz::run_jobs(bin, {{args_for(seed, f), (dir / "so").string(), (dir / "se").string()}},
                            imc::fuzz::Limits{}, 1)
            .front();
    REQUIRE_MESSAGE(r.exit_code == 0, seed << ": " << r.err);
  }
  for (const KeyCase& k : key_cases()) {
    const std::string text = absolute_paths(k.seed);
    const std::string key = k.named.empty() ? k.section + "." + k.key : k.named;
    for (const std::string& v : k.bad_values)
      add(k.seed, with_value(text, k.section, k.key, v), k.seed + ": " + key + " = " + v, key, k.allowed);
  }
  // An unknown key in each new table.
  for (const auto& [seed, section] : std::vector<std::pair<std::string, std::string>>{
           {"tests/fuzz/data/search_new_keys.toml", "estimator"},
           {"tests/fuzz/data/search_new_keys.toml", "optimizer.monte_carlo"},
           {"tests/fuzz/data/search_new_keys.toml", "optimizer.parego"},
           {"tests/fuzz/data/search_new_keys.toml", "optimizer.reinforce"},
           {"tests/fuzz/data/search_new_keys.toml", "optimizer.hyperband"},
           {"tests/fuzz/data/search_two_stage_supernet.toml", "accuracy.supernet"},
           {"tests/fuzz/data/search_two_stage_supernet.toml", "formulation"},
           {"configs/benchmark/hw_small.toml", "benchmark"},
           {"configs/benchmark/hw_small.toml", "table"}})
    add(seed, with_line_after_header(absolute_paths(seed), section, "no_such_key = 1"),
        seed + ": [" + section + "] no_such_key = 1", "no_such_key", "");

  const std::size_t parallel = std::max(2u, std::thread::hardware_concurrency());
  const std::vector<Result> results = imc::fuzz::run_jobs(bin, jobs, imc::fuzz::Limits{}, parallel);
  std::size_t failures = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const std::string problem = judge(results[i], planned[i].file_name, planned[i].key, planned[i].allowed);
    if (!problem.empty()) {
      ++failures;
      FAIL_CHECK(planned[i].what << ": " << problem);
    }
  }
  MESSAGE(jobs.size() << " mutations of this round's keys, " << failures << " not refused as they must be");
  if (failures == 0) fs::remove_all(dir);
}
