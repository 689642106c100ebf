// Tabular mode: every genome of a small space evaluated once (analytical hardware figures, accuracy
// from the configured source, SystemC for a sample) into a JSON table; benchmark runs then look
// candidates up instead of evaluating them, as NAS-Bench-style benchmarks do.
//
// Genomes are numbered in mixed radix over the genes' cardinalities (the first gene varies slowest),
// so a lookup is an index, not a search. A genome violating a space condition has no entry: the
// benchmark rejects it before evaluating, as the search loop does.
#pragma once

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "nas/benchmark/config.h"
#include "nas/optimizer.h"

namespace imc::nas::benchmark {

// Mixed-radix numbering of the genomes of a space with these gene cardinalities.
std::uint64_t genome_index(const Genome& g, const std::vector<std::size_t>& cardinalities);
Genome genome_at(std::uint64_t index, const std::vector<std::size_t>& cardinalities);
std::uint64_t genome_count(const std::vector<std::size_t>& cardinalities);  // saturates at UINT64_MAX

// One candidate analytical vs SystemC (hardware objectives only, worst-case activity for both).
struct SystemCCheck {
  std::uint64_t index = 0;
  std::vector<std::string> columns;
  std::vector<double> analytical, systemc;  // empty systemc: the run failed (reason)
  std::string reason;
};

struct Table {
  std::string space_hash;
  nlohmann::json identity;  // what the hash is of (space_identity)
  std::vector<std::string> objective_columns;
  std::vector<std::size_t> cardinalities;
  // entries[index]: nullopt for a genome violating a space condition.
  std::vector<std::optional<Evaluation>> entries;
  std::vector<SystemCCheck> systemc;
  double build_seconds = 0;
  std::size_t evaluated = 0;  // genomes sent to the evaluator

  // The entry of a genome that satisfies the space's conditions; InputError when it has none.
  const Evaluation& lookup(const Genome& g) const;
};

// Evaluates every genome of c's space (refused above table.max_candidates) and the SystemC sample.
// Progress lines go to `progress` (nullptr = quiet).
Table build_table(const BenchmarkConfig& c, std::ostream* progress = &std::cerr);

nlohmann::json to_json(const Table& t);
// Reads a table and checks it was built for c's space (same hash); InputError naming the file, the
// two hashes and the command that rebuilds it otherwise.
Table load_table(const std::string& path, const BenchmarkConfig& c);
Table table_from_json(const nlohmann::json& j, const std::string& where);

// The figures of the SystemC sample: per column, mean and worst relative error of the analytical
// model against SystemC, and Kendall tau-b (common/rank_correlation.h) between the two rankings.
nlohmann::json systemc_agreement(const std::vector<SystemCCheck>& checks);

}  // namespace imc::nas::benchmark
