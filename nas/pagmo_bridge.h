// Internal to nas/: what lets pagmo algorithms run under our ask/tell interface
// (see nas/optimizer_pagmo.cpp for how it is used).
//
// pagmo's algorithms own their loop: evolve(population) calls the problem's fitness (nsga2: a
// batch fitness evaluator) itself. Here the problem's fitness is answered by an Oracle that knows
// only the evaluations told so far in the current generation. Two ways of running evolve() on it:
//   * Replay (nsga2, sga): evolve a copy of the committed (algorithm, population) pair — the
//     algorithm carries its RNG, so the copy proposes exactly what the committed pair would.
//     Unknown genomes get a placeholder fitness and are collected; if there were any, the copy is
//     discarded and they become the next ask(); once all are told, the replay completes and is
//     committed. Valid because these algorithms create a whole generation before using any
//     fitness of it, so the collected genomes are the ones the real pass will ask for.
//   * Suspend (moead, sa): these use each fitness before choosing the next candidate, so evolve()
//     runs on a helper thread that sleeps at each unknown genome until it is told. Only one of the
//     two threads runs at any time, so the run stays deterministic.
#pragma once

#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <pagmo/algorithm.hpp>
#include <pagmo/bfe.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>
#include <pagmo/types.hpp>
#include <set>
#include <thread>
#include <vector>

#include "nas/genome.h"

namespace imc::nas::pagmo_detail {

using pagmo::vector_double;

// Fitness given to infeasible candidates: kPenalty * (1 + min(violation, kMaxViolation)) in every
// objective, above any admissible feasible objective (nas/optimizer.h: kMaxObjectiveMagnitude).
constexpr double kPenalty = 1e18;
constexpr double kMaxViolation = 1e6;

class Rendezvous;

// Answers fitness queries of the evolve() running on the current thread.
struct Oracle {
  std::vector<std::size_t> cards;  // values per gene (whole genome)
  std::vector<std::size_t> free;   // genome positions in pagmo's decision vector
  std::size_t pagmo_objectives = 2;
  Rendezvous* suspend = nullptr;         // suspend mode: sleep until the unknown genome is told;
                                         // replay mode (null): placeholder fitness, genome collected
  std::map<Genome, vector_double> told;  // pagmo fitness of the genomes told this generation
  std::vector<Genome> misses;            // unknown genomes met by the last replay, in order
  std::set<Genome> miss_set;

  Genome genome_of(const vector_double& x) const;  // x_k in [-0.5, n-0.5] -> round(x_k)
  vector_double x_of(const Genome& g) const;
  vector_double fitness(const vector_double& x);
};

// Makes `oracle` the one answering pagmo fitness calls on this thread for the scope's lifetime.
// A thread-local handle rather than a member of the problem: pagmo copies and serializes problems
// and evaluators freely, and they must stay plain values that never dangle.
class OracleScope {
 public:
  explicit OracleScope(Oracle* o);
  ~OracleScope();
  OracleScope(const OracleScope&) = delete;
  OracleScope& operator=(const OracleScope&) = delete;

 private:
  Oracle* prev_;
};

// The relaxed genome box as a pagmo user-defined problem.
struct GenomeProblem {
  std::vector<double> upper;  // per searched gene: n - 0.5 (lower bound -0.5)
  unsigned nobj = 2;

  vector_double fitness(const vector_double& x) const;
  std::pair<vector_double, vector_double> get_bounds() const;
  vector_double::size_type get_nobj() const { return nobj; }
  std::string get_name() const { return "imcsim relaxed genome"; }
  template <typename Archive>
  void serialize(Archive& ar, unsigned) {
    ar& upper;
    ar& nobj;
  }
};

// nsga2's batch fitness evaluator: hands the whole generation to the oracle.
struct OracleBfe {
  vector_double operator()(const pagmo::problem& p, const vector_double& dvs) const;
  std::string get_name() const { return "imcsim ask/tell oracle"; }
  template <typename Archive>
  void serialize(Archive&, unsigned) {}
};

// One evolve() call on a helper thread that sleeps whenever it needs an unknown genome.
class Rendezvous {
 public:
  // Starts evolving and returns once the helper needs a genome or has finished.
  Rendezvous(pagmo::algorithm algo, pagmo::population pop, Oracle* oracle);
  ~Rendezvous();  // stops a sleeping helper (its evolve() is abandoned) and joins it
  Rendezvous(const Rendezvous&) = delete;
  Rendezvous& operator=(const Rendezvous&) = delete;

  bool finished() const { return finished_; }
  const Genome& wanted() const { return *wanted_; }
  // Wakes the helper after wanted() was told; returns at its next request or when it finishes.
  // Rethrows what evolve() threw.
  void resume();
  pagmo::algorithm& algorithm() { return algo_; }
  pagmo::population& result() { return pop_; }

  // Helper side, called by Oracle::fitness.
  void wait_for(const Genome& g);

 private:
  void hand_over();  // main side: let the helper run until it yields back
  pagmo::algorithm algo_;
  pagmo::population pop_;
  Oracle* oracle_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool helper_turn_ = false;
  bool abort_ = false;
  bool finished_ = false;
  std::optional<Genome> wanted_;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace imc::nas::pagmo_detail
