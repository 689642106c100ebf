// A command-line flag that overrides a config value accepts exactly what the config key does: out
// of range is bad input (exit 2) with the flag and the declared range in the message.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Outcome {
  int exit_code = -1;
  std::string err;
};

// Runs imcsim with `args` (shell words), stdout discarded; the exit code and stderr.
Outcome imcsim(const std::string& args) {
  const char* bin = std::getenv("IMCSIM_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "IMCSIM_BIN must name the imcsim binary (set by ctest)");
  const fs::path err =
      fs::temp_directory_path() / ("imcsim_cli_overrides_" + std::to_string(::getpid()) + ".err");
  const int status = std::system((std::string(bin) + " " + args + " >/dev/null 2>" + err.string()).c_str());
  Outcome o;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err);
  std::stringstream s;
  s << in.rdbuf();
  o.err = s.str();
  return o;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("search: an override outside the key's declared range is exit 2 naming the flag and range") {
  const std::string out =
      (fs::temp_directory_path() / ("imcsim_cli_search_" + std::to_string(::getpid()))).string();
  Outcome o = imcsim("search --config configs/nas/fmnist_demo.toml --out " + out + " --generations 0");
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "--generations"));
  CHECK(contains(o.err, "allowed [1, 1000000]"));
  // The same range as the config's [optimizer].population (2 and up), not a range of the CLI's own.
  o = imcsim("search --config configs/nas/fmnist_demo.toml --out " + out + " --population 1");
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "--population"));
  CHECK(contains(o.err, "allowed [2, 100000]"));
  o = imcsim("search --config configs/nas/fmnist_demo.toml --out " + out + " --optimizer annealing");
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "\"nsga2\""));
  fs::remove_all(out);
}

TEST_CASE("cosearch: overrides are checked against the config keys' declarations") {
  Outcome o = imcsim("cosearch configs/cosearch/tiny.toml --workers 5000");
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "--workers"));
  CHECK(contains(o.err, "allowed [0, 1024]"));
  o = imcsim("cosearch configs/cosearch/tiny.toml --generations 0");
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "--generations"));
  o = imcsim("cosearch configs/cosearch/tiny.toml --objective sum");
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "\"ela\", \"ela_mean\", \"ela_all\", \"edap_mean\", \"edap_product\""));
  o = imcsim("cosearch configs/cosearch/tiny.toml --seeds 0");
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "--seeds"));
}

TEST_CASE("accuracy: the training flags share the search's [accuracy] declarations") {
  Outcome o = imcsim(
      "accuracy --arch configs/arch/rram_default.toml --workload fmnist_small --no-cache --batch-size 70000");
  if (contains(o.err, "without libtorch")) return;  // a build without the accuracy objective
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "--batch-size"));
  CHECK(contains(o.err, "allowed [1, 60000] images"));
  o = imcsim(
      "accuracy --arch configs/arch/rram_default.toml --workload fmnist_small --no-cache --adc-range half");
  CHECK(o.exit_code == 2);
  CHECK(contains(o.err, "\"full\", \"calibrated\""));
}
