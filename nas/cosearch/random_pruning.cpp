#include "nas/cosearch/random_pruning.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>

namespace imc::nas::cosearch {

namespace {

// What the evaluated networks of one design bound its aggregate by.
struct Partial {
  double e_max = 0, l_max = 0, e_sum = 0, l_sum = 0, edap_sum = 0;
  double area_mm2 = 0;
  std::vector<std::string> networks;

  void add(const NetworkFigures& f) {
    const double e_j = f.metrics.energy_pj * 1e-12, l_s = f.metrics.latency_ns * 1e-9;
    e_max = std::max(e_max, e_j);
    l_max = std::max(l_max, l_s);
    e_sum += e_j;
    l_sum += l_s;
    edap_sum += f.edap();
    area_mm2 = f.metrics.area_mm2;
    networks.push_back(f.network);
  }
  // log10 of a lower bound on the aggregate over all n networks (the formulas of log10_aggregate with
  // the networks not yet evaluated left out of maxima and sums).
  double log10_bound(Aggregate how, double n) const {
    switch (how) {
      case Aggregate::kEla:
        return std::log10(e_max * l_max * area_mm2);
      case Aggregate::kElaMean:
        return std::log10((e_sum / n) * (l_sum / n) * area_mm2);
      case Aggregate::kEdapMean:
        return std::log10(edap_sum / n);
      default:
        return -std::numeric_limits<double>::infinity();  // no bound: never pruned
    }
  }
};

// Above the incumbent by more than rounding (the bound and the incumbent come from the same figures
// through formulas of a few operations: ~1e-15 relative), so a pruned design is strictly worse.
constexpr double kLog10Margin = 1e-12;

}  // namespace

std::vector<Evaluation> evaluate_pruned(Evaluator& full, const SearchSpace& space,
                                        const std::vector<Genome>& genomes, PruningStats* stats) {
  const Problem& p = full.problem();
  const Aggregate how = p.aggregate;
  if (p.multi || p.graphs.size() < 2 || how == Aggregate::kElaAll || how == Aggregate::kEdapProduct)
    return full.evaluate(space, genomes);
  if (stats) stats->designs += genomes.size();

  std::vector<Evaluation> out(genomes.size());
  // Designs that fail decode, area or capacity: the full evaluation's verdict, from the same check.
  struct Item {
    std::size_t index;
    std::int64_t array_cells, crossbars;
  };
  std::vector<Item> order;
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    arch::ArchSpec spec;
    if (auto bad = check_constraints(p, space, genomes[i], &spec)) {
      out[i] = std::move(*bad);
      continue;
    }
    order.push_back(
        {i, std::int64_t(spec.crossbar.rows) * spec.crossbar.cols, std::int64_t(spec.crossbars())});
  }
  std::stable_sort(order.begin(), order.end(), [](const Item& a, const Item& b) {
    return a.array_cells != b.array_cells ? a.array_cells > b.array_cells : a.crossbars > b.crossbars;
  });
  std::vector<std::size_t> nets(p.graphs.size());
  std::iota(nets.begin(), nets.end(), std::size_t(0));
  auto weights = [&](std::size_t n) {
    std::int64_t w = 0;
    for (int l = 0; l < p.graphs[n].size(); ++l) w += p.graphs[n].weights(l);
    return w;
  };
  std::stable_sort(nets.begin(), nets.end(),
                   [&](std::size_t a, std::size_t b) { return weights(a) < weights(b); });
  // One evaluator per network over the run's (design, network) cache: what it evaluates, the full
  // evaluation below recalls.
  std::vector<std::unique_ptr<Evaluator>> single;
  for (std::size_t n = 0; n < p.graphs.size(); ++n) {
    auto one = std::make_shared<Problem>(p);
    one->graphs = {p.graphs[n]};
    single.push_back(
        std::make_unique<Evaluator>(one, full.workers(), full.per_process(), full.network_cache()));
  }

  double incumbent = std::numeric_limits<double>::infinity();  // log10 of the best aggregate so far
  auto evaluate_fully = [&](const std::vector<std::size_t>& items) {
    if (items.empty()) return;
    std::vector<Genome> batch;
    for (std::size_t i : items) batch.push_back(genomes[i]);
    std::vector<Evaluation> evals = full.evaluate(space, batch);
    for (std::size_t k = 0; k < items.size(); ++k) {
      if (evals[k].feasible()) incumbent = std::min(incumbent, evals[k].objectives.at(0));
      out[items[k]] = std::move(evals[k]);
    }
  };

  const std::size_t workers = std::max<std::size_t>(1, full.workers().workers);
  const std::size_t first = std::min(order.size(), std::max<std::size_t>(8, 4 * workers));
  const std::size_t batch_size = std::max<std::size_t>(16, 8 * workers);
  {
    std::vector<std::size_t> items;
    for (std::size_t k = 0; k < first; ++k) items.push_back(order[k].index);
    evaluate_fully(items);
  }
  const double n_networks = double(p.graphs.size());
  for (std::size_t start = first; start < order.size(); start += batch_size) {
    std::vector<std::size_t> alive, refused;
    for (std::size_t k = start; k < std::min(order.size(), start + batch_size); ++k)
      alive.push_back(order[k].index);
    std::vector<Partial> partial(alive.size());
    std::vector<std::size_t> slot(alive.size());
    std::iota(slot.begin(), slot.end(), std::size_t(0));  // alive[k] -> partial[slot[k]]
    for (std::size_t ni = 0; ni < nets.size() && !alive.empty(); ++ni) {
      const std::size_t n = nets[ni];
      std::vector<Genome> batch;
      for (std::size_t i : alive) batch.push_back(genomes[i]);
      single[n]->evaluate(space, batch);
      std::vector<std::size_t> still, still_slot;
      for (std::size_t k = 0; k < alive.size(); ++k) {
        const std::size_t i = alive[k];
        const NetworkOutcome* o = full.network_cache()->find(space.key(genomes[i]), p.graphs[n].name());
        if (!o || !o->figures) {  // refused: the full evaluation names the first refused network
          refused.push_back(i);
          continue;
        }
        Partial& part = partial[slot[k]];
        part.add(*o->figures);
        const double bound = part.log10_bound(how, n_networks);
        if (ni + 1 < nets.size() && bound > incumbent + kLog10Margin) {
          Evaluation e;
          e.objectives = {bound};
          e.fidelity = "lower_bound";
          e.extra = {
              {"pruned", true},
              {"bound", "log10 of a lower bound on " + to_string(how) + " from the networks evaluated"},
              {"networks_evaluated", part.networks}};
          out[i] = std::move(e);
          if (stats) {
            ++stats->pruned;
            stats->pairs_skipped += nets.size() - ni - 1;
          }
          continue;
        }
        still.push_back(i);
        still_slot.push_back(slot[k]);
      }
      alive = std::move(still);
      slot = std::move(still_slot);
    }
    alive.insert(alive.end(), refused.begin(), refused.end());
    std::sort(alive.begin(), alive.end());
    evaluate_fully(alive);  // every network in the cache but the refused designs' others
  }
  return out;
}

}  // namespace imc::nas::cosearch
