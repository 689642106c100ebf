#!/usr/bin/env bash
# Installs what is missing, builds (Release), and runs the main job on the default configs:
# the default chip's summary, then the analytical estimate of the ImageNet suite on it.
# With arguments, runs `imcsim <arguments>` instead (e.g. scripts/run.sh estimate --arch ... ).
source "$(dirname "${BASH_SOURCE[0]}")/setup_common.sh"
install_missing_packages
configure_and_build
cd "$IMCSIM_ROOT"
if [ $# -gt 0 ]; then
  exec "$BUILD_DIR/imcsim" "$@"
fi
"$BUILD_DIR/imcsim" arch --arch configs/arch/rram_default.toml
"$BUILD_DIR/imcsim" estimate --arch configs/arch/rram_default.toml --workload imagenet4
