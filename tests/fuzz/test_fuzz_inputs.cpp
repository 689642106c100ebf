// The input fuzzer: mutated copies of the shipped arch, tech, workload, search, co-search and
// benchmark configs (and tests/fuzz/data's seeds of this round's search keys), an ONNX model and a
// search checkpoint, plus odd command lines, each run through the imcsim binary in a child with a
// memory cap and a timeout. Every case must end in
//   exit 0 with no NaN or inf in its output, or
//   exit 2 with one "imcsim: error:" line naming the mutated file (and the key where there is one);
// never exit 1 or >= 3, a signal or a timeout.
//
// Why a C++ doctest driver rather than a Python script: no new CI dependency (python3 is not in the
// package list), the same reporting and labels as every other test, and fork/setrlimit at hand.
//
// IMCSIM_FUZZ_CASES (default 300) and IMCSIM_FUZZ_SEED (default 1) choose the cases; the unit label
// runs the default, the slow label (and scripts/fuzz.sh) thousands with other seeds.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "mutate.h"
#include "runner.h"

namespace fs = std::filesystem;
using imc::fuzz::Job;
using imc::fuzz::Mutation;
using imc::fuzz::Result;

namespace {

std::size_t env_count(const char* name, std::size_t def) {
  const char* v = std::getenv(name);
  return v && *v ? std::size_t(std::strtoull(v, nullptr, 10)) : def;
}

std::string read_text(const fs::path& p) {
  return imc::fuzz::read_all(p.string());
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

// A config whose relative paths (base_arch, and a benchmark's search_config and table_file) are made
// absolute, so a copy elsewhere loads.
std::string absolute_paths(const fs::path& file) {
  std::string text = read_text(file);
  for (const char* key : {"base_arch", "search_config", "table_file"}) {
    const std::regex base(std::string(key) + R"re( = "([^"/][^"]*)")re");
    std::smatch m;
    if (std::regex_search(text, m, base)) {
      const fs::path abs = (fs::absolute(file.parent_path()) / m[1].str()).lexically_normal();
      text = m.prefix().str() + key + " = \"" + abs.string() + "\"" + m.suffix().str();
    }
  }
  return text;
}

struct Case {
  std::string kind;   // arch, tech, workload, search(_test, _new), cosearch, benchmark, onnx, checkpoint, cli
  std::string base;   // the shipped file mutated
  std::string what;   // the mutation
  std::string named;  // what an exit-2 message must name (a file name)
  Job job;
};

// Byte-level damage of a binary file (ONNX): flips, truncation, a run of 0xff (huge varints).
std::string damage_bytes(std::string bytes, std::mt19937_64& rng, std::string& what) {
  if (bytes.empty()) return bytes;
  switch (rng() % 3) {
    case 0: {
      const int flips = 1 + int(rng() % 8);
      for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = char(rng() % 256);
      what = std::to_string(flips) + " bytes changed";
      break;
    }
    case 1: {
      const std::size_t at = rng() % bytes.size();
      bytes.resize(at);
      what = "truncated at " + std::to_string(at);
      break;
    }
    default: {
      const std::size_t at = rng() % bytes.size();
      for (std::size_t i = at; i < std::min(bytes.size(), at + 9); ++i) bytes[i] = char(0xff);
      what = "0xff run at " + std::to_string(at);
    }
  }
  return bytes;
}

// JSON-level damage of a checkpoint: a leaf replaced, a key deleted, a list emptied, or truncation.
std::string damage_json(const std::string& text, std::mt19937_64& rng, std::string& what) {
  nlohmann::json j = nlohmann::json::parse(text);
  std::vector<nlohmann::json::json_pointer> paths;
  const nlohmann::json flat = j.flatten();
  for (const auto& [k, v] : flat.items()) paths.emplace_back(k);
  static const std::vector<nlohmann::json> values = {0,
                                                     -1,
                                                     1e30,
                                                     "text",
                                                     nullptr,
                                                     nlohmann::json::array(),
                                                     nlohmann::json::object(),
                                                     9223372036854775807LL,
                                                     999,
                                                     0.5};
  const auto p = paths[rng() % paths.size()];
  switch (rng() % 4) {
    case 0:
      j[p] = values[rng() % values.size()];
      what = "leaf " + p.to_string() + " -> " + j[p].dump();
      break;
    case 1: {
      const auto parent = p.parent_pointer();
      if (j[parent].is_object()) j[parent].erase(p.back());
      what = "delete " + p.to_string();
      break;
    }
    case 2: {
      auto parent = p.parent_pointer();
      if (!parent.empty() && j[parent].is_array()) j[parent] = nlohmann::json::array();
      what = "empty the list holding " + p.to_string();
      break;
    }
    default: {
      const std::size_t at = rng() % text.size();
      what = "truncate at " + std::to_string(at);
      return text.substr(0, at);
    }
  }
  return j.dump();
}

// What a case must do (see the file comment); "" when it did.
std::string judge(const Case& c, const Result& r) {
  if (r.timed_out) return "timed out";
  if (r.signal) return "killed by signal " + std::to_string(r.signal);
  static const std::regex non_finite(R"((^|[^A-Za-z_])(nan|-?inf)([^A-Za-z_]|$))", std::regex::icase);
  if (r.exit_code == 0) {
    // A string value turned into "nan" or "inf" may be a legitimate name (a layer called nan is
    // printed as such), so the text check is skipped for them; number mutations cover the figures.
    const bool named_nan = c.what.rfind("string -> \"nan\"", 0) == 0 ||
                           c.what.rfind("string -> \"inf\"", 0) == 0 ||
                           c.what.rfind("string -> \"-inf\"", 0) == 0;
    if (!named_nan && std::regex_search(r.out, non_finite)) return "exit 0 with NaN or inf in the output";
    return "";
  }
  if (r.exit_code != 2) return "exit " + std::to_string(r.exit_code) + ": " + r.err.substr(0, 300);
  std::size_t errors = 0;
  std::string line;
  for (const auto& l : imc::fuzz::split_lines(r.err))
    if (l.rfind("imcsim: error:", 0) == 0) {
      ++errors;
      line = l;
    }
  if (errors != 1) return "exit 2 without exactly one 'imcsim: error:' line: " + r.err.substr(0, 300);
  if (!c.named.empty() && line.find(c.named) == std::string::npos)
    return "exit 2 but the message does not name " + c.named + ": " + line.substr(0, 300);
  return "";
}

class Fuzzer {
 public:
  Fuzzer(std::uint64_t seed, fs::path dir) : seed_(seed), dir_(std::move(dir)) {}

  std::vector<Case> make_cases(std::size_t count) {
    // search_new: test seeds carrying this round's keys ([search] evaluator, [estimator], the
    // parego / reinforce / hyperband / monte_carlo tables, two_stage, [accuracy.supernet]); benchmark:
    // the shipped benchmark configs (their search configs are search seeds too).
    std::vector<std::string> search_seeds = glob("configs/nas"), benchmark_seeds;
    for (const std::string& f : glob("configs/benchmark"))
      (f.find("_space.toml") != std::string::npos ? search_seeds : benchmark_seeds).push_back(f);
    const std::map<std::string, std::vector<std::string>> seeds = {
        {"arch", glob("configs/arch")},          {"tech", glob("configs/tech")},
        {"workload", glob("configs/workloads")}, {"search", search_seeds},
        {"cosearch", glob("configs/cosearch")},  {"search_test", {"tests/search/data/hw_only.toml"}},
        {"search_new", glob("tests/fuzz/data")}, {"benchmark", benchmark_seeds}};
    const std::vector<std::string> kinds = {"arch",        "tech",       "workload",   "search",
                                            "search_test", "cosearch",   "search_new", "arch",
                                            "onnx",        "checkpoint", "benchmark"};
    std::vector<Case> cases;
    for (std::size_t k = 0; k < count; ++k) {
      std::mt19937_64 rng(seed_ * 1000003ULL + k);
      const std::string kind = kinds[k % kinds.size()];
      const fs::path cdir = dir_ / ("case" + std::to_string(k));
      fs::create_directories(cdir);
      Case c;
      c.kind = kind;
      c.job.out_file = (cdir / "stdout").string();
      c.job.err_file = (cdir / "stderr").string();
      const bool as_directory = rng() % 40 == 0;  // the path names a directory
      if (kind == "onnx") {
        c.base = onnx_file();
        const fs::path f = cdir / "model.onnx";
        write_text(f, damage_bytes(read_text(c.base), rng, c.what));
        c.named = f.filename().string();
        c.job.args = {"estimate", "--arch", "configs/arch/rram_default.toml", "--workload", f.string()};
      } else if (kind == "checkpoint") {
        c.base = checkpoint_run();
        const fs::path run = cdir / "run";
        fs::copy(c.base, run, fs::copy_options::recursive);
        fs::remove(run / ".imcsim.lock");
        const fs::path ck = run / "checkpoint.json";
        write_text(ck, damage_json(read_text(ck), rng, c.what));
        c.named = "run";  // the run directory or a file in it
        c.job.args = {"search", "--resume",  run.string(), "--generations", "2", "--finalists",
                      "0",      "--workers", "1"};
      } else {
        const auto& list = seeds.at(kind == "tech" ? "tech" : kind);
        c.base = list[rng() % list.size()];
        const std::string text = kind == "arch" || kind == "tech" || kind == "workload"
                                     ? read_text(c.base)
                                     : absolute_paths(c.base);
        const Mutation m = imc::fuzz::mutate(text, rng);
        c.what = m.what;
        fs::path f = cdir / fs::path(c.base).filename();
        if (as_directory) {
          fs::create_directories(f);
          c.what = "a directory";
        } else {
          write_text(f, m.text);
        }
        c.named = f.filename().string();
        if (kind == "arch") {
          c.job.args = {"estimate", "--arch", f.string(), "--workload", "fmnist_small"};
        } else if (kind == "tech") {
          const fs::path arch = cdir / "arch.toml";
          std::string a = read_text("configs/arch/rram_default.toml");
          a.replace(a.find("[chip]\n"), 7, "[chip]\ntech = \"" + f.string() + "\"\n");
          write_text(arch, a);
          // The tech file or the arch file that includes it (e.g. a clock the mutated node cannot reach).
          c.named = "";
          c.job.args = {"estimate", "--arch", arch.string(), "--workload", "fmnist_small"};
        } else if (kind == "workload") {
          c.job.args = {"estimate", "--arch", "configs/arch/rram_default.toml", "--workload", f.string()};
        } else if (kind == "search" || kind == "search_test" || kind == "search_new") {
          c.job.args = {"search", "--dry-run", "--config", f.string()};
        } else if (kind == "benchmark") {
          c.job.args = {"benchmark", "--dry-run", "--config", f.string()};
        } else {
          c.job.args = {"cosearch", "--dry-run", f.string()};
        }
      }
      cases.push_back(std::move(c));
    }
    return cases;
  }

 private:
  static std::vector<std::string> glob(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".toml") out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string onnx_file() {
    if (onnx_.empty()) {
      onnx_ = (dir_ / "fmnist_small.onnx").string();
      const std::string cmd = std::string(std::getenv("IMCSIM_BIN")) +
                              " workload fmnist_small --export-onnx " + onnx_ + " > /dev/null 2>&1";
      REQUIRE(std::system(cmd.c_str()) == 0);
    }
    return onnx_;
  }

  std::string checkpoint_run() {
    if (run_.empty()) {
      run_ = (dir_ / "base_run").string();
      const std::string cmd = std::string(std::getenv("IMCSIM_BIN")) +
                              " search --config tests/search/data/hw_only.toml --generations 1 --finalists 0 "
                              "--workers 1 --out " +
                              run_ + " > /dev/null 2>&1";
      REQUIRE(std::system(cmd.c_str()) == 0);
    }
    return run_;
  }

  std::uint64_t seed_;
  fs::path dir_;
  std::string onnx_, run_;
};

}  // namespace

TEST_CASE("fuzz: mutated configs, models and checkpoints end in exit 0 (finite) or exit 2 (one line)") {
  const char* bin = std::getenv("IMCSIM_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "IMCSIM_BIN must name the imcsim binary (set by ctest)");
  const std::size_t count = env_count("IMCSIM_FUZZ_CASES", 300);
  const std::uint64_t seed = env_count("IMCSIM_FUZZ_SEED", 1);
  const fs::path dir = fs::temp_directory_path() / ("imcsim_fuzz_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Fuzzer fuzzer(seed, dir);
  std::vector<Case> cases = fuzzer.make_cases(count);
  std::vector<Job> jobs;
  for (const auto& c : cases) jobs.push_back(c.job);
  imc::fuzz::Limits lim;
  const std::size_t parallel = std::max(2u, std::thread::hardware_concurrency());
  const std::vector<Result> results = imc::fuzz::run_jobs(bin, jobs, lim, parallel);
  std::map<std::string, std::map<int, int>> tally;  // kind -> exit code -> cases
  std::size_t failures = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const Result& r = results[i];
    ++tally[c.kind][r.timed_out ? -2 : r.signal ? -1 : r.exit_code];
    const std::string problem = judge(c, r);
    if (!problem.empty()) {
      ++failures;
      std::string args;
      for (const auto& a : c.job.args) args += " " + a;
      FAIL_CHECK("case " << i << " (" << c.kind << ", " << c.base << ", " << c.what << "): " << problem
                         << "\n  imcsim" << args);
    }
  }
  std::string summary;
  for (const auto& [kind, codes] : tally) {
    summary += "  " + kind + ":";
    for (const auto& [code, n] : codes) summary += " exit " + std::to_string(code) + " x" + std::to_string(n);
    summary += "\n";
  }
  MESSAGE("fuzz seed " << seed << ", " << count << " cases:\n" << summary);
  CHECK(failures == 0);
  if (failures == 0) fs::remove_all(dir);
}

TEST_CASE("fuzz: odd command lines end in exit 0 or exit 2 with one line") {
  const char* bin = std::getenv("IMCSIM_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "IMCSIM_BIN must name the imcsim binary (set by ctest)");
  const fs::path dir = fs::temp_directory_path() / ("imcsim_fuzz_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string arch = "configs/arch/rram_default.toml";
  const std::vector<std::vector<std::string>> lines = {
      {"nosuchcmd"},
      {"estimate"},
      {"estimate", "--arch", arch, "--workload", "nosuchnet"},
      {"estimate", "--arch", arch, "--workload", "vgg8", "--batch", "0"},
      {"estimate", "--arch", arch, "--workload", "vgg8", "--batch", "nan"},
      {"estimate", "--arch", arch, "--workload", "vgg8", "--chunks-per-layer", "-1"},
      {"estimate", "--arch", arch, "--workload", "vgg8", "--mapper", "nosuch"},
      {"estimate", "--arch", arch, "--workload", "vgg8", "--max-memory", "0"},
      {"estimate", "--arch", arch, "--workload", "vgg8", "--max-memory", "1K"},
      {"estimate", "--arch", arch, "--workload", ",,"},
      {"estimate", "--arch", "/dev/null", "--workload", "vgg8"},
      {"estimate", "--arch", arch, "--workload", "/dev/null"},
      {"estimate", "--arch", arch, "--workload", "vgg8", "--json", "/proc/x/y.json"},
      {"estimate", "--arch", arch, "--workload", "vgg8", "--activity", "/etc/hostname"},
      {"simulate", "--arch", arch, "--workload", "fmnist_small", "--batch", "1048577"},
      {"search", "--config", "tests/search/data/hw_only.toml", "--dry-run", "--population", "4"},
      {"search", "--config", "tests/search/data/hw_only.toml", "--dry-run", "--generations", "99999999999"},
      {"search", "--resume", "/nonexistent"},
      {"search", "--config", "tests/search/data/hw_only.toml", "--out", "/proc/x"},
      {"cosearch", "configs/cosearch/tiny.toml", "--dry-run", "--population", "-8"},
      {"cosearch", "configs/cosearch/tiny.toml", "--dry-run", "--seed", "-5"},
      {"cosearch", "configs/cosearch/tiny.toml", "--resume"},
      {"accuracy", "--arch", arch, "--workload", "fmnist_small", "--lr", "nan"},
      {"accuracy", "--arch", arch, "--workload", "fmnist_small", "--threads", "100000"},
      {"workload", "nosuchnet"},
      {"arch", "/tmp"},
  };
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < lines.size(); ++i)
    jobs.push_back(
        {lines[i], (dir / ("o" + std::to_string(i))).string(), (dir / ("e" + std::to_string(i))).string()});
  const auto results = imc::fuzz::run_jobs(bin, jobs, imc::fuzz::Limits{}, 2);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    Case c;
    c.kind = "cli";
    std::string args;
    for (const auto& a : lines[i]) args += " " + a;
    const std::string problem = judge(c, results[i]);
    CHECK_MESSAGE(problem.empty(), "imcsim" << args << ": " << problem);
    CHECK_MESSAGE(results[i].exit_code == 2, "imcsim" << args << ": exit " << results[i].exit_code);
  }
  fs::remove_all(dir);
}
