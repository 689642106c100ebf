// The only translation unit of the libraries that includes toml++ (the Python module writes dicts as TOML
// text with it: python/py_convert.cpp).
#include "common/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/config_text.h"

namespace imc::common {

using text::allowed_list;
using text::fmt_num;
using text::join_path;

struct ConfigNode::Doc {
  std::string file;
  toml::table root;
};

namespace {
const toml::node* as_node(const void* p) {
  return static_cast<const toml::node*>(p);
}

}  // namespace

ConfigNode::ConfigNode(std::shared_ptr<Doc> doc, const void* node, std::string path)
    : doc_(std::move(doc)), node_(node), path_(std::move(path)) {}

ConfigNode ConfigNode::parse_file(const std::string& path) {
  // toml++ reads a directory or an unreadable path as an empty document: every key would then take
  // its default and a wrong path would give the default chip. Refuse them here, for every loader.
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw InputError(fmt::format("{}: no such file", path));
  if (fs::is_directory(st)) throw InputError(fmt::format("{}: is a directory, expected a TOML file", path));
  if (!std::ifstream(path)) throw InputError(fmt::format("{}: cannot read (permissions?)", path));
  auto doc = std::make_shared<Doc>();
  doc->file = path;
  try {
    doc->root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    if (!src.begin) throw InputError(fmt::format("{}: {}", path, e.description()));
    throw InputError(fmt::format("{}:{}: TOML syntax error: {}", path, src.begin.line, e.description()));
  }
  if (doc->root.empty())
    throw InputError(fmt::format("{}: the file holds no keys (empty, or comments only)", path));
  const void* root = &doc->root;
  return ConfigNode(doc, root, "");
}

ConfigNode ConfigNode::parse_string(std::string_view text, const std::string& source_name) {
  auto doc = std::make_shared<Doc>();
  doc->file = source_name;
  try {
    doc->root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw InputError(
        fmt::format("{}:{}: TOML syntax error: {}", source_name, e.source().begin.line, e.description()));
  }
  const void* root = &doc->root;
  return ConfigNode(doc, root, "");
}

bool ConfigNode::is_table() const {
  return node_ && as_node(node_)->is_table();
}
bool ConfigNode::is_array() const {
  return node_ && as_node(node_)->is_array();
}
bool ConfigNode::is_integer() const {
  return node_ && as_node(node_)->is_integer();
}
bool ConfigNode::is_number() const {
  return node_ && as_node(node_)->is_number();
}
bool ConfigNode::is_string() const {
  return node_ && as_node(node_)->is_string();
}
bool ConfigNode::is_bool() const {
  return node_ && as_node(node_)->is_boolean();
}

std::string ConfigNode::type_name() const {
  if (!node_) return "nothing";
  switch (as_node(node_)->type()) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    default:
      return "date/time";
  }
}

const std::string& ConfigNode::file() const {
  static const std::string none = "<no file>";
  return doc_ ? doc_->file : none;
}

int ConfigNode::line() const {
  if (!node_) return 0;
  return static_cast<int>(as_node(node_)->source().begin.line);
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  if (!is_table()) return out;
  for (auto& [k, v] : *as_node(node_)->as_table()) out.emplace_back(k.str());
  return out;
}

ConfigNode ConfigNode::get(std::string_view key) const {
  if (!is_table()) return {};
  const toml::node* child = as_node(node_)->as_table()->get(key);
  if (!child) return {};
  return ConfigNode(doc_, child, join_path(path_, key));
}

ConfigNode ConfigNode::require(std::string_view key) const {
  ConfigNode n = get(key);
  if (!n.valid()) fail(fmt::format("missing required key '{}'", join_path(path_, key)));
  return n;
}

std::size_t ConfigNode::size() const {
  return is_array() ? as_node(node_)->as_array()->size() : 0;
}

ConfigNode ConfigNode::at(std::size_t i) const {
  if (!is_array() || i >= size()) return {};
  return ConfigNode(doc_, as_node(node_)->as_array()->get(i), fmt::format("{}[{}]", path_, i));
}

