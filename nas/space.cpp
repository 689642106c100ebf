// Reading a search space from TOML and mapping genomes to gene values.
#include "nas/space.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace imc::nas {

using common::ConfigNode;
using common::InputError;

namespace {

constexpr std::size_t kMaxValuesPerGene = 1'000'000;  // a genome index is an int

const std::set<std::string> kGeneKeys = {"values", "lo", "hi", "step", "fixed", "doc"};

std::string where_of(const ConfigNode& n) {
  return n.message("").substr(0, n.message("").size() - 2);
}

std::string list_values(const std::vector<GeneValue>& values) {
  std::string s;
  const std::size_t shown = std::min<std::size_t>(values.size(), 12);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i) s += ", ";
    s += values[i].to_string();
  }
  if (shown < values.size()) s += fmt::format(", ... ({} values)", values.size());
  return s;
}

GeneValue scalar_value(const ConfigNode& n) {
  if (n.is_integer()) return GeneValue::integer(n.as_int());
  if (n.is_number()) return GeneValue::number(n.as_real());
  if (n.is_string()) return GeneValue::text(n.as_string());
  n.fail(fmt::format("expected a number or a string, found {}", n.type_name()));
}

std::vector<GeneValue> read_values(const ConfigNode& arr) {
  if (arr.size() == 0) arr.fail("a gene needs at least one value; found an empty list");
  std::vector<GeneValue> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    ConfigNode item = arr.at(i);
    GeneValue v = scalar_value(item);
    if (!out.empty() && v.is_number() != out.front().is_number())
      item.fail("mixes numbers and strings; a gene's values are all numbers or all strings");
    for (const auto& prev : out)
      if (prev == v) item.fail(fmt::format("value {} appears twice", v.to_string()));
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<GeneValue> read_range(const ConfigNode& t) {
  ConfigNode lo_n = t.require("lo"), hi_n = t.require("hi"), step_n = t.get("step");
  for (const ConfigNode* n : {&lo_n, &hi_n, &step_n})
    if (n->valid() && !n->is_integer())
      n->fail(fmt::format("a range takes integers (lo, hi, step); found {}", n->type_name()));
  std::int64_t lo = lo_n.as_int(), hi = hi_n.as_int(), step = step_n.valid() ? step_n.as_int() : 1;
  if (step <= 0) step_n.fail(fmt::format("step must be a positive integer, found {}", step));
  if (hi < lo) hi_n.fail(fmt::format("hi ({}) must be >= lo ({})", hi, lo));
  // In 128 bits: hi - lo overflows 64 for extreme ends (lo = -2^63), and must still be refused.
  const __int128 span = static_cast<__int128>(hi) - static_cast<__int128>(lo);
  if (span / step >= static_cast<__int128>(kMaxValuesPerGene))
    t.fail(fmt::format("range has more than {} values", kMaxValuesPerGene));
  if (span % step != 0)
    hi_n.fail(
        fmt::format("hi - lo ({}) must be a multiple of step ({})", static_cast<std::int64_t>(span), step));
  std::vector<GeneValue> out;
  const auto count = static_cast<std::int64_t>(span / step) + 1;  // by count: v += step may overflow at hi
  for (std::int64_t i = 0; i < count; ++i) out.push_back(GeneValue::integer(lo + i * step));
  return out;
}

Gene read_gene_table(const ConfigNode& t, const std::string& name) {
  Gene g;
  g.name = name;
  g.file = t.file();
  g.line = t.line();
  for (const auto& k : t.keys())
    if (!kGeneKeys.count(k))
      t.get(k).fail("unknown key; a gene table takes: values, lo, hi, step, fixed, doc");
  ConfigNode values = t.get("values"), lo = t.get("lo"), hi = t.get("hi"), fixed = t.get("fixed");
  if (values.valid() && (lo.valid() || hi.valid()))
    t.fail("give either 'values' or a range ('lo', 'hi', 'step'), not both");
  if (t.get("step").valid() && !(lo.valid() || hi.valid())) t.get("step").fail("'step' needs 'lo' and 'hi'");
  if (t.get("doc").valid()) g.doc = t.get("doc").as_string();
  if (values.valid()) {
    if (!values.is_array())
      values.fail(fmt::format("expected a list of numbers or strings, found {}", values.type_name()));
    g.values = read_values(values);
  } else if (lo.valid() || hi.valid()) {
    g.values = read_range(t);
  }
  if (fixed.valid()) {
    GeneValue f = scalar_value(fixed);
    if (!g.values.empty()) {
      bool found = false;
      for (const auto& v : g.values) found = found || v == f;
      if (!found)
        fixed.fail(fmt::format("fixed value {} is not in the gene's values [{}]", f.to_string(),
                               list_values(g.values)));
    }
    g.values = {f};
    g.fixed = true;
  }
  if (g.values.empty()) t.fail("a gene needs 'values', a range ('lo', 'hi'[, 'step']) or 'fixed'");
  return g;
}

// A table is a gene when it uses any gene key; otherwise it is a nested group of genes
// (e.g. [network.stem] width = [16, 32] declares gene "network.stem.width").
bool is_gene_table(const ConfigNode& t) {
  for (const auto& k : t.keys())
    if (kGeneKeys.count(k)) return true;
  return false;
}

// Keys in document order: toml++ keeps a table's keys sorted, but genes should keep the order the
// user wrote them in (genome layout, report columns). Keys on one line keep their sorted order.
std::vector<std::string> document_order(const ConfigNode& table) {
  std::vector<std::string> keys = table.keys();
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
    return table.get(a).line() < table.get(b).line();
  });
  return keys;
}

