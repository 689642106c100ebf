// ONNX import and export (workloads/onnx/onnx_io.h) as seen by the rest of imcsim: the code and
// libonnx/libprotobuf live in libimcsim_onnx.so, loaded the first time an .onnx file is read or
// written (common/plugin.h). Tests of the importer itself link imc_workloads_onnx directly.
#pragma once

#include <string>

#include "workloads/graph.h"
#include "workloads/onnx/onnx_io.h"

namespace imc::workloads::onnx {

struct OnnxPlugin {
  Graph (*import_onnx)(const std::string& path, const ImportOptions& options);
  void (*export_onnx)(const Graph& graph, const std::string& path, const ExportOptions& options);
};

// Loads libimcsim_onnx.so on the first call; throws InputError if it cannot be loaded.
const OnnxPlugin& onnx_plugin();

inline constexpr const char* kOnnxPluginSymbol = "imcsim_onnx_plugin_v1";

}  // namespace imc::workloads::onnx
