// The features the learned estimators see: every searched gene's value (numbers as they are,
// categorical genes as their value index) and the shapes of the decoded network's weight layers
// summarized (MACs, parameters, weight-matrix rows and columns), which tell trees what a gene's
// effect on the layers is without making them learn the network's construction.
#pragma once

#include <string>
#include <vector>

#include "arch/spec.h"
#include "nas/genome.h"
#include "nas/space.h"
#include "workloads/graph.h"

namespace imc::nas::predictor {

// Gene features only (the accuracy predictor: the network genes and the bits).
std::vector<double> genome_features(const SearchSpace& space, const Genome& genome);
std::vector<std::string> genome_feature_names(const SearchSpace& space);

// Genes + layer-shape summaries of the decoded network + what the two imply on the decoded chip
// (crossbars the weights need, column conversions per inference): the hardware-cost predictor's.
std::vector<double> design_features(const SearchSpace& space, const Genome& genome,
                                    const workloads::Graph& graph, const arch::ArchSpec& spec);
std::vector<std::string> design_feature_names(const SearchSpace& space);

}  // namespace imc::nas::predictor
