// IMCSIM_DEBUG_MAPS=FILE: at exit, copy this process's /proc/self/maps to FILE. A hidden check, not
// a user feature: tests/cli/test_lean_start.cpp runs the commands that do not train with it and
// asserts that libtorch, OpenCV, libgomp and libonnx were never mapped (without ldd, which only
// lists what the binary links, not what it loads).
#include <cstdlib>
#include <fstream>
#include <string>

namespace imc::cli {
namespace {

std::string& maps_file() {
  static std::string path;
  return path;
}

void copy_maps() {
  std::ifstream in("/proc/self/maps");
  std::ofstream out(maps_file());
  out << in.rdbuf();
}

const bool kMapsAtExit = [] {
  const char* path = std::getenv("IMCSIM_DEBUG_MAPS");
  if (!path || !*path) return false;
  maps_file() = path;
  std::atexit(copy_maps);
  return true;
}();

}  // namespace
}  // namespace imc::cli
