#!/usr/bin/env bash
# Installs what is missing, builds (Release), and runs the main job on the default configs: the
# joint network + hardware search configs/nas/fmnist_demo.toml (a few minutes on 2 cores) into a
# fresh run directory under runs/.
# With arguments, runs `imcsim <arguments>` instead (e.g. scripts/run.sh estimate --arch ... ).
source "$(dirname "${BASH_SOURCE[0]}")/setup_common.sh"
install_missing_packages
configure_and_build
cd "$IMCSIM_ROOT"
if [ $# -gt 0 ]; then
  exec "$BUILD_DIR/imcsim" "$@"
fi
out="runs/fmnist_demo-$(date +%Y%m%d-%H%M%S)"
"$BUILD_DIR/imcsim" search --config configs/nas/fmnist_demo.toml --out "$out"
echo "run directory: $out (pareto.csv, front.svg, evaluations.csv, finalists/, summary.json)"
