// The search space: genes declared in TOML, grouped as [network.*] and [hardware.*], plus simple
// conditions between genes. A genome is a vector of value indices (nas/genome.h).
//
// TOML format (docs/nas.md has the full description):
//   conditions = ["hardware.bits_per_cell <= network.weight_bits"]
//   [network]
//   depth = { lo = 2, hi = 6 }            # integer range, step 1
//   width = { lo = 16, hi = 128, step = 16 }
//   weight_bits = [4, 8]                  # list of numbers
//   activation = ["relu", "gelu"]         # list of strings
//   [hardware]
//   cell = "rram"                         # fixed gene (a bare scalar)
//   xbar_rows = { values = [64, 128, 256], fixed = 128 }
#pragma once

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "nas/genome.h"

namespace imc::nas {

struct Gene {
  std::string name;               // full dotted name, e.g. "hardware.xbar_rows"
  std::vector<GeneValue> values;  // the domain; a fixed gene has exactly one value
  bool fixed = false;             // declared fixed (a fixed gene is never searched)
  std::string doc;
  std::string file;  // where it was declared, for messages ("" when built in code)
  int line = 0;

  std::string group() const { return name.substr(0, name.find('.')); }  // "network" | "hardware"
  bool numeric() const;                                                 // every value is a number
};

enum class CmpOp { kLe, kLt, kGe, kGt, kEq, kNe };

// One side of a condition: a gene or a literal.
struct Operand {
  bool is_gene = false;
  std::size_t gene = 0;  // index into SearchSpace::genes() when is_gene
  GeneValue literal;
};

// "lhs op rhs" between genes (or a gene and a literal), e.g. "hardware.cols_per_adc <= hardware.xbar_cols".
struct Condition {
  std::string text;  // as written
  Operand lhs;
  CmpOp op = CmpOp::kLe;
  Operand rhs;
  std::string file;
  int line = 0;
};

// Result of checking a genome against the conditions. violation is 0 when every condition
// holds; otherwise the number of violated conditions plus, for numeric ones, their relative gap
// |lhs - rhs| / (|lhs| + |rhs|) (< 1 each), so that optimizers are pulled towards feasibility.
struct Feasibility {
  double violation = 0.0;
  std::string reason;  // "; "-joined, e.g. "hardware.bits_per_cell=4 <= network.weight_bits=2 violated"
  bool ok() const { return violation == 0.0; }
};

class SearchSpace {
 public:
  SearchSpace() = default;

  // Parses a space file. `other_keys` are top-level keys owned by someone else (e.g. "optimizer")
  // that are skipped instead of reported as unknown.
  static SearchSpace load(const std::string& path, const std::set<std::string>& other_keys = {});
  // Reads a space from a table holding `network`, `hardware` and `conditions`.
  static SearchSpace from_config(const common::ConfigNode& table,
                                 const std::set<std::string>& other_keys = {});

  // Programmatic construction (tests, generated spaces). Throw common::InputError on bad input.
  void add_gene(Gene gene);
  void add_condition(std::string_view text, const std::string& file = "", int line = 0);

  const std::vector<Gene>& genes() const { return genes_; }
  const std::vector<Condition>& conditions() const { return conditions_; }
  std::size_t size() const { return genes_.size(); }
  std::vector<std::size_t> cardinalities() const;  // number of values of every gene
  std::size_t free_genes() const;                  // genes with more than one value
  double log10_candidates() const;                 // log10 of the number of genomes

  // Index of a gene by full name; throws common::InputError listing the genes when unknown.
  std::size_t index_of(std::string_view name) const;
  const Gene* find(std::string_view name) const;  // nullptr when unknown

  // Throws common::InputError naming the gene when a genome has the wrong length or an index
  // outside its gene's domain.
  void validate(const Genome& genome) const;
  Decoded decode(const Genome& genome) const;
  // Every gene must be present with a value of its domain (fixed genes may be omitted);
  // unknown names are errors.
  Genome encode(const Decoded& values) const;
  // Canonical text of a genome, "network.depth=3;hardware.cell=rram;...", in declaration order.
  std::string key(const Genome& genome) const;
  Feasibility check(const Genome& genome) const;

  // Text that changes whenever genes, domains or conditions change (checkpoint compatibility).
  std::string fingerprint() const;

 private:
  std::vector<Gene> genes_;
  std::vector<Condition> conditions_;
};

// Parses one condition against the genes of `space`. `where` names the location in messages
// ("file:line: key 'conditions[0]'"); throws common::InputError.
Condition parse_condition(std::string_view text, const SearchSpace& space, const std::string& where);
// Returns 0 when the condition holds, otherwise its contribution to Feasibility::violation.
double condition_violation(const Condition& c, const Genome& genome, const SearchSpace& space);
std::string to_string(CmpOp op);

// A genome's gene values as a JSON object {gene name: value}: integers as integers, other numbers
// as numbers, strings as strings (what run reports write and --hot-start reads back).
nlohmann::json genes_json(const SearchSpace& space, const Genome& genome);

}  // namespace imc::nas
