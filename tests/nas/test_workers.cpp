// Batch evaluation in forked worker processes.
#include <doctest/doctest.h>
#include <unistd.h>

#include <csignal>
#include <set>
#include <stdexcept>

#include "common/config.h"
#include "nas/workers.h"

using namespace imc::nas;

namespace {

Evaluation square(const Genome& g) {
  Evaluation e;
  e.objectives = {double(g[0] * g[0]), double(-g[0])};
  e.fidelity = "worker";
  e.extra = {{"pid", static_cast<long>(::getpid())}};
  return e;
}

std::vector<Genome> genomes(int n) {
  std::vector<Genome> out;
  for (int i = 0; i < n; ++i) out.push_back({i});
  return out;
}

}  // namespace

TEST_CASE("workers: results in order, one process per candidate") {
  auto gs = genomes(7);
  auto res = evaluate_in_workers(gs, square, {2, 1, false});
  REQUIRE(res.size() == 7);
  std::set<long> pids;
  for (int i = 0; i < 7; ++i) {
    CHECK(res[i].objectives == std::vector<double>{double(i * i), double(-i)});
    CHECK(res[i].fidelity == "worker");
    long pid = res[i].extra.at("pid").get<long>();
    CHECK(pid != ::getpid());
    pids.insert(pid);
  }
  CHECK(pids.size() == 7);  // a fresh process per candidate (SystemC elaborates once per process)

  // Several candidates per process.
  res = evaluate_in_workers(gs, square, {2, 3, false});
  pids.clear();
  for (const auto& e : res) pids.insert(e.extra.at("pid").get<long>());
  CHECK(pids.size() == 3);
  CHECK(evaluate_in_workers(std::vector<Genome>{}, square).empty());
}

TEST_CASE("workers: typed jobs") {
  struct Pair {
    int a, b;
  };
  const std::vector<Pair> jobs = {{1, 2}, {3, 4}};
  auto res = evaluate_in_workers(jobs,
                                 [](const Pair& p) {
                                   Evaluation e;
                                   e.objectives = {double(p.a * p.b), 0.0};
                                   return e;
                                 },
                                 {2, 1, false});
  CHECK(res[0].objectives[0] == 2.0);
  CHECK(res[1].objectives[0] == 12.0);
}

TEST_CASE("workers: large results pass through the pipe") {
  auto big = [](const Genome& g) {
    Evaluation e;
    e.objectives = {double(g[0]), 0.0};
    e.extra = {{"blob", std::string(300000, static_cast<char>('a' + g[0]))}};
    return e;
  };
  auto res = evaluate_in_workers(genomes(3), big, {3, 1, false});
  for (int i = 0; i < 3; ++i)
    CHECK(res[i].extra.at("blob").get<std::string>() == std::string(300000, char('a' + i)));
}

TEST_CASE("workers: failures throw or become infeasible") {
  auto flaky = [](const Genome& g) -> Evaluation {
    if (g[0] == 2) throw std::runtime_error("model diverged");
    if (g[0] == 4) ::raise(SIGSEGV);
    if (g[0] == 5) ::_exit(3);
    return square(g);
  };
  CHECK_THROWS_WITH_AS(evaluate_in_workers(genomes(6), flaky, {2, 1, false}),
                       "evaluation of job #2 failed: model diverged", imc::common::ChildError);
  auto res = evaluate_in_workers(genomes(6), flaky, {2, 1, true});
  CHECK(res[0].feasible());
  CHECK(res[3].feasible());
  CHECK_FALSE(res[2].feasible());
  CHECK(std::isinf(res[2].violation));
  CHECK(res[2].reason == "evaluation of job #2 failed: model diverged");
  CHECK(res[4].reason.find("evaluation of job #4 failed: child process was killed by signal 11") !=
        std::string::npos);
  CHECK(
      res[5].reason.find("evaluation of job #5 failed: child process exited with code 3 before reporting") !=
      std::string::npos);
  CHECK(res[4].fidelity == "failed");

  // Bad input is an error of the whole run, never a property of one candidate.
  auto bad_input = [](const Genome&) -> Evaluation {
    throw imc::common::InputError("arch.toml:3: key 'x': bad");
  };
  CHECK_THROWS_WITH_AS(evaluate_in_workers(genomes(2), bad_input, {2, 1, true}), "arch.toml:3: key 'x': bad",
                       imc::common::InputError);
}