double ConfigNode::as_real() const {
  if (!is_number()) fail(fmt::format("expected a number, found {}", type_name()));
  // An integer node converts with rounding (toml++'s value<double>() refuses integers above 2^53).
  const double v = is_integer() ? static_cast<double>(as_node(node_)->as_integer()->get())
                                : as_node(node_)->as_floating_point()->get();
  if (!std::isfinite(v)) fail(fmt::format("{} is not allowed: expected a finite number", fmt_num(v)));
  return v;
}

std::int64_t ConfigNode::as_int() const {
  if (is_integer()) return as_node(node_)->as_integer()->get();
  if (is_number()) {
    double v = as_real();
    if (std::floor(v) == v && std::abs(v) < 9e15) return static_cast<std::int64_t>(v);
  }
  fail(fmt::format("expected an integer, found {}", type_name()));
}

bool ConfigNode::as_bool() const {
  if (!is_bool()) fail(fmt::format("expected true or false, found {}", type_name()));
  return as_node(node_)->as_boolean()->get();
}

std::string ConfigNode::as_string() const {
  if (!is_string()) fail(fmt::format("expected a string, found {}", type_name()));
  return as_node(node_)->as_string()->get();
}

std::string ConfigNode::message(std::string_view what) const {
  int ln = line();
  std::string where = ln > 0 ? fmt::format("{}:{}", file(), ln) : file();
  if (path_.empty()) return fmt::format("{}: {}", where, what);
  return fmt::format("{}: key '{}': {}", where, path_, what);
}

void ConfigNode::fail(std::string_view what) const {
  throw InputError(message(what));
}

namespace {

struct WarningSink {
  std::mutex mu;
  std::function<void(const std::string&)> sink;
};
WarningSink& warning_sink() {
  static WarningSink w;
  return w;
}

void warn(const std::string& line) {
  WarningSink& w = warning_sink();
  std::lock_guard lock(w.mu);
  if (w.sink)
    w.sink(line);
  else
    std::cerr << line << "\n";
}

class Reader final : public Fields {
 public:
  explicit Reader(const ConfigNode& table) : table_(table) {}

  void real(const char* key, double& value, const RealDecl& d) override {
    ConfigNode n = take(key);
    if (!n.valid()) {
      if (std::isnan(d.def))
        table_.fail(fmt::format("missing required key '{}' ({}; {} in [{}, {}])",
                                join_path(table_.path(), key), d.doc, d.unit, fmt_num(d.lo), fmt_num(d.hi)));
      value = d.def;
      return;
    }
    if (!n.is_number())
      n.fail(fmt::format("expected a number in [{}, {}] {}, found {}", fmt_num(d.lo), fmt_num(d.hi), d.unit,
                         n.type_name()));
    const double v = n.as_real();  // finite
    if (!(v >= d.lo && v <= d.hi))
      n.fail(fmt::format("{} is out of range: allowed [{}, {}] {}", fmt_num(v), fmt_num(d.lo), fmt_num(d.hi),
                         d.unit));
    value = v;
  }

  void integer(const char* key, std::int64_t& value, const IntDecl& d) override {
    ConfigNode n = take(key);
    if (!n.valid()) {
      value = d.def;
      return;
    }
    if (d.word && n.is_string() && n.as_string() == d.word) {
      value = d.lo;
      return;
    }
    if (!n.is_integer())
      n.fail(fmt::format("expected an integer in [{}, {}] {}{}, found {}", d.lo, d.hi, d.unit,
                         d.word ? fmt::format(" or \"{}\"", d.word) : std::string(), n.type_name()));
    std::int64_t v = n.as_int();
    if (v < d.lo || v > d.hi)
      n.fail(fmt::format("{} is out of range: allowed [{}, {}] {}", v, d.lo, d.hi, d.unit));
    value = v;
  }

  void boolean(const char* key, bool& value, bool def, const char*) override {
    ConfigNode n = take(key);
    value = n.valid() ? n.as_bool() != taken_inverted_ : def;
  }

  void alias(const char* old_key, const char* new_key, bool inverted) override {
    aliases_[new_key] = {old_key, inverted};
  }

