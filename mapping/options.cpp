#include <fmt/format.h>

#include "common/config.h"
#include "mapping/mapping.h"

namespace imc::mapping {
namespace {

void describe(common::Fields& f, MappingOptions& o) {
  using common::ChoiceDecl;
  using common::IntDecl;
  f.section("mapping", "how the network is placed and scheduled", [&](common::Fields& g) {
    g.choice("mapper", o.mapper, ChoiceDecl{"greedy", mapper_names(), "placement policy (registry)"});
    g.choice("schedule", o.schedule,
             ChoiceDecl{"pipeline",
                        {"pipeline", "wavefront", "layer"},
                        "pipeline: layers overlap by chunks and inferences; wavefront: the same with the "
                        "layers' chunks interleaved on shared units; layer: one layer at a time"});
    g.choice("overflow", o.overflow,
             ChoiceDecl{"reload",
                        {"reload", "error"},
                        "network larger than the chip: error, or reload weights from DRAM per layer group"});
    g.integer("duplication", o.duplication, IntDecl{1, 1, 4096, "", "max copies of a layer for throughput"});
    g.integer("batch", o.batch, IntDecl{1, 1, 1 << 20, "", "inferences per run"});
    g.integer("weight_bits", o.weight_bits, IntDecl{0, 0, 32, "bit", "0 = the arch's precision.weight_bits"});
    g.integer("input_bits", o.input_bits, IntDecl{0, 0, 32, "bit", "0 = the arch's precision.input_bits"});
    g.integer("chunks_per_layer", o.chunks_per_layer,
              IntDecl{8, 1, 4096, "", "ops per layer per inference (pipeline granularity)"});
  });
}

}  // namespace

MappingOptions load_mapping_options(const std::string& path) {
  MappingOptions o;
  common::ConfigNode root = common::ConfigNode::parse_file(path);
  common::read_fields(root, [&](common::Fields& f) { describe(f, o); });
  return o;
}

}  // namespace imc::mapping
