// Declarations of the settings the search ([search]) and the co-search ([cosearch]) share: the same
// key has the same range, unit and meaning in both tools (each tool keeps its own default).
#pragma once

#include <cstdint>

#include "common/config.h"

namespace imc::nas {

inline common::IntDecl generations_decl(std::int64_t def) {
  return {def, 1, 1000000, "", "generations of the search, counting the initial population"};
}
inline common::IntDecl finalists_decl(std::int64_t def) {
  return {def, 0, 1000, "designs",
          "designs re-evaluated with the SystemC model (search: spread along the final front; co-search: the "
          "best by the aggregate); 0 = none"};
}
inline common::IntDecl workers_decl(std::int64_t def) {
  return {def, 0, 1024, "processes",
          "evaluation processes (training, SystemC, analytical batches); 0 = cores"};
}

}  // namespace imc::nas
