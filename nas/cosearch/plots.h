// SVG figures of a co-search run (log-scale values, since EDAPs span orders of magnitude).
#pragma once

#include <string>

#include "nas/cosearch/cosearch.h"

namespace imc::nas::cosearch {

// convergence.svg: the best aggregate after each generation of the joint search and of the
// stage-wise baseline (its stages in order), the random baseline's best and the single-largest
// design's aggregate as horizontal lines. Written for scalar objectives (empty curve otherwise).
std::string convergence_svg(const Result& result);

// generalization.svg: per network, three bars: its own best EDAP (workload-specific search), the
// joint design's and the single-largest design's.
std::string generalization_svg(const Result& result);

}  // namespace imc::nas::cosearch
