#!/usr/bin/env bash
# The scoring benchmark: one command, see bench/README.md.
#
#   bench/run.sh [N]          # N rows, default 1,000,000
#
# Generates N accounts once (cached in bench/out), builds `icp` (release) and the
# yardstick, scores the same file with every implementation, checks that all outputs
# agree row by row (key, tier, score to 2 decimals) and prints seconds, rows/s and peak
# RSS per implementation, with `cat` as the floor.
#
# Environment:
#   RUNS=3            best of RUNS (default 3) for the fast ones (cat, yardstick, icp)
#   THREADS=N         threads for the yardstick and DuckDB (default: nproc)
#   SKIP=ref,duckdb   leave implementations out (names: ref, duckdb, yardstick, icp)
#   ICP_BIN=path      use this icp binary instead of building target/release/icp
#   AS_OF=2027-02-15  the scoring date (`today`)
#   SEED=2027         the generator's seed
#   KEEP=1            keep the outputs even when they agree (by default they are removed)
# Exit: 0 when every implementation that ran agrees; 1 on any disagreement or a run that
# failed; icp is skipped, loudly, when it does not build or has no `score` command yet.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
N="${1:-1000000}"
RUNS="${RUNS:-3}"
THREADS="${THREADS:-$(nproc)}"
SKIP=",${SKIP:-},"
AS_OF="${AS_OF:-2027-02-15}"
SEED="${SEED:-2027}"
OUT="$HERE/out"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$OUT"

# one run at a time: runs share bench/out and would skew each other's timings
exec 9>"$OUT/.lock"
if ! flock -n 9; then
  echo "another bench/run.sh is running; waiting for it to finish..." >&2
  flock 9
fi

say() { printf '\n== %s\n' "$*" >&2; }
loud() { printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!! %s\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' "$*" >&2; }
skipped() { [[ "$SKIP" == *",$1,"* ]]; }
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }

if [[ ! -x /usr/bin/time ]]; then
  say "installing GNU time (for peak RSS)"
  (apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time; }) >&2
fi

say "machine"
{
  echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') x $(nproc)"
  echo "memory:  $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (other builds on a shared machine skew timings)"
} | tee "$OUT/machine.txt" >&2

# ---- data ---------------------------------------------------------------------------
CSV="$OUT/accounts-$N-s$SEED.csv"
if [[ ! -s "$CSV" || "$HERE/gen.py" -nt "$CSV" ]]; then
  say "generating $N rows -> $CSV"
  t0=$(date +%s.%N)
  python3 "$HERE/gen.py" "$N" "$CSV.tmp" --seed "$SEED" && mv "$CSV.tmp" "$CSV" || exit 1
  printf 'generated in %.1f s\n' "$(calc "$(date +%s.%N) - $t0")" >&2
else
  say "using cached $CSV"
fi
BYTES=$(stat -c %s "$CSV")

# ---- builds -------------------------------------------------------------------------
YARD="$HERE/yardstick/target/release/yardstick"
if ! skipped yardstick; then
  say "building the yardstick (release)"
  cargo build --release -q --manifest-path "$HERE/yardstick/Cargo.toml" \
    --target-dir "$HERE/yardstick/target" >&2 || { loud "yardstick build FAILED"; exit 1; }
fi

ICP="${ICP_BIN:-$TARGET/release/icp}"
ICP_OK=0
if ! skipped icp; then
  BUILT=1
  if [[ -z "${ICP_BIN:-}" ]]; then
    say "building icp (cargo build --release -p icp-cli; slow on a shared 2-core box)"
    if ! (cd "$ROOT" && cargo build --release -q -p icp-cli >&2); then
      loud "icp DID NOT BUILD: skipping icp (the other implementations still run)"
      BUILT=0
    fi
  fi
  if [[ $BUILT -eq 0 ]]; then
    :  # never time a stale binary
  elif [[ -x "$ICP" ]] && "$ICP" score --help >/dev/null 2>&1; then
    ICP_OK=1
  elif [[ -x "$ICP" ]]; then
    loud "$ICP has no working \`score\` command yet: skipping icp"
  else
    loud "no icp binary at $ICP: skipping icp"
  fi
fi

# ---- runs ---------------------------------------------------------------------------
RESULTS="$OUT/results-$N.tsv"
: > "$RESULTS"
FAILED=0

# measure NAME OUTFILE RUNS -- CMD...: best wall time of RUNS runs; peak RSS and CPU of that run
measure() {
  local name="$1" outfile="$2" runs="$3"; shift 4
  local best="" rss="" cpu="" i t0 t1 secs
  for ((i = 1; i <= runs; i++)); do
    t0=$(date +%s.%N)
    /usr/bin/time -v -o "$OUT/time-$name.txt" "$@" >"$OUT/stdout-$name.txt" 2>"$OUT/stderr-$name.txt"
    local rc=$?
    t1=$(date +%s.%N)
    if [[ $rc -ne 0 ]]; then
      loud "$name FAILED (exit $rc): see $OUT/stderr-$name.txt"
      tail -n 20 "$OUT/stderr-$name.txt" >&2
      FAILED=1
      return 1
    fi
    secs=$(calc "$t1 - $t0")
    if [[ -z "$best" ]] || [[ $(calc "$secs < $best") == 1.000000 ]]; then
      best=$secs
      rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time-$name.txt")
      cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$OUT/time-$name.txt")
    fi
  done
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$best" "$rss" "$cpu" "$outfile" >> "$RESULTS"
  printf '%-10s %8.2f s wall %8.2f s cpu %8.1f MB peak\n' "$name" "$best" "$cpu" "$(calc "$rss / 1024")" >&2
}

