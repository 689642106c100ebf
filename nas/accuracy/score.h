// The test half of evaluate_accuracy, for networks whose weights come from elsewhere (a supernet's
// exported subnet, a fine-tuned network): float, quantized and hardware-aware accuracy of a trained
// GraphNet on the candidate's chip. Needs libtorch (graph_net.h).
#pragma once

#include <string>

#include "arch/spec.h"
#include "nas/accuracy/accuracy.h"
#include "nas/accuracy/dataset.h"
#include "nas/accuracy/graph_net.h"

namespace imc::nas::accuracy {

// Fashion-MNIST from `dir` ("" = the default folder), read once per process.
const Dataset& cached_dataset(const std::string& dir);

// Fills r's test figures (test_images, float/quantized accuracy, input bit densities when asked,
// hardware draws with their agreement and ADC statistics) for `net` on the first o.test_subset test
// images. Leaves the training fields alone.
void score_network(const arch::ArchSpec& spec, GraphNet& net, const Dataset& data, const AccuracyOptions& o,
                   AccuracyResult& r);

}  // namespace imc::nas::accuracy
