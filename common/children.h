// Running jobs in forked child processes and bringing their results back as JSON.
//
// Why a child: SystemC elaborates once per process, and some evaluators (training, models with
// process-wide state) are not thread-safe. A forked child inherits everything already loaded
// (configs, workloads, trained weights), runs `jobs_per_child` consecutive jobs, writes one JSON
// line per job into a pipe and leaves with _exit (no atexit handlers, no static destructors of the
// parent's objects). Results come back in the order of the jobs, whatever order the children end in.
//
// A failure keeps its kind across the fork: a common::InputError thrown in a child is rethrown as a
// common::InputError with the same message; any other exception, a crash or a kill becomes a
// ChildError that says which (a child killed by a signal names the signal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace imc::common {

struct ChildOptions {
  std::size_t processes = 0;       // children running at a time; 0 = number of cores
  std::size_t jobs_per_child = 1;  // consecutive jobs one child runs before it exits
};

enum class ChildFailureKind {
  InputError,  // the job threw common::InputError
  Exception,   // the job threw another exception
  Signal,      // the child was killed by a signal before reporting the job
  Exit,        // the child exited before reporting the job (e.g. a stray exit())
};

struct ChildFailure {
  ChildFailureKind kind = ChildFailureKind::Exception;
  std::string message;  // the exception's what(), or how the child ended
  int signal = 0;       // kind Signal: the signal number
  int exit_code = 0;    // kind Exit: the exit status
};

// A job that failed in its child for any reason other than bad input.
class ChildError : public std::runtime_error {
 public:
  explicit ChildError(ChildFailure failure);
  const ChildFailure& failure() const { return failure_; }

 private:
  ChildFailure failure_;
};

// Throws what the child threw: common::InputError for kind InputError, ChildError otherwise.
[[noreturn]] void rethrow(const ChildFailure& failure);

// What the parent measured of the child that ran a job (shared by the jobs of one child).
struct ChildStats {
  double wall_s = 0;             // fork to reaping
  std::int64_t peak_rss_kb = 0;  // the child's maximum resident set
};

template <class Result>
struct ChildOutcome {
  std::optional<Result> result;  // set when the job returned
  std::optional<ChildFailure> failure;
  ChildStats child;

  // The result, or the child's failure rethrown (see rethrow()).
  const Result& value() const {
    if (failure) rethrow(*failure);
    return *result;
  }
};

// The type-erased core: runs run(i) for i in [0, jobs) in children; the JSON each returns comes
// back in `result` of outcome i.
struct JsonOutcome {
  nlohmann::json result;
  std::optional<ChildFailure> failure;
  ChildStats child;
};
std::vector<JsonOutcome> run_json_in_children(std::size_t jobs,
                                              const std::function<nlohmann::json(std::size_t)>& run,
                                              const ChildOptions& options);

// Runs run(job) for every job in children. Result (what run returns) must convert to and from
// nlohmann::json (to_json / from_json found by argument-dependent lookup). Failures are returned,
// not thrown: use ChildOutcome::value() or values() to rethrow them.
template <class Job, class Run, class Result = std::decay_t<std::invoke_result_t<const Run&, const Job&>>>
std::vector<ChildOutcome<Result>> run_in_children(const std::vector<Job>& jobs, const Run& run,
                                                  const ChildOptions& options = {}) {
  std::vector<JsonOutcome> raw = run_json_in_children(
      jobs.size(), [&](std::size_t i) { return nlohmann::json(run(jobs[i])); }, options);
  std::vector<ChildOutcome<Result>> out(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    out[i].failure = std::move(raw[i].failure);
    out[i].child = raw[i].child;
    if (!out[i].failure) out[i].result = raw[i].result.template get<Result>();
  }
  return out;
}

// Every result, or the first failure (in job order) rethrown.
template <class Result>
std::vector<Result> values(std::vector<ChildOutcome<Result>>&& outcomes) {
  std::vector<Result> out;
  out.reserve(outcomes.size());
  for (auto& o : outcomes) {
    if (o.failure) rethrow(*o.failure);
    out.push_back(std::move(*o.result));
  }
  return out;
}

}  // namespace imc::common
