#!/usr/bin/env python3
"""Score accounts with DuckDB: bench/duckdb_score.sql, the same rules as bench/profile.icp.

    python3 bench/duckdb_score.py ACCOUNTS.csv OUT.csv --as-of 2027-02-15 [--threads N]

Runs under bench/.venv (made on first use: python3 -m venv + pip install duckdb) and
re-executes itself there when `duckdb` is not importable.
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"


def ensure_duckdb():
    try:
        import duckdb  # noqa: F401
        return
    except ImportError:
        pass
    py = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        sys.exit("duckdb is not installed in bench/.venv: bench/.venv/bin/pip install duckdb")
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "duckdb"], check=True)
    os.execv(str(py), [str(py), __file__, *sys.argv[1:]])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("accounts")
    ap.add_argument("out")
    ap.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    ensure_duckdb()
    import duckdb

    def lit(p):
        return str(Path(p).resolve()).replace("'", "''")

    sql = (HERE / "duckdb_score.sql").read_text()
    sql = (sql.replace("{input}", lit(a.accounts)).replace("{output}", lit(a.out))
           .replace("{as_of}", a.as_of.isoformat()))
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {int(a.threads)}")
    con.execute("SET preserve_insertion_order = true")  # output rows in input order
    con.execute(sql)


if __name__ == "__main__":
    main()
