// Genomes and gene values: the vocabulary shared by the search space, the optimizers and the loop.
#pragma once

#include <map>
#include <string>
#include <variant>
#include <vector>

namespace imc::nas {

// One candidate as the optimizers see it: for every gene of the search space (in declaration
// order), the index of its value in the gene's domain. Fixed genes have a one-value domain, so
// their index is always 0.
using Genome = std::vector<int>;

// The value of one gene: a number or a string. Integers declared in TOML keep their integer
// spelling in reports ("128", not "128.0").
class GeneValue {
 public:
  GeneValue() = default;
  static GeneValue number(double v, bool integer = false);
  static GeneValue integer(long long v) { return number(static_cast<double>(v), true); }
  static GeneValue text(std::string s);

  bool is_number() const { return std::holds_alternative<double>(v_); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_integer() const { return is_number() && integer_; }
  double as_number() const;              // throws std::logic_error on a string
  const std::string& as_string() const;  // throws std::logic_error on a number
  // "128", "0.85", "rram": the spelling used in keys, reports and messages.
  std::string to_string() const;

  bool operator==(const GeneValue& o) const { return v_ == o.v_; }
  bool operator!=(const GeneValue& o) const { return !(*this == o); }

 private:
  std::variant<double, std::string> v_ = 0.0;
  bool integer_ = false;
};

// A decoded candidate: full gene name ("hardware.xbar_rows") -> value.
using Decoded = std::map<std::string, GeneValue>;

}  // namespace imc::nas
