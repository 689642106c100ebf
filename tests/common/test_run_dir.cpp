// Run directories that cannot mix (lock, fresh/resume/force) and whole-file writes; memory sizes.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/config.h"
#include "common/resources.h"
#include "common/run_dir.h"

namespace fs = std::filesystem;
using imc::common::InputError;
using imc::common::open_run_dir;
using imc::common::OutDirMode;
using imc::common::RunLock;

namespace {

fs::path fresh(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("imcsim_rundir_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

// The pid of a process that has exited (and been reaped).
long dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

}  // namespace

TEST_CASE("a run directory is locked while in use; the lock goes with its owner") {
  const fs::path d = fresh("lock");
  {
    RunLock lock = open_run_dir(d.string(), OutDirMode::Fresh);
    CHECK(fs::exists(d / ".imcsim.lock"));
    CHECK_THROWS_WITH_AS(open_run_dir(d.string(), OutDirMode::Resume), doctest::Contains("in use by process"),
                         InputError);
  }
  CHECK_FALSE(fs::exists(d / ".imcsim.lock"));
  // A lock left by a process that no longer runs is stale: taken over.
  std::ofstream(d / ".imcsim.lock") << dead_pid() << "\n";
  RunLock again = open_run_dir(d.string(), OutDirMode::Resume);
  CHECK(fs::exists(d / ".imcsim.lock"));
  fs::remove_all(d);
}

TEST_CASE("a fresh run needs an empty directory; --force empties only a run's directory") {
  const fs::path d = fresh("modes");
  fs::create_directories(d);
  std::ofstream(d / "notes.txt") << "mine\n";
  CHECK_THROWS_WITH_AS(open_run_dir(d.string(), OutDirMode::Fresh), doctest::Contains("not empty"),
                       InputError);
  CHECK_THROWS_WITH_AS(open_run_dir(d.string(), OutDirMode::Force), doctest::Contains("remove them yourself"),
                       InputError);
  CHECK(fs::exists(d / "notes.txt"));
  std::ofstream(d / "summary.json") << "{}\n";
  { RunLock lock = open_run_dir(d.string(), OutDirMode::Force); }
  CHECK(fs::is_empty(d));
  CHECK_THROWS_WITH_AS(open_run_dir((d / "absent").string(), OutDirMode::Resume),
                       doctest::Contains("no such run directory"), InputError);
  std::ofstream(d / "file") << "x";
  CHECK_THROWS_WITH_AS(open_run_dir((d / "file").string(), OutDirMode::Fresh),
                       doctest::Contains("not a directory"), InputError);
  CHECK_THROWS_AS(open_run_dir("/proc/imcsim_no_such_dir", OutDirMode::Fresh), InputError);
  fs::remove_all(d);
}

TEST_CASE("files are written whole: no temporary left, unwritable paths are input errors") {
  const fs::path d = fresh("atomic");
  fs::create_directories(d);
  imc::common::write_file_atomically((d / "a.json").string(), "{\"x\": 1}\n");
  imc::common::write_file_atomically((d / "a.json").string(), "{\"x\": 2}\n");
  std::ifstream in(d / "a.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "{\"x\": 2}\n");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(d)) ++files;
  CHECK(files == 1);
  CHECK_THROWS_AS(imc::common::write_file_atomically("/proc/imcsim_x/a.json", "x"), InputError);
  fs::remove_all(d);
}

TEST_CASE("memory sizes and the memory guard") {
  using imc::common::parse_memory_size;
  CHECK(parse_memory_size("512M", "--max-memory") == 512ull << 20);
  CHECK(parse_memory_size("2G", "--max-memory") == 2ull << 30);
  CHECK(parse_memory_size("1.5G", "--max-memory") == 3ull << 29);
  CHECK(parse_memory_size("4096", "--max-memory") == 4096);
  for (const char* bad : {"", "lots", "-1G", "0", "nanG", "1Q"})
    CHECK_THROWS_WITH_AS(parse_memory_size(bad, "--max-memory"), doctest::Contains("--max-memory"),
                         InputError);
  imc::common::set_max_memory_bytes(1ull << 20);
  CHECK(imc::common::memory_limit().source == "--max-memory");
  CHECK_NOTHROW(imc::common::check_memory(1000, "a small run"));
  CHECK_THROWS_WITH_AS(imc::common::check_memory(double(1ull << 30), "a big run", "lower --batch"),
                       doctest::Contains("a big run needs an estimated 1 GiB"), InputError);
  imc::common::set_max_memory_bytes(0);
  CHECK(imc::common::memory_limit().bytes > 0);
}
