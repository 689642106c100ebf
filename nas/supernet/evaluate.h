// Candidate accuracy from inherited weights ([accuracy] method = "supernet"): the search space's
// supernet is trained once (or found shipped / cached), then every candidate's subnet gets its
// batch-norm statistics recalibrated on a few hundred training images, is exported as a GraphNet
// and scored through the candidate's own crossbars (nas/accuracy/score.h). This header does not
// include libtorch: the search reaches these functions through the torch plugin.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "arch/spec.h"
#include "nas/accuracy/accuracy.h"
#include "nas/supernet/space.h"

namespace imc::nas::supernet {

// Where the trained supernet of `space` and o.supernet.train is: <shipped_dir>/supernet-<key>.pt if
// present, else <cache_dir>/..., else it is trained now (o.supernet.train_threads torch threads)
// and saved to the cache. Returns {"file", "key", "source": "shipped"|"cache"|"trained",
// "train_seconds", "epoch_seconds", "epoch_loss_largest"}.
nlohmann::json prepare_supernet(const SupernetSpace& space, const accuracy::AccuracyOptions& o);

// The hardware-aware accuracy of `subnet` on `spec` with the weights of the supernet in `file`
// (loaded once per process): recalibration on o.supernet.recalibration_images training images,
// then accuracy::score_network on o.test_subset test images. train_seconds is 0, from_cache true.
accuracy::AccuracyResult evaluate_subnet(const arch::ArchSpec& spec, const SupernetSpace& space,
                                         const Subnet& subnet, const std::string& file,
                                         const accuracy::AccuracyOptions& o);

// The same subnet after o.supernet.finetune_epochs epochs of quantization-aware training of the
// exported GraphNet on the full training set (o.train's batch size and optimizer, learning rate
// a tenth of o.train's), scored like evaluate_subnet. train_seconds is the fine-tuning time.
accuracy::AccuracyResult finetune_subnet(const arch::ArchSpec& spec, const SupernetSpace& space,
                                         const Subnet& subnet, const std::string& file,
                                         const accuracy::AccuracyOptions& o);

}  // namespace imc::nas::supernet
