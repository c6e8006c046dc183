#!/usr/bin/env bash
# Spark SQL, BigQuery and Snowflake against native scoring, on every example's profiles and a
# sample of random programs (the cases of differential.sh) with typed columns, then with
# `--raw-text` on the text cases of engines.sh (every example's data, Inc. 5000, messy cells
# of every type, with a decimal comma, and values near the limits: engines/raw_cases.sh):
# - spark: `icp compile --dialect spark` run by a local pyspark session (local[2]);
# - bigquery, snowflake: the dialect's SQL parsed by sqlglot in that dialect, transpiled to
#   DuckDB and run there (neither warehouse runs here).
#   crates/icp-sql/tests/spark.sh [ICP_BINARY]
# Makes (and keeps) a venv with pyspark, sqlglot and duckdb from PyPI: ICP_SPARK_VENV,
# default ~/.cache/icp-spark-venv (about 2 minutes and 450 MB the first time). Needs Java 17
# (`java` on PATH or JAVA_HOME) for Spark; without it, or without PyPI, Spark is SKIPPED and
# the sqlglot checks still run if sqlglot is there. ICP_SPARK_CASES (default 40) random
# programs, ICP_DIFF_SEED (default 1). Exit 1 on any disagreement or engine error.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
icp="$(realpath "${1:-$root/target/release/icp}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
venv="${ICP_SPARK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/icp-spark-venv}"
if ! "$venv/bin/python" -c 'import pyspark, sqlglot, duckdb' 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q pyspark sqlglot duckdb \
    || echo "spark.sh: could not install pyspark/sqlglot/duckdb"
fi
engines=""
if "$venv/bin/python" -c 'import pyspark' 2>/dev/null && command -v java >/dev/null; then
  engines="spark"
else
  echo "spark: SKIPPED (no pyspark or no java)"
fi
if "$venv/bin/python" -c 'import sqlglot, duckdb' 2>/dev/null; then
  engines="$engines,bigquery,snowflake"
else
  echo "bigquery, snowflake: SKIPPED (no sqlglot)"
fi
[ -n "$engines" ] || exit 1
. "$here/engines/cases.sh"
make_cases "$work/cases" "${ICP_SPARK_CASES:-40}" "${ICP_DIFF_SEED:-1}"
cases=("$work"/cases/*/ "$here"/engines/*/)
# --raw-text: the cases of engines.sh (engines/raw_cases.sh), compiled for these dialects.
. "$here/engines/raw_cases.sh"
mkdir -p "$work/raw"
IFS=, read -r -a dialects <<< "${engines#,}"
make_raw_cases "$work/raw" "$icp" "$venv/bin/python" "${dialects[@]}"
export ICP_RAW_WORK="$work/raw"
echo "sqlglot $("$venv/bin/python" -c 'import sqlglot; print(sqlglot.__version__)' 2>/dev/null || echo -), pyspark $("$venv/bin/python" -c 'import pyspark; print(pyspark.__version__)' 2>/dev/null || echo -)"
# Spark's JVM logs and progress bars go to a file, shown only when the run fails.
export SPARK_LOCAL_IP=127.0.0.1
if ! "$venv/bin/python" "$here/engines/diff.py" "$icp" "${engines#,}" "${cases[@]}" 2>"$work/spark.log"; then
  tail -n 40 "$work/spark.log"
  exit 1
fi
