#include "nas/cosearch/summary.h"

#include <fmt/format.h>

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
  row("aggregate (" + to_string(r.aggregate) + ")", r.best.aggregate_edap,
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

}  // namespace imc::nas::cosearch