cat "$CSV" > /dev/null  # warm the page cache so every run reads from memory
say "scoring $N rows ($((BYTES / 1024 / 1024)) MiB) as of $AS_OF, $THREADS threads"
measure cat "" "$RUNS" -- sh -c 'cat "$1" > /dev/null' cat "$CSV"

OUTS=()
if ! skipped yardstick; then
  measure yardstick "$OUT/yardstick-$N.csv" "$RUNS" -- "$YARD" "$CSV" "$OUT/yardstick-$N.csv" \
    --as-of "$AS_OF" --threads "$THREADS" && OUTS+=("yardstick=$OUT/yardstick-$N.csv")
fi
if [[ $ICP_OK -eq 1 ]]; then
  measure icp "$OUT/icp-$N.csv" "$RUNS" -- "$ICP" score "$HERE/profile.icp" "$CSV" \
    -o "$OUT/icp-$N.csv" --as-of "$AS_OF" --profile growth && OUTS+=("icp=$OUT/icp-$N.csv")
  [[ -s "$OUT/stderr-icp.txt" ]] && { echo "icp's summary:" >&2; tail -n 12 "$OUT/stderr-icp.txt" >&2; }
fi
if ! skipped duckdb; then
  measure duckdb "$OUT/duckdb-$N.csv" 1 -- python3 "$HERE/duckdb_score.py" "$CSV" \
    "$OUT/duckdb-$N.csv" --as-of "$AS_OF" --threads "$THREADS" && OUTS+=("duckdb=$OUT/duckdb-$N.csv")
fi
if ! skipped ref; then
  measure reference "$OUT/reference-$N.csv" 1 -- python3 "$HERE/reference.py" "$CSV" \
    "$OUT/reference-$N.csv" --as-of "$AS_OF" && OUTS=("reference=$OUT/reference-$N.csv" "${OUTS[@]}")
fi

# ---- agreement ----------------------------------------------------------------------
AGREE=1
if [[ ${#OUTS[@]} -ge 2 ]]; then
  say "agreement (baseline: ${OUTS[0]%%=*})"
  python3 "$HERE/compare.py" "${OUTS[@]}" | tee "$OUT/compare-$N.txt" >&2
  [[ ${PIPESTATUS[0]} -eq 0 ]] || AGREE=0
else
  loud "fewer than two outputs: nothing to compare"
fi

# ---- table --------------------------------------------------------------------------
say "results: $N rows, $((BYTES / 1024 / 1024)) MiB"
{
  printf '| %-14s | %9s | %9s | %11s | %12s | %11s |\n' implementation "wall s" "cpu s" rows/s "input MB/s" "peak RSS MB"
  printf '|%s|%s|%s|%s|%s|%s|\n' ---------------- ----------: ----------: ------------: -------------: ------------:
  yard_secs=$(awk -F'\t' '$1 == "yardstick" {print $2}' "$RESULTS")
  while IFS=$'\t' read -r name secs rss cpu _; do
    rate=$(awk "BEGIN { printf \"%d\", $N / $secs }")
    mbs=$(calc "$BYTES / 1048576 / $secs")
    printf '| %-14s | %9.2f | %9.2f | %11s | %12.0f | %11.1f |\n' "$name" "$secs" "$cpu" \
      "$rate" "$mbs" "$(calc "$rss / 1024")"
  done < "$RESULTS"
  icp_secs=$(awk -F'\t' '$1 == "icp" {print $2}' "$RESULTS")
  icp_cpu=$(awk -F'\t' '$1 == "icp" {print $4}' "$RESULTS")
  yard_cpu=$(awk -F'\t' '$1 == "yardstick" {print $4}' "$RESULTS")
  if [[ -n "$icp_secs" && -n "$yard_secs" ]]; then
    printf '\nicp / yardstick: %.2fx wall, %.2fx cpu (target: <= 1.5x)\n' \
      "$(calc "$icp_secs / $yard_secs")" "$(calc "$icp_cpu / $yard_cpu")"
  fi
} | tee "$OUT/table-$N.md"

if [[ $ICP_OK -ne 1 ]] && ! skipped icp; then
  loud "icp was NOT measured (see above)"
fi
if [[ $AGREE -ne 1 ]]; then
  loud "OUTPUTS DISAGREE: see $OUT/compare-$N.txt (outputs kept in $OUT)"
  exit 1
fi
if [[ -z "${KEEP:-}" ]]; then  # they agree: the outputs are large and say nothing more
  rm -f "$OUT"/{yardstick,icp,duckdb,reference}-"$N".csv
fi
[[ $FAILED -eq 0 ]] || exit 1
exit 0
