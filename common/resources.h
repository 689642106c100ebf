// Resource guards: a run estimates the memory it will need before allocating it and refuses with
// an InputError (exit 2) and the figures when the estimate is above the limit, instead of dying
// later with std::bad_alloc or the kernel's OOM killer after minutes of work.
//
// The limit is the smallest of: the machine's available memory (/proc/meminfo MemAvailable), the
// process's address-space limit (setrlimit RLIMIT_AS, e.g. `ulimit -v`), and --max-memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace imc::common {

// --max-memory: 0 = no limit of the user's own (the others still apply).
void set_max_memory_bytes(std::uint64_t bytes);
// "512M", "2G", "1.5G", "1048576" (bytes) -> bytes; InputError naming `flag` otherwise.
std::uint64_t parse_memory_size(std::string_view text, std::string_view flag);

// The limit in force and where it comes from ("available memory", "--max-memory", "ulimit -v").
struct MemoryLimit {
  std::uint64_t bytes = 0;
  std::string source;
};
MemoryLimit memory_limit();

// Throws InputError "<what> needs an estimated X GiB of memory; the limit is Y GiB (<source>)<hint>"
// when `bytes_needed` exceeds the limit.
void check_memory(double bytes_needed, std::string_view what, std::string_view hint = "");

// "1.5 GiB", "312 MiB": the figure in messages.
std::string memory_text(double bytes);

// CPU seconds (user + system) of this process and its reaped children (forked workers): what a run
// reports beside its wall time on a shared machine.
double cpu_seconds_with_children();

}  // namespace imc::common
