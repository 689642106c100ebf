#include "workloads/onnx_plugin.h"

#include "common/plugin.h"

namespace imc::workloads::onnx {

const OnnxPlugin& onnx_plugin() {
  static const OnnxPlugin* plugin = [] {
    using Entry = const OnnxPlugin* (*)();
    return reinterpret_cast<Entry>(
        common::plugin_symbol("libimcsim_onnx.so", IMCSIM_ONNX_PLUGIN_PATH, kOnnxPluginSymbol))();
  }();
  return *plugin;
}

}  // namespace imc::workloads::onnx
