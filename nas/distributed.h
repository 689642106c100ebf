// Searches past one machine: the same search run by every MPI rank, its evaluations shared out.
//
// `mpirun -np N imcsim search|cosearch ...` starts N copies of the same command. Every rank runs
// the same deterministic program — configs, optimizer, cache, loop — and so reaches the same
// batches of jobs in the same order; at each batch of the worker pool (nas/workers.h) rank r
// evaluates jobs r, r + N, r + 2N, ... in its own worker processes, and one all-gather gives every
// rank every outcome, in job order. Rank 0 alone writes the run directory (the others write into
// a scratch copy they delete), so its files are those of a run without MPI: results are ordered by
// job index, never by arrival, and the optimizer sees the same values.
//
// Why replicate the optimizer instead of serving it from rank 0: it costs milliseconds per
// generation beside seconds of evaluation, and replication needs no serialized closures: a job's
// context (decoded designs, trained-network groups, SystemC programs) already exists on every rank.
//
// A rank that dies ends the run: Open MPI's mpirun kills the others and exits non-zero; the
// checkpoint of the last complete generation is intact (it is replaced atomically), and --resume
// continues with or without mpirun.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/children.h"
#include "nas/mpi_launcher.h"
#include "nas/optimizer.h"

namespace imc::nas {

struct Ranks {
  int rank = 0;
  int size = 1;
};

// Starts MPI (loading libimcsim_mpi.so) when launched_by_mpi(); idempotent. Throws InputError when
// this build has no MPI.
void start_ranks();
// MPI_Finalize, after the run's last collective (only when start_ranks() started MPI).
void stop_ranks();
// Collective: returns when every rank has called it.
void barrier();
// This process's place ({0, 1} without MPI).
Ranks ranks();
inline bool distributed() {
  return ranks().size > 1;
}

// On a rank other than 0: a private directory standing in for the run directory, so that rank 0
// alone writes the real one; a copy of `copy_of` when that names an existing directory (a resume
// reads its checkpoint). Removed with this object; those of ranks stopped by mpirun (no destructor
// ran) are removed by the next run's ranks on the same machine.
class RankScratchDir {
 public:
  explicit RankScratchDir(const std::string& copy_of);
  ~RankScratchDir();
  RankScratchDir(const RankScratchDir&) = delete;
  RankScratchDir& operator=(const RankScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Sends this process's standard output to /dev/null (ranks other than 0: one summary, not N).
void silence_stdout();

// The job indices in [0, jobs) this rank evaluates: rank, rank + size, ...
std::vector<std::size_t> rank_share(std::size_t jobs);

// Collective: the outcomes of every rank's share (outcome k of `mine` is job share[k]), in job
// order. Failures keep their kind and message.
std::vector<common::ChildOutcome<Evaluation>> gather_outcomes(
    std::size_t jobs, const std::vector<std::size_t>& share,
    std::vector<common::ChildOutcome<Evaluation>>&& mine);

}  // namespace imc::nas
