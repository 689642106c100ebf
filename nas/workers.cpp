#include "nas/workers.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "common/config.h"

namespace imc::nas {

namespace {

struct Child {
  pid_t pid;
  int fd;
  std::size_t begin, end;  // genome indices [begin, end)
  std::string buffer;
};

struct Failure {
  std::string message;
  bool input_error = false;
};

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // parent gone: nothing left to tell
    off += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void child_main(int fd, const std::vector<Genome>& genomes, std::size_t begin, std::size_t end,
                             const EvaluateOne& evaluate) {
  // A crash must end this child and be reported by the parent, not run the parent's crash
  // handlers (test frameworks, loggers) inside a worker.
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, SIG_DFL);
  for (std::size_t i = begin; i < end; ++i) {
    nlohmann::json line = {{"index", i}};
    try {
      line["ok"] = to_json(evaluate(genomes[i]));
    } catch (const common::InputError& e) {
      line["error"] = e.what();
      line["input_error"] = true;
    } catch (const std::exception& e) {
      line["error"] = e.what();
    } catch (...) {
      line["error"] = "unknown exception";
    }
    write_all(fd, line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  }
  std::fflush(stdout);
  std::fflush(stderr);
  ::_exit(0);
}

std::string exit_description(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return fmt::format("was killed by signal {} ({})", sig, strsignal(sig));
  }
  if (WIFEXITED(status)) return fmt::format("exited with code {} before reporting", WEXITSTATUS(status));
  return "ended abnormally";
}

// Kills and reaps children still running when the parent leaves early (exception).
struct Reaper {
  std::vector<Child>* active;
  ~Reaper() {
    for (auto& c : *active) {
      ::kill(c.pid, SIGKILL);
      ::close(c.fd);
      int status = 0;
      while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
};

}  // namespace

std::vector<Evaluation> evaluate_in_workers(const std::vector<Genome>& genomes, const EvaluateOne& evaluate,
                                            const WorkerOptions& options) {
  const std::size_t n = genomes.size();
  std::vector<Evaluation> results(n);
  std::vector<bool> done(n, false);
  std::vector<std::optional<Failure>> failures(n);
  const std::size_t per = std::max<std::size_t>(1, options.per_process);
  std::size_t workers = options.workers ? options.workers : std::thread::hardware_concurrency();
  workers = std::max<std::size_t>(1, workers);

  std::vector<Child> active;
  Reaper reaper{&active};
  std::size_t next = 0;

  auto spawn = [&] {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
    std::fflush(nullptr);  // or buffered output would be written twice
    pid_t pid = ::fork();
    if (pid < 0) {
      int err = errno;
      ::close(fds[0]);
      ::close(fds[1]);
      throw std::runtime_error(fmt::format("fork: {}", std::strerror(err)));
    }
    std::size_t begin = next, end = std::min(n, next + per);
    if (pid == 0) {
      ::close(fds[0]);
      for (auto& c : active) ::close(c.fd);
      child_main(fds[1], genomes, begin, end, evaluate);
    }
    ::close(fds[1]);
    active.push_back({pid, fds[0], begin, end, {}});
    next = end;
  };

  auto finish = [&](std::size_t k) {
    Child c = std::move(active[k]);
    active.erase(active.begin() + static_cast<std::ptrdiff_t>(k));
    ::close(c.fd);
    int status = 0;
    while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::size_t pos = 0;
    while (pos < c.buffer.size()) {
      std::size_t nl = c.buffer.find('\n', pos);
      if (nl == std::string::npos) break;  // a truncated last line: the child died while writing
      auto line = nlohmann::json::parse(c.buffer.substr(pos, nl - pos));
      pos = nl + 1;
      std::size_t i = line.at("index").get<std::size_t>();
      if (i < c.begin || i >= c.end) throw std::runtime_error("worker process reported a foreign candidate");
      if (line.contains("ok")) {
        results[i] = evaluation_from_json(line.at("ok"));
      } else {
        failures[i] = Failure{line.at("error").get<std::string>(), line.value("input_error", false)};
      }
      done[i] = true;
    }
    for (std::size_t i = c.begin; i < c.end; ++i)
      if (!done[i]) {
        failures[i] = Failure{fmt::format("worker process {}", exit_description(status)), false};
        done[i] = true;
      }
  };

  while (next < n || !active.empty()) {
    while (active.size() < workers && next < n) spawn();
    std::vector<pollfd> fds;
    for (const auto& c : active) fds.push_back({c.fd, POLLIN, 0});
    int r = ::poll(fds.data(), fds.size(), -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    }
    // Read what is ready; a child whose pipe reached end-of-file is finished (reverse order so
    // that erasing keeps the remaining indices valid).
    for (std::size_t k = fds.size(); k-- > 0;) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t got = ::read(active[k].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got > 0) {
        active[k].buffer.append(buf, static_cast<std::size_t>(got));
        continue;
      }
      finish(k);
    }
  }

  for (std::size_t i = 0; i < n; ++i) {
    if (!failures[i]) continue;
    const Failure& f = *failures[i];
    std::string msg = fmt::format("evaluation of candidate #{} failed: {}", i, f.message);
    if (f.input_error) throw common::InputError(f.message);
    if (!options.failures_are_infeasible) throw std::runtime_error(msg);
    results[i] = Evaluation::infeasible(std::numeric_limits<double>::infinity(), msg, "failed");
  }
  return results;
}

}  // namespace imc::nas
