// Genome -> (ArchSpec, Graph): the vocabulary of the search (nas/search) and of the co-search
// (nas/cosearch, hardware genes only), so it lives here and neither links the other.
//
// Hardware genes are "hardware.<arch key>" with any key arch::apply_overrides() accepts
// ("hardware.crossbar.rows", "hardware.adc.bits", "hardware.chip.voltage_v", derived keys such as
// "hardware.noc.routers"); they are applied in the space's declaration order onto a base chip, then
// the chip is checked (arch::check_arch). Network genes are "network.<field>" of
// workloads::CnnFamilyParams (stages, blocks_per_stage, base_channels, kernel, residual, expansion,
// prune, fc_hidden) plus network.weight_bits and network.activation_bits, which set the chip's
// precision. The ViT family's genes (network.patch, depth, embed, heads, mlp_ratio, family) are in
// decode_vit.h. A decoding problem is a DecodeError: the candidate is infeasible with that reason.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "arch/overrides.h"
#include "arch/spec.h"
#include "nas/space.h"
#include "workloads/family.h"
#include "workloads/graph.h"

namespace imc::nas {

// A genome that decodes to no valid design (out-of-range value, inconsistent chip, a network whose
// resolution runs out). Not an input error: the search records the reason and goes on.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Checks every gene name of the space once, at load time: unknown hardware keys or network fields
// are common::InputError naming the file, line and what is allowed.
void check_gene_names(const SearchSpace& space);

// The hardware overrides of a genome, in declaration order ("hardware." stripped), including the
// precision set by network.weight_bits / network.activation_bits.
std::vector<arch::Override> hardware_overrides(const SearchSpace& space, const Genome& genome);

// base + the genome's hardware genes; throws DecodeError when the result is not a valid chip.
arch::ArchSpec decode_hardware(const arch::ArchSpec& base, const SearchSpace& space, const Genome& genome,
                               const std::string& tech_base_dir);

// The network genes over `defaults` (input shape, classes and any field without a gene); throws
// DecodeError when the network cannot be built.
workloads::CnnFamilyParams network_params(const workloads::CnnFamilyParams& defaults,
                                          const SearchSpace& space, const Genome& genome);
workloads::Graph decode_network(const workloads::CnnFamilyParams& params, const std::string& name);

// Canonical text of the network genes only (the accuracy cache and the network hash use it).
std::string network_key(const SearchSpace& space, const Genome& genome);

}  // namespace imc::nas
