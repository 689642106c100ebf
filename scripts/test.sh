#!/usr/bin/env bash
# Installs what is missing, builds (Release), runs the whole suite through ctest.
# Extra arguments go to ctest (e.g. scripts/test.sh -L unit, or -LE slow).
source "$(dirname "${BASH_SOURCE[0]}")/setup_common.sh"
install_missing_packages
configure_and_build
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 1200 -j "$(nproc 2>/dev/null || echo 2)" "$@"
