// Fields visitors over values already in memory: set_field (a command-line override through a
// parameter's declaration), check_fields (values filled in code) and field_help (help text).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/config.h"
#include "common/config_text.h"

namespace imc::common {
namespace {

using text::allowed_list;
using text::fmt_num;
using text::join_path;
using text::unit_suffix;

// A visitor that knows the dotted path of the parameter it visits (sections nest).
class PathFields : public Fields {
 public:
  void section(const char* key, const char*, const std::function<void(Fields&)>& body) override {
    const std::string saved = prefix_;
    prefix_ = join_path(prefix_, key);
    body(*this);
    prefix_ = saved;
  }

 protected:
  std::string path(const char* key) const { return join_path(prefix_, key); }
  std::string prefix_;
};

// Sets the one parameter named by a dotted key from text (set_field).
class Setter final : public PathFields {
 public:
  Setter(std::string_view key, std::string_view text, std::string_view origin)
      : key_(key), text_(text), origin_(origin) {}
  bool found = false;

  void real(const char* key, double& value, const RealDecl& d) override {
    if (!match(key)) return;
    double v = 0;
    const auto [end, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), v);
    if (ec != std::errc() || end != text_.data() + text_.size())
      fail(fmt::format("'{}' is not a number; allowed [{}, {}]{}", text_, fmt_num(d.lo), fmt_num(d.hi),
                       unit_suffix(d.unit)));
    if (!std::isfinite(v))
      fail(fmt::format("{} is not allowed: expected a finite number in [{}, {}]{}", text_, fmt_num(d.lo),
                       fmt_num(d.hi), unit_suffix(d.unit)));
    if (!(v >= d.lo && v <= d.hi))
      fail(fmt::format("{} is out of range: allowed [{}, {}]{}", text_, fmt_num(d.lo), fmt_num(d.hi),
                       unit_suffix(d.unit)));
    value = v;
  }
  void integer(const char* key, std::int64_t& value, const IntDecl& d) override {
    if (!match(key)) return;
    if (d.word && text_ == d.word) {
      value = d.lo;
      return;
    }
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text_.data(), text_.data() + text_.size(), v);
    if (ec != std::errc() || end != text_.data() + text_.size())
      fail(fmt::format("'{}' is not an integer; allowed [{}, {}]{}", text_, d.lo, d.hi, unit_suffix(d.unit)));
    if (v < d.lo || v > d.hi)
      fail(fmt::format("{} is out of range: allowed [{}, {}]{}", v, d.lo, d.hi, unit_suffix(d.unit)));
    value = v;
  }
  void boolean(const char* key, bool& value, bool, const char*) override {
    if (!match(key)) return;
    if (text_ != "true" && text_ != "false")
      fail(fmt::format("'{}' is not allowed: expected true or false", text_));
    value = text_ == "true";
  }
  void choice(const char* key, std::string& value, const ChoiceDecl& d) override {
    if (!match(key)) return;
    if (!d.allowed.empty() && std::find(d.allowed.begin(), d.allowed.end(), text_) == d.allowed.end())
      fail(fmt::format("\"{}\" is not allowed: expected one of {}", text_, allowed_list(d.allowed)));
    value = text_;
  }

 private:
  bool match(const char* key) {
    if (path(key) != key_) return false;
    found = true;
    return true;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(fmt::format("{}: {} (key '{}')", origin_, what, key_));
  }
  std::string key_, text_, origin_;
};

