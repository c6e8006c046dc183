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
#   RUNS=5            best of RUNS (default 5, taking turns) for the fast ones (cat, yardstick, icp)
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
RUNS="${RUNS:-5}"
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

# One run of an implementation; keeps, per name, the best wall time and the CPU and peak
# RSS of that run. The fast implementations take turns run by run, so that a burst of load
# from elsewhere on a shared machine hits both rather than one.
declare -A BEST RSS CPU OUTFILE
run_once() {  # run_once NAME OUTFILE -- CMD...
  local name="$1" outfile="$2"; shift 3
  local t0 t1 secs rc
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$OUT/time-$name.txt" "$@" >"$OUT/stdout-$name.txt" 2>"$OUT/stderr-$name.txt"
  rc=$?
  t1=$(date +%s.%N)
  if [[ $rc -ne 0 ]]; then
    loud "$name FAILED (exit $rc): see $OUT/stderr-$name.txt"
    tail -n 20 "$OUT/stderr-$name.txt" >&2
    FAILED=1
    return 1
  fi
  secs=$(calc "$t1 - $t0")
  OUTFILE[$name]="$outfile"
  if [[ -z "${BEST[$name]:-}" ]] || [[ $(calc "$secs < ${BEST[$name]}") == 1.000000 ]]; then
    BEST[$name]=$secs
    RSS[$name]=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time-$name.txt")
    CPU[$name]=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$OUT/time-$name.txt")
  fi
}
# record NAME: add the best run of NAME to the results and print it
record() {
  local name="$1"
  [[ -n "${BEST[$name]:-}" ]] || return 1
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "${BEST[$name]}" "${RSS[$name]}" "${CPU[$name]}" "${OUTFILE[$name]}" >> "$RESULTS"
  printf '%-10s %8.2f s wall %8.2f s cpu %8.1f MB peak\n' "$name" "${BEST[$name]}" "${CPU[$name]}" "$(calc "${RSS[$name]} / 1024")" >&2
}

cat "$CSV" > /dev/null  # warm the page cache so every run reads from memory
say "scoring $N rows ($((BYTES / 1024 / 1024)) MiB) as of $AS_OF, $THREADS threads, best of $RUNS"
for ((i = 1; i <= RUNS; i++)); do
  run_once cat "" -- sh -c 'cat "$1" > /dev/null' cat "$CSV"
  if ! skipped yardstick; then
    run_once yardstick "$OUT/yardstick-$N.csv" -- "$YARD" "$CSV" "$OUT/yardstick-$N.csv" \
      --as-of "$AS_OF" --threads "$THREADS"
  fi
  if [[ $ICP_OK -eq 1 ]]; then
    run_once icp "$OUT/icp-$N.csv" -- "$ICP" score "$HERE/profile.icp" "$CSV" \
      -o "$OUT/icp-$N.csv" --as-of "$AS_OF" --profile growth --threads "$THREADS"
  fi
done
record cat
OUTS=()
record yardstick && OUTS+=("yardstick=$OUT/yardstick-$N.csv")
if record icp; then
  OUTS+=("icp=$OUT/icp-$N.csv")
  [[ -s "$OUT/stderr-icp.txt" ]] && { echo "icp's summary:" >&2; tail -n 12 "$OUT/stderr-icp.txt" >&2; }
fi
if ! skipped duckdb; then
  run_once duckdb "$OUT/duckdb-$N.csv" -- python3 "$HERE/duckdb_score.py" "$CSV" \
    "$OUT/duckdb-$N.csv" --as-of "$AS_OF" --threads "$THREADS" && record duckdb \
    && OUTS+=("duckdb=$OUT/duckdb-$N.csv")
fi
if ! skipped ref; then
  run_once reference "$OUT/reference-$N.csv" -- python3 "$HERE/reference.py" "$CSV" \
    "$OUT/reference-$N.csv" --as-of "$AS_OF" && record reference \
    && OUTS=("reference=$OUT/reference-$N.csv" "${OUTS[@]}")
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
