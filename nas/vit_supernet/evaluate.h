// Candidate accuracy of ViT candidates from inherited weights ([accuracy] method = "supernet" on a
// ViT space): the space's ViT supernet is found (shipped / cached) or trained once, then every
// candidate's subnet gets its crossbar input ranges re-measured on a few hundred training images (no
// batch norm to recalibrate: LayerNorm normalizes every token by itself), is exported as a GraphNet
// and scored through the candidate's own crossbars (nas/accuracy/score.h: sim/functional for the
// patch embedding and every linear layer; attention's MatMuls, softmax, LayerNorm and GELU in float).
// No libtorch in this header: the search reaches these through the torch plugin.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "arch/spec.h"
#include "nas/accuracy/accuracy.h"
#include "nas/vit_supernet/space.h"

namespace imc::nas::vit_supernet {

// <shipped_dir>/vit-supernet-<key>.pt, else <cache_dir>/..., else trained now and saved to the cache.
// Returns {"file", "key", "source", "train_seconds", "epoch_seconds", "epoch_loss_largest"}.
nlohmann::json prepare_vit_supernet(const VitSupernetSpace& space, const accuracy::AccuracyOptions& o);

// Hardware-aware accuracy of `subnet` on `spec` with the supernet in `file` (loaded once per process):
// range recalibration on o.supernet.recalibration_images training images, then
// accuracy::score_network on o.test_subset test images.
accuracy::AccuracyResult evaluate_vit_subnet(const arch::ArchSpec& spec, const VitSupernetSpace& space,
                                             const VitSubnet& subnet, const std::string& file,
                                             const accuracy::AccuracyOptions& o);

}  // namespace imc::nas::vit_supernet
