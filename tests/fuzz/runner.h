// Running imcsim in a child process with a memory cap (setrlimit RLIMIT_AS), a CPU-time cap and a
// wall-clock timeout, a few children at a time: the fuzzer's cases must each end, whatever the
// input, and a case that would exhaust the machine must be refused, not take it down.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace imc::fuzz {

struct Limits {
  std::uint64_t memory_bytes = std::uint64_t(6) << 30;  // address space (libtorch alone maps ~1.5 GiB)
  int cpu_seconds = 60;
  double wall_seconds = 60;
};

struct Job {
  std::vector<std::string> args;  // argv[1..]
  std::string out_file, err_file;
};

struct Result {
  int exit_code = -1;  // -1 if not exited normally
  int signal = 0;      // the killing signal, 0 if exited
  bool timed_out = false;
  double seconds = 0;
  std::string out, err;
};

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline pid_t start_child(const std::string& bin, const Job& job, const Limits& lim) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::setpgid(0, 0);
  // Under AddressSanitizer the address-space cap cannot be used: ASan reserves terabytes of shadow
  // address space at start-up and aborts under `ulimit -v`. The sanitizer run relies on the CPU cap,
  // the timeout and imcsim's own memory guard (MemAvailable) instead.
#if !defined(__SANITIZE_ADDRESS__)
  rlimit as{lim.memory_bytes, lim.memory_bytes};
  ::setrlimit(RLIMIT_AS, &as);
#endif
  rlimit cpu{rlim_t(lim.cpu_seconds), rlim_t(lim.cpu_seconds + 1)};
  ::setrlimit(RLIMIT_CPU, &cpu);
  rlimit core{0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
  const int out = ::open(job.out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = ::open(job.err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(out, 1);
  ::dup2(err, 2);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(bin.c_str()));
  for (const auto& a : job.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(bin.c_str(), argv.data());
  ::_exit(127);
}

// Runs every job, `parallel` at a time; results in the order of the jobs.
inline std::vector<Result> run_jobs(const std::string& bin, const std::vector<Job>& jobs, const Limits& lim,
                                    std::size_t parallel) {
  using clock = std::chrono::steady_clock;
  std::vector<Result> results(jobs.size());
  struct Running {
    pid_t pid;
    std::size_t job;
    clock::time_point start;
  };
  std::vector<Running> running;
  std::size_t next = 0;
  while (next < jobs.size() || !running.empty()) {
    while (next < jobs.size() && running.size() < parallel) {
      running.push_back({start_child(bin, jobs[next], lim), next, clock::now()});
      ++next;
    }
    bool any = false;
    for (std::size_t i = 0; i < running.size();) {
      Running& r = running[i];
      int status = 0;
      const pid_t done = ::waitpid(r.pid, &status, WNOHANG);
      const double elapsed = std::chrono::duration<double>(clock::now() - r.start).count();
      Result& res = results[r.job];
      if (done == 0 && elapsed > lim.wall_seconds) {
        ::kill(-r.pid, SIGKILL);
        ::kill(r.pid, SIGKILL);
        ::waitpid(r.pid, &status, 0);
        res.timed_out = true;
      } else if (done == 0) {
        ++i;
        continue;
      }
      any = true;
      res.seconds = elapsed;
      if (!res.timed_out) {
        if (WIFEXITED(status)) res.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) res.signal = WTERMSIG(status);
      }
      // Children of the child (search workers) go with it.
      ::kill(-r.pid, SIGKILL);
      res.out = read_all(jobs[r.job].out_file);
      res.err = read_all(jobs[r.job].err_file);
      running.erase(running.begin() + std::ptrdiff_t(i));
    }
    if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  return results;
}

}  // namespace imc::fuzz
