// Searches over MPI ranks (nas/distributed.h): `mpirun --oversubscribe -np 3 imcsim search|cosearch`
// writes the same files, byte for byte, as the same run without mpirun; a rank killed mid-run stops
// the run with a non-zero exit and an intact checkpoint, and --resume (without mpirun) completes it.
// Skipped, with a message, when mpirun is not installed.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("imcsim_mpi_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::string imcsim() {
  const char* bin = std::getenv("IMCSIM_BIN");
  REQUIRE_MESSAGE(bin != nullptr, "IMCSIM_BIN must name the imcsim binary (set by ctest)");
  return bin;
}

// A tag naming this test process's ranks (built by append: GCC 12 warns falsely on "x" + string).
std::string tag_of(const char* kind) {
  std::string tag = kind;
  tag += std::to_string(::getpid());
  return tag;
}

bool have_mpirun() {
  return std::system("command -v mpirun >/dev/null 2>&1") == 0;
}

// mpirun for 3 ranks on this one machine (as root where the CI runs as root). The tag lets the
// kill test find its own ranks among the machine's processes.
std::string mpirun(const std::string& tag) {
  std::string cmd = "mpirun --oversubscribe -np 3 -x IMCSIM_MPI_TEST_TAG=" + tag + " ";
  if (::geteuid() == 0) cmd += "--allow-run-as-root ";
  return cmd;
}

int run(const std::string& cmd, const fs::path& log) {
  const int status = std::system(("timeout -s KILL 900 " + cmd + " >" + log.string() + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The hardware-only test space with every candidate simulated by SystemC in worker processes: the
// evaluations the ranks share out.
std::string systemc_search_config(const fs::path& dir) {
  std::string text = slurp("tests/search/data/hw_only.toml");
  const std::string search = "[search]\n", base = "../../../configs/arch/rram_default.toml";
  REQUIRE(text.find(search) != std::string::npos);
  text.replace(text.find(search), search.size(), search + "evaluator = \"systemc\"\n");
  REQUIRE(text.find(base) != std::string::npos);
  text.replace(text.find(base), base.size(), fs::absolute("configs/arch/rram_default.toml").string());
  const fs::path path = dir / "search.toml";
  std::ofstream(path) << text;
  return path.string();
}

// Every file of `names` under `a` (recursively) is also under `b` with the same bytes.
void check_same_files(const fs::path& a, const fs::path& b, const std::vector<std::string>& names) {
  int compared = 0;
  for (const auto& e : fs::recursive_directory_iterator(a)) {
    if (!e.is_regular_file()) continue;
    bool wanted = false;
    for (const auto& n : names) wanted |= e.path().filename() == n;
    if (!wanted) continue;
    const fs::path rel = fs::relative(e.path(), a);
    INFO("file " << rel.string());
    REQUIRE(fs::exists(b / rel));
    CHECK(slurp(e.path()) == slurp(b / rel));
    ++compared;
  }
  CHECK(compared >= static_cast<int>(names.size()));
}

const std::vector<std::string> kResultFiles = {"evaluations.csv", "pareto.csv", "hypervolume.csv",
                                               "checkpoint.json"};

// The pid of the process of rank `rank` tagged `tag` (0 if none).
pid_t find_rank(const std::string& tag, int rank) {
  const std::string want_tag = "IMCSIM_MPI_TEST_TAG=" + tag,
                    want_rank = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "environ", std::ios::binary);
    std::string var;
    bool tagged = false, ranked = false;
    while (std::getline(in, var, '\0')) {
      tagged |= var == want_tag;
      ranked |= var == want_rank;
    }
    // The rank itself, not its forked workers: a worker's parent carries the same environment.
    if (tagged && ranked) {
      std::ifstream stat(e.path() / "stat");
      std::string pid, comm, state, ppid_text;
      stat >> pid >> comm >> state >> ppid_text;
      const fs::path parent_env = fs::path("/proc") / ppid_text / "environ";
      std::ifstream pin(parent_env, std::ios::binary);
      bool parent_ranked = false;
      while (std::getline(pin, var, '\0')) parent_ranked |= var == want_rank;
      if (!parent_ranked) return static_cast<pid_t>(std::stol(name));
    }
  }
  return 0;
}

}  // namespace

TEST_CASE("mpirun -np 3 search (SystemC evaluator): the same files as the run without MPI") {
  if (!have_mpirun()) {
    MESSAGE("mpirun not found (apt-get install openmpi-bin): skipped");
    return;
  }
  const fs::path d = fresh_dir("search");
  const std::string config = systemc_search_config(d);
  const std::string args = " search --config " + config + " --generations 3 --finalists 1 --out ";
  REQUIRE(run(imcsim() + args + (d / "local").string(), d / "local.log") == 0);
  const int code = run(mpirun(tag_of("s")) + imcsim() + args + (d / "mpi").string(), d / "mpi.log");
  INFO(slurp(d / "mpi.log"));
  REQUIRE(code == 0);
  check_same_files(d / "local", d / "mpi", kResultFiles);
  CHECK(slurp(d / "local" / "finalists.csv") == slurp(d / "mpi" / "finalists.csv"));
  fs::remove_all(d);
}

