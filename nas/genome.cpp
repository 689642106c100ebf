#include "nas/genome.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace imc::nas {

GeneValue GeneValue::number(double v, bool integer) {
  GeneValue g;
  g.v_ = v;
  // Only whole numbers can keep an integer spelling.
  g.integer_ = integer && std::isfinite(v) && std::floor(v) == v;
  return g;
}

GeneValue GeneValue::text(std::string s) {
  GeneValue g;
  g.v_ = std::move(s);
  return g;
}

double GeneValue::as_number() const {
  if (!is_number()) throw std::logic_error("gene value '" + as_string() + "' is a string, not a number");
  return std::get<double>(v_);
}

const std::string& GeneValue::as_string() const {
  if (!is_string()) throw std::logic_error("gene value is a number, not a string");
  return std::get<std::string>(v_);
}

std::string GeneValue::to_string() const {
  if (is_string()) return std::get<std::string>(v_);
  double v = std::get<double>(v_);
  if (integer_) return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);  // shortest text that reads back to the same double
}

}  // namespace imc::nas
