#include "nas/workers.h"

#include <fmt/format.h>

#include <limits>

namespace imc::nas {

std::vector<Evaluation> evaluations_of(std::vector<common::ChildOutcome<Evaluation>>&& outcomes,
                                       const WorkerOptions& options) {
  std::vector<Evaluation> out(outcomes.size());
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    common::ChildOutcome<Evaluation>& o = outcomes[i];
    if (!o.failure) {
      out[i] = std::move(*o.result);
      continue;
    }
    // Bad input is an error of the whole run, never a property of one candidate.
    if (o.failure->kind == common::ChildFailureKind::InputError || !options.failures_are_infeasible) {
      common::ChildFailure f = *o.failure;
      if (f.kind != common::ChildFailureKind::InputError)
        f.message = fmt::format("evaluation of job #{} failed: {}", i, f.message);
      common::rethrow(f);
    }
    out[i] = Evaluation::infeasible(std::numeric_limits<double>::infinity(),
                                    fmt::format("evaluation of job #{} failed: {}", i, o.failure->message),
                                    "failed");
  }
  return out;
}

}  // namespace imc::nas
