#include "nas/cosearch/reference.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "common/config.h"
#include "nas/cosearch/aggregate.h"
#include "nas/cosearch/config.h"
#include "nas/cosearch/evaluator.h"
#include "workloads/load.h"

namespace imc::nas::cosearch {

namespace {

double positive(const common::ConfigNode& n) {
  const double v = n.as_real();
  if (!(v > 0)) n.fail(fmt::format("must be > 0, got {}", v));
  return v;
}

}  // namespace

std::vector<StudyDesign> load_study_reference(const std::string& path) {
  const common::ConfigNode root = common::ConfigNode::parse_file(path);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const common::ConfigNode designs = root.require("design");
  if (!designs.is_array() || designs.size() == 0)
    designs.fail("must be a non-empty array of tables [[design]]");
  std::vector<StudyDesign> out;
  for (std::size_t i = 0; i < designs.size(); ++i) {
    const common::ConfigNode d = designs.at(i);
    StudyDesign s;
    s.name = d.require("name").as_string();
    s.config = resolve_path(d.require("config").as_string(), dir);
    s.key = d.require("key").as_string();
    s.source = d.require("source").as_string();
    s.area_mm2 = 100.0 * positive(d.require("area_cm2"));  // the study's cm2
    const common::ConfigNode nets = d.require("networks");
    if (!nets.is_array() || nets.size() == 0)
      nets.fail("must be a non-empty array of { name, energy_j, latency_s }");
    for (std::size_t k = 0; k < nets.size(); ++k) {
      const common::ConfigNode n = nets.at(k);
      s.networks.push_back(
          {n.require("name").as_string(), positive(n.require("energy_j")), positive(n.require("latency_s"))});
    }
    out.push_back(std::move(s));
  }
  return out;
}

void evaluate_reference(StudyDesign& design) {
  const Config c = load_config(design.config);
  if (c.space.free_genes() != 0)
    throw common::InputError(fmt::format("{}: a reference design fixes every gene; {} have several values",
                                         design.config, c.space.free_genes()));
  std::vector<workloads::Graph> graphs = workloads::load_workloads(c.settings.workloads);
  const Problem p = make_problem(c, std::move(graphs), false, Aggregate::kEla);
  const Evaluation e = evaluate_design(p, c.space, Genome(c.space.size(), 0));
  const auto figures = figures_from(e, p.networks());
  if (!figures)
    throw common::InputError(fmt::format("{}: the study's design '{}' is infeasible on our chip: {}",
                                         design.config, design.key, e.reason));
  for (StudyNetwork& n : design.networks) {
    auto it = std::find_if(figures->begin(), figures->end(),
                           [&](const NetworkFigures& f) { return f.network == n.name; });
    if (it == figures->end())
      throw common::InputError(
          fmt::format("{}: network '{}' of the study's design '{}' is not in the config's workloads ({})",
                      design.config, n.name, design.name, fmt::join(p.networks(), ", ")));
    n.ours_energy_j = it->metrics.energy_pj * 1e-12;
    n.ours_latency_s = it->metrics.latency_ns * 1e-9;
    design.ours_area_mm2 = it->metrics.area_mm2;
  }
}

std::string reference_table(const StudyDesign& d, const std::string& relative_to) {
  auto base = std::find_if(d.networks.begin(), d.networks.end(),
                           [&](const StudyNetwork& n) { return n.name == relative_to; });
  if (base == d.networks.end()) base = d.networks.begin();
  const double se = base->energy_j, sl = base->latency_s, oe = base->ours_energy_j, ol = base->ours_latency_s;
  std::string out = fmt::format(
      "{}: the study's design {} (study area {:.1f} mm2, ours {:.1f} mm2; latency and EDAP relative to "
      "{})\n\n",
      d.name, d.key, d.area_mm2, d.ours_area_mm2, base->name);
  out +=
      "| network | E study (mJ) | E ours (mJ) | E ours / study | L study (rel) | L ours (rel) | L ours (ms) "
      "| "
      "EDAP study (rel) | EDAP ours (rel) |\n|---|---|---|---|---|---|---|---|---|\n";
  for (const StudyNetwork& n : d.networks)
    out += fmt::format("| {} | {:.4g} | {:.4g} | {:.2f} | {:.3g} | {:.3g} | {:.4g} | {:.3g} | {:.3g} |\n",
                       n.name, 1e3 * n.energy_j, 1e3 * n.ours_energy_j, n.ours_energy_j / n.energy_j,
                       n.latency_s / sl, n.ours_latency_s / ol, 1e3 * n.ours_latency_s,
                       n.energy_j * n.latency_s / (se * sl), n.ours_energy_j * n.ours_latency_s / (oe * ol));
  return out;
}

}  // namespace imc::nas::cosearch
