// ONNX import and export of workload graphs ("bring your own network").
//
// import_onnx reads a model written by torch.onnx.export (opsets 7-18; the common CNN and
// transformer operators, including the decomposed LayerNorm and GELU patterns that opsets < 17/20
// produce) and rebuilds it with the Graph builders, which compute every shape. The batch dimension
// of the ONNX tensors is dropped. Weight values are never read: only initializer shapes matter, so
// models whose weights live in external data files import without those files.
//
// export_onnx writes any Graph as a valid ONNX model with seeded random weights of the right shapes
// (or, on request, zero weights that cost nothing to write), checked with onnx::checker and strict
// ONNX shape inference.
// docs/onnx.md lists the operator mapping in both directions.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "workloads/graph.h"

namespace imc::workloads::onnx {

struct ImportOptions {
  // Values for symbolic (dim_param) input dimensions other than the leading batch dimension, e.g.
  // {"sequence": 128} for a model exported with a dynamic sequence axis. The batch is always 1.
  std::map<std::string, std::int64_t> symbolic_dims;
};

// Reads an ONNX model. Throws common::InputError naming the file (unreadable or corrupt model),
// and for unsupported content also the node, its op type and the list of supported operators.
Graph import_onnx(const std::string& path);
Graph import_onnx(const std::string& path, const ImportOptions& options);

// What the initializers of an exported model hold.
enum class WeightData {
  Auto,      // Embedded below 1 GiB of weights, External above (protobuf caps a file at 2 GiB)
  Embedded,  // seeded random weights inside the .onnx file
  External,  // seeded random weights in "<path>.data" (ONNX external-data convention)
  Zeros,     // all-zero weights in "<path>.data", created as a sparse file (std::filesystem::
             // resize_file: no values are computed or written, so it takes no time and, on
             // filesystems with sparse files such as ext4, xfs and tmpfs, almost no disk). The model
             // is complete and valid (onnx.checker passes, Netron shows it, a runtime can run it)
             // but its weights carry no information: what the round-trip tests of the zoo use.
};

struct ExportOptions {
  WeightData weights = WeightData::Auto;
  std::uint64_t seed = 1;  // random weights are a pure function of (seed, tensor name)
  int opset = 17;          // 13..17: LayerNormalization is native from 17, decomposed below;
                           // HardSwish is native from 14, x * HardSigmoid(x) below
};

// Writes `graph` to `path`. Throws common::InputError if the file cannot be written or the options
// are out of range; std::logic_error if the model fails onnx::checker (an exporter bug).
void export_onnx(const Graph& graph, const std::string& path);
void export_onnx(const Graph& graph, const std::string& path, const ExportOptions& options);

}  // namespace imc::workloads::onnx
