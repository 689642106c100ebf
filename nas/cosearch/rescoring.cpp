#include "nas/cosearch/rescoring.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "common/rank_correlation.h"

namespace imc::nas::cosearch {

std::vector<Aggregate> rescored_aggregates(Aggregate run_aggregate) {
  std::vector<Aggregate> out = study_aggregates();
  if (std::find(out.begin(), out.end(), run_aggregate) == out.end()) out.push_back(run_aggregate);
  return out;
}

std::vector<Design> pooled_top_k(const std::vector<Design>& candidates, const std::vector<Aggregate>& hows,
                                 std::size_t k) {
  std::vector<Design> out;
  std::set<std::size_t> seen;
  for (const Aggregate how : hows) {
    std::vector<const Design*> order;
    for (const auto& d : candidates)
      if (!d.figures.empty()) order.push_back(&d);
    std::stable_sort(order.begin(), order.end(), [&](const Design* x, const Design* y) {
      return log10_aggregate(x->figures, how) < log10_aggregate(y->figures, how);
    });
    for (std::size_t i = 0; i < std::min(k, order.size()); ++i)
      if (seen.insert(order[i]->id).second) out.push_back(*order[i]);
  }
  return out;
}

std::vector<Rescoring> rescore(const std::vector<Finalist>& finalists, const std::vector<Aggregate>& hows,
                               std::size_t k) {
  std::vector<Rescoring> out;
  for (const Aggregate how : hows) {
    Rescoring r;
    r.aggregate = how;
    std::vector<std::pair<double, std::size_t>> order;  // analytical log10 aggregate, finalist index
    for (std::size_t i = 0; i < finalists.size(); ++i) {
      std::vector<NetworkFigures> ana;
      for (const auto& n : finalists[i].networks) ana.push_back(figures_of(n.network, n.analytical));
      order.push_back({log10_aggregate(ana, how), i});
    }
    std::stable_sort(order.begin(), order.end());
    order.resize(std::min(k, order.size()));
    bool complete = true;
    for (const auto& [value, i] : order) {
      std::vector<NetworkFigures> sc;
      for (const auto& n : finalists[i].networks) {
        if (!n.systemc) {
          complete = false;
          break;
        }
        sc.push_back(figures_of(n.network, *n.systemc));
      }
      r.design_ids.push_back(finalists[i].design.id);
      r.analytical.push_back(std::pow(10.0, value));
      r.systemc.push_back(complete ? aggregate_edap(sc, how) : 0.0);
    }
    r.complete = complete && !order.empty();
    if (r.complete) {
      r.kendall_tau = common::kendall_tau_b(r.analytical, r.systemc);
      const auto best_sc = std::min_element(r.systemc.begin(), r.systemc.end()) - r.systemc.begin();
      r.best_changes = best_sc != 0;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace imc::nas::cosearch
