// Reading TOML configuration with errors that name the file, line, key and what is allowed.
//
// This header does not include toml++; config.cpp is the only file in the project that does.
// Loaders for arch specs, tech tables, workloads and search spaces all go through ConfigNode
// (free-form access) and Fields (declared parameters: every key declared once with its doc,
// unit, default and allowed range; unknown keys are errors).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imc::common {

// Any problem with user input (config, workload, genome, command line). The message is one line,
// already prefixed with "file:line: key 'a.b.c': ". The CLI turns it into exit code 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
using ConfigError = InputError;

// A read-only handle on one node of a parsed TOML document (shared ownership of the document).
class ConfigNode {
 public:
  ConfigNode() = default;
  static ConfigNode parse_file(const std::string& path);
  static ConfigNode parse_string(std::string_view text, const std::string& source_name);

  bool valid() const { return node_ != nullptr; }
  bool is_table() const;
  bool is_array() const;
  bool is_integer() const;
  bool is_number() const;  // integer or floating point
  bool is_string() const;
  bool is_bool() const;
  std::string type_name() const;  // "table", "array", "integer", "float", "string", "boolean"

  const std::string& file() const;
  int line() const;
  const std::string& path() const { return path_; }  // dotted key path, e.g. "tile.pe.adc.bits"

  // Tables.
  std::vector<std::string> keys() const;           // sorted by name (toml++ order), not document order
  ConfigNode get(std::string_view key) const;      // invalid node if absent
  ConfigNode require(std::string_view key) const;  // error if absent
  // Arrays.
  std::size_t size() const;
  ConfigNode at(std::size_t i) const;

  // Scalars: throw InputError naming the location and the expected type on mismatch.
  double as_real() const;
  std::int64_t as_int() const;
  bool as_bool() const;
  std::string as_string() const;

  // "file:line: key 'path': <what>" — the one format of every config error.
  std::string message(std::string_view what) const;
  [[noreturn]] void fail(std::string_view what) const;

 private:
  struct Doc;
  ConfigNode(std::shared_ptr<Doc> doc, const void* node, std::string path);
  std::shared_ptr<Doc> doc_;
  const void* node_ = nullptr;  // const toml::node*
  std::string path_;
};

// Declarations of one parameter.
// A RealDecl whose def is kRequired has no default: the key must be present.
inline constexpr double kRequired = __builtin_nan("");
struct RealDecl {
  double def;
  double lo;
  double hi;
  const char* unit;
  const char* doc;
};
struct IntDecl {
  std::int64_t def;
  std::int64_t lo;
  std::int64_t hi;
  const char* unit;
  const char* doc;
  // A word that may be written instead of the lower bound (e.g. "auto" for a cap whose lower bound
  // 0 means "no cap, decide"): files and flags accept it, docs and help show it. nullptr: none.
  const char* word = nullptr;
};
struct ChoiceDecl {
  const char* def;
  std::vector<std::string> allowed;
  const char* doc;
};

// A visitor over declared parameters. A spec struct describes itself once, in a function
// `void describe(Fields&, Spec&)`; readers, defaulters, doc writers and JSON dumpers are Fields.
class Fields {
 public:
  virtual ~Fields() = default;
  virtual void real(const char* key, double& value, const RealDecl& decl) = 0;
  virtual void integer(const char* key, std::int64_t& value, const IntDecl& decl) = 0;
  virtual void boolean(const char* key, bool& value, bool def, const char* doc) = 0;
  virtual void choice(const char* key, std::string& value, const ChoiceDecl& decl) = 0;
  virtual void section(const char* key, const char* doc, const std::function<void(Fields&)>& body) = 0;
  // An old spelling of the key declared right after it, accepted for one release: the reader takes
  // the old key when the new one is absent and warns on stderr naming file:line and the new key
  // (both present is an error). `inverted`: a boolean whose old meaning is the new key's negation.
  virtual void alias(const char* old_key, const char* new_key, bool inverted = false) {
    (void)old_key, (void)new_key, (void)inverted;
  }
  // Marks the section declared right after it as required: a file without it is an error naming it
  // (an absent optional section takes its defaults; an absent section holding a required key is an
  // error anyway). Readers check it; docs show it.
  virtual void required_section(const char* key) { (void)key; }
  // A rule across several parameters of the current section, checked by readers and check_fields
  // once the section's values are known: `problem` returns "" when the values are consistent, else
  // what is wrong (the message names `key`, the parameter to change).
  virtual void rule(const char* key, const std::function<std::string()>& problem) {
    (void)key, (void)problem;
  }

  void integer(const char* key, int& value, const IntDecl& decl) {
    std::int64_t v = value;
    integer(key, v, decl);
    value = static_cast<int>(v);
  }

  // A choice read into an enum: `names` pairs every allowed spelling with its value (the allowed
  // list of errors and docs is their order). Models then compare enums, never strings.
  template <class E>
  void choice(const char* key, E& value, E def, const std::vector<std::pair<const char*, E>>& names,
              const char* doc) {
    ChoiceDecl decl{nullptr, {}, doc};
    std::string text;
    for (const auto& [name, v] : names) {
      decl.allowed.emplace_back(name);
      if (v == def) decl.def = name;
      if (v == value) text = name;
    }
    choice(key, text, decl);
    for (const auto& [name, v] : names)
      if (text == name) value = v;
  }
};

// The spelling of an enum value in its `names` table ("?" if absent).
template <class E>
const char* name_of(E value, const std::vector<std::pair<const char*, E>>& names) {
  for (const auto& [name, v] : names)
    if (v == value) return name;
  return "?";
}

// Fields that reads values from a TOML table, applying defaults for absent keys and rejecting
// unknown keys, wrong types and out-of-range values.
void read_fields(const ConfigNode& table, const std::function<void(Fields&)>& describe);
// Fields that sets every declared parameter to its default.
void default_fields(const std::function<void(Fields&)>& describe);
// Markdown table of every declared parameter (key, unit, default, allowed, doc).
std::string document_fields(const std::function<void(Fields&)>& describe);
// The current values as JSON (sections become objects); used for reports and candidate hashes.
nlohmann::json dump_fields(const std::function<void(Fields&)>& describe);
// Sets one declared parameter (dotted key, e.g. "nsga2.cr") from text, e.g. a command-line flag's
// value, checked against the same declaration as the config file. Errors are InputErrors
// "<origin>: <what>" naming the allowed range or values; the other parameters are left as they are.
void set_field(const std::function<void(Fields&)>& describe, std::string_view key, std::string_view text,
               std::string_view origin);
// One declared parameter as help text: "<doc> (default <d>; allowed <range or values> <unit>)"
// (command-line help that cannot drift from the config key). "" for an undeclared key.
std::string field_help(const std::function<void(Fields&)>& describe, std::string_view key);
// Checks the current values against their declarations (settings filled in code rather than read):
// InputError "<origin>: <key> = <value> is out of range: allowed [lo, hi] <unit>".
void check_fields(const std::function<void(Fields&)>& describe, std::string_view origin);
// Checks only the cross-field rules (Fields::rule) of the current values (set_field runs it).
void check_rules(const std::function<void(Fields&)>& describe, std::string_view origin);
// Where deprecation warnings go (stderr by default; tests capture them).
void set_warning_sink(std::function<void(const std::string&)> sink);

}  // namespace imc::common
