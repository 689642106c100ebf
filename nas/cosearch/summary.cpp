#include "nas/cosearch/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/run_dir.h"
#include "nas/cosearch/plots.h"

namespace imc::nas::cosearch {

namespace {

using nlohmann::json;

json networks_json(const std::vector<NetworkFigures>& figs) {
  json j = json::object();
  for (const auto& f : figs)
    j[f.network] = {{"energy_pj", f.metrics.energy_pj},
                    {"latency_ns", f.metrics.latency_ns},
                    {"latency_cycles", f.metrics.latency_cycles},
                    {"area_mm2", f.metrics.area_mm2},
                    {"edap", f.edap()},
                    {"reload_groups", f.reload_groups}};
  return j;
}

json design_json(const Design& d) {
  return {{"id", d.id},
          {"genes", d.genes},
          {"objectives", d.evaluation.objectives},
          {"area_mm2", d.figures.empty() ? 0.0 : d.figures.front().metrics.area_mm2},
          {"aggregate_edap", d.aggregate_edap},
          {"networks", networks_json(d.figures)}};
}

json figures_json_one(const NetworkFigures& f) {
  return {{"energy_pj", f.metrics.energy_pj},
          {"latency_ns", f.metrics.latency_ns},
          {"latency_cycles", f.metrics.latency_cycles},
          {"edap", f.edap()}};
}

const BaselineResult* find(const Result& r, const std::string& name) {
  for (const auto& b : r.baselines)
    if (b.name == name && b.feasible) return &b;
  return nullptr;
}

}  // namespace

json summary_json(const Config& config, const Result& r) {
  json j;
  j["config"] = config.path;
  j["seed"] = config.optimizer.seed;
  j["optimizer"] = config.optimizer.name;
  j["population"] = config.optimizer.population;
  j["objective"] = to_string(config.settings.objective);
  j["aggregate"] = to_string(r.aggregate);
  j["networks"] = r.networks;
  j["objective_names"] = r.objective_names;
  j["generations"] = r.generations;
  j["proposals"] = r.proposals;
  j["designs_evaluated"] = r.designs_evaluated;
  j["designs_evaluated_total"] = r.designs_evaluated_total;
  j["cache_hits"] = r.cache_hits;
  j["rejected"] = r.rejected;
  j["feasible"] = r.feasible;
  j["found"] = r.found;
  j["best"] = r.found ? design_json(r.best) : json(nullptr);
  json baselines = json::object(), per_net = json::object();
  for (const auto& b : r.baselines) {
    json bj = {{"detail", b.detail},
               {"feasible", b.feasible},
               {"reason", b.reason},
               {"proposals", b.proposals},
               {"designs_evaluated", b.designs_evaluated}};
    if (b.feasible) bj["design"] = design_json(b.best);
    bj["best_per_generation"] = b.best_per_generation;
    if (b.name == "random") bj["pruned"] = b.pruned;  // bounded above its best (random_pruning.h)
    baselines[b.name] = bj;
  }
  j["baselines"] = baselines;
  for (const char* name : {"single", "stagewise", "random"}) {
    const BaselineResult* b = find(r, name);
    const std::string key = fmt::format("reduction_vs_{}_pct", name);
    if (!b || !r.found) {
      j[key] = nullptr;
      continue;
    }
    j[key] = reduction_pct(r.best.aggregate_edap, b->best.aggregate_edap);
    json n = json::object();
    for (std::size_t i = 0; i < r.networks.size(); ++i)
      n[r.networks[i]] = reduction_pct(r.best.figures[i].edap(), b->best.figures[i].edap());
    per_net[name] = n;
  }
  j["reduction_per_network_pct"] = per_net;
  json front = json::array();
  for (const auto& d : r.front) front.push_back(design_json(d));
  j["pareto_front"] = front;
  json fins = json::array();
  for (const auto& f : r.finalists) {
    json nets = json::object();
    std::vector<NetworkFigures> ana, sc;
    for (const auto& n : f.networks) {
      const NetworkFigures a = figures_of(n.network, n.analytical);
      ana.push_back(a);
      json e = {{"analytical", figures_json_one(a)}, {"systemc", nullptr}};
      if (n.systemc) {
        const NetworkFigures s = figures_of(n.network, *n.systemc);
        sc.push_back(s);
        e["systemc"] = figures_json_one(s);
        e["latency_gap_pct"] = 100.0 * (s.metrics.latency_ns / a.metrics.latency_ns - 1.0);
        e["energy_gap_pct"] = 100.0 * (s.metrics.energy_pj / a.metrics.energy_pj - 1.0);
        e["edap_gap_pct"] = 100.0 * (s.edap() / a.edap() - 1.0);
      } else {
        e["systemc_error"] = n.error;
      }
      nets[n.network] = e;
    }
    const Aggregate how = r.aggregate;
    json fj = {{"rank", f.rank}, {"id", f.design.id}, {"genes", f.design.genes}, {"networks", nets}};
    fj["aggregate_edap"] = {
        {"analytical", aggregate_edap(ana, how)},
        {"systemc", sc.size() == ana.size() && !sc.empty() ? json(aggregate_edap(sc, how)) : json(nullptr)}};
    fins.push_back(fj);
  }
  j["finalists"] = fins;
  json rescoring = json::array();
  for (const auto& rs : r.rescoring)
    rescoring.push_back({{"objective", to_string(rs.aggregate)},
                         {"design_ids", rs.design_ids},
                         {"analytical", rs.analytical},
                         {"systemc", rs.systemc},
                         {"complete", rs.complete},
                         {"kendall_tau", rs.kendall_tau ? json(*rs.kendall_tau) : json(nullptr)},
                         {"best_changes", rs.best_changes}});
  j["rescoring"] = rescoring;
  auto nan_null = [](double v) { return std::isnan(v) ? json(nullptr) : json(v); };
  json rows = json::object();
  for (const auto& row : per_network_rows(r))
    rows[row.network] = {{"own_best_edap", nan_null(row.own_edap)},
                         {"joint_edap", nan_null(row.joint_edap)},
                         {"single_edap", nan_null(row.single_edap)},
                         {"generalization_loss_pct", nan_null(row.loss_pct)},
                         {"reduction_vs_single_pct", nan_null(row.reduction_vs_single_pct)}};
  j["per_network"] = rows;
  json specific = json::object();
  for (const auto& b : r.specific) {
    json bj = {{"feasible_on_every_network", b.feasible},
               {"reason", b.reason},
               {"own", b.own_figures.empty() ? json(nullptr) : networks_json(b.own_figures)},
               {"proposals", b.proposals},
               {"designs_evaluated", b.designs_evaluated},
               {"best_per_generation", b.best_per_generation}};
    if (b.feasible) bj["design"] = design_json(b.best);
    specific[b.detail] = bj;
  }
  j["specific"] = specific;
  j["best_per_generation"] = r.best_per_generation;
  j["seconds"] = {
      {"search", r.search_s}, {"baselines", r.baselines_s}, {"systemc", r.systemc_s}, {"total", r.total_s}};
  for (const auto& b : r.baselines) j["seconds"]["baseline_" + b.name] = b.seconds;
  return j;
}

std::string reductions_table(const Result& r) {
  if (!r.found) return "no feasible joint design: nothing to compare\n";
  std::string s = fmt::format(
      "EDAP (J*s*mm2) of the joint design and of each baseline's best design; reduction = "
      "(baseline - joint) / baseline\n");
  s += fmt::format("{:<20} {:>11}", "network", "joint");
  for (const auto& b : r.baselines) s += fmt::format(" {:>11} {:>8}", b.name, "red.");
  s += "\n";
  auto row = [&](const std::string& label, double joint, auto&& value_of) {
    s += fmt::format("{:<20} {:>11.4g}", label, joint);
    for (const auto& b : r.baselines) {
      if (!b.feasible) {
        s += fmt::format(" {:>11} {:>8}", "infeasible", "-");
        continue;
      }
      const double v = value_of(b);
      s += fmt::format(" {:>11.4g} {:>7.1f}%", v, reduction_pct(joint, v));
    }
    s += "\n";
  };
  for (std::size_t i = 0; i < r.networks.size(); ++i)
    row(r.networks[i], r.best.figures[i].edap(),
        [&](const BaselineResult& b) { return b.best.figures[i].edap(); });
  row("aggregate " + to_string(r.aggregate), r.best.aggregate_edap,
      [](const BaselineResult& b) { return b.best.aggregate_edap; });
  for (const auto& b : r.baselines)
    s += fmt::format("  {}: {}{}; {} proposals, {} evaluated, {:.1f} s\n", b.name, b.detail,
                     b.feasible ? "" : " — " + b.reason, b.proposals, b.designs_evaluated, b.seconds);
  return s;
}

std::string finalists_table(const Result& r) {
  if (r.finalists.empty()) return "";
  std::string s = fmt::format("{:<4} {:<20} {:>14} {:>14} {:>8} {:>12} {:>12} {:>11} {:>11}\n", "rank",
                              "network", "cycles (ana)", "cycles (sc)", "gap", "energy_pj", "energy (sc)",
                              "EDAP (ana)", "EDAP (sc)");
  for (const auto& f : r.finalists)
    for (const auto& n : f.networks) {
      const NetworkFigures a = figures_of(n.network, n.analytical);
      if (!n.systemc) {
        s += fmt::format("{:<4} {:<20} {:>14} {:>14} {:>8} {:>12.4g} {:>12} {:>11.4g} {:>11}\n", f.rank,
                         n.network, a.metrics.latency_cycles, "-", "-", a.metrics.energy_pj, "-", a.edap(),
                         n.error.empty() ? "-" : "failed");
        continue;
      }
      const NetworkFigures c = figures_of(n.network, *n.systemc);
      s += fmt::format("{:<4} {:<20} {:>14} {:>14} {:>7.1f}% {:>12.4g} {:>12.4g} {:>11.4g} {:>11.4g}\n",
                       f.rank, n.network, a.metrics.latency_cycles, c.metrics.latency_cycles,
                       100.0 * (double(c.metrics.latency_cycles) / double(a.metrics.latency_cycles) - 1.0),
                       a.metrics.energy_pj, c.metrics.energy_pj, a.edap(), c.edap());
    }
  return s;
}

std::vector<NetworkRow> per_network_rows(const Result& r) {
  std::vector<NetworkRow> rows;
  const BaselineResult* single = find(r, "single");
  for (std::size_t i = 0; i < r.networks.size(); ++i) {
    NetworkRow row;
    row.network = r.networks[i];
    if (r.found) row.joint_edap = r.best.figures[i].edap();
    if (i < r.specific.size() && !r.specific[i].own_figures.empty())
      row.own_edap = r.specific[i].own_figures.front().edap();
    if (single) row.single_edap = single->best.figures[i].edap();
    if (!std::isnan(row.own_edap) && !std::isnan(row.joint_edap))
      row.loss_pct = reduction_pct(row.own_edap, row.joint_edap);
    if (!std::isnan(row.single_edap) && !std::isnan(row.joint_edap))
      row.reduction_vs_single_pct = reduction_pct(row.joint_edap, row.single_edap);
    rows.push_back(row);
  }
  return rows;
}

namespace {

std::string num(double v, const char* f = "{:.4g}") {
  return std::isnan(v) ? "-" : fmt::format(fmt::runtime(f), v);
}

}  // namespace

std::string per_network_table(const Result& r) {
  std::string s = fmt::format(
      "per network, EDAP (J*s*mm2): own = its workload-specific search's best; loss = (joint - own) / joint; "
      "reduction = (single - joint) / single\n{:<20} {:>11} {:>11} {:>11} {:>9} {:>10}\n",
      "network", "own best", "joint", "single", "loss", "reduction");
  for (const auto& row : per_network_rows(r))
    s += fmt::format("{:<20} {:>11} {:>11} {:>11} {:>9} {:>10}\n", row.network, num(row.own_edap),
                     num(row.joint_edap), num(row.single_edap), num(row.loss_pct, "{:.1f}%"),
                     num(row.reduction_vs_single_pct, "{:.1f}%"));
  return s;
}

std::string per_network_csv(const Result& r) {
  std::string s =
      "network,own_best_edap,joint_edap,single_edap,generalization_loss_pct,reduction_vs_single_pct\n";
  auto v = [](double x) { return std::isnan(x) ? std::string() : fmt::format("{:.6g}", x); };
  for (const auto& row : per_network_rows(r))
    s += fmt::format("{},{},{},{},{},{}\n", row.network, v(row.own_edap), v(row.joint_edap),
                     v(row.single_edap), v(row.loss_pct), v(row.reduction_vs_single_pct));
  return s;
}

std::string rescoring_table(const Result& r) {
  if (r.rescoring.empty()) return "";
  std::string s =
      fmt::format("SystemC re-scoring of the top {} per objective (candidate id: analytical -> SystemC)\n",
                  r.rescoring.front().design_ids.size());
  for (const auto& rs : r.rescoring) {
    s += fmt::format("  {:<13} tau {:>5}  best {:<9}", to_string(rs.aggregate),
                     rs.kendall_tau ? fmt::format("{:.2f}", *rs.kendall_tau) : std::string("-"),
                     !rs.complete      ? "n/a"
                     : rs.best_changes ? "changes"
                                       : "unchanged");
    for (std::size_t i = 0; i < rs.design_ids.size(); ++i)
      s += fmt::format(" {}: {:.3g} -> {:.3g};", rs.design_ids[i], rs.analytical[i], rs.systemc[i]);
    s += "\n";
  }
  return s;
}

void write_run_tables(const Result& r, const std::string& dir) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  common::write_file_atomically((fs::path(dir) / "per_network.csv").string(), per_network_csv(r));
  common::write_file_atomically((fs::path(dir) / "generalization.svg").string(), generalization_svg(r));
  common::write_file_atomically((fs::path(dir) / "convergence.svg").string(), convergence_svg(r));
}

