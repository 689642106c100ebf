// Run-directory reports of a search: every evaluated candidate (CSV and JSON), the Pareto front,
// the hypervolume per generation and an SVG of the front (2-D projections of each objective pair).
#pragma once

#include <string>
#include <vector>

#include "nas/records.h"
#include "nas/space.h"

namespace imc::nas {

struct ReportInput {
  const SearchSpace& space;
  const std::vector<std::string>& objective_names;
  const std::vector<Candidate>& candidates;
  std::vector<std::size_t> front;  // candidate ids, in report order
  const std::vector<GenerationStats>& history;
  const std::vector<double>& reference_point;
  std::vector<std::size_t> finalists;  // candidate ids marked in pareto.csv and front.svg
};

// evaluations.csv / evaluations.json: one row per candidate with its genes, objectives,
// feasibility, violation, reason, fidelity (and, in JSON, the evaluator's extra metrics).
void write_candidates_csv(const ReportInput& in, const std::string& path);
void write_candidates_json(const ReportInput& in, const std::string& path);
// pareto.csv: the feasible non-dominated candidates, same columns plus "finalist".
void write_pareto_csv(const ReportInput& in, const std::string& path);
// hypervolume.csv: one row per generation (cumulative counters, front size, hypervolume, best values).
void write_hypervolume_csv(const ReportInput& in, const std::string& path);
// front.svg: one panel per pair of objectives; feasible candidates in grey, the front in blue,
// finalists ringed in red.
void write_front_svg(const ReportInput& in, const std::string& path);
std::string front_svg(const ReportInput& in);

// All of the above into `dir` (evaluations.csv, evaluations.json, pareto.csv, hypervolume.csv, front.svg).
void write_all_reports(const ReportInput& in, const std::string& dir);

// RFC 4180 quoting of one CSV field.
std::string csv_field(const std::string& s);

}  // namespace imc::nas
