// imcsim: one binary, one subcommand per user task (see README). Exit codes: 0 success,
// 1 a check failed (for example `validate` found differing action counts), 2 bad input or
// environment (unwritable path, missing file, a resource guard), 3 a bug (the message asks for a
// report).
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <map>
#include <new>

#include "cli/command.h"
#include "common/config.h"
#include "common/resources.h"

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
  // A global option, accepted after the subcommand too (fallthrough): the resource guards' limit.
  std::string max_memory;
  app.add_option("--max-memory", max_memory,
                 "refuse runs whose estimated memory exceeds this (e.g. 2G, 512M; default: the available "
                 "memory)");
  app.fallthrough();
  auto cmds = registry();
  std::sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.order < b.order; });
  std::map<CLI::App*, Action> actions;
  for (auto& c : cmds) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    actions[sub] = c.setup(*sub);
  }
  // CLI11 reports an unknown first word as "A subcommand is required"; name it and the commands.
  if (argc > 1 && argv[1][0] != '-' &&
      std::none_of(cmds.begin(), cmds.end(), [&](const CommandInfo& c) { return c.name == argv[1]; })) {
    std::string names;
    for (const auto& c : cmds) names += (names.empty() ? "" : ", ") + c.name;
    fmt::print(stderr, "imcsim: error: unknown command '{}'; commands: {} (imcsim --help)\n", argv[1], names);
    return 2;
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
    if (!max_memory.empty())
      imc::common::set_max_memory_bytes(imc::common::parse_memory_size(max_memory, "--max-memory"));
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const imc::common::InputError& e) {
    fmt::print(stderr, "imcsim: error: {}\n", e.what());
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {  // the environment: a path we cannot use
    fmt::print(stderr, "imcsim: error: {}\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr,
               "imcsim: error: out of memory (lower --batch or the chip size, or check --max-memory)\n");
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "imcsim: internal error (a bug: please report it with the command line): {}\n",
               e.what());
    return 3;
  }
  return 0;
}
