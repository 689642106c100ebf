#include "sim/systemc/systemc_model.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/config.h"
#include "sim/report_io.h"
#include "sim/systemc/chip.h"
#include "sim/systemc/trace.h"

namespace imc::sim {

using systemc::Stall;
using systemc::Stats;

namespace {

// SystemC has one kernel per process and cannot elaborate a second design after simulating.
std::atomic<bool> g_kernel_used{false};

Report build_report(const arch::ArchSpec& spec, const arch::cost::CostTable& costs, const mapping::Program& p,
                    const Stats& stats) {
  Report r = report_skeleton(p, "systemc");
  for (int s = 0; s < systemc::kStallCount; ++s) r.stalls[systemc::to_string(Stall(s))] = 0;
  std::int64_t latency = 0;
  for (std::size_t id = 0; id < p.ops.size(); ++id) {
    const mapping::Op& op = p.ops[id];
    const systemc::OpRecord& rec = stats.ops[id];
    LayerReport& l = r.layers.at(std::size_t(op.layer));
    r.actions += op.actions;
    l.actions += op.actions;
    if (l.start_cycle < 0 || rec.start < l.start_cycle) l.start_cycle = rec.start;
    l.end_cycle = std::max(l.end_cycle, rec.done);
    latency = std::max(latency, rec.done);
    l.busy_cycles[mapping::to_string(op.unit)] += rec.release - rec.start;
    for (int s = 0; s < systemc::kStallCount; ++s) {
      const std::int64_t v = rec.stall[std::size_t(s)];
      if (v <= 0) continue;
      l.stall_cycles[systemc::to_string(Stall(s))] += v;
      r.stalls[systemc::to_string(Stall(s))] += v;
    }
  }
  for (auto& l : r.layers)
    if (l.start_cycle < 0) l.start_cycle = 0;
  r.latency_cycles = latency;
  r.events = stats.events;
  finalize(r, spec, costs);
  return r;
}

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone; nothing left to tell
    off += std::size_t(n);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, std::size_t(n));
  }
  return out;
}

}  // namespace

SystemCModel::SystemCModel(SystemCOptions options) : options_(std::move(options)) {}
SystemCModel::~SystemCModel() = default;

Report SystemCModel::evaluate(const arch::ArchSpec& spec, const mapping::Program& program) {
  return evaluate(spec, arch::cost::build(spec), program);
}

Report SystemCModel::evaluate(const arch::ArchSpec& spec, const arch::cost::CostTable& costs,
                              const mapping::Program& program) {
  if (g_kernel_used.exchange(true))
    throw std::logic_error(
        "SystemCModel::evaluate: SystemC elaborates once per process; use run_systemc_in_child for further "
        "runs");
  const auto t0 = std::chrono::steady_clock::now();
  stats_ = std::make_unique<Stats>(program.ops.size());
  systemc::SimSpec sim_spec(spec, costs);
  systemc::OpTracker tracker(program, *stats_);
  if (options_.progress) tracker.on_progress(options_.progress_every_ops, options_.progress);
  systemc::LinkTrace links;
  systemc::Chip chip("chip", sim_spec, *stats_, tracker, options_.finite_buffers);
  if (!options_.trace_csv.empty()) chip.mesh().log_links(&links.grants);
  chip.run();
  Report r = build_report(spec, costs, program, *stats_);
  critical_path_ = systemc::critical_path(spec, costs, program, *stats_);
  if (!options_.trace_csv.empty()) {
    links.flits_per_cycle = chip.mesh().flits_per_cycle();
    links.links = chip.mesh().links();
    std::ofstream f(options_.trace_csv);
    f << systemc::utilization_csv(program, *stats_, links, r.latency_cycles, options_.trace_buckets);
    if (!f) throw common::InputError(fmt::format("cannot write trace file '{}'", options_.trace_csv));
  }
  r.eval_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

Report run_systemc_in_child(const arch::ArchSpec& spec, const mapping::Program& program,
                            const SystemCOptions& options, ChildRunInfo* info) {
  int fds[2];
  if (::pipe(fds) != 0)
    throw std::runtime_error(fmt::format("systemc: pipe failed: {}", std::strerror(errno)));
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(fmt::format("systemc: fork failed: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    int code = 0;
    try {
      SystemCModel model(options);
      nlohmann::json j = {{"report", to_json(model.evaluate(spec, program))},
                          {"critical_layers", model.critical_path().layers},
                          {"critical_total", model.critical_path().total}};
      out = "OK\n" + j.dump();
    } catch (const common::InputError& e) {
      out = std::string("INPUT\n") + e.what();
      code = 2;
    } catch (const std::exception& e) {
      out = std::string("ERROR\n") + e.what();
      code = 1;
    } catch (...) {
      out = "ERROR\nunknown exception";
      code = 1;
    }
    write_all(fds[1], out);
    ::close(fds[1]);
    ::_exit(code);  // no atexit handlers or stdio flushes of the parent's state in the child
  }
  ::close(fds[1]);
  const std::string data = read_all(fds[0]);
  ::close(fds[0]);
  int status = 0;
  struct rusage ru {};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  if (info) {
    info->wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    info->peak_rss_kb = ru.ru_maxrss;
  }
  if (WIFSIGNALED(status))
    throw std::runtime_error(
        fmt::format("systemc: the simulation process was killed by signal {}", WTERMSIG(status)));
  const std::size_t nl = data.find('\n');
  const std::string head = data.substr(0, nl);
  const std::string body = nl == std::string::npos ? "" : data.substr(nl + 1);
  if (head == "OK") {
    const nlohmann::json j = nlohmann::json::parse(body);
    if (info) {
      info->critical_path.layers =
          j.at("critical_layers").get<std::vector<std::map<std::string, std::int64_t>>>();
      info->critical_path.total = j.at("critical_total").get<std::map<std::string, std::int64_t>>();
    }
    return report_from_json(j.at("report"));
  }
  if (head == "INPUT") throw common::InputError(body);
  throw std::runtime_error(
      body.empty() ? fmt::format("systemc: the simulation process failed (status {})", status) : body);
}

}  // namespace imc::sim
