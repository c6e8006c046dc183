#!/usr/bin/env bash
# Differential test of `icp compile` against real engines: DuckDB (Python `duckdb` in a venv
# made here) and PostgreSQL (a throwaway cluster on a loopback port, stopped after).
# Native `icp score --format json` and the compiled SQL must agree on every row's score (as a
# decimal), tier, coverage, group scores, reasons and invalid rows:
#  - `--typed` on engines/program.icp with accounts.csv loaded typed (compare.py);
#  - `--raw-text` with each file loaded as text columns (raw.py): every example's data, the
#    Inc. 5000 file of /work/shared/data (when present), and engines/messy.py's messy cells of
#    every type with engines/messy.icp (errors of invalid rows compared too).
#   crates/icp-sql/tests/engines.sh [ICP_BINARY]
# An engine that cannot be set up is reported as SKIPPED (exit 0 only if at least one ran).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
icp="${1:-$root/target/release/icp}"
work="$(mktemp -d)"
trap 'if [ -n "${PGDATA_DIR:-}" ]; then ${runas:-} "$PG_CTL" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true; fi; rm -rf "$work"' EXIT
venv="${ICP_SQL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/icp-sql-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q duckdb || echo "duckdb: SKIPPED (no venv or PyPI)"
fi
ran=0
prog="$here/engines/program.icp"; data="$here/engines/accounts.csv"; asof=2026-01-01
"$icp" score "$prog" "$data" --format json --as-of $asof > "$work/native.json" 2>/dev/null
for d in duckdb postgres; do
  "$icp" compile "$prog" --dialect $d --as-of $asof --table accounts > "$work/$d.sql"
done
# --raw-text cases: name, program, data, profile (or -), --as-of.
"$venv/bin/python" "$here/engines/messy.py" "$work/messy.csv" 600 15 2>/dev/null \
  || python3 "$here/engines/messy.py" "$work/messy.csv" 600 15
"$venv/bin/python" "$here/engines/messy.py" "$work/messy_comma.csv" 300 16 comma 2>/dev/null \
  || python3 "$here/engines/messy.py" "$work/messy_comma.csv" 300 16 comma
raw_cases="$work/raw_cases.tsv"; : > "$raw_cases"
add_raw() { # name program data profile [extra flags of score and compile]
  local name=$1 program=$2 input=$3 profile=$4 pflag=()
  shift 4
  [ -f "$input" ] || { echo "raw $name: SKIPPED (no $input)"; return; }
  [ "$profile" != - ] && pflag=(--profile "$profile")
  pflag+=("$@")
  "$icp" score "$program" "$input" "${pflag[@]}" --format json --as-of $asof > "$work/$name.json" 2>/dev/null || true
  for d in duckdb postgres; do
    "$icp" compile "$program" "${pflag[@]}" --raw-text --dialect $d --as-of $asof --table accounts > "$work/$name.$d.sql"
  done
  printf '%s\t%s\n' "$name" "$input" >> "$raw_cases"
}
ex="$root/examples"
add_raw fintech "$ex/fintech-b2b/fintech.icp" "$ex/fintech-b2b/accounts.csv" -
add_raw helpdesk "$ex/helpdesk-saas/profile.icp" "$ex/helpdesk-saas/accounts.csv" -
add_raw hubspot_mary "$ex/hubspot-personas/profile.icp" "$ex/hubspot-personas/accounts.csv" mary
add_raw hubspot_ollie "$ex/hubspot-personas/profile.icp" "$ex/hubspot-personas/accounts.csv" ollie
add_raw inc5000 "$ex/inc5000/profile.icp" "$ex/inc5000/companies.csv" -
add_raw lincoln "$ex/lincoln-murphy/profile.icp" "$ex/lincoln-murphy/accounts.csv" -
add_raw agency "$ex/marketing-agency/agency.icp" "$ex/marketing-agency/accounts.csv" -
add_raw beauty "$ex/sustainable-beauty-b2c/beauty.icp" "$ex/sustainable-beauty-b2c/accounts.csv" -
shared="${ICP_INC5000:-/work/shared/data/inc5000/companies.csv}"
if ! cmp -s "$shared" "$ex/inc5000/companies.csv"; then
  add_raw inc5000_shared "$ex/inc5000/profile.icp" "$shared" -
fi
add_raw messy "$here/engines/messy.icp" "$work/messy.csv" -
add_raw messy_comma "$here/engines/messy.icp" "$work/messy_comma.csv" - --decimal ,
if "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  "$venv/bin/python" "$here/engines/compare.py" duckdb "$work" "$data"
  "$venv/bin/python" "$here/engines/raw.py" duckdb "$work" "$raw_cases"
  ran=$((ran + 1))
fi
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
INITDB="$(command -v initdb || echo "$PG_BIN/initdb")"; PG_CTL="$(command -v pg_ctl || echo "$PG_BIN/pg_ctl")"
if [ ! -x "$INITDB" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get install -y -q postgresql >/dev/null 2>&1 || true
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  INITDB="$PG_BIN/initdb"; PG_CTL="$PG_BIN/pg_ctl"
fi
if [ -x "$INITDB" ] && command -v psql >/dev/null; then
  PGDATA_DIR="$work/pg"; port=$((20000 + RANDOM % 20000))
  runas=""; if [ "$(id -u)" = 0 ]; then runas="runuser -u nobody --"; chmod 777 "$work"; fi
  $runas "$INITDB" -D "$PGDATA_DIR" -U icp --auth=trust >/dev/null
  $runas "$PG_CTL" -D "$PGDATA_DIR" -o "-p $port -k $work -c listen_addresses=127.0.0.1" -l "$work/pg.log" -w start >/dev/null
  PGPORT=$port PGHOST=127.0.0.1 PGUSER=icp PGDATABASE=postgres \
    "${venv}/bin/python" "$here/engines/compare.py" postgres "$work" "$data"
  PGPORT=$port PGHOST=127.0.0.1 PGUSER=icp PGDATABASE=postgres \
    "${venv}/bin/python" "$here/engines/raw.py" postgres "$work" "$raw_cases"
  ran=$((ran + 1))
else
  echo "postgres: SKIPPED (no initdb/psql)"
fi
[ "$ran" -gt 0 ]
