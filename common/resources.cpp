#include "common/resources.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <string>

#include "common/config.h"

namespace imc::common {
namespace {

std::atomic<std::uint64_t> g_max_memory_bytes{0};

std::uint64_t available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t value = 0;
  std::string unit;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemAvailable:") return value * 1024;  // the file gives kB
  }
  return 0;  // unknown (not Linux): no limit from here
}

// The process's current virtual size (/proc/self/status VmSize): an address-space limit is on the
// total, so what is left for the run is the limit minus this.
std::uint64_t virtual_size_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  return 0;
}

}  // namespace

void set_max_memory_bytes(std::uint64_t bytes) {
  g_max_memory_bytes = bytes;
}

std::uint64_t parse_memory_size(std::string_view text, std::string_view flag) {
  const std::string s(text);
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string suffix = s.substr(used);
  double scale = 0;
  if (suffix.empty() || suffix == "B")
    scale = 1;
  else if (suffix == "K" || suffix == "KiB")
    scale = 1024.0;
  else if (suffix == "M" || suffix == "MiB")
    scale = 1024.0 * 1024;
  else if (suffix == "G" || suffix == "GiB")
    scale = 1024.0 * 1024 * 1024;
  else if (suffix == "T" || suffix == "TiB")
    scale = 1024.0 * 1024 * 1024 * 1024;
  if (used == 0 || scale == 0 || !std::isfinite(v) || v <= 0 || v * scale > 1.8e19)
    throw InputError(
        fmt::format("{}: '{}' is not a memory size; allowed e.g. 512M, 2G, 1.5G or bytes", flag, text));
  return static_cast<std::uint64_t>(v * scale);
}

MemoryLimit memory_limit() {
  MemoryLimit m;
  if (const std::uint64_t avail = available_memory_bytes(); avail > 0) m = {avail, "available memory"};
  rlimit r{};
  if (::getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur != RLIM_INFINITY) {
    const std::uint64_t used = virtual_size_bytes();
    const std::uint64_t left = std::uint64_t(r.rlim_cur) > used ? std::uint64_t(r.rlim_cur) - used : 1;
    if (m.bytes == 0 || left < m.bytes) m = {left, "what the address-space limit (ulimit -v) leaves"};
  }
  const std::uint64_t user = g_max_memory_bytes;
  if (user > 0 && (m.bytes == 0 || user < m.bytes)) m = {user, "--max-memory"};
  return m;
}

std::string memory_text(double bytes) {
  if (bytes >= 1024.0 * 1024 * 1024) return fmt::format("{:.3g} GiB", bytes / (1024.0 * 1024 * 1024));
  return fmt::format("{:.3g} MiB", bytes / (1024.0 * 1024));
}

void check_memory(double bytes_needed, std::string_view what, std::string_view hint) {
  const MemoryLimit m = memory_limit();
  if (m.bytes == 0 || bytes_needed <= double(m.bytes)) return;
  throw InputError(fmt::format("{} needs an estimated {} of memory; the limit is {} ({}){}", what,
                               memory_text(bytes_needed), memory_text(double(m.bytes)), m.source,
                               hint.empty() ? std::string() : fmt::format("; {}", hint)));
}

double cpu_seconds_with_children() {
  double s = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u{};
    getrusage(who, &u);
    s += double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  }
  return s;
}

}  // namespace imc::common