Spread spread(const std::vector<double>& values) {
  Spread sp;
  double sum = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    ++sp.n;
    sum += v;
    sp.min = std::isnan(sp.min) ? v : std::min(sp.min, v);
    sp.max = std::isnan(sp.max) ? v : std::max(sp.max, v);
  }
  if (sp.n == 0) return sp;
  sp.mean = sum / double(sp.n);
  double ss = 0;
  for (double v : values)
    if (!std::isnan(v)) ss += (v - sp.mean) * (v - sp.mean);
  sp.std = sp.n > 1 ? std::sqrt(ss / double(sp.n - 1)) : 0.0;
  return sp;
}

namespace {

json spread_json(const Spread& s) {
  auto v = [](double x) { return std::isnan(x) ? json(nullptr) : json(x); };
  return {{"n", s.n}, {"mean", v(s.mean)}, {"std", v(s.std)}, {"min", v(s.min)}, {"max", v(s.max)}};
}

std::string spread_text(const Spread& s) {
  if (s.n == 0) return "-";
  return fmt::format("{:.1f} ± {:.1f} ({:.1f}..{:.1f})", s.mean, s.std, s.min, s.max);
}

double aggregate_reduction(const Result& r, const char* baseline) {
  const BaselineResult* b = find(r, baseline);
  return b && r.found ? reduction_pct(r.best.aggregate_edap, b->best.aggregate_edap) : NAN;
}

// The figures spread over seeds: (label, per-seed values).
std::vector<std::pair<std::string, std::vector<double>>> seed_series(const std::vector<Result>& runs) {
  std::vector<std::pair<std::string, std::vector<double>>> out;
  if (runs.empty()) return out;
  const auto& nets = runs.front().networks;
  for (std::size_t i = 0; i < nets.size(); ++i) {
    std::vector<double> loss, red;
    for (const auto& r : runs) {
      const auto rows = per_network_rows(r);
      loss.push_back(rows[i].loss_pct);
      red.push_back(rows[i].reduction_vs_single_pct);
    }
    out.push_back({nets[i] + ".generalization_loss_pct", loss});
    out.push_back({nets[i] + ".reduction_vs_single_pct", red});
  }
  for (const char* b : {"single", "stagewise", "random"}) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(aggregate_reduction(r, b));
    out.push_back({fmt::format("aggregate.reduction_vs_{}_pct", b), v});
  }
  for (std::size_t k = 0; k < runs.front().rescoring.size(); ++k) {
    std::vector<double> v;
    for (const auto& r : runs)
      v.push_back(k < r.rescoring.size() && r.rescoring[k].kendall_tau ? *r.rescoring[k].kendall_tau : NAN);
    out.push_back({"kendall_tau." + to_string(runs.front().rescoring[k].aggregate), v});
  }
  return out;
}

}  // namespace

