// Text helpers shared by the Fields visitors (config.cpp, field_ops.cpp): the one format of
// numbers, ranges and allowed values in messages, docs and help. Internal to common/.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

namespace imc::common::text {

inline std::string join_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}
inline std::string fmt_num(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:g}", v);
}

// " <unit>", or nothing for a unitless parameter (messages that go on after the range).
inline std::string unit_suffix(const char* unit) {
  return unit && *unit ? std::string(" ") + unit : std::string();
}

inline std::string allowed_list(const std::vector<std::string>& allowed) {
  std::string s;
  for (std::size_t i = 0; i < allowed.size(); ++i) s += (i ? ", " : "") + ("\"" + allowed[i] + "\"");
  return s;
}

}  // namespace imc::common::text
