#!/usr/bin/env bash
# Differential test of `icp compile` against real engines: DuckDB (Python `duckdb` in a venv
# made here) and PostgreSQL (a throwaway cluster on a loopback port, stopped after).
# Native `icp score --format json` and the compiled SQL must agree on every row's score (as a
# decimal), tier, coverage, group scores, reasons and invalid rows:
#  - `--typed` on engines/program.icp with accounts.csv loaded typed (compare.py);
#  - `--raw-text` with each file loaded as text columns (raw.py): every example's data, the
#    Inc. 5000 file of /work/shared/data (when present), engines/messy.py's messy cells of
#    every type with engines/messy.icp (errors of invalid rows compared too)
#    (engines/raw_cases.sh, shared with spark.sh).
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
# --raw-text cases (engines/raw_cases.sh): every example's data, Inc. 5000, messy cells.
. "$here/engines/raw_cases.sh"
py="$venv/bin/python"; "$py" -c 'import sys' 2>/dev/null || py=python3
make_raw_cases "$work" "$icp" "$py" duckdb postgres
raw_cases="$work/raw_cases.tsv"
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
