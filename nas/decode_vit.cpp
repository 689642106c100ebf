#include "nas/decode_vit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>

#include "common/config.h"
#include "nas/decode.h"

namespace imc::nas {
namespace {

// The CNN family's own genes (a ViT space without network.family may not declare them).
const std::vector<std::string> kCnnOnlyFields = {
    "stages", "blocks_per_stage", "base_channels", "kernel", "residual", "expansion", "prune", "fc_hidden"};

std::string where(const Gene& g) {
  return g.file.empty() ? fmt::format("gene '{}'", g.name)
                        : fmt::format("{}:{}: gene '{}'", g.file, g.line, g.name);
}

bool is_field(const std::string& gene, const std::vector<std::string>& fields) {
  return gene.rfind("network.", 0) == 0 &&
         std::find(fields.begin(), fields.end(), gene.substr(8)) != fields.end();
}

void set_field(workloads::VitFamilyParams& p, const std::string& field, int value) {
  workloads::for_each_vit_field(p, p, [&](const char* name, auto& f, auto&) {
    if constexpr (std::is_same_v<std::decay_t<decltype(f)>, int>)
      if (field == name) f = value;
  });
}

}  // namespace

const char* to_string(NetworkFamily f) {
  return f == NetworkFamily::kVit ? "vit" : "cnn";
}

const std::vector<std::string>& vit_network_fields() {
  static const std::vector<std::string> fields = [] {
    std::vector<std::string> out;
    workloads::VitFamilyParams p;
    workloads::for_each_vit_field(p, p, [&](const char* name, const auto&, const auto&) {
      if (std::string(name) != "input" && std::string(name) != "classes") out.emplace_back(name);
    });
    return out;
  }();
  return fields;
}

NetworkFamily network_family(const SearchSpace& space, const Genome& genome) {
  const auto& genes = space.genes();
  bool vit_gene = false;
  for (std::size_t i = 0; i < genes.size(); ++i) {
    if (genes[i].name == "network.family") {
      const GeneValue& v = genes[i].values.at(static_cast<std::size_t>(genome.at(i)));
      return v.is_string() && v.as_string() == "vit" ? NetworkFamily::kVit : NetworkFamily::kCnn;
    }
    vit_gene |= is_field(genes[i].name, vit_network_fields());
  }
  return vit_gene ? NetworkFamily::kVit : NetworkFamily::kCnn;
}

bool vit_only_space(const SearchSpace& space) {
  if (const Gene* f = space.find("network.family"))
    return std::all_of(f->values.begin(), f->values.end(),
                       [](const GeneValue& v) { return v.is_string() && v.as_string() == "vit"; });
  return std::any_of(space.genes().begin(), space.genes().end(),
                     [](const Gene& g) { return is_field(g.name, vit_network_fields()); });
}

bool space_has_vit(const SearchSpace& space) {
  if (const Gene* f = space.find("network.family"))
    return std::any_of(f->values.begin(), f->values.end(),
                       [](const GeneValue& v) { return v.is_string() && v.as_string() == "vit"; });
  return vit_only_space(space);
}

void check_vit_genes(const SearchSpace& space) {
  const Gene* family = space.find("network.family");
  if (family)
    for (const GeneValue& v : family->values)
      if (!v.is_string() || (v.as_string() != "cnn" && v.as_string() != "vit"))
        throw common::InputError(
            fmt::format("{}: value '{}': allowed: \"cnn\", \"vit\"", where(*family), v.to_string()));
  if (!space_has_vit(space)) return;
  if (!family)
    for (const Gene& g : space.genes())
      if (is_field(g.name, kCnnOnlyFields))
        throw common::InputError(fmt::format(
            "{}: a CNN gene in a ViT space (it declares ViT genes: {}); add network.family = [\"cnn\", "
            "\"vit\"] to search both families",
            where(g), fmt::join(vit_network_fields(), ", ")));
  // Each value alone, over the defaults with one head (so that any embed value can be built).
  workloads::VitFamilyParams base;
  base.heads = 1;
  for (const Gene& g : space.genes()) {
    if (!is_field(g.name, vit_network_fields())) continue;
    const std::string field = g.name.substr(8);
    for (const GeneValue& v : g.values) {
      if (!v.is_number() || std::floor(v.as_number()) != v.as_number())
        throw common::InputError(
            fmt::format("{}: value '{}' must be a whole number", where(g), v.to_string()));
      workloads::VitFamilyParams p = base;
      set_field(p, field, int(v.as_number()));
      if (field == "heads") continue;  // checked against every embed value below
      try {
        (void)workloads::build_vit_family(p, "gene-check");
      } catch (const common::InputError& e) {
        throw common::InputError(fmt::format("{}: value '{}': {}", where(g), v.to_string(), e.what()));
      }
    }
  }
  // Every heads value must divide every embed value (any pair can meet in a genome).
  const workloads::VitFamilyParams defaults;
  std::vector<int> embeds{defaults.embed}, heads{defaults.heads};
  const Gene* embed_gene = space.find("network.embed");
  const Gene* heads_gene = space.find("network.heads");
  if (embed_gene) {
    embeds.clear();
    for (const GeneValue& v : embed_gene->values) embeds.push_back(int(v.as_number()));
  }
  if (heads_gene) {
    heads.clear();
    for (const GeneValue& v : heads_gene->values) heads.push_back(int(v.as_number()));
  }
  int common_divisor = 0;
  for (int e : embeds) common_divisor = std::gcd(common_divisor, e);
  std::vector<int> allowed;
  for (int d = 1; d <= common_divisor; ++d)
    if (common_divisor % d == 0) allowed.push_back(d);
  for (int h : heads)
    for (int e : embeds)
      if (h < 1 || e % h != 0) {
        const Gene& blame = heads_gene ? *heads_gene : *embed_gene;
        throw common::InputError(fmt::format(
            "{}: network.heads value {} does not divide network.embed value {}; allowed heads for embed "
            "[{}]: {}",
            where(blame), h, e, fmt::join(embeds, ", "), fmt::join(allowed, ", ")));
      }
}

workloads::VitFamilyParams vit_params(const workloads::VitFamilyParams& defaults, const SearchSpace& space,
                                      const Genome& genome) {
  workloads::VitFamilyParams p = defaults;
  const auto& genes = space.genes();
  for (std::size_t i = 0; i < genes.size(); ++i) {
    const Gene& g = genes[i];
    if (!is_field(g.name, vit_network_fields())) continue;
    const GeneValue& v = g.values.at(static_cast<std::size_t>(genome.at(i)));
    if (!v.is_number() || std::floor(v.as_number()) != v.as_number())
      throw DecodeError(fmt::format("{}={} must be a whole number", g.name, v.to_string()));
    set_field(p, g.name.substr(8), int(v.as_number()));
  }
  return p;
}

workloads::Graph decode_vit_network(const workloads::VitFamilyParams& params, const std::string& name) {
  try {
    return workloads::build_vit_family(params, name);
  } catch (const common::InputError& e) {
    throw DecodeError(e.what());
  }
}

}  // namespace imc::nas
