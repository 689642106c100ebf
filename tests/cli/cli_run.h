// Running the imcsim binary from a test: exit code, stdout and stderr of one command line.
#pragma once

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace imc::test {

struct CliOutcome {
  int exit_code = -1;  // -1: killed by a signal or by the timeout
  std::string out, err;
};

inline std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A scratch directory of this test process (removed by the caller when it likes).
inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto d =
      std::filesystem::temp_directory_path() / ("imcsim_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d;
}

// Runs `imcsim <args>` (shell words) with a 120 s timeout.
inline CliOutcome run_imcsim(const std::string& args) {
  const char* bin = std::getenv("IMCSIM_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "IMCSIM_BIN must name the imcsim binary (set by ctest)");
  const auto dir = scratch_dir("cli_run");
  const auto out = dir / "out", err = dir / "err";
  const std::string cmd =
      "timeout -s KILL 120 " + std::string(bin) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(cmd.c_str());
  CliOutcome o;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (o.exit_code == 137) o.exit_code = -1;  // timeout's KILL
  o.out = slurp_file(out);
  o.err = slurp_file(err);
  return o;
}

inline bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The file's text with the first occurrence of `from` replaced by `to` (REQUIREs that it occurs).
inline std::string edited(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = slurp_file(path);
  const auto at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, path << " does not contain " << from);
  return text.replace(at, from.size(), to);
}

inline std::string write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::trunc) << text;
  return p.string();
}

}  // namespace imc::test
