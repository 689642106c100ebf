#include "cli/output.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/config.h"

namespace imc::cli {

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) throw common::InputError(fmt::format("cannot write '{}'", path));
  out << text;
  if (!out) throw common::InputError(fmt::format("failed writing '{}'", path));
}

void write_json(const std::string& path, const nlohmann::json& j) {
  write_text(path, j.dump(2) + "\n");
}

}  // namespace imc::cli
