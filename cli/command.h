// Subcommand registry: each cli/cmd_*.cpp registers itself with a static Command object, so adding
// a subcommand touches only its own file. cli/ sources are compiled straight into the imcsim
// executable (not a static library) so these registrations are never dropped by the linker.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace imc::cli {

// setup() adds the subcommand's options to `sub` and returns the action run when it is chosen.
// The action returns the process exit code; it may throw common::InputError (exit 2).
using Action = std::function<int()>;
using Setup = std::function<Action(CLI::App& sub)>;

struct CommandInfo {
  std::string name;
  std::string help;
  int order;  // position in --help
  Setup setup;
};

std::vector<CommandInfo>& registry();

struct Command {
  Command(std::string name, std::string help, int order, Setup setup) {
    registry().push_back({std::move(name), std::move(help), order, std::move(setup)});
  }
};

}  // namespace imc::cli
