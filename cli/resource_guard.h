// Memory estimates made before the big allocations of estimate / simulate / validate, checked
// against common::memory_limit() (exit 2 with the figure, instead of std::bad_alloc or the OOM
// killer after minutes). The per-item sizes are measured (see resource_guard.cpp).
#pragma once

#include "cli/pipeline.h"

namespace imc::cli {

// Before lowering a batch: the program's ops grow with the batch, so lower one inference first and
// scale (a batch of 1 is bounded by the workload's shape limits).
void guard_lowering_memory(const Session& session, const workloads::Graph& graph);
// Before elaborating the SystemC model: its modules grow with routers and tiles, its events with ops
// (`program` null: the modules only, checked before mapping).
void guard_systemc_memory(const arch::ArchSpec& spec, const mapping::Program* program);

}  // namespace imc::cli
