// The co-search study's published designs beside ours: a design of the study (a cosearch config whose
// genes each hold one value) evaluated by our analytical model, next to the study's own per-network
// energy, latency and area for it (configs/cosearch/study_reference.toml). The study's latencies are
// counted in cycles of a clock it does not derive from the supply, so latencies and EDAPs are compared
// relative to one network of the set (vgg16), energies and areas also absolutely.
#pragma once

#include <string>
#include <vector>

namespace imc::nas::cosearch {

struct StudyNetwork {
  std::string name;      // our workload name
  double energy_j = 0;   // the study's
  double latency_s = 0;  // the study's (cycles of its base latency: relative values only)
  double ours_energy_j = 0, ours_latency_s = 0;
};

struct StudyDesign {
  std::string name;          // "rram4", "sram4"
  std::string config;        // the cosearch config re-creating it (path resolved against the data file)
  std::string key;           // the design's key in the study's result files
  std::string source;        // those files' path in the study's repository
  double area_mm2 = 0;       // the study's
  double ours_area_mm2 = 0;  // ours
  std::vector<StudyNetwork> networks;
};

// Reads the study's figures. Bad input (a missing key, a non-positive figure, a network the design's
// config does not run) is a common::InputError naming the file, line and key.
std::vector<StudyDesign> load_study_reference(const std::string& path);

// Evaluates the design's config (every gene fixed) with the analytical model and fills ours_*. Throws
// common::InputError when a gene has more than one value or the design is infeasible on our chip.
void evaluate_reference(StudyDesign& design);

// Markdown: per network the study's and our energy (mJ), latency and EDAP relative to `relative_to`,
// our latency (ms), and the two areas.
std::string reference_table(const StudyDesign& design, const std::string& relative_to = "vgg16");

}  // namespace imc::nas::cosearch