// The help text of one parameter (field_help).
class Helper final : public PathFields {
 public:
  explicit Helper(std::string_view key) : key_(key) {}
  std::string text;
  void real(const char* key, double&, const RealDecl& d) override {
    if (match(key))
      text = fmt::format("{} (default {}; allowed [{}, {}]{})", d.doc,
                         std::isnan(d.def) ? "none" : fmt_num(d.def), fmt_num(d.lo), fmt_num(d.hi),
                         unit_suffix(d.unit));
  }
  void integer(const char* key, std::int64_t&, const IntDecl& d) override {
    if (match(key))
      text = d.word ? fmt::format("{} (default {}; allowed \"{}\" (= {}) or [{}, {}]{})", d.doc,
                                  d.def == d.lo ? fmt::format("\"{}\"", d.word) : std::to_string(d.def),
                                  d.word, d.lo, d.lo, d.hi, unit_suffix(d.unit))
                    : fmt::format("{} (default {}; allowed [{}, {}]{})", d.doc, d.def, d.lo, d.hi,
                                  unit_suffix(d.unit));
  }
  void boolean(const char* key, bool&, bool def, const char* doc) override {
    if (match(key)) text = fmt::format("{} (default {})", doc, def);
  }
  void choice(const char* key, std::string&, const ChoiceDecl& d) override {
    if (match(key))
      text = d.allowed.empty()
                 ? fmt::format("{} (default \"{}\")", d.doc, d.def)
                 : fmt::format("{} (default \"{}\"; one of {})", d.doc, d.def, allowed_list(d.allowed));
  }

 private:
  bool match(const char* key) const { return path(key) == key_; }
  std::string key_;
};

// Checks every current value against its declaration (check_fields).
class Checker final : public PathFields {
 public:
  explicit Checker(std::string_view origin) : origin_(origin) {}
  void real(const char* key, double& v, const RealDecl& d) override {
    if (!(v >= d.lo && v <= d.hi))
      fail(key, fmt::format("{} is out of range: allowed [{}, {}]{}", fmt_num(v), fmt_num(d.lo),
                            fmt_num(d.hi), unit_suffix(d.unit)));
  }
  void integer(const char* key, std::int64_t& v, const IntDecl& d) override {
    if (v < d.lo || v > d.hi)
      fail(key, fmt::format("{} is out of range: allowed [{}, {}]{}", v, d.lo, d.hi, unit_suffix(d.unit)));
  }
  void boolean(const char*, bool&, bool, const char*) override {}
  void choice(const char* key, std::string& v, const ChoiceDecl& d) override {
    if (!d.allowed.empty() && std::find(d.allowed.begin(), d.allowed.end(), v) == d.allowed.end())
      fail(key, fmt::format("\"{}\" is not allowed: expected one of {}", v, allowed_list(d.allowed)));
  }
  void rule(const char* key, const std::function<std::string()>& problem) override {
    const std::string what = problem();
    if (!what.empty()) fail(key, what);
  }

 private:
  [[noreturn]] void fail(const char* key, const std::string& what) const {
    throw InputError(fmt::format("{}: {} = {}", origin_, path(key), what));
  }
  std::string origin_;
};

}  // namespace

std::string field_help(const std::function<void(Fields&)>& describe, std::string_view key) {
  Helper h(key);
  describe(h);
  return h.text;
}

void check_fields(const std::function<void(Fields&)>& describe, std::string_view origin) {
  Checker c(origin);
  describe(c);
}

void set_field(const std::function<void(Fields&)>& describe, std::string_view key, std::string_view text,
               std::string_view origin) {
  Setter s(key, text, origin);
  describe(s);
  if (!s.found) throw InputError(fmt::format("{}: no such setting '{}'", origin, key));
  check_rules(describe, origin);
}

void check_rules(const std::function<void(Fields&)>& describe, std::string_view origin) {
  // Only the cross-field rules: the other values came from a reader that checked them already.
  class RuleChecker final : public PathFields {
   public:
    explicit RuleChecker(std::string_view o) : origin_(o) {}
    void real(const char*, double&, const RealDecl&) override {}
    void integer(const char*, std::int64_t&, const IntDecl&) override {}
    void boolean(const char*, bool&, bool, const char*) override {}
    void choice(const char*, std::string&, const ChoiceDecl&) override {}
    void rule(const char* key, const std::function<std::string()>& problem) override {
      const std::string what = problem();
      if (!what.empty()) throw InputError(fmt::format("{}: {}: {}", origin_, path(key), what));
    }

   private:
    std::string origin_;
  } c(origin);
  describe(c);
}

}  // namespace imc::common
