// Writing results files from the CLI: a failure to write is reported, never silently lost.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace imc::cli {

void write_json(const std::string& path, const nlohmann::json& j);
void write_text(const std::string& path, const std::string& text);

}  // namespace imc::cli
