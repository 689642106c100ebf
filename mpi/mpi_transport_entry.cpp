// libimcsim_mpi.so: MPI behind the table of mpi/mpi_transport.h.
#include <dlfcn.h>
#include <mpi.h>

#include <chrono>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mpi/mpi_transport.h"

namespace {

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int len = 0;
  MPI_Error_string(code, text, &len);
  throw std::runtime_error(std::string(what) + ": " + std::string(text, static_cast<std::size_t>(len)));
}

// Waits for a non-blocking collective without a busy loop: Open MPI's blocking calls spin at 100%
// CPU, which on a machine with fewer cores than ranks x workers would take the cores from the
// ranks still evaluating. The sleep grows to 5 ms, small beside an evaluation batch.
void wait_politely(MPI_Request& request, const char* what) {
  auto pause = std::chrono::microseconds(50);
  for (;;) {
    int done = 0;
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), what);
    if (done) return;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
}

void init(int* rank, int* size) {
  // imcsim opens this library RTLD_LOCAL; Open MPI's components (mca_*.so, opened by libmpi with
  // dlopen) expect libmpi's symbols in the global scope, so promote the already mapped libmpi.
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&MPI_Init), &info) != 0 && info.dli_fname)
    dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  int initialized = 0;
  check(MPI_Initialized(&initialized), "MPI_Initialized");
  if (!initialized) check(MPI_Init(nullptr, nullptr), "MPI_Init");
  check(MPI_Comm_rank(MPI_COMM_WORLD, rank), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, size), "MPI_Comm_size");
}

std::vector<std::string> all_gather(const std::string& mine) {
  int ranks = 0;
  check(MPI_Comm_size(MPI_COMM_WORLD, &ranks), "MPI_Comm_size");
  if (mine.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw std::runtime_error("MPI all-gather: a rank's message exceeds 2 GiB");
  int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(ranks));
  MPI_Request request;
  check(MPI_Iallgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD, &request),
        "MPI_Iallgather");
  wait_politely(request, "MPI_Iallgather");
  std::vector<int> offsets(lengths.size());
  long long total = 0;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    offsets[r] = static_cast<int>(total);
    total += lengths[r];
    if (total > std::numeric_limits<int>::max())
      throw std::runtime_error("MPI all-gather: the ranks' messages exceed 2 GiB together");
  }
  std::string all(static_cast<std::size_t>(total), '\0');
  check(MPI_Iallgatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
                        MPI_COMM_WORLD, &request),
        "MPI_Iallgatherv");
  wait_politely(request, "MPI_Iallgatherv");
  std::vector<std::string> out;
  for (std::size_t r = 0; r < lengths.size(); ++r)
    out.push_back(all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
  return out;
}

void finalize() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const imc::mpi::MpiTransport* imcsim_mpi_transport_v1() {
  static const imc::mpi::MpiTransport transport{&init, &all_gather, &finalize};
  return &transport;
}
