#!/usr/bin/env bash
# The compiled SQL (`icp compile --dialect duckdb`, typed columns) inside DuckDB, against
# native `icp score` and the hand-written DuckDB SQL of this benchmark (duckdb_score.sql),
# on the benchmark's accounts (bench/gen.py). See bench/README.md, "Compiled SQL".
#
#   bench/compiled.sh [N]      # N rows, default 1,000,000
#
# RUNS=3 (best of), THREADS=2, ICP_BIN=path (else builds target/release/icp), SEED=2027.
# Prints wall and CPU (user + system) seconds per implementation, best run each; the typed
# Parquet file the compiled SQL reads is made once (its load time is printed apart). Exit 1
# when the compiled SQL and `icp score` disagree on any row of the typed accounts.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
N="${1:-1000000}"; RUNS="${RUNS:-3}"; THREADS="${THREADS:-2}"; SEED="${SEED:-2027}"
AS_OF=2027-02-15
OUT="$HERE/out"; mkdir -p "$OUT"
CSV="$OUT/accounts-$N-s$SEED.csv"
[ -s "$CSV" ] || python3 "$HERE/gen.py" "$N" "$CSV" --seed "$SEED"
# bench/.venv as run.sh makes it, else the venv of crates/icp-sql/tests/engines.sh
PY="$HERE/.venv/bin/python"
SQLVENV="${ICP_SQL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/icp-sql-venv}/bin/python"
if ! "$PY" -c 'import duckdb' 2>/dev/null; then
  if "$SQLVENV" -c 'import duckdb' 2>/dev/null; then PY="$SQLVENV"
  else python3 -m venv "$HERE/.venv" && "$HERE/.venv/bin/pip" install -q duckdb; fi
fi
ICP="${ICP_BIN:-$ROOT/target/release/icp}"
[ -n "${ICP_BIN:-}" ] || (cd "$ROOT" && cargo build --release -q -p icp-cli)
TYPED="$OUT/typed-$N-s$SEED"
if [ ! -s "$TYPED/typed.csv" ]; then
  echo "typing the accounts with the oracle's reader (once)..." >&2
  (cd "$ROOT" && cargo build -q -p icp-sql --example typed_cases)
  "${CARGO_TARGET_DIR:-$ROOT/target}/debug/examples/typed_cases" data "$TYPED" "$CSV" growth "$HERE/profile.icp"
fi
"$ICP" compile "$HERE/profile.icp" --profile growth --dialect duckdb --table accounts \
  --as-of "$AS_OF" -o "$OUT/compiled.sql"
PARQUET="$TYPED/typed.parquet"
if [ ! -s "$PARQUET" ]; then
  /usr/bin/time -f '%e %U %S' -o "$OUT/time-load.txt" \
    "$PY" "$HERE/compiled_duckdb.py" load "$TYPED/typed.csv" "$TYPED/case.json" "$PARQUET"
  read -r w u s < "$OUT/time-load.txt"
  echo "typed CSV -> Parquet (once): $w s wall, $(awk "BEGIN{print $u+$s}") s cpu" >&2
fi
declare -A WALL CPU
run() {  # run NAME CMD...
  local name="$1"; shift
  /usr/bin/time -f '%e %U %S' -o "$OUT/time-$name.txt" "$@" >/dev/null 2>"$OUT/stderr-$name.txt" \
    || { echo "$name FAILED:"; tail "$OUT/stderr-$name.txt"; exit 1; }
  read -r w u s < "$OUT/time-$name.txt"
  local c; c=$(awk "BEGIN{print $u+$s}")
  if [ -z "${WALL[$name]:-}" ] || awk "BEGIN{exit !($w < ${WALL[$name]})}"; then WALL[$name]=$w; CPU[$name]=$c; fi
}
cat "$CSV" "$PARQUET" > /dev/null
for ((i = 1; i <= RUNS; i++)); do
  run icp "$ICP" score "$HERE/profile.icp" "$CSV" -o "$OUT/native-$N.csv" --as-of "$AS_OF" \
    --profile growth --threads "$THREADS"
  run compiled "$PY" "$HERE/compiled_duckdb.py" score "$PARQUET" "$OUT/compiled.sql" \
    "$OUT/compiled-$N.csv" --threads "$THREADS"
  run handwritten "$PY" "$HERE/duckdb_score.py" "$CSV" "$OUT/handwritten-$N.csv" \
    --as-of "$AS_OF" --threads "$THREADS"
done
# agreement: the compiled SQL against icp score on the same typed rows
"$ICP" score "$HERE/profile.icp" "$TYPED/typed.csv" -o "$OUT/native-typed-$N.csv" \
  --as-of "$AS_OF" --profile growth 2>/dev/null
python3 "$HERE/compare.py" "icp=$OUT/native-typed-$N.csv" "compiled=$OUT/compiled-$N.csv" >&2
rows=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rows"])' "$TYPED/case.json")
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); $THREADS threads; best of $RUNS"
printf '| %-44s | %7s | %7s |\n' implementation "wall s" "cpu s"
printf '|%s|%s|%s|\n' ---------------------------------------------- --------: --------:
printf '| %-44s | %7s | %7s |\n' "icp score (CSV, $N rows)" "${WALL[icp]}" "${CPU[icp]}"
printf '| %-44s | %7s | %7s |\n' "compiled SQL in DuckDB (typed Parquet, $rows)" "${WALL[compiled]}" "${CPU[compiled]}"
printf '| %-44s | %7s | %7s |\n' "hand-written DuckDB SQL (CSV, $N rows)" "${WALL[handwritten]}" "${CPU[handwritten]}"
rm -f "$OUT/native-$N.csv" "$OUT/compiled-$N.csv" "$OUT/handwritten-$N.csv" "$OUT/native-typed-$N.csv"
