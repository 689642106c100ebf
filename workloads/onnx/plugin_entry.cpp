// The one exported symbol of libimcsim_onnx.so: the table of the ONNX functions
// (workloads/onnx_plugin.h). Everything else in the library is hidden (--exclude-libs).
#include "workloads/onnx_plugin.h"

namespace {
imc::workloads::Graph import_file(const std::string& path, const imc::workloads::onnx::ImportOptions& o) {
  return imc::workloads::onnx::import_onnx(path, o);
}
void export_file(const imc::workloads::Graph& g, const std::string& path,
                 const imc::workloads::onnx::ExportOptions& o) {
  imc::workloads::onnx::export_onnx(g, path, o);
}
}  // namespace

extern "C" __attribute__((visibility("default"))) const imc::workloads::onnx::OnnxPlugin*
imcsim_onnx_plugin_v1() {
  static const imc::workloads::onnx::OnnxPlugin plugin{&import_file, &export_file};
  return &plugin;
}