json runs_json(const Config& config, const std::vector<Result>& runs) {
  if (runs.size() == 1) return summary_json(config, runs.front());
  json j = seeds_json(config, runs);
  json each = json::array();
  for (std::size_t i = 0; i < runs.size(); ++i) {
    Config ci = config;
    ci.optimizer.seed = config.optimizer.seed + std::int64_t(i);
    each.push_back(summary_json(ci, runs[i]));
  }
  j["runs"] = each;
  return j;
}

json seeds_json(const Config& config, const std::vector<Result>& runs) {
  json j;
  j["config"] = config.path;
  j["objective"] = to_string(config.settings.objective);
  std::vector<std::int64_t> seeds;
  for (std::size_t i = 0; i < runs.size(); ++i) seeds.push_back(config.optimizer.seed + std::int64_t(i));
  j["seeds"] = seeds;
  json figures = json::object();
  for (const auto& [label, values] : seed_series(runs)) {
    json per_seed = json::array();
    for (double v : values) per_seed.push_back(std::isnan(v) ? json(nullptr) : json(v));
    figures[label] = {{"per_seed", per_seed}, {"spread", spread_json(spread(values))}};
  }
  j["figures"] = figures;
  return j;
}

std::string seeds_csv(const std::vector<Result>& runs) {
  std::string s = "figure,n,mean,std,min,max\n";
  auto v = [](double x) { return std::isnan(x) ? std::string() : fmt::format("{:.6g}", x); };
  for (const auto& [label, values] : seed_series(runs)) {
    const Spread sp = spread(values);
    s += fmt::format("{},{},{},{},{},{}\n", label, sp.n, v(sp.mean), v(sp.std), v(sp.min), v(sp.max));
  }
  return s;
}

std::string seeds_table(const std::vector<Result>& runs) {
  if (runs.empty()) return "";
  std::string s = fmt::format("over {} seeds, mean ± std (min..max), %:\n{:<20} {:>28} {:>28}\n", runs.size(),
                              "network", "generalization loss", "reduction vs single");
  const auto series = seed_series(runs);
  const std::size_t nets = runs.front().networks.size();
  for (std::size_t i = 0; i < nets; ++i)
    s +=
        fmt::format("{:<20} {:>28} {:>28}\n", runs.front().networks[i],
                    spread_text(spread(series[2 * i].second)), spread_text(spread(series[2 * i + 1].second)));
  for (std::size_t k = 2 * nets; k < series.size(); ++k)
    s += fmt::format("{:<40} {}\n", series[k].first,
                     series[k].first.rfind("kendall", 0) == 0
                         ? [&] {
                             const Spread sp = spread(series[k].second);
                             return sp.n ? fmt::format("{:.2f} ± {:.2f} ({:.2f}..{:.2f})", sp.mean, sp.std,
                                                       sp.min, sp.max)
                                         : std::string("-");
                           }()
                         : spread_text(spread(series[k].second)));
  return s;
}

}  // namespace imc::nas::cosearch
