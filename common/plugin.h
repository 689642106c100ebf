// Loading a plugin: a shared library of this build (libimcsim_torch.so, libimcsim_onnx.so) opened
// with dlopen the first time its code is needed, so the commands that do not need libtorch or
// libonnx never map them (and start in milliseconds instead of half a second).
//
// A plugin exports one extern "C" function returning a table of function pointers; the table's
// types come from this build's headers, so a plugin is only ever loaded by the build that made it.
// The search order: $IMCSIM_PLUGIN_DIR/<file>, the folder of the binary holding this code (the
// imcsim executable or the Python module), then the path the build wrote it to.
#pragma once

#include <string>

namespace imc::common {

// Opens `file_name` (once per process; later calls reuse the handle) and returns the address of
// `symbol` in it. Throws InputError naming every path tried and dlerror()'s reason.
void* plugin_symbol(const std::string& file_name, const std::string& build_path, const char* symbol);

// True if `file_name` is already mapped into this process (never loads it).
bool plugin_loaded(const std::string& file_name);

}  // namespace imc::common
