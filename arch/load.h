// Loading and validating hardware descriptions.
#pragma once

#include <string>
#include <vector>

#include "arch/spec.h"

namespace imc::arch {

// Loads an arch TOML and the tech file it names ([chip].tech: a name looked up as
// <arch dir>/<name>.toml, <arch dir>/../tech/<name>.toml, then $IMCSIM_ROOT/configs/tech/<name>.toml;
// or a path). Throws common::InputError naming file, line, key and what is allowed.
ArchSpec load_arch(const std::string& path);
ArchSpec load_arch_string(const std::string& text, const std::string& source_name,
                          const std::string& base_dir = ".");

// Loads a tech TOML (every constant required) and scales it to `node_nm` (see arch/tech.h).
TechSpec load_tech(const std::string& path, double node_nm);
// Resolves a tech name to a file path (see load_arch); throws if not found, listing where it looked.
std::string find_tech_file(const std::string& name_or_path, const std::string& base_dir);

// Cross-field checks (bits_per_cell vs weight_bits, cols_per_adc vs cols, SRAM one bit per cell,
// clock vs the highest clock at the supply, ...). Returns one message per problem, each starting
// with the dotted key it concerns; empty when the spec is consistent. Used by the loader and by the
// search's genome decoding.
struct SpecProblem {
  std::string key;
  std::string message;
};
std::vector<SpecProblem> check_arch(const ArchSpec& spec);

// Highest digital clock at the spec's supply (alpha-power law).
double fmax_ghz(const ArchSpec& spec);

// Markdown documentation of every arch key (`imcsim arch --keys`).
std::string document_arch_keys();
std::string document_tech_keys();

}  // namespace imc::arch
