// Declarations of every arch and tech parameter (doc, unit, default, range), in one place.
#pragma once

#include "arch/spec.h"
#include "common/config.h"

namespace imc::arch {

void describe(common::Fields& f, ArchSpec& s);  // every key of an arch TOML except [chip].tech's file
void describe(common::Fields& f, TechSpec& t);  // every key of a tech TOML (all required)

}  // namespace imc::arch
