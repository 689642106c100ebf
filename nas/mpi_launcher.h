// Whether mpirun/srun started this process as one of several ranks, read from the launcher's
// environment before MPI starts (header-only: the CLI asks without linking or loading anything).
#pragma once

#include <cstdlib>
#include <string>

namespace imc::nas {

// The number of ranks a launcher announces (Open MPI's mpirun, MPICH/Hydra, PMIx, Slurm's srun);
// -1 when none does.
inline int announced_ranks() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* v = std::getenv(name); v && *v) return std::atoi(v);
  // srun sets SLURM_NTASKS for every step, MPI or not; a PMI rank says it is an MPI task.
  if (const char* v = std::getenv("SLURM_NTASKS");
      v && *v && (std::getenv("PMIX_RANK") || std::getenv("PMI_RANK")))
    return std::atoi(v);
  return -1;
}

inline bool launched_by_mpi() {
  return announced_ranks() > 1;
}

// This process's rank as the launcher announced it; -1 when not launched as one of several ranks.
// The CLI leaves the run directory and --json to rank 0 with it.
inline int launcher_rank() {
  if (!launched_by_mpi()) return -1;
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"})
    if (const char* v = std::getenv(name); v && *v) return std::atoi(v);
  return -1;
}

}  // namespace imc::nas
