#include "nas/decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "arch/load.h"
#include "common/config.h"
#include "nas/decode_vit.h"

namespace imc::nas {
namespace {

// The network genes: every field of the CNN family (workloads::for_each_field, listed once there) but
// the fixed input and classes, and the two precisions (chip keys set through hardware_overrides).
const std::vector<std::string>& network_fields() {
  static const std::vector<std::string> fields = [] {
    std::vector<std::string> out;
    workloads::CnnFamilyParams p;
    workloads::for_each_field(p, p, [&](const char* name, const auto&, const auto&) {
      if (std::string(name) != "input" && std::string(name) != "classes") out.emplace_back(name);
    });
    out.emplace_back("weight_bits");
    out.emplace_back("activation_bits");
    // The ViT family's genes and the family gene (decode_vit.h checks their values).
    for (const std::string& f : vit_network_fields()) out.push_back(f);
    out.emplace_back("family");
    return out;
  }();
  return fields;
}

std::string where(const Gene& g) {
  return g.file.empty() ? fmt::format("gene '{}'", g.name)
                        : fmt::format("{}:{}: gene '{}'", g.file, g.line, g.name);
}

bool starts_with(const std::string& s, const std::string& p) {
  return s.compare(0, p.size(), p) == 0;
}

// Whole-number value of a numeric gene; DecodeError otherwise.
int as_int(const Gene& g, const GeneValue& v) {
  if (!v.is_number() || std::floor(v.as_number()) != v.as_number())
    throw DecodeError(fmt::format("{}={} must be a whole number", g.name, v.to_string()));
  return static_cast<int>(v.as_number());
}

bool as_bool(const Gene& g, const GeneValue& v) {
  if (v.is_number()) return v.as_number() != 0;
  const std::string& s = v.as_string();
  if (s == "true" || s == "residual" || s == "yes") return true;
  if (s == "false" || s == "plain" || s == "no") return false;
  throw DecodeError(fmt::format("{}={}: allowed: true|false|residual|plain|0|1", g.name, s));
}

}  // namespace

void check_gene_names(const SearchSpace& space) {
  const std::vector<std::string> hw = arch::overridable_keys();
  for (const Gene& g : space.genes()) {
    if (starts_with(g.name, "hardware.")) {
      const std::string key = g.name.substr(9);
      if (std::find(hw.begin(), hw.end(), key) == hw.end())
        throw common::InputError(
            fmt::format("{}: unknown hardware key '{}'; allowed: any arch key ({}), see "
                        "`imcsim arch --keys`",
                        where(g), key, fmt::join(hw, ", ")));
      // Each value through its key's declaration (derived keys too): a value no chip can have is
      // a config error, not a candidate that the search might rank.
      for (const GeneValue& v : g.values) {
        try {
          arch::check_override_value(
              {key, v.is_number() ? arch::ParamValue(v.as_number()) : arch::ParamValue(v.as_string())});
        } catch (const common::InputError& e) {
          throw common::InputError(fmt::format("{}: value {}: {}", where(g), v.to_string(), e.what()));
        }
      }
    } else if (starts_with(g.name, "network.")) {
      const std::string field = g.name.substr(8);
      const auto& fields = network_fields();
      if (std::find(fields.begin(), fields.end(), field) == fields.end())
        throw common::InputError(fmt::format("{}: unknown network gene '{}'; allowed: {}", where(g), field,
                                             fmt::join(fields, ", ")));
      if (field != "residual" && field != "family")
        for (const GeneValue& v : g.values)
          if (!v.is_number())
            throw common::InputError(fmt::format("{}: value '{}' must be a number", where(g), v.to_string()));
    } else {
      throw common::InputError(fmt::format("{}: genes live under [network] or [hardware]", where(g)));
    }
  }
  check_vit_genes(space);
}

std::vector<arch::Override> hardware_overrides(const SearchSpace& space, const Genome& genome) {
  std::vector<arch::Override> out;
  const auto& genes = space.genes();
  for (std::size_t i = 0; i < genes.size(); ++i) {
    const Gene& g = genes[i];
    const GeneValue& v = g.values.at(static_cast<std::size_t>(genome.at(i)));
    arch::ParamValue value =
        v.is_number() ? arch::ParamValue(v.as_number()) : arch::ParamValue(v.as_string());
    if (starts_with(g.name, "hardware."))
      out.push_back({g.name.substr(9), value});
    else if (g.name == "network.weight_bits")
      out.push_back({"precision.weight_bits", value});
    else if (g.name == "network.activation_bits")
      out.push_back({"precision.input_bits", value});
  }
  // The technology first: changing it reloads the tech table, which the other keys don't touch.
  std::stable_partition(out.begin(), out.end(), [](const arch::Override& o) {
    return o.key == "chip.tech" || o.key == "chip.node_nm";
  });
  return out;
}

arch::ArchSpec decode_hardware(const arch::ArchSpec& base, const SearchSpace& space, const Genome& genome,
                               const std::string& tech_base_dir) {
  arch::ArchSpec spec = base;
  try {
    arch::apply_overrides(spec, hardware_overrides(space, genome), tech_base_dir);
  } catch (const common::InputError& e) {
    throw DecodeError(e.what());
  }
  const auto problems = arch::check_arch(spec);
  if (!problems.empty()) {
    std::string reason;
    for (const auto& p : problems) reason += (reason.empty() ? "" : "; ") + p.key + ": " + p.message;
    throw DecodeError(reason);
  }
  return spec;
}

workloads::CnnFamilyParams network_params(const workloads::CnnFamilyParams& defaults,
                                          const SearchSpace& space, const Genome& genome) {
  workloads::CnnFamilyParams p = defaults;
  const auto& genes = space.genes();
  for (std::size_t i = 0; i < genes.size(); ++i) {
    const Gene& g = genes[i];
    if (!starts_with(g.name, "network.")) continue;
    const GeneValue& v = g.values.at(static_cast<std::size_t>(genome.at(i)));
    const std::string f = g.name.substr(8);
    // weight_bits / activation_bits match no field: they are chip precision (hardware_overrides).
    workloads::for_each_field(p, p, [&](const char* name, auto& field, auto&) {
      using T = std::decay_t<decltype(field)>;
      if (f != name) return;
      if constexpr (std::is_same_v<T, int>)
        field = as_int(g, v);
      else if constexpr (std::is_same_v<T, bool>)
        field = as_bool(g, v);
      else if constexpr (std::is_same_v<T, double>)
        field = v.as_number();
      // input and classes (a shape vector and an int) are not genes: validate_genes rejects them.
    });
  }
  return p;
}

workloads::Graph decode_network(const workloads::CnnFamilyParams& params, const std::string& name) {
  try {
    return workloads::build_cnn_family(params, name);
  } catch (const common::InputError& e) {
    throw DecodeError(e.what());
  }
}

std::string network_key(const SearchSpace& space, const Genome& genome) {
  std::string key;
  const auto& genes = space.genes();
  for (std::size_t i = 0; i < genes.size(); ++i)
    if (starts_with(genes[i].name, "network."))
      key += (key.empty() ? "" : ";") + genes[i].name + "=" +
             genes[i].values.at(static_cast<std::size_t>(genome.at(i))).to_string();
  return key;
}

}  // namespace imc::nas
