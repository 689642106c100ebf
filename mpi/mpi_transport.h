// The MPI transport of a distributed search: libimcsim_mpi.so, the only code of imcsim that links
// libmpi. It is opened with dlopen (common/plugin.h) only when the process was started by mpirun or
// srun, so neither the core commands nor a search without mpirun ever map libmpi.
//
// The transport moves bytes only; what the bytes mean (evaluation outcomes as JSON) is decided by
// nas/distributed.h, which every rank runs the same way.
#pragma once

#include <string>
#include <vector>

namespace imc::mpi {

struct MpiTransport {
  // MPI_Init; this process's rank and the number of ranks. Throws std::runtime_error on failure.
  void (*init)(int* rank, int* size);
  // Collective: every rank's `mine`, in rank order. Waits by polling with short sleeps, not by
  // spinning, so that a rank waiting for the others leaves the cores to its worker processes.
  std::vector<std::string> (*all_gather)(const std::string& mine);
  void (*finalize)();
};

inline constexpr const char* kMpiTransportSymbol = "imcsim_mpi_transport_v1";

}  // namespace imc::mpi
