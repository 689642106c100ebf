// Run directories that cannot mix: one process at a time (a lock file with its pid), a fresh run
// only in an empty directory, and every file written whole (a temporary file, then a rename).
//
// Why: two searches given the same --out used to both exit 0, one run's CSVs beside the other's
// finalists; a kill during a write left half a JSON file. Every failure here is a
// common::InputError naming the directory or file (the CLI's exit 2): the user chose the path.
#pragma once

#include <string>

namespace imc::common {

// How a command treats an --out directory that already holds files.
enum class OutDirMode {
  Fresh,   // a new run: the directory must be absent or empty
  Resume,  // continue the run saved there: the directory must exist
  Force,   // a new run in a directory emptied first (--force)
};

// Holds <dir>/.imcsim.lock (the owner's pid) for its lifetime. A lock left by a process that no
// longer exists (a kill -9, a power cut) is stale: it is taken over, with a warning on stderr.
class RunLock {
 public:
  RunLock() = default;
  explicit RunLock(const std::string& dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;

  const std::string& path() const { return path_; }

 private:
  void release() noexcept;
  std::string path_;  // empty: holds nothing
};

// Prepares `dir` for a run in `mode` (creates it, checks it is a writable directory, refuses a
// non-empty one for a fresh run, empties it for Force) and locks it. `flag` names the option in
// messages ("--out").
RunLock open_run_dir(const std::string& dir, OutDirMode mode, const std::string& flag = "--out");

// Writes `text` to `path` whole or not at all: <path>.tmp.<pid>, flushed, then renamed over `path`.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace imc::common
