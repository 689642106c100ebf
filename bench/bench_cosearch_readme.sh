#!/usr/bin/env bash
# Regenerates the co-search README tables (README.s6-cos.md, "Per network, against the study"): every
# setup (rram4, sram4, sram9) under the study's three objectives (ela, ela_mean, ela_all), SEEDS seeds each
# (default 3), at the shipped configs' budgets, with every baseline and the workload-specific searches.
# Run from the repository root after building imcsim (build/imcsim). One command, so that the tables can be
# regenerated when the cost model moves (calibration):
#   bench/bench_cosearch_readme.sh [OUT_DIR] > tables.md
# Environment: SEEDS (3), SETUPS ("rram4 sram4 sram9"), OBJECTIVES ("ela ela_mean ela_all"),
# EXTRA (more imcsim cosearch flags, e.g. "--no-systemc" or "--generations 20").
# The runs go to OUT_DIR (default runs/readme), one directory and one JSON per (setup, objective); the
# markdown comes from bench/bench_cosearch_readme.py. Wall and CPU time of each run are printed to stderr.
set -euo pipefail
out=${1:-runs/readme}
seeds=${SEEDS:-3}
setups=${SETUPS:-"rram4 sram4 sram9"}
objectives=${OBJECTIVES:-"ela ela_mean ela_all"}
here=$(cd "$(dirname "$0")" && pwd)
imcsim=${IMCSIM:-build/imcsim}
mkdir -p "$out"
jsons=()
for s in $setups; do
  for o in $objectives; do
    json="$out/$s.$o.json"
    # shellcheck disable=SC2086
    /usr/bin/time -f "$s $o: wall %e s, CPU %U s user + %S s system (children included), load $(cut -d' ' -f1-3 /proc/loadavg)" \
      "$imcsim" cosearch "configs/cosearch/$s.toml" --objective "$o" --seeds "$seeds" --quiet \
      --out "$out/$s.$o" --json "$json" ${EXTRA:-} >/dev/null
    jsons+=("$json")
  done
done
"$here/bench_cosearch_readme.py" "${jsons[@]}"
