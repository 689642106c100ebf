// imcsim: one binary, one subcommand per user task (see README). Exit codes: 0 success,
// 1 a check failed (for example `validate` found differing action counts), 2 bad input.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <map>

#include "cli/command.h"
#include "common/config.h"

namespace imc::cli {
std::vector<CommandInfo>& registry() {
  static std::vector<CommandInfo> r;
  return r;
}
}  // namespace imc::cli

int main(int argc, char** argv) {
  using namespace imc::cli;
  // No libtorch, OpenMP or OpenBLAS is loaded here: the thread settings they read when loaded are set
  // by the torch plugin's loader (nas/accuracy/torch_plugin.h), before it loads them.
  CLI::App app{"imcsim: cycle-level simulator and hardware-aware NAS for in-memory-computing accelerators"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "imcsim 0.1.0");
  auto cmds = registry();
  std::sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.order < b.order; });
  std::map<CLI::App*, Action> actions;
  for (auto& c : cmds) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    actions[sub] = c.setup(*sub);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "imcsim: error: {}\n", e.what());
    return 2;
  }
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const imc::common::InputError& e) {
    fmt::print(stderr, "imcsim: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "imcsim: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}