  void choice(const char* key, std::string& value, const ChoiceDecl& d) override {
    ConfigNode n = take(key);
    if (!n.valid()) {
      value = d.def;
      return;
    }
    if (!n.is_string())
      n.fail(fmt::format("expected one of {}, found {}", allowed_list(d.allowed), n.type_name()));
    std::string v = n.as_string();
    if (d.allowed.empty()) {  // free-form string
      value = v;
      return;
    }
    for (const auto& a : d.allowed)
      if (a == v) {
        value = v;
        return;
      }
    n.fail(fmt::format("\"{}\" is not allowed: expected one of {}", v, allowed_list(d.allowed)));
  }

  void section(const char* key, const char*, const std::function<void(Fields&)>& body) override {
    const bool required = required_ == key;
    required_.clear();
    ConfigNode n = take(key);
    if (n.valid() && !n.is_table()) n.fail(fmt::format("expected a table, found {}", n.type_name()));
    if (!n.valid()) {
      const std::string path = join_path(table_.path(), key);
      if (required) table_.fail(fmt::format("missing required section [{}]", path));
      const std::string needed = first_required_key(body);
      if (!needed.empty())
        table_.fail(fmt::format("missing required section [{}] (its key '{}' has no default)", path,
                                join_path(path, needed)));
      default_fields(body);
      return;
    }
    read_fields(n, body);
  }

  void required_section(const char* key) override { required_ = key; }

  void rule(const char* key, const std::function<std::string()>& problem) override {
    const std::string what = problem();
    if (what.empty()) return;
    const ConfigNode n = table_.get(key);
    if (n.valid()) n.fail(what);
    table_.fail(fmt::format("key '{}': {}", join_path(table_.path(), key), what));
  }

  void check_unknown() const {
    for (const auto& k : table_.keys())
      if (!used_.count(k)) {
        std::string known;
        for (const auto& u : declared_) known += (known.empty() ? "" : ", ") + u;
        table_.get(k).fail(fmt::format("unknown key; allowed keys here: {}", known));
      }
  }

 private:
  ConfigNode take(const char* key) {
    used_.insert(key);
    declared_.push_back(key);
    taken_inverted_ = false;
    ConfigNode n = table_.get(key);
    const auto a = aliases_.find(key);
    if (a == aliases_.end()) return n;
    const auto& [old_key, inverted] = a->second;
    used_.insert(old_key);
    const ConfigNode old = table_.get(old_key);
    if (!old.valid()) return n;
    const std::string new_path = join_path(table_.path(), key);
    if (n.valid())
      old.fail(fmt::format("both '{}' and its deprecated spelling are given; keep '{}'", new_path, new_path));
    warn(old.message(fmt::format(
        "warning: deprecated spelling; use '{}'{} (the old one is accepted until the next release)", new_path,
        inverted ? " with the opposite value" : "")));
    taken_inverted_ = inverted;
    return old;
  }
  // The first key of a section body that has no default ("" if none).
  static std::string first_required_key(const std::function<void(Fields&)>& body) {
    struct Finder final : Fields {
      std::string prefix, found;
      void real(const char* k, double&, const RealDecl& d) override {
        if (found.empty() && std::isnan(d.def)) found = join_path(prefix, k);
      }
      void integer(const char*, std::int64_t&, const IntDecl&) override {}
      void boolean(const char*, bool&, bool, const char*) override {}
      void choice(const char*, std::string&, const ChoiceDecl&) override {}
      void section(const char* k, const char*, const std::function<void(Fields&)>& b) override {
        const std::string saved = prefix;
        prefix = join_path(prefix, k);
        b(*this);
        prefix = saved;
      }
    } f;
    body(f);
    return f.found;
  }
  ConfigNode table_;
  std::string required_;  // the section named by the last required_section()
  std::set<std::string> used_;
  std::vector<std::string> declared_;
  std::map<std::string, std::pair<std::string, bool>> aliases_;  // new key -> old key, inverted
  bool taken_inverted_ = false;                                  // the last take() read an inverted alias
};

class Defaulter final : public Fields {
 public:
  void real(const char*, double& v, const RealDecl& d) override { v = d.def; }
  void integer(const char*, std::int64_t& v, const IntDecl& d) override { v = d.def; }
  void boolean(const char*, bool& v, bool def, const char*) override { v = def; }
  void choice(const char*, std::string& v, const ChoiceDecl& d) override { v = d.def; }
  void section(const char*, const char*, const std::function<void(Fields&)>& body) override { body(*this); }
};

class DocWriter final : public Fields {
 public:
  std::ostringstream out;
  std::string prefix;
  std::string required_;
  void real(const char* key, double& v, const RealDecl& d) override {
    v = d.def;
    row(key, d.unit, std::isnan(d.def) ? "required" : fmt_num(d.def),
        fmt::format("[{}, {}]", fmt_num(d.lo), fmt_num(d.hi)), d.doc);
  }
  void integer(const char* key, std::int64_t& v, const IntDecl& d) override {
    v = d.def;
    row(key, d.unit, d.word && d.def == d.lo ? fmt::format("\"{}\"", d.word) : std::to_string(d.def),
        d.word ? fmt::format("\"{}\" (= {}), [{}, {}]", d.word, d.lo, d.lo, d.hi)
               : fmt::format("[{}, {}]", d.lo, d.hi),
        d.doc);
  }
  void boolean(const char* key, bool& v, bool def, const char* doc) override {
    v = def;
    row(key, "", def ? "true" : "false", "true, false", doc);
  }
  void choice(const char* key, std::string& v, const ChoiceDecl& d) override {
    v = d.def;
    row(key, "", std::string("\"") + d.def + "\"", d.allowed.empty() ? "any string" : allowed_list(d.allowed),
        d.doc);
  }
  void required_section(const char* key) override { required_ = key; }
  void section(const char* key, const char* doc, const std::function<void(Fields&)>& body) override {
    std::string saved = prefix;
    prefix = join_path(prefix, key);
    out << fmt::format("| **[{}]** | | {} | | {} |\n", prefix, required_ == key ? "required" : "", doc);
    required_.clear();
    body(*this);
    prefix = saved;
  }
  void alias(const char* old_key, const char* new_key, bool inverted) override {
    out << fmt::format("| `{}` | | | | deprecated spelling of `{}`{} |\n", join_path(prefix, old_key),
                       join_path(prefix, new_key), inverted ? " with the opposite value" : "");
  }

