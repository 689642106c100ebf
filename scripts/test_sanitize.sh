#!/usr/bin/env bash
# The ASan + UBSan build (build-asan/, optimized at -O1 so the tests run at a usable speed) and the
# unit-labelled tests under it. Extra arguments go to ctest. Same package set-up as test.sh.
source "$(dirname "${BASH_SOURCE[0]}")/setup_common.sh"
install_missing_packages
ASAN_BUILD_DIR="${IMCSIM_ASAN_BUILD_DIR:-$IMCSIM_ROOT/build-asan}"
# Only what the unit tests run is built: no benchmark programs, no Python module (its tests are not
# unit-labelled, and an ASan extension would need the runtime preloaded into python).
cmake -S "$IMCSIM_ROOT" -B "$ASAN_BUILD_DIR" -DIMCSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1" -DIMCSIM_BUILD_BENCH=OFF -DIMCSIM_WITH_PYTHON=OFF
cmake --build "$ASAN_BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)"
cd "$ASAN_BUILD_DIR"
# libtorch and OpenBLAS keep allocations alive until exit by design: leak reports would be theirs.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --output-on-failure --timeout 1800 -j "$(nproc 2>/dev/null || echo 2)" -L unit "$@"
