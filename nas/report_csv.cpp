// CSV and JSON reports of a search run.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/hash.h"
#include "common/run_dir.h"
#include "nas/report.h"

namespace imc::nas {

namespace fs = std::filesystem;

namespace {

void write_file(const std::string& path, const std::string& text) {
  common::write_file_atomically(path, text);
}

std::string num(double v) {
  return fmt::format("{}", v);
}

// Appends ",field" (not s += "," + field: GCC 12 warns falsely about that with -Wrestrict).
void cell(std::string& s, const std::string& field) {
  s += ',';
  s += field;
}

std::string header(const ReportInput& in) {
  std::string h = "id,generation,hash";
  for (const auto& g : in.space.genes()) cell(h, csv_field(g.name));
  for (const auto& o : in.objective_names) cell(h, csv_field(o));
  h += ",feasible,violation,reason,fidelity";
  return h;
}

std::string row(const ReportInput& in, const Candidate& c) {
  std::string r = fmt::format("{},{},{}", c.id, c.generation, common::hash_hex(c.hash));
  const auto& genes = in.space.genes();
  for (std::size_t i = 0; i < genes.size(); ++i) {
    const bool valid = i < c.genome.size() && c.genome[i] >= 0 &&
                       static_cast<std::size_t>(c.genome[i]) < genes[i].values.size();
    cell(r, valid ? csv_field(genes[i].values[static_cast<std::size_t>(c.genome[i])].to_string())
                  : std::string());
  }
  const auto& e = c.evaluation;
  for (std::size_t i = 0; i < in.objective_names.size(); ++i)
    cell(r, i < e.objectives.size() ? num(e.objectives[i]) : std::string());
  r += fmt::format(",{},{},{},{}", e.feasible() ? 1 : 0, num(e.violation), csv_field(e.reason),
                   csv_field(e.fidelity));
  return r;
}

}  // namespace

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

void write_candidates_csv(const ReportInput& in, const std::string& path) {
  std::string text = header(in) + "\n";
  for (const auto& c : in.candidates) text += row(in, c) + "\n";
  write_file(path, text);
}

void write_candidates_json(const ReportInput& in, const std::string& path) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& c : in.candidates) {
    const nlohmann::json genes = genes_json(in.space, c.genome);
    nlohmann::json objectives = nlohmann::json::object();
    for (std::size_t i = 0; i < in.objective_names.size() && i < c.evaluation.objectives.size(); ++i)
      objectives[in.objective_names[i]] = c.evaluation.objectives[i];
    nlohmann::json ev = to_json(c.evaluation);
    arr.push_back({{"id", c.id},
                   {"generation", c.generation},
                   {"hash", common::hash_hex(c.hash)},
                   {"key", c.key},
                   {"genes", genes},
                   {"objectives", objectives},
                   {"feasible", c.evaluation.feasible()},
                   {"violation", ev["violation"]},
                   {"reason", c.evaluation.reason},
                   {"fidelity", c.evaluation.fidelity},
                   {"extra", c.evaluation.extra}});
  }
  write_file(path, arr.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void write_pareto_csv(const ReportInput& in, const std::string& path) {
  std::set<std::size_t> finalists(in.finalists.begin(), in.finalists.end());
  std::string text = header(in) + ",finalist\n";
  for (auto id : in.front) text += row(in, in.candidates.at(id)) + (finalists.count(id) ? ",1\n" : ",0\n");
  write_file(path, text);
}

void write_hypervolume_csv(const ReportInput& in, const std::string& path) {
  std::string text = "generation,asked,evaluated,cache_hits,rejected,feasible,front_size,hypervolume";
  for (const auto& o : in.objective_names) cell(text, csv_field("best_" + o));
  text += "\n";
  for (const auto& h : in.history) {
    text += fmt::format("{},{},{},{},{},{},{},{}", h.generation, h.asked, h.evaluated, h.cache_hits,
                        h.rejected, h.feasible, h.front_size, num(h.hypervolume));
    for (std::size_t i = 0; i < in.objective_names.size(); ++i)
      cell(text, i < h.best.size() ? num(h.best[i]) : std::string());
    text += "\n";
  }
  write_file(path, text);
}

void write_front_svg(const ReportInput& in, const std::string& path) {
  write_file(path, front_svg(in));
}

void write_all_reports(const ReportInput& in, const std::string& dir) {
  fs::create_directories(dir);
  const fs::path d(dir);
  write_candidates_csv(in, (d / "evaluations.csv").string());
  write_candidates_json(in, (d / "evaluations.json").string());
  write_pareto_csv(in, (d / "pareto.csv").string());
  write_hypervolume_csv(in, (d / "hypervolume.csv").string());
  write_front_svg(in, (d / "front.svg").string());
}

}  // namespace imc::nas