TEST_CASE("mpirun -np 3 search (analytical in the loop, SystemC finalists): the same files") {
  if (!have_mpirun()) {
    MESSAGE("mpirun not found (apt-get install openmpi-bin): skipped");
    return;
  }
  const fs::path d = fresh_dir("analytical");
  const std::string args =
      " search --config tests/search/data/hw_only.toml --generations 3 --finalists 2 --out ";
  REQUIRE(run(imcsim() + args + (d / "local").string(), d / "local.log") == 0);
  const int code = run(mpirun(tag_of("a")) + imcsim() + args + (d / "mpi").string(), d / "mpi.log");
  INFO(slurp(d / "mpi.log"));
  REQUIRE(code == 0);
  check_same_files(d / "local", d / "mpi", kResultFiles);
  CHECK(slurp(d / "local" / "finalists.csv") == slurp(d / "mpi" / "finalists.csv"));

  // --resume under mpirun: the 3-generation run continued to 5 ends as a 5-generation local run.
  const std::string five =
      " search --config tests/search/data/hw_only.toml --generations 5 --finalists 2 --out ";
  REQUIRE(run(imcsim() + five + (d / "local5").string(), d / "local5.log") == 0);
  const int resumed =
      run(mpirun(tag_of("r")) + imcsim() + " search --generations 5 --resume " + (d / "mpi").string(),
          d / "resume.log");
  INFO(slurp(d / "resume.log"));
  REQUIRE(resumed == 0);
  check_same_files(d / "local5", d / "mpi", kResultFiles);
  fs::remove_all(d);
}

TEST_CASE("mpirun -np 3 cosearch: the same files as the run without MPI") {
  if (!have_mpirun()) {
    MESSAGE("mpirun not found (apt-get install openmpi-bin): skipped");
    return;
  }
  // One worker: without MPI the designs are evaluated in process, under mpirun through the pool
  // that shares them out; the files must not tell the difference.
  const fs::path d = fresh_dir("cosearch");
  const std::string args =
      " cosearch configs/cosearch/tiny.toml --generations 2 --no-systemc --quiet --workers 1 --out ";
  REQUIRE(run(imcsim() + args + (d / "local").string(), d / "local.log") == 0);
  const int code = run(mpirun(tag_of("c")) + imcsim() + args + (d / "mpi").string(), d / "mpi.log");
  INFO(slurp(d / "mpi.log"));
  REQUIRE(code == 0);
  check_same_files(d / "local", d / "mpi", kResultFiles);
  fs::remove_all(d);
}

TEST_CASE("a rank killed mid-search: non-zero exit, checkpoint intact, --resume completes without MPI") {
  if (!have_mpirun()) {
    MESSAGE("mpirun not found (apt-get install openmpi-bin): skipped");
    return;
  }
  const fs::path d = fresh_dir("kill");
  const std::string config = systemc_search_config(d);
  // Random proposals keep finding new designs (few cache hits), so the run lasts seconds after its
  // first checkpoint: time to kill a rank mid-run.
  const std::string args = " search --config " + config +
                           " --optimizer random --population 16 --generations 30 --finalists 0 --out ";
  REQUIRE(run(imcsim() + args + (d / "local").string(), d / "local.log") == 0);

  const std::string tag = tag_of("k");
  const std::string cmd =
      mpirun(tag) + imcsim() + args + (d / "mpi").string() + " >" + (d / "mpi.log").string() + " 2>&1";
  const pid_t launcher = ::fork();
  REQUIRE(launcher >= 0);
  if (launcher == 0) {
    ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Kill rank 1 once the first generation's checkpoint exists (the run has 30).
  const fs::path checkpoint = d / "mpi" / "checkpoint.json";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  while (!fs::exists(checkpoint) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(fs::exists(checkpoint));
  const pid_t victim = find_rank(tag, 1);
  REQUIRE(victim > 0);
  REQUIRE(::kill(victim, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(launcher, &status, 0) == launcher);
  INFO(slurp(d / "mpi.log"));
  CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));  // the run stopped with an error

  // mpirun may return before its ranks are gone; the run directory stays locked by rank 0 until
  // then (a resume started earlier is refused with "in use by process N; wait for it").
  const fs::path lock = d / "mpi" / ".imcsim.lock";
  if (fs::exists(lock)) {
    const fs::path holder = fs::path("/proc") / std::to_string(std::atol(slurp(lock).c_str()));
    const auto gone_by = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (fs::exists(holder) && std::chrono::steady_clock::now() < gone_by)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const nlohmann::json saved = nlohmann::json::parse(slurp(checkpoint));  // intact: parses
  const std::size_t generation = saved.at("generation").get<std::size_t>();
  CHECK(generation >= 1);
  CHECK(generation < 30);  // killed before its end

  const int resumed = run(imcsim() + " search --resume " + (d / "mpi").string(), d / "resume.log");
  INFO(slurp(d / "resume.log"));
  REQUIRE(resumed == 0);
  // Resumed without MPI, the run ends where the uninterrupted local run did.
  check_same_files(d / "local", d / "mpi", kResultFiles);
  fs::remove_all(d);
}
