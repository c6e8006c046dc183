#!/usr/bin/env python3
"""The compiled SQL of `icp compile --dialect duckdb --typed` inside DuckDB (bench/compiled.sh).

    compiled_duckdb.py load TYPED.csv CASE.json TYPED.parquet   # the typed table, once
    compiled_duckdb.py score TYPED.parquet QUERY.sql OUT.csv [--threads N]

`load` turns the canonical typed CSV that `crates/icp-sql/examples/typed_cases.rs` writes
into a Parquet file with the SQL types of docs/sql.md (DECIMAL(38, 10), DATE, VARCHAR[], ...):
the accounts as a warehouse holds them. `score` runs the compiled query over it (as the view
`accounts`) and writes the result as CSV, in input order. Run with a Python that has duckdb
(bench/.venv).
"""
import json
import sys

import duckdb


def q(name):
    return '"' + name.replace('"', '""') + '"'


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def load(csv_path, case_path, out):
    cols = json.load(open(case_path))["columns"]
    con = duckdb.connect()
    sel = []
    for c in cols:
        raw = f"NULLIF({q(c['column'])}, 'NA')"
        t = c["type"]
        if t in ("int", "number", "money"):
            e = f"CAST({raw} AS DECIMAL(38, 10))"
        elif t == "percent":
            e = f"CAST(CAST(rtrim({raw}, '%') AS DECIMAL(38, 12)) / 100 AS DECIMAL(38, 10))"
        elif t == "bool":
            e = f"CAST({raw} AS BOOLEAN)"
        elif t == "date":
            e = f"CAST({raw} AS DATE)"
        elif t == "duration":
            e = f"CAST(rtrim({raw}, 'd') AS BIGINT)"
        elif t == "set":
            e = f"CAST(json_transform({raw}, '[\"VARCHAR\"]') AS VARCHAR[])"
        else:
            e = raw
        sel.append(f"{e} AS {q(c['column'])}")
    con.execute(f"""COPY (SELECT {', '.join(sel)}
        FROM read_csv({lit(csv_path)}, header = true, all_varchar = true, quote = '"', escape = '"'))
        TO {lit(out)} (FORMAT parquet)""")


def score(parquet, query, out, threads):
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"CREATE VIEW accounts AS SELECT * FROM read_parquet({lit(parquet)})")
    sql = open(query).read()
    con.execute(f"COPY ({sql}) TO {lit(out)} (HEADER, DELIMITER ',')")


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["load"]:
        load(a[1], a[2], a[3])
    elif a[:1] == ["score"]:
        threads = a[a.index("--threads") + 1] if "--threads" in a else 2
        score(a[1], a[2], a[3], threads)
    else:
        sys.exit(__doc__)
