#include "nas/distributed.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "common/config.h"
#include "common/plugin.h"
#include "mpi/mpi_transport.h"

namespace imc::nas {
namespace {

struct State {
  Ranks ranks;
  const mpi::MpiTransport* transport = nullptr;
  bool stopped = false;
};

State& state() {
  static State s;
  return s;
}

const char* kind_name(common::ChildFailureKind k) {
  switch (k) {
    case common::ChildFailureKind::InputError:
      return "input";
    case common::ChildFailureKind::Exception:
      return "exception";
    case common::ChildFailureKind::Signal:
      return "signal";
    case common::ChildFailureKind::Exit:
      return "exit";
  }
  return "exception";
}

common::ChildFailureKind kind_of(const std::string& s) {
  if (s == "input") return common::ChildFailureKind::InputError;
  if (s == "signal") return common::ChildFailureKind::Signal;
  if (s == "exit") return common::ChildFailureKind::Exit;
  return common::ChildFailureKind::Exception;
}

}  // namespace

void barrier() {
  const State& s = state();
  if (s.transport && !s.stopped) s.transport->all_gather(std::string());
}

void start_ranks() {
  State& s = state();
  if (s.transport || !launched_by_mpi()) return;
#ifndef IMCSIM_MPI_PLUGIN_PATH
  throw common::InputError(
      "this process was started by mpirun/srun, but this build of imcsim has no MPI (libopenmpi-dev was not "
      "found when it was configured); run without mpirun, or rebuild with MPI");
#else
  using Entry = const mpi::MpiTransport* (*)();
  const auto* transport = reinterpret_cast<Entry>(
      common::plugin_symbol("libimcsim_mpi.so", IMCSIM_MPI_PLUGIN_PATH, mpi::kMpiTransportSymbol))();
  try {
    transport->init(&s.ranks.rank, &s.ranks.size);
  } catch (const std::exception& e) {
    throw common::InputError(fmt::format("cannot start MPI: {}", e.what()));
  }
  s.transport = transport;
#endif
}

void stop_ranks() {
  State& s = state();
  if (!s.transport || s.stopped) return;
  s.transport->finalize();
  s.stopped = true;
}

Ranks ranks() {
  return state().ranks;
}

RankScratchDir::RankScratchDir(const std::string& copy_of) {
  namespace fs = std::filesystem;
  // A rank that mpirun stopped (another rank died, bad input on rank 0) never ran its destructor:
  // remove the scratch directories of processes that no longer run.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    const std::string name = e.path().filename().string();
    const auto dash = name.rfind('-');
    if (name.rfind("imcsim-rank", 0) != 0 || dash == std::string::npos) continue;
    const std::string pid = name.substr(dash + 1);
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!fs::exists(fs::path("/proc") / pid)) fs::remove_all(e.path(), ec);
  }
  const fs::path dir = fs::temp_directory_path() /
                       fmt::format("imcsim-rank{}-{}", ranks().rank, static_cast<long>(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  path_ = (dir / "run").string();
  if (!copy_of.empty() && fs::is_directory(copy_of)) fs::copy(copy_of, path_, fs::copy_options::recursive);
}

RankScratchDir::~RankScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(path_).parent_path(), ec);
}

void silence_stdout() {
  std::fflush(stdout);
  const int null_fd = ::open("/dev/null", O_WRONLY);
  if (null_fd < 0) return;
  ::dup2(null_fd, STDOUT_FILENO);
  ::close(null_fd);
}

std::vector<std::size_t> rank_share(std::size_t jobs) {
  const Ranks r = ranks();
  std::vector<std::size_t> out;
  for (std::size_t i = static_cast<std::size_t>(r.rank); i < jobs; i += static_cast<std::size_t>(r.size))
    out.push_back(i);
  return out;
}

std::vector<common::ChildOutcome<Evaluation>> gather_outcomes(
    std::size_t jobs, const std::vector<std::size_t>& share,
    std::vector<common::ChildOutcome<Evaluation>>&& mine) {
  const State& s = state();
  if (!s.transport || s.stopped) throw std::logic_error("gather_outcomes() without running MPI ranks");
  if (mine.size() != share.size()) throw std::logic_error("gather_outcomes(): one outcome per shared job");
  // The same JSON as a worker's pipe carries (common/children.h), so values arrive exactly as they
  // would from a local worker: doubles round-trip, infinite violations travel as "inf".
  nlohmann::json message = nlohmann::json::array();
  for (std::size_t k = 0; k < mine.size(); ++k) {
    const auto& o = mine[k];
    nlohmann::json entry = {{"job", share[k]}};
    if (o.failure)
      entry["failure"] = {{"kind", kind_name(o.failure->kind)},
                          {"message", o.failure->message},
                          {"signal", o.failure->signal},
                          {"exit_code", o.failure->exit_code}};
    else
      entry["result"] = *o.result;
    message.push_back(std::move(entry));
  }
  const std::vector<std::string> all =
      s.transport->all_gather(message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));

  std::vector<common::ChildOutcome<Evaluation>> out(jobs);
  std::vector<bool> seen(jobs, false);
  for (std::size_t r = 0; r < all.size(); ++r)
    for (const auto& entry : nlohmann::json::parse(all[r])) {
      const std::size_t i = entry.at("job").get<std::size_t>();
      if (i >= jobs || seen[i])
        throw std::runtime_error(
            fmt::format("MPI rank {} answered job #{} of {} twice or out of range "
                        "(the ranks do not run the same search: same command line?)",
                        r, i, jobs));
      seen[i] = true;
      if (entry.contains("failure")) {
        const auto& f = entry.at("failure");
        out[i].failure =
            common::ChildFailure{kind_of(f.at("kind").get<std::string>()), f.at("message").get<std::string>(),
                                 f.at("signal").get<int>(), f.at("exit_code").get<int>()};
      } else {
        out[i].result = entry.at("result").get<Evaluation>();
      }
    }
  for (std::size_t i = 0; i < jobs; ++i)
    if (!seen[i])
      throw std::runtime_error(fmt::format(
          "no MPI rank answered job #{} of {} (the ranks do not run the same search: same command line?)", i,
          jobs));
  return out;
}

}  // namespace imc::nas
