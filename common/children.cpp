#include "common/children.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include "common/config.h"

namespace imc::common {

namespace {

using Clock = std::chrono::steady_clock;

struct Child {
  pid_t pid;
  int fd;
  std::size_t begin, end;  // job indices [begin, end)
  Clock::time_point forked;
  std::string buffer;
};

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone: nothing left to tell
    off += static_cast<std::size_t>(n);
  }
}

// One line per job: {"job": i, "ok": result} or {"job": i, "error": what, "input_error": bool}.
[[noreturn]] void child_main(int fd, std::size_t begin, std::size_t end,
                             const std::function<nlohmann::json(std::size_t)>& run) {
  // A crash must end this child and be reported by the parent, not run the parent's crash
  // handlers (test frameworks, loggers) inside the child.
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, SIG_DFL);
  for (std::size_t i = begin; i < end; ++i) {
    nlohmann::json line = {{"job", i}};
    try {
      line["ok"] = run(i);
    } catch (const InputError& e) {
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

ChildFailure end_of_child(int status) {
  ChildFailure f;
  if (WIFSIGNALED(status)) {
    f.kind = ChildFailureKind::Signal;
    f.signal = WTERMSIG(status);
    f.message = fmt::format("child process was killed by signal {} ({})", f.signal, strsignal(f.signal));
  } else if (WIFEXITED(status)) {
    f.kind = ChildFailureKind::Exit;
    f.exit_code = WEXITSTATUS(status);
    f.message = fmt::format("child process exited with code {} before reporting", f.exit_code);
  } else {
    f.kind = ChildFailureKind::Exit;
    f.message = "child process ended abnormally before reporting";
  }
  return f;
}

int reap(pid_t pid, rusage* usage) {
  int status = 0;
  while (::wait4(pid, &status, 0, usage) < 0 && errno == EINTR) {
  }
  return status;
}

// Kills and reaps children still running when the parent leaves early (exception).
struct Reaper {
  std::vector<Child>* active;
  ~Reaper() {
    for (auto& c : *active) {
      ::kill(c.pid, SIGKILL);
      ::close(c.fd);
      reap(c.pid, nullptr);
    }
  }
};

}  // namespace

ChildError::ChildError(ChildFailure failure)
    : std::runtime_error(failure.message), failure_(std::move(failure)) {}

void rethrow(const ChildFailure& failure) {
  if (failure.kind == ChildFailureKind::InputError) throw InputError(failure.message);
  throw ChildError(failure);
}

std::vector<JsonOutcome> run_json_in_children(std::size_t jobs,
                                              const std::function<nlohmann::json(std::size_t)>& run,
                                              const ChildOptions& options) {
  std::vector<JsonOutcome> out(jobs);
  std::vector<bool> reported(jobs, false);
  const std::size_t per_child = std::max<std::size_t>(1, options.jobs_per_child);
  const std::size_t processes =
      std::max<std::size_t>(1, options.processes ? options.processes : std::thread::hardware_concurrency());

  std::vector<Child> active;
  Reaper reaper{&active};
  std::size_t next = 0;

  auto spawn = [&] {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
    std::fflush(nullptr);  // or buffered output would be written by both processes
    const auto forked = Clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int err = errno;
      ::close(fds[0]);
      ::close(fds[1]);
      throw std::runtime_error(fmt::format("fork: {}", std::strerror(err)));
    }
    const std::size_t begin = next, end = std::min(jobs, next + per_child);
    if (pid == 0) {
      ::close(fds[0]);
      for (auto& c : active) ::close(c.fd);
      child_main(fds[1], begin, end, run);
    }
    ::close(fds[1]);
    active.push_back({pid, fds[0], begin, end, forked, {}});
    next = end;
  };

  auto finish = [&](std::size_t k) {
    Child c = std::move(active[k]);
    active.erase(active.begin() + static_cast<std::ptrdiff_t>(k));
    ::close(c.fd);
    rusage usage{};
    const int status = reap(c.pid, &usage);
    const ChildStats stats{std::chrono::duration<double>(Clock::now() - c.forked).count(), usage.ru_maxrss};
    std::size_t pos = 0;
    while (pos < c.buffer.size()) {
      const std::size_t nl = c.buffer.find('\n', pos);
      if (nl == std::string::npos) break;  // a truncated last line: the child died while writing
      nlohmann::json line = nlohmann::json::parse(c.buffer.substr(pos, nl - pos));
      pos = nl + 1;
      const std::size_t i = line.at("job").get<std::size_t>();
      if (i < c.begin || i >= c.end)
        throw std::runtime_error("a child process reported a job it was not given");
      JsonOutcome& o = out[i];
      if (line.contains("ok")) {
        o.result = std::move(line["ok"]);
      } else {
        ChildFailure f;
        f.kind =
            line.value("input_error", false) ? ChildFailureKind::InputError : ChildFailureKind::Exception;
        f.message = line.at("error").get<std::string>();
        o.failure = std::move(f);
      }
      reported[i] = true;
    }
    for (std::size_t i = c.begin; i < c.end; ++i) {
      out[i].child = stats;
      if (!reported[i]) out[i].failure = end_of_child(status);
    }
  };

  while (next < jobs || !active.empty()) {
    while (active.size() < processes && next < jobs) spawn();
    std::vector<pollfd> fds;
    for (const auto& c : active) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    }
    // Read what is ready; a child whose pipe reached end-of-file is finished (reverse order so that
    // erasing keeps the remaining indices valid).
    for (std::size_t k = fds.size(); k-- > 0;) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      const ssize_t got = ::read(active[k].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got > 0) {
        active[k].buffer.append(buf, static_cast<std::size_t>(got));
        continue;
      }
      finish(k);
    }
  }
  return out;
}

}  // namespace imc::common