 private:
  void row(const char* key, const char* unit, const std::string& def, const std::string& allowed,
           const char* doc) {
    out << fmt::format("| `{}` | {} | {} | {} | {} |\n", join_path(prefix, key), unit, def, allowed, doc);
  }
};

class JsonDumper final : public Fields {
 public:
  nlohmann::json* cur;
  explicit JsonDumper(nlohmann::json* root) : cur(root) {}
  void real(const char* key, double& v, const RealDecl&) override { (*cur)[key] = v; }
  void integer(const char* key, std::int64_t& v, const IntDecl&) override { (*cur)[key] = v; }
  void boolean(const char* key, bool& v, bool, const char*) override { (*cur)[key] = v; }
  void choice(const char* key, std::string& v, const ChoiceDecl&) override { (*cur)[key] = v; }
  void section(const char* key, const char*, const std::function<void(Fields&)>& body) override {
    nlohmann::json* saved = cur;
    cur = &(*cur)[key];
    *cur = nlohmann::json::object();
    body(*this);
    cur = saved;
  }
};

}  // namespace

void set_warning_sink(std::function<void(const std::string&)> sink) {
  WarningSink& w = warning_sink();
  std::lock_guard lock(w.mu);
  w.sink = std::move(sink);
}

void read_fields(const ConfigNode& table, const std::function<void(Fields&)>& describe) {
  if (!table.is_table()) table.fail(fmt::format("expected a table, found {}", table.type_name()));
  Reader r(table);
  describe(r);
  r.check_unknown();
}

void default_fields(const std::function<void(Fields&)>& describe) {
  Defaulter d;
  describe(d);
}

std::string document_fields(const std::function<void(Fields&)>& describe) {
  DocWriter w;
  w.out << "| key | unit | default | allowed | meaning |\n|---|---|---|---|---|\n";
  describe(w);
  return w.out.str();
}

nlohmann::json dump_fields(const std::function<void(Fields&)>& describe) {
  nlohmann::json root = nlohmann::json::object();
  JsonDumper d(&root);
  describe(d);
  return root;
}

}  // namespace imc::common
