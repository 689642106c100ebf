#include "common/run_dir.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/config.h"

namespace imc::common {
namespace fs = std::filesystem;

namespace {

constexpr const char* kLockName = ".imcsim.lock";
// Files one of imcsim's runs writes first: --force empties only a directory holding one of them, so
// a mistyped --out (a home directory) is never wiped.
constexpr const char* kRunMarkers[] = {"search.json",  "run.json",    "checkpoint.json",
                                       "summary.json", "history.csv", kLockName};

bool process_alive(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

long read_pid(const fs::path& lock) {
  std::ifstream in(lock);
  long pid = 0;
  in >> pid;
  return in ? pid : 0;
}

// Creates the lock file exclusively; false if it exists already.
bool try_create(const fs::path& lock, const std::string& dir) {
  const int fd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    throw InputError(
        fmt::format("{}: cannot create files in this run directory: {}", dir, std::strerror(errno)));
  }
  const std::string text = fmt::format("{}\n", static_cast<long>(::getpid()));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok) throw InputError(fmt::format("{}: cannot write the lock file", lock.string()));
  return true;
}

}  // namespace

RunLock::RunLock(const std::string& dir) {
  const fs::path lock = fs::path(dir) / kLockName;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (try_create(lock, dir)) {
      path_ = lock.string();
      return;
    }
    const long pid = read_pid(lock);
    if (process_alive(pid))
      throw InputError(fmt::format(
          "{}: the run directory is in use by process {} (lock file {}); wait for it or choose another "
          "directory",
          dir, pid, lock.string()));
    std::cerr << fmt::format("imcsim: warning: {}: removing a stale lock (process {} no longer runs)\n", dir,
                             pid);
    std::error_code ec;
    fs::remove(lock, ec);
  }
  throw InputError(fmt::format("{}: cannot take the lock {}", dir, lock.string()));
}

RunLock::~RunLock() {
  release();
}

RunLock::RunLock(RunLock&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

void RunLock::release() noexcept {
  if (path_.empty()) return;
  // Only our own lock: a forked child that leaves by a path running destructors must not free it.
  if (read_pid(path_) == static_cast<long>(::getpid())) {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  path_.clear();
}

RunLock open_run_dir(const std::string& dir, OutDirMode mode, const std::string& flag) {
  if (dir.empty()) throw InputError(fmt::format("{} DIR is required", flag));
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (fs::exists(st) && !fs::is_directory(st))
    throw InputError(fmt::format("{} {}: exists and is not a directory", flag, dir));
  if (mode == OutDirMode::Resume && !fs::is_directory(st))
    throw InputError(fmt::format("{} {}: no such run directory to resume", flag, dir));
  if (!fs::exists(st)) {
    fs::create_directories(dir, ec);
    if (ec) throw InputError(fmt::format("{} {}: cannot create the directory: {}", flag, dir, ec.message()));
  }
  // Lock before looking at the contents: a second process sees the lock, not a half-made run.
  RunLock lock(dir);
  if (mode == OutDirMode::Resume) return lock;
  bool empty = true, is_run = false;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name == kLockName) continue;
    empty = false;
    for (const char* m : kRunMarkers) is_run |= name == m;
  }
  if (ec) throw InputError(fmt::format("{} {}: cannot list the directory: {}", flag, dir, ec.message()));
  if (empty) return lock;
  if (mode == OutDirMode::Fresh)
    throw InputError(fmt::format(
        "{} {}: the directory is not empty; give --resume to continue the run there, --force to empty it "
        "first, or another directory",
        flag, dir));
  if (!is_run)
    throw InputError(
        fmt::format("{} {}: --force empties only a directory holding an imcsim run (search.json, run.json, "
                    "checkpoint.json or summary.json); this one holds other files: remove them yourself",
                    flag, dir));
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename() == kLockName) continue;
    fs::remove_all(e.path(), ec);
    if (ec) throw InputError(fmt::format("{} {}: cannot empty the directory: {}", flag, dir, ec.message()));
  }
  return lock;
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = fmt::format("{}.tmp.{}", path, static_cast<long>(::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw InputError(fmt::format("{}: failed writing (disk full?)", path));
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(tmp, ec);
    throw InputError(fmt::format("{}: cannot replace the file: {}", path, why));
  }
}

}  // namespace imc::common
