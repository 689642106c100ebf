#include "arch/overrides.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "arch/fields.h"
#include "arch/load.h"
#include "common/config.h"

namespace imc::arch {
namespace {

using common::Fields;

// A Fields visitor that assigns one dotted key.
class Setter final : public Fields {
 public:
  Setter(const std::string& key, const ParamValue& value) : key_(key), value_(value) {}
  bool found = false;

  void real(const char* k, double& v, const common::RealDecl& d) override {
    if (!match(k)) return;
    const double x = number(k);
    if (!(x >= d.lo && x <= d.hi))
      throw common::InputError(
          fmt::format("{}: {} is out of range: allowed [{}, {}] {}", key_, x, d.lo, d.hi, d.unit));
    v = x;
  }
  void integer(const char* k, std::int64_t& v, const common::IntDecl& d) override {
    if (!match(k)) return;
    const double x = number(k);
    if (std::floor(x) != x) throw common::InputError(fmt::format("{}: {} is not an integer", key_, x));
    if (x < double(d.lo) || x > double(d.hi))
      throw common::InputError(
          fmt::format("{}: {} is out of range: allowed [{}, {}] {}", key_, x, d.lo, d.hi, d.unit));
    v = std::int64_t(x);
  }
  void boolean(const char* k, bool& v, bool, const char*) override {
    if (!match(k)) return;
    v = number(k) != 0;
  }
  void choice(const char* k, std::string& v, const common::ChoiceDecl& d) override {
    if (!match(k)) return;
    if (!std::holds_alternative<std::string>(value_))
      throw common::InputError(fmt::format("{}: expected a string", key_));
    const std::string& s = std::get<std::string>(value_);
    if (!d.allowed.empty() && std::find(d.allowed.begin(), d.allowed.end(), s) == d.allowed.end())
      throw common::InputError(
          fmt::format("{}: \"{}\" is not allowed; allowed: {}", key_, s, fmt::join(d.allowed, ", ")));
    v = s;
  }
  void section(const char* k, const char*, const std::function<void(Fields&)>& body) override {
    prefix_.push_back(k);
    body(*this);
    prefix_.pop_back();
  }

 private:
  bool match(const char* k) {
    std::string path;
    for (const auto& p : prefix_) path += p + ".";
    path += k;
    if (path != key_) return false;
    found = true;
    return true;
  }
  double number(const char*) const {
    if (!std::holds_alternative<double>(value_))
      throw common::InputError(fmt::format("{}: expected a number", key_));
    return std::get<double>(value_);
  }
  std::string key_;
  ParamValue value_;
  std::vector<std::string> prefix_;
};

class KeyLister final : public Fields {
 public:
  std::vector<std::string> keys;
  void real(const char* k, double&, const common::RealDecl&) override { add(k); }
  void integer(const char* k, std::int64_t&, const common::IntDecl&) override { add(k); }
  void boolean(const char* k, bool&, bool, const char*) override { add(k); }
  void choice(const char* k, std::string&, const common::ChoiceDecl&) override { add(k); }
  void section(const char* k, const char*, const std::function<void(Fields&)>& body) override {
    prefix_.push_back(k);
    body(*this);
    prefix_.pop_back();
  }

