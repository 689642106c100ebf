// The co-search study's published designs beside ours (issue 18 item 5): reads
// configs/cosearch/study_reference.toml (the study's per-network figures for one RRAM and one SRAM design,
// with the file paths they come from), evaluates each design's config (reference_rram4.toml,
// reference_sram4.toml) with our analytical model and prints the table of docs/cosearch.md.
// Usage (from the repository root): build/bench/bench_cosearch_reference [study_reference.toml]
#include <fmt/format.h>

#include <exception>

#include "common/config.h"
#include "nas/cosearch/reference.h"

int main(int argc, char** argv) {
  using namespace imc::nas::cosearch;
  const std::string path = argc > 1 ? argv[1] : "configs/cosearch/study_reference.toml";
  try {
    for (StudyDesign& d : load_study_reference(path)) {
      evaluate_reference(d);
      fmt::print("{}\nsource: {}\n\n", reference_table(d), d.source);
    }
  } catch (const imc::common::InputError& e) {
    fmt::print(stderr, "bench_cosearch_reference: {}\n", e.what());
    return 2;
  }
  return 0;
}
