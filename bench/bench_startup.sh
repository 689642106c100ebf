#!/usr/bin/env bash
# Start-up cost of the commands that do not train (issue 17): median wall time and median peak RSS
# over RUNS runs of `--version`, `arch`, `estimate vgg8` and `simulate vgg8`, for the old binary and
# the new one, runs alternating so both see the same machine load.
#   bench/bench_startup.sh [NEW_BIN] [OLD_BIN] [RUNS]
# defaults: build/imcsim, /work/main/build/imcsim, 9. OLD_BIN "-": the new binary only (the old
# columns repeat it), e.g. when no old build is at hand or it no longer reads today's configs. Peak RSS is /usr/bin/time's %M (the largest
# resident set of the process; the old binary re-executes itself, same pid). Wall time is measured
# around /usr/bin/time with date +%s%N (%e has only 10 ms resolution), so it includes the ~1 ms
# /usr/bin/time itself takes. CPU is user + system time (%U + %S, 10 ms resolution; it includes the
# children, e.g. simulate's SystemC child) and is less sensitive to a loaded machine than wall time.
# simulate's SystemC child is not in %M (a child's RSS is its own).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NEW="${1:-$ROOT/build/imcsim}"
OLD="${2:-/work/main/build/imcsim}"
RUNS="${3:-9}"
ARCH="$ROOT/configs/arch/rram_default.toml"
cd "$ROOT"
[[ -x "$NEW" ]] || { echo "no binary $NEW" >&2; exit 2; }
[[ "$OLD" == "-" ]] && OLD="$NEW"
[[ -x "$OLD" ]] || { echo "no binary $OLD" >&2; exit 2; }
# A command that fails measures nothing: say which and stop.
for bin in "$NEW" "$OLD"; do
  "$bin" arch --arch "$ROOT/configs/arch/rram_default.toml" > /dev/null 2>&1 ||
    { echo "$bin arch --arch configs/arch/rram_default.toml fails; pass another OLD_BIN (or -)" >&2; exit 2; }
done
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

commands=("--version" "arch --arch $ARCH" "estimate --arch $ARCH --workload vgg8"
          "simulate --arch $ARCH --workload vgg8")
names=("--version" "arch" "estimate vgg8" "simulate vgg8")

# One run: appends "<wall us> <peak KB> <cpu s>" to the file $3.
one_run() {
  local bin="$1" args="$2" out="$3"
  local t0 t1
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  /usr/bin/time -f "%M %U %S" -o "$TMP/rss" "$bin" $args > /dev/null 2>&1
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 )) $(tail -1 "$TMP/rss" | awk '{print $1, $2 + $3}')" >> "$out"
}

median() {  # column $1 of file $2
  awk -v c="$1" '{print $c}' "$2" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}

printf "%-15s %11s %10s %7s %11s %10s %7s  (median of %d runs; load %s)\n" "command" "old wall ms" \
  "old cpu ms" "old MB" "new wall ms" "new cpu ms" "new MB" "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!commands[@]}"; do
  : > "$TMP/old"; : > "$TMP/new"
  "$NEW" ${commands[$i]} > /dev/null 2>&1  # warm the page cache for both
  "$OLD" ${commands[$i]} > /dev/null 2>&1
  for ((r = 0; r < RUNS; r++)); do
    one_run "$OLD" "${commands[$i]}" "$TMP/old"
    one_run "$NEW" "${commands[$i]}" "$TMP/new"
  done
  awk -v n="${names[$i]}" -v ow="$(median 1 "$TMP/old")" -v om="$(median 2 "$TMP/old")" \
      -v oc="$(median 3 "$TMP/old")" -v nw="$(median 1 "$TMP/new")" -v nm="$(median 2 "$TMP/new")" \
      -v nc="$(median 3 "$TMP/new")" 'BEGIN {printf "%-15s %11.1f %10.0f %7.1f %11.1f %10.0f %7.1f\n",
        n, ow / 1000, oc * 1000, om / 1024, nw / 1000, nc * 1000, nm / 1024}'
done