 private:
  void add(const char* k) {
    std::string path;
    for (const auto& p : prefix_) path += p + ".";
    keys.push_back(path + k);
  }
  std::vector<std::string> prefix_;
};

double as_number(const Override& o) {
  if (!std::holds_alternative<double>(o.value))
    throw common::InputError(fmt::format("{}: expected a number", o.key));
  const double v = std::get<double>(o.value);
  if (!std::isfinite(v)) throw common::InputError(fmt::format("{}: {} is not a finite number", o.key, v));
  return v;
}

// A whole number of a derived key in [lo, hi] (derived keys have no declaration of their own).
std::int64_t derived_count(const Override& o, std::int64_t lo, std::int64_t hi) {
  const double v = as_number(o);
  if (std::floor(v) != v || v < double(lo) || v > double(hi))
    throw common::InputError(
        fmt::format("{}: {:g} is out of range: allowed whole numbers in [{}, {}]", o.key, v, lo, hi));
  return std::int64_t(v);
}

void set_declared(ArchSpec& spec, const std::string& key, const ParamValue& value) {
  Setter s(key, value);
  describe(s, spec);
  if (!s.found)
    throw common::InputError(
        fmt::format("unknown hardware key '{}'; allowed: any arch key (imcsim arch --keys) or "
                    "noc.routers, noc.router_tiles, tile.crossbars, chip.cycle_ns, global.capacity_mb",
                    key));
}

// Sets the declared key a derived key stands for; its range error names both.
void set_derived(ArchSpec& spec, const Override& o, const std::string& declared, double value) {
  try {
    set_declared(spec, declared, value);
  } catch (const common::InputError& e) {
    throw common::InputError(fmt::format("{} = {}: gives {}", o.key,
                                         std::holds_alternative<double>(o.value)
                                             ? fmt::format("{:g}", std::get<double>(o.value))
                                             : std::get<std::string>(o.value),
                                         e.what()));
  }
}

bool apply_without_tech(ArchSpec& spec, const Override& o);

}  // namespace

std::vector<std::string> overridable_keys() {
  ArchSpec s;
  KeyLister l;
  describe(l, s);
  for (const char* k :
       {"noc.routers", "noc.router_tiles", "tile.crossbars", "chip.cycle_ns", "global.capacity_mb"})
    l.keys.emplace_back(k);
  return l.keys;
}

void check_override_value(const Override& o) {
  ArchSpec scratch;
  common::default_fields([&](common::Fields& f) { describe(f, scratch); });
  if (o.key == "tile.crossbars") {  // its divisibility depends on the chip's pe.crossbars
    derived_count(o, 1, std::int64_t(1) << 24);
    return;
  }
  apply_without_tech(scratch, o);
}

void apply_overrides(ArchSpec& spec, const std::vector<Override>& overrides,
                     const std::string& tech_base_dir) {
  bool tech_changed = false;
  for (const Override& o : overrides) tech_changed |= apply_without_tech(spec, o);
  common::check_rules([&](common::Fields& f) { describe(f, spec); }, "hardware");
  if (tech_changed) spec.tech = load_tech(find_tech_file(spec.chip.tech, tech_base_dir), spec.chip.node_nm);
}

namespace {
// One override; true when it changed the tech table's file or node (the caller reloads it).
bool apply_without_tech(ArchSpec& spec, const Override& o) {
  {
    // Derived keys set declared ones through their declarations, so their ranges hold too (a
    // derived value outside them is an error naming both keys, never a silently odd chip).
    if (o.key == "noc.routers") {
      const std::int64_t n = derived_count(o, 1, std::int64_t(1024) * 1024);
      std::int64_t x = std::int64_t(std::floor(std::sqrt(double(n))));
      while (n % x) --x;
      set_derived(spec, o, "noc.mesh_x", double(n / x));
      set_derived(spec, o, "noc.mesh_y", double(x));
    } else if (o.key == "noc.router_tiles") {
      // A concentrated mesh: each router has a port per tile plus four mesh ports, so the router's
      // size (and area, ~ (ports x flit)^2) follows the tiles it serves.
      const double n = as_number(o);
      set_declared(spec, "noc.tiles_per_router", n);
      set_declared(spec, "noc.ports", n + 4);
    } else if (o.key == "tile.crossbars") {
      const std::int64_t n = derived_count(o, 1, std::int64_t(1) << 24);
      if (n % spec.pe.crossbars)
        throw common::InputError(
            fmt::format("tile.crossbars = {} is not a multiple of pe.crossbars = {}", n, spec.pe.crossbars));
      set_derived(spec, o, "tile.pes", double(n / spec.pe.crossbars));
    } else if (o.key == "chip.cycle_ns") {
      const double ns = as_number(o);
      if (!(ns > 0)) throw common::InputError(fmt::format("chip.cycle_ns: {:g} is not a positive time", ns));
      set_derived(spec, o, "chip.clock_ghz", 1.0 / ns);
    } else if (o.key == "global.capacity_mb") {
      const double mb = as_number(o);
      if (!(mb >= 0 && mb <= 65536))
        throw common::InputError(
            fmt::format("global.capacity_mb: {:g} is out of range: allowed [0, 65536] MB", mb));
      set_derived(spec, o, "global.capacity_bytes", std::round(mb * 1048576.0));
    } else {
      set_declared(spec, o.key, o.value);
      return o.key == "chip.tech" || o.key == "chip.node_nm";
    }
  }
  return false;
}
}  // namespace

}  // namespace imc::arch
