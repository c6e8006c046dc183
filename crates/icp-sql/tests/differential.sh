#!/usr/bin/env bash
# Differential test of `icp compile --typed` against DuckDB and PostgreSQL on every example's
# profiles (their accounts, typed) and on random programs with messy and missing rows
# (icp-oracle's generator): every row's score (exactly), tier, coverage, action, reasons,
# group scores and invalid rows must equal `icp score`'s on the same values.
#   crates/icp-sql/tests/differential.sh [ICP_BINARY]
# ICP_DIFF_CASES (default 150) random programs, ICP_DIFF_SEED (default 1). Engines that cannot
# be set up are reported SKIPPED (exit 0 only if at least one ran). Same venv as engines.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
icp="$(realpath "${1:-$root/target/release/icp}")"
work="$(mktemp -d)"
trap 'if [ -n "${PGDATA_DIR:-}" ]; then $PG_CTL -D "$PGDATA_DIR" -m immediate stop >/dev/null 2>&1 || true; fi; rm -rf "$work"' EXIT
venv="${ICP_SQL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/icp-sql-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q duckdb || echo "duckdb: SKIPPED (no venv or PyPI)"
fi
. "$here/engines/cases.sh"
make_cases "$work/cases" "${ICP_DIFF_CASES:-150}" "${ICP_DIFF_SEED:-1}"
cases=("$work"/cases/*/ "$here"/engines/*/)
ran=0; status=0
if "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  "$venv/bin/python" "$here/engines/diff.py" "$icp" duckdb "${cases[@]}" || status=1
  ran=$((ran + 1))
fi
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
INITDB="$(command -v initdb || echo "$PG_BIN/initdb")"; PG_CTL="$(command -v pg_ctl || echo "$PG_BIN/pg_ctl")"
if [ -x "$INITDB" ] && command -v psql >/dev/null; then
  PGDATA_DIR="$work/pg"; port=$((20000 + RANDOM % 20000))
  runas=""; if [ "$(id -u)" = 0 ]; then runas="runuser -u nobody --"; chmod 777 "$work"; fi
  $runas "$INITDB" -D "$PGDATA_DIR" -U icp --auth=trust >/dev/null
  $runas "$PG_CTL" -D "$PGDATA_DIR" -o "-p $port -k $work -c listen_addresses=127.0.0.1" -l "$work/pg.log" -w start >/dev/null
  PG_CTL="$runas $PG_CTL"
  PGPORT=$port PGHOST=127.0.0.1 PGUSER=icp PGDATABASE=postgres \
    "$venv/bin/python" "$here/engines/diff.py" "$icp" postgres "${cases[@]}" || status=1
  ran=$((ran + 1))
else
  echo "postgres: SKIPPED (no initdb/psql; engines.sh installs it)"
fi
[ "$ran" -gt 0 ] && exit $status
exit 1