void read_group(SearchSpace& space, const ConfigNode& group, const std::string& prefix) {
  if (!group.is_table()) group.fail(fmt::format("expected a table of genes, found {}", group.type_name()));
  for (const auto& k : document_order(group)) {
    ConfigNode n = group.get(k);
    std::string name = prefix + "." + k;
    Gene g;
    if (n.is_table()) {
      if (n.keys().empty()) n.fail("empty table: declare values, a range or a fixed value");
      if (!is_gene_table(n)) {
        read_group(space, n, name);
        continue;
      }
      g = read_gene_table(n, name);
    } else if (n.is_array()) {
      g.name = name;
      g.values = read_values(n);
    } else {
      g.name = name;
      g.values = {scalar_value(n)};
      g.fixed = true;
    }
    g.file = n.file();
    g.line = n.line();
    space.add_gene(std::move(g));
  }
}

}  // namespace

bool Gene::numeric() const {
  for (const auto& v : values)
    if (!v.is_number()) return false;
  return true;
}

SearchSpace SearchSpace::load(const std::string& path, const std::set<std::string>& other_keys) {
  return from_config(ConfigNode::parse_file(path), other_keys);
}

SearchSpace SearchSpace::from_config(const ConfigNode& table, const std::set<std::string>& other_keys) {
  if (!table.is_table()) table.fail(fmt::format("expected a table, found {}", table.type_name()));
  SearchSpace space;
  for (const auto& k : table.keys()) {
    if (k == "network" || k == "hardware" || k == "conditions" || other_keys.count(k)) continue;
    std::string allowed = "network, hardware, conditions";
    for (const auto& o : other_keys) allowed += ", " + o;
    table.get(k).fail("unknown key; allowed keys here: " + allowed);
  }
  for (const char* group : {"network", "hardware"})
    if (ConfigNode g = table.get(group); g.valid()) read_group(space, g, group);
  if (ConfigNode conds = table.get("conditions"); conds.valid()) {
    if (!conds.is_array()) conds.fail(fmt::format("expected a list of strings, found {}", conds.type_name()));
    for (std::size_t i = 0; i < conds.size(); ++i) {
      ConfigNode c = conds.at(i);
      if (!c.is_string())
        c.fail(fmt::format("expected a condition string like \"a <= b\", found {}", c.type_name()));
      Condition parsed = parse_condition(c.as_string(), space, where_of(c));
      parsed.file = c.file();
      parsed.line = c.line();
      space.conditions_.push_back(std::move(parsed));
    }
  }
  return space;
}

void SearchSpace::add_gene(Gene gene) {
  std::string where =
      gene.file.empty() ? std::string("search space") : fmt::format("{}:{}", gene.file, gene.line);
  std::string group = gene.group();
  if (gene.name.find('.') == std::string::npos || (group != "network" && group != "hardware"))
    throw InputError(
        fmt::format("{}: gene '{}': a gene name starts with 'network.' or 'hardware.'", where, gene.name));
  if (find(gene.name)) throw InputError(fmt::format("{}: gene '{}': declared twice", where, gene.name));
  if (gene.values.empty()) throw InputError(fmt::format("{}: gene '{}': has no values", where, gene.name));
  if (gene.values.size() > kMaxValuesPerGene)
    throw InputError(fmt::format("{}: gene '{}': more than {} values", where, gene.name, kMaxValuesPerGene));
  genes_.push_back(std::move(gene));
}

void SearchSpace::add_condition(std::string_view text, const std::string& file, int line) {
  std::string where = file.empty() ? std::string("search space") : fmt::format("{}:{}", file, line);
  Condition c = parse_condition(text, *this, where);
  c.file = file;
  c.line = line;
  conditions_.push_back(std::move(c));
}

std::vector<std::size_t> SearchSpace::cardinalities() const {
  std::vector<std::size_t> out;
  for (const auto& g : genes_) out.push_back(g.values.size());
  return out;
}

