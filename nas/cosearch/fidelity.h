// The finalists: the best designs of the joint search re-evaluated with the cycle-level SystemC
// model, one forked process per (design, network) run since SystemC elaborates once per process,
// next to their analytical reports.
#pragma once

#include <string>
#include <vector>

#include "nas/cosearch/cosearch.h"
#include "nas/cosearch/evaluator.h"

namespace imc::nas::cosearch {

// Analytical reports for every design and network; with `systemc`, the SystemC reports too, `workers`
// runs at a time. A SystemC failure is recorded in FinalistNetwork::error, never thrown.
std::vector<Finalist> reevaluate_finalists(const Problem& problem, const SearchSpace& space,
                                           const std::vector<Design>& designs, WorkerOptions workers,
                                           bool systemc);

// <dir>/<rank>_<hash>/design.json (genes and figures) and <network>.analytical.json /
// <network>.systemc.json (sim::to_json reports).
void write_finalists(const std::vector<Finalist>& finalists, const SearchSpace& space,
                     const std::string& dir);

}  // namespace imc::nas::cosearch
