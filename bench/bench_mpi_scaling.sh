#!/usr/bin/env bash
# Wall time of one search at 1, 2 and 3 MPI ranks (docs/cluster.md), one worker process per rank,
# beside the same search without mpirun with 1 and 2 local workers. Two searches:
#   MODE=training (default): configs/nas/fmnist_demo.toml, first generation only (8 candidates,
#     proxy training of each network in the loop), every run with an empty trained-weights cache
#     (IMCSIM_CACHE_DIR, passed to the ranks with mpirun -x) so that every run trains;
#   MODE=systemc: the hardware-only test space with SystemC in the loop (tests/search/data/hw_only.toml,
#     evaluator = "systemc"), random proposals, POPULATION x GENERATIONS (default 24 x 20).
# Ranks are not bound to cores (--bind-to none, as docs/cluster.md recommends): Open MPI binds each
# of up to 2 ranks to one core otherwise, and on a loaded machine a rank pinned to a busy core waited
# (mpirun -np 1, bound: 137 s wall against 76 s for the local run in one trial, the same CPU time).
# Each configuration runs RUNS times (alternating, so all see the same machine load); the medians of
# wall time and CPU time (user + system of mpirun and everything under it, /usr/bin/time) are
# printed as a table and drawn into SVG. Every run's evaluations.csv must equal the first run's (the
# script stops otherwise): the scaling is of one and the same search.
#   [MODE=training|systemc] bench/bench_mpi_scaling.sh [RUNS] [SVG]   defaults: 3, docs/figures/mpi_scaling.svg
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-3}"
SVG="${2:-$ROOT/docs/figures/mpi_scaling.svg}"
BIN="$ROOT/build/imcsim"
POPULATION="${POPULATION:-24}"
GENERATIONS="${GENERATIONS:-20}"
cd "$ROOT"
[[ -x "$BIN" ]] || { echo "no binary $BIN" >&2; exit 2; }
command -v mpirun > /dev/null || { echo "mpirun not found (apt-get install openmpi-bin)" >&2; exit 2; }
MODE="${MODE:-training}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
if [[ "$MODE" == training ]]; then
  ARGS="search --config configs/nas/fmnist_demo.toml --generations 1 --finalists 0"
  WHAT="the first generation of configs/nas/fmnist_demo.toml, training in the loop"
else
  sed -e 's|^\[search\]|[search]\nevaluator = "systemc"|' \
      -e "s|../../../configs/arch/rram_default.toml|$ROOT/configs/arch/rram_default.toml|" \
      tests/search/data/hw_only.toml > "$TMP/search.toml"
  ARGS="search --config $TMP/search.toml --optimizer random --population $POPULATION --generations $GENERATIONS --finalists 0"
  WHAT="hardware-only space, SystemC in the loop"
fi
MPIRUN="mpirun --oversubscribe --bind-to none -x IMCSIM_CACHE_DIR"
[[ $(id -u) -eq 0 ]] && MPIRUN="$MPIRUN --allow-run-as-root"

names=("local, 1 worker" "local, 2 workers" "mpirun -np 1" "mpirun -np 2" "mpirun -np 3")
prefixes=("" "" "$MPIRUN -np 1" "$MPIRUN -np 2" "$MPIRUN -np 3")
workers=(1 2 1 1 1)

one_run() {  # $1 = configuration index, $2 = run number; appends "<wall s> <cpu s>" to $TMP/c$1
  local i="$1" out="$TMP/run_$1_$2" t0 t1
  export IMCSIM_CACHE_DIR="$TMP/cache_$1_$2"  # empty: every run trains its networks
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  /usr/bin/time -f "%U %S" -o "$TMP/time" ${prefixes[$i]} "$BIN" $ARGS --workers "${workers[$i]}" --out "$out" \
    > "$TMP/log" 2>&1 || { cat "$TMP/log" >&2; exit 1; }
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 ))e-3 $(tail -1 "$TMP/time" | awk '{print $1 + $2}')" >> "$TMP/c$i"
  if [[ -f "$TMP/reference.csv" ]]; then
    cmp -s "$TMP/reference.csv" "$out/evaluations.csv" || { echo "${names[$i]}: evaluations.csv differs" >&2; exit 1; }
  else
    cp "$out/evaluations.csv" "$TMP/reference.csv"
  fi
  rm -rf "$out" "$IMCSIM_CACHE_DIR"
}

median() {  # column $1 of file $2
  awk -v c="$1" '{print $c + 0}' "$2" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < RUNS; r++)); do
  for i in "${!names[@]}"; do one_run "$i" "$r"; done
done
evals=$(($(wc -l < "$TMP/reference.csv") - 1))

printf "| %-18s | %10s | %9s |\n" "configuration" "wall s" "CPU s"
printf "|%s|%s|%s|\n" "--------------------" "------------" "-----------"
walls=(); cpus=()
for i in "${!names[@]}"; do
  w=$(median 1 "$TMP/c$i"); c=$(median 2 "$TMP/c$i"); walls+=("$w"); cpus+=("$c")
  printf "| %-18s | %10.2f | %9.2f |\n" "${names[$i]}" "$w" "$c"
done
echo "($WHAT: $evals candidates; median of $RUNS runs; $(nproc) cores;" \
     "load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg))"

# The figure: one horizontal bar per configuration, wall time.
mkdir -p "$(dirname "$SVG")"
max=$(printf "%s\n" "${walls[@]}" | sort -g | tail -1)
{
  echo '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="250" font-family="sans-serif" font-size="13">'
  echo "<text x=\"10\" y=\"20\" font-weight=\"bold\">Wall time of one search ($MODE, $evals candidates), median of $RUNS runs, $(nproc) cores</text>"
  for i in "${!names[@]}"; do
    y=$((40 + 38 * i))
    wpx=$(awk -v w="${walls[$i]}" -v m="$max" 'BEGIN {printf "%d", 300 * w / m}')
    color=$([[ -z "${prefixes[$i]}" ]] && echo "#999999" || echo "#3b6ea8")
    echo "<text x=\"10\" y=\"$((y + 18))\">${names[$i]}</text>"
    echo "<rect x=\"150\" y=\"$y\" width=\"$wpx\" height=\"26\" fill=\"$color\"/>"
    label=$(awk -v w="${walls[$i]}" -v c="${cpus[$i]}" 'BEGIN {printf "%.1f s (CPU %.1f s)", w, c}')
    echo "<text x=\"$((156 + wpx))\" y=\"$((y + 18))\">$label</text>"
  done
  echo "<text x=\"10\" y=\"240\" fill=\"#555555\">grey: without mpirun; blue: MPI ranks, one worker process each (load avg before: $load_before)</text>"
  echo '</svg>'
} > "$SVG"
echo "figure: $SVG"
