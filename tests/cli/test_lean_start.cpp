// The lean core: the commands that do not train never map libtorch, OpenCV or libgomp, nor pagmo2
// unless they search, and map libonnx only for an .onnx workload (issue 17). Each command runs with
// IMCSIM_DEBUG_MAPS (the binary copies its /proc/self/maps there at exit; cli/debug_maps.cpp); the .onnx run
// is the control that the check sees a library the process did load.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string bin() {
  const char* b = std::getenv("IMCSIM_BIN");
  return b ? b : "build/imcsim";
}

std::string temp(const std::string& name) {
  return (std::filesystem::temp_directory_path() / fmt::format("imcsim_lean_{}_{}", ::getpid(), name))
      .string();
}

// Runs `imcsim <args>` (output discarded) and returns its memory map at exit.
std::string maps_of(const std::string& args) {
  const std::string maps = temp("maps.txt");
  std::filesystem::remove(maps);
  const std::string cmd = fmt::format("IMCSIM_DEBUG_MAPS={} {} {} > /dev/null", maps, bin(), args);
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(maps);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  std::filesystem::remove(maps);
  return s.str();
}

bool mapped(const std::string& maps, const std::string& lib) {
  return maps.find(lib) != std::string::npos;
}

}  // namespace

TEST_CASE(
    "the commands that do not train or search map neither libtorch, OpenCV, libgomp, libonnx nor pagmo") {
  for (const std::string args :
       {"--version", "arch --arch configs/arch/rram_default.toml",
        "estimate --arch configs/arch/rram_default.toml --workload vgg8",
        "simulate --arch configs/arch/rram_default.toml --workload resnet20",
        "validate --arch configs/arch/rram_default.toml --workload resnet20", "workload vgg8"}) {
    const std::string maps = maps_of(args);
    INFO(args);
    CHECK(mapped(maps, "libstdc++"));  // the map is the process's
    CHECK_FALSE(mapped(maps, "libtorch"));
    CHECK_FALSE(mapped(maps, "libc10"));
    CHECK_FALSE(mapped(maps, "libopencv"));
    CHECK_FALSE(mapped(maps, "libgomp"));
    CHECK_FALSE(mapped(maps, "libonnx"));
    CHECK_FALSE(mapped(maps, "libpagmo"));  // the search's optimizers: libimcsim_nas.so
    CHECK_FALSE(mapped(maps, "libimcsim_"));
    CHECK_FALSE(mapped(maps, "libmpi"));  // MPI: libimcsim_mpi.so, under mpirun only (docs/cluster.md)
  }
}

TEST_CASE("an .onnx workload loads libonnx (through its plugin) but not libtorch") {
  const std::string onnx = temp("resnet20.onnx");
  REQUIRE(std::system(
              fmt::format("{} workload resnet20 --export-onnx {} > /dev/null", bin(), onnx).c_str()) == 0);
  const std::string maps =
      maps_of(fmt::format("estimate --arch configs/arch/rram_default.toml --workload {}", onnx));
  CHECK(mapped(maps, "libimcsim_onnx.so"));
  CHECK(mapped(maps, "libonnx"));
  CHECK_FALSE(mapped(maps, "libtorch"));
  std::filesystem::remove(onnx);
}
