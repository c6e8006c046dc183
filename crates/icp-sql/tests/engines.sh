#!/usr/bin/env bash
# Differential test of `icp compile --typed` against real engines: DuckDB (Python `duckdb`
# in a venv made here) and PostgreSQL (a throwaway cluster on a loopback port, stopped after).
# Native `icp score --format json` and the compiled SQL must agree on every row's score (as a
# decimal), tier, coverage, group scores and invalid rows.
#   crates/icp-sql/tests/engines.sh [ICP_BINARY]
# An engine that cannot be set up is reported as SKIPPED (exit 0 only if at least one ran).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
icp="${1:-$root/target/debug/icp}"
work="$(mktemp -d)"
trap 'if [ -n "${PGDATA_DIR:-}" ]; then "$PG_CTL" -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true; fi; rm -rf "$work"' EXIT
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
if "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  "$venv/bin/python" "$here/engines/compare.py" duckdb "$work" "$data"
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
  PG_CTL="$runas $PG_CTL"
  PGPORT=$port PGHOST=127.0.0.1 PGUSER=icp PGDATABASE=postgres \
    "${venv}/bin/python" "$here/engines/compare.py" postgres "$work" "$data"
  ran=$((ran + 1))
else
  echo "postgres: SKIPPED (no initdb/psql)"
fi
[ "$ran" -gt 0 ]