std::size_t SearchSpace::free_genes() const {
  std::size_t n = 0;
  for (const auto& g : genes_) n += g.values.size() > 1;
  return n;
}

double SearchSpace::log10_candidates() const {
  double s = 0;
  for (const auto& g : genes_) s += std::log10(static_cast<double>(g.values.size()));
  return s;
}

const Gene* SearchSpace::find(std::string_view name) const {
  for (const auto& g : genes_)
    if (g.name == name) return &g;
  return nullptr;
}

std::size_t SearchSpace::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < genes_.size(); ++i)
    if (genes_[i].name == name) return i;
  std::string names;
  for (const auto& g : genes_) names += (names.empty() ? "" : ", ") + g.name;
  throw InputError(fmt::format("unknown gene '{}'; genes: {}", name, names.empty() ? "(none)" : names));
}

void SearchSpace::validate(const Genome& genome) const {
  if (genome.size() != genes_.size())
    throw InputError(
        fmt::format("genome has {} genes, the search space has {}", genome.size(), genes_.size()));
  for (std::size_t i = 0; i < genome.size(); ++i)
    if (genome[i] < 0 || static_cast<std::size_t>(genome[i]) >= genes_[i].values.size())
      throw InputError(fmt::format("genome: gene '{}': index {} is outside [0, {})", genes_[i].name,
                                   genome[i], genes_[i].values.size()));
}

Decoded SearchSpace::decode(const Genome& genome) const {
  validate(genome);
  Decoded out;
  for (std::size_t i = 0; i < genome.size(); ++i) out[genes_[i].name] = genes_[i].values[genome[i]];
  return out;
}

Genome SearchSpace::encode(const Decoded& values) const {
  for (const auto& [name, v] : values)
    if (!find(name)) index_of(name);  // throws "unknown gene ..."
  Genome g(genes_.size(), 0);
  for (std::size_t i = 0; i < genes_.size(); ++i) {
    const Gene& gene = genes_[i];
    auto it = values.find(gene.name);
    if (it == values.end()) {
      if (gene.values.size() == 1) continue;
      throw InputError(
          fmt::format("gene '{}': no value given; allowed: {}", gene.name, list_values(gene.values)));
    }
    bool found = false;
    for (std::size_t k = 0; k < gene.values.size() && !found; ++k) {
      const GeneValue& d = gene.values[k];
      // Numbers compare by value, so 128 and 128.0 are the same choice.
      bool same =
          d.is_number() && it->second.is_number() ? d.as_number() == it->second.as_number() : d == it->second;
      if (same) {
        g[i] = static_cast<int>(k);
        found = true;
      }
    }
    if (!found)
      throw InputError(fmt::format("gene '{}': value {} is not allowed; allowed: {}", gene.name,
                                   it->second.to_string(), list_values(gene.values)));
  }
  return g;
}

std::string SearchSpace::key(const Genome& genome) const {
  validate(genome);
  std::string s;
  for (std::size_t i = 0; i < genome.size(); ++i) {
    if (i) s += ';';
    s += genes_[i].name;
    s += '=';
    s += genes_[i].values[genome[i]].to_string();
  }
  return s;
}

Feasibility SearchSpace::check(const Genome& genome) const {
  validate(genome);
  Feasibility f;
  for (const auto& c : conditions_) {
    double v = condition_violation(c, genome, *this);
    if (v == 0.0) continue;
    f.violation += v;
    auto side = [&](const Operand& o) {
      return o.is_gene ? genes_[o.gene].name + "=" + genes_[o.gene].values[genome[o.gene]].to_string()
                       : o.literal.to_string();
    };
    f.reason += (f.reason.empty() ? "" : "; ") + fmt::format("condition '{}' violated ({} {} {})", c.text,
                                                             side(c.lhs), to_string(c.op), side(c.rhs));
  }
  return f;
}

std::string SearchSpace::fingerprint() const {
  std::string s;
  for (const auto& g : genes_) {
    s += g.name + "=[";
    for (std::size_t k = 0; k < g.values.size(); ++k) {
      if (k) s += ',';
      s += g.values[k].to_string();
    }
    s += "]\n";
  }
  for (const auto& c : conditions_) s += "if " + c.text + "\n";
  return s;
}

nlohmann::json genes_json(const SearchSpace& space, const Genome& genome) {
  nlohmann::json genes = nlohmann::json::object();
  for (const auto& [name, v] : space.decode(genome)) {  // decode: InputError on a bad genome
    if (v.is_integer())
      genes[name] = static_cast<long long>(v.as_number());
    else if (v.is_number())
      genes[name] = v.as_number();
    else
      genes[name] = v.as_string();
  }
  return genes;
}

}  // namespace imc::nas
