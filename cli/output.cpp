#include "cli/output.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/config.h"
#include "common/run_dir.h"

namespace imc::cli {

void write_text(const std::string& path, const std::string& text) {
  common::write_file_atomically(path, text);
}

void write_json(const std::string& path, const nlohmann::json& j) {
  write_text(path, j.dump(2) + "\n");
}

}  // namespace imc::cli
