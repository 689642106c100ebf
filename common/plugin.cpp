#include "common/plugin.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

#include "common/config.h"

namespace imc::common {
namespace {

// The folder of the binary (executable or shared object) this function was linked into.
std::string own_binary_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&own_binary_dir), &info) == 0 || !info.dli_fname) return "";
  std::error_code ec;
  const auto p = std::filesystem::weakly_canonical(info.dli_fname, ec);
  return ec ? "" : p.parent_path().string();
}

std::vector<std::string> candidates(const std::string& file_name, const std::string& build_path) {
  std::vector<std::string> out;
  if (const char* dir = std::getenv("IMCSIM_PLUGIN_DIR"); dir && *dir)
    out.push_back(std::string(dir) + "/" + file_name);
  if (const std::string own = own_binary_dir(); !own.empty()) out.push_back(own + "/" + file_name);
  if (!build_path.empty()) out.push_back(build_path);
  return out;
}

}  // namespace

bool plugin_loaded(const std::string& file_name) {
  // RTLD_NOLOAD: a handle only if some path of that name is already mapped.
  for (const auto& path : candidates(file_name, ""))
    if (void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
      dlclose(h);
      return true;
    }
  return false;
}

void* plugin_symbol(const std::string& file_name, const std::string& build_path, const char* symbol) {
  static std::mutex mutex;
  static std::map<std::string, void*> handles;
  std::lock_guard<std::mutex> lock(mutex);
  void*& handle = handles[file_name];
  if (!handle) {
    std::string tried;
    for (const auto& path : candidates(file_name, build_path)) {
      if (!std::filesystem::exists(path)) {
        tried += fmt::format("\n  {}: no such file", path);
        continue;
      }
      // RTLD_LOCAL: the plugin's symbols (its own copies of the imcsim libraries) stay its own.
      handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle) break;
      tried += fmt::format("\n  {}: {}", path, dlerror());
    }
    if (!handle)
      throw InputError(
          fmt::format("cannot load {} (set IMCSIM_PLUGIN_DIR to its folder); tried:{}", file_name, tried));
  }
  void* sym = dlsym(handle, symbol);
  if (!sym) throw InputError(fmt::format("{}: no symbol {}: {}", file_name, symbol, dlerror()));
  return sym;
}

}  // namespace imc::common
