// The [mapping] options: every key declared once (default, range, unit, doc), read from a TOML file,
// set from command-line flags (common::set_field) and shared with the search's [search] section.
#include <fmt/format.h>

#include "common/config.h"
#include "mapping/mapping.h"

namespace imc::mapping {

const std::vector<std::pair<const char*, Schedule>>& schedule_names() {
  static const std::vector<std::pair<const char*, Schedule>> names = {
      {"pipeline", Schedule::Pipeline}, {"wavefront", Schedule::Wavefront}, {"layer", Schedule::Layer}};
  return names;
}
const std::vector<std::pair<const char*, Overflow>>& overflow_names() {
  static const std::vector<std::pair<const char*, Overflow>> names = {{"reload", Overflow::Reload},
                                                                      {"error", Overflow::Error}};
  return names;
}
const char* to_string(Schedule s) {
  return common::name_of(s, schedule_names());
}
const char* to_string(Overflow o) {
  return common::name_of(o, overflow_names());
}

void describe_schedule(common::Fields& f, Schedule& s) {
  f.choice("schedule", s, Schedule::Pipeline, schedule_names(),
           "pipeline: layers overlap by chunks and inferences; wavefront: the same with the layers' chunks "
           "interleaved on shared units; layer: one layer at a time");
}

void describe_batch(common::Fields& f, int& batch) {
  f.integer("batch", batch, common::IntDecl{1, 1, 1 << 20, "", "inferences per run"});
}

void describe(common::Fields& f, MappingOptions& o) {
  using common::ChoiceDecl;
  using common::IntDecl;
  f.section("mapping", "how the network is placed and scheduled", [&](common::Fields& g) {
    g.choice("mapper", o.mapper, ChoiceDecl{"greedy", mapper_names(), "placement policy (registry)"});
    describe_schedule(g, o.schedule);
    g.choice("overflow", o.overflow, Overflow::Reload, overflow_names(),
             "network larger than the chip: error, or reload weights from off-chip memory per layer group");
    g.integer(
        "duplication", o.duplication,
        IntDecl{0, 0, 4096, "",
                "copies of a layer for throughput: \"auto\" (0) gives spare PEs to copies of the slowest "
                "layers while a copy shortens the pipeline's interval; N caps the copies of a layer at N",
                "auto"});
    describe_batch(g, o.batch);
    g.integer("weight_bits", o.weight_bits, IntDecl{0, 0, 32, "bit", "0 = the arch's precision.weight_bits"});
    g.integer("input_bits", o.input_bits, IntDecl{0, 0, 32, "bit", "0 = the arch's precision.input_bits"});
    g.integer(
        "chunks_per_layer", o.chunks_per_layer,
        IntDecl{0, 0, 4096, "",
                "ops per layer per inference (pipeline granularity): \"auto\" (0) sizes each layer's "
                "chunk to one bank of the tile output buffer (at least 8, at most 256 chunks a layer, 32 "
                "a node on average); N forces N",
                "auto"});
  });
}

MappingOptions load_mapping_options(const std::string& path) {
  MappingOptions o;
  common::ConfigNode root = common::ConfigNode::parse_file(path);
  common::read_fields(root, [&](common::Fields& f) { describe(f, o); });
  return o;
}

}  // namespace imc::mapping
