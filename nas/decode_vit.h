// The ViT half of the search's network genes (decode.h has the CNN half and the hardware genes):
// "network.patch", "network.depth", "network.embed", "network.heads", "network.mlp_ratio" are the
// fields of workloads::VitFamilyParams; network.weight_bits / network.activation_bits are shared with
// the CNN family. "network.family" ("cnn" | "vit") picks a genome's family; a space without it is a
// ViT space when it declares a ViT gene, a CNN space otherwise.
#pragma once

#include <string>
#include <vector>

#include "nas/space.h"
#include "workloads/graph.h"
#include "workloads/vit_family.h"

namespace imc::nas {

enum class NetworkFamily { kCnn, kVit };
const char* to_string(NetworkFamily f);  // "cnn" | "vit"

const std::vector<std::string>& vit_network_fields();  // patch, depth, embed, heads, mlp_ratio

// The family of a genome's network (see above).
NetworkFamily network_family(const SearchSpace& space, const Genome& genome);
// Whether the space holds ViT genomes only (no family gene, or one whose only value is "vit").
bool vit_only_space(const SearchSpace& space);
// Whether some genome of the space is a ViT.
bool space_has_vit(const SearchSpace& space);

// Load-time checks of the ViT genes (check_gene_names calls it): whole numbers that a ViT can take
// (patch dividing the image, heads dividing every embed value, ...), family values, and no CNN-only
// gene in a ViT space without network.family. common::InputError naming file, line, gene, allowed.
void check_vit_genes(const SearchSpace& space);

// The ViT genes over `defaults`; throws DecodeError (decode.h) when a value is not a whole number.
workloads::VitFamilyParams vit_params(const workloads::VitFamilyParams& defaults, const SearchSpace& space,
                                      const Genome& genome);
// build_vit_family with InputError turned into DecodeError (the candidate is infeasible).
workloads::Graph decode_vit_network(const workloads::VitFamilyParams& params, const std::string& name);

}  // namespace imc::nas
