#!/usr/bin/env bash
# The input fuzzer with any case count and seed (issue 15): every mutated config, ONNX model and
# checkpoint must end in exit 0 with finite figures or exit 2 with a one-line message naming the file.
#   scripts/fuzz.sh [CASES] [SEED]        (default 2000 cases, seed 7; builds what it needs)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup_common.sh"
CASES="${1:-2000}"
SEED="${2:-7}"
cmake -S "$IMCSIM_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)" --target imcsim test_fuzz_inputs
cd "$IMCSIM_ROOT"
IMCSIM_BIN="$BUILD_DIR/imcsim" IMCSIM_FUZZ_CASES="$CASES" IMCSIM_FUZZ_SEED="$SEED" \
  "$BUILD_DIR/tests/fuzz/test_fuzz_inputs" --test-case='fuzz: mutated*'
