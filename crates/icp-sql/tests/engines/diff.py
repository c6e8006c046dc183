"""Differential test of `icp compile --typed` on many cases at once, against real engines.

    diff.py ICP ENGINES CASEDIR...

ENGINES is a comma-separated list of `duckdb`, `postgres` (psql on $PGHOST/$PGPORT),
`spark` (a local pyspark session), `bigquery` and `snowflake` (the dialect's SQL parsed by
sqlglot, transpiled to DuckDB and run there). Each CASEDIR holds `typed.csv` and `case.json`
as `examples/typed_cases.rs` writes them. For every case and engine: `icp score` on the typed
CSV (native) and `icp compile --dialect D` run on the same values loaded typed; every row must
agree exactly on score, tier, coverage, action, reasons, group scores and whether it is
invalid. Prints one line per engine; exit 1 on any disagreement or failure.

With ICP_RAW_WORK set (a directory that engines/raw_cases.sh filled for these dialects), the
same engines (one Spark session) then run the `--raw-text` cases listed in its raw_cases.tsv,
loaded as text columns, compared by raw.py; one more line per engine.
"""
import csv, datetime, json, os, subprocess, sys, time
from decimal import Decimal

ICP = sys.argv[1]
ENGINES = [e for e in sys.argv[2].split(",") if e]
CASES = sys.argv[3:]
DIALECT = {"duckdb": "duckdb", "postgres": "postgres", "spark": "spark",
           "bigquery": "bigquery", "snowflake": "snowflake"}
VERBOSE = int(os.environ.get("ICP_DIFF_REPORTS", "3"))


def load_case(d):
    meta = json.load(open(os.path.join(d, "case.json")))
    prog = meta["program"]
    if not os.path.isabs(prog):
        prog = os.path.join(d, prog)
    meta["program_path"] = prog
    with open(os.path.join(d, "typed.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    types = [c["type"] for c in meta["columns"]]
    meta["header"] = header
    meta["rows"] = [[typed(t, cell) for t, cell in zip(types, r)] for r in body]
    return meta


def typed(ty, cell):
    """A canonical typed cell (see typed_cases.rs) as a Python value."""
    if cell == "NA":
        return None
    if ty == "bool":
        return cell == "true"
    if ty in ("int", "number", "money"):
        return Decimal(cell)
    if ty == "percent":
        return Decimal(cell[:-1]) / 100
    if ty == "date":
        return datetime.date.fromisoformat(cell)
    if ty == "duration":
        return int(cell[:-1])
    if ty == "set":
        return json.loads(cell)
    return cell  # text, enum


def native(meta, d):
    out = subprocess.run([ICP, "score", meta["program_path"], os.path.join(d, "typed.csv"),
                          "--format", "json", "--explain", "--as-of", meta["as_of"], "--profile", meta["profile"]],
                         capture_output=True, text=True)
    if out.returncode not in (0,):
        raise RuntimeError(f"icp score failed: {out.stderr[-2000:]}")
    rows = json.loads(out.stdout, parse_float=Decimal)
    for r in rows:  # group scores, as `score.GROUP` like the SQL's columns
        for g in (r.pop("explanation", None) or {}).get("groups", []):
            r["score." + g["name"]] = g.get("score")
    return rows


def compile_sql(meta, dialect):
    out = subprocess.run([ICP, "compile", meta["program_path"], "--profile", meta["profile"],
                          "--dialect", dialect, "--as-of", meta["as_of"], "--table", "accounts"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    return out.stdout, None


# ---- engines ---------------------------------------------------------------------------

SQLTYPE = {
    "duckdb": {"bool": "BOOLEAN", "num": "DECIMAL(38, 10)", "text": "VARCHAR", "date": "DATE",
               "duration": "BIGINT", "set": "VARCHAR[]"},
    "postgres": {"bool": "BOOLEAN", "num": "NUMERIC", "text": "TEXT", "date": "DATE",
                 "duration": "BIGINT", "set": "TEXT[]"},
}


def kind(ty):
    if ty in ("int", "number", "money", "percent"):
        return "num"
    if ty == "enum":
        return "text"
    return ty


def dq(name):
    return '"' + name.replace('"', '""') + '"'


class DuckDB:
    def __init__(self, read=None):
        import duckdb
        self.con = duckdb.connect()
        self.read = read  # a sqlglot dialect to transpile from, or None

    def run(self, meta, sql):
        types = [kind(c["type"]) for c in meta["columns"]]
        cols = ", ".join(f"{dq(h)} {SQLTYPE['duckdb'][t]}" for h, t in zip(meta["header"], types))
        self.con.execute("DROP TABLE IF EXISTS accounts")
        self.con.execute(f"CREATE TABLE accounts ({cols})")
        if meta["rows"]:
            marks = ", ".join("?" for _ in meta["header"])
            self.con.executemany(f"INSERT INTO accounts VALUES ({marks})", meta["rows"])
        if self.read:
            sql = to_duckdb(sql, self.read)
        cur = self.con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def to_duckdb(sql, read):
    """`sql` parsed by sqlglot as dialect `read` (an error if it does not parse) and written
    as DuckDB, working around sqlglot's known gaps (docs/sql.md, "BigQuery and Snowflake"):

    - BigQuery `DIV(a, b)` becomes `a // b`, without parentheses around `a` and `b` (wrong
      precedence) and on decimals, where DuckDB's `//` is not integer division: we write
      `CAST((a) AS HUGEINT) // CAST((b) AS HUGEINT)`;
    - BigQuery `BIGNUMERIC` becomes `DECIMAL(38, 5)`, five decimals where BIGNUMERIC has 38:
      we write `DECIMAL(38, 10)`, the DuckDB dialect's own type.
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ErrorLevel
    out = []
    for tree in sqlglot.parse(sql, read=read, error_level=ErrorLevel.RAISE):
        if tree is None:
            continue
        if read == "bigquery":
            for node in list(tree.find_all(exp.IntDiv)):
                node.set("this", exp.cast(exp.Paren(this=node.this), "HUGEINT"))
                node.set("expression", exp.cast(exp.Paren(this=node.expression), "HUGEINT"))
            for dt in list(tree.find_all(exp.DataType)):
                if dt.this == exp.DataType.Type.BIGDECIMAL:
                    dt.replace(exp.DataType.build("DECIMAL(38, 10)"))
        out.append(tree.sql(dialect="duckdb"))
    return ";\n".join(out)


def pg_literal(v, t):
    if v is None:
        return "NULL"
    if t == "bool":
        return "TRUE" if v else "FALSE"
    if t == "num":
        return f"CAST('{v}' AS NUMERIC)"
    if t == "date":
        return f"DATE '{v.isoformat()}'"
    if t == "duration":
        return str(v)
    if t == "set":
        return "CAST(ARRAY[" + ", ".join(pg_literal(i, "text") for i in v) + "] AS TEXT[])" if v else "CAST(ARRAY[] AS TEXT[])"
    return "'" + str(v).replace("'", "''") + "'"


class Postgres:
    def run(self, meta, sql):
        types = [kind(c["type"]) for c in meta["columns"]]
        cols = ", ".join(f"{dq(h)} {SQLTYPE['postgres'][t]}" for h, t in zip(meta["header"], types))
        script = ["DROP TABLE IF EXISTS accounts;", f"CREATE TABLE accounts ({cols});"]
        for r in meta["rows"]:
            script.append("INSERT INTO accounts VALUES (" +
                          ", ".join(pg_literal(v, t) for v, t in zip(r, types)) + ");")
        script.append(f"SELECT COALESCE(json_agg(q), '[]') FROM ({sql}) AS q;")
        out = subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t"],
                             input="\n".join(script), capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip()[-2000:])
        return json.loads(out.stdout, parse_float=Decimal)


class Spark:
    def __init__(self):
        from pyspark.sql import SparkSession
        self.spark = (SparkSession.builder.master("local[2]").appName("icp-diff")
                      .config("spark.ui.enabled", "false")
                      .config("spark.ui.showConsoleProgress", "false")
                      .config("spark.sql.shuffle.partitions", "2")
                      .config("spark.sql.session.timeZone", "UTC")
                      .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")
        print(f"spark: {self.spark.version}, local[2], spark.sql.ansi.enabled="
              f"{self.spark.conf.get('spark.sql.ansi.enabled')}", flush=True)

    def run(self, meta, sql):
        from pyspark.sql import types as T
        st = {"bool": T.BooleanType(), "num": T.DecimalType(38, 10), "text": T.StringType(),
              "date": T.DateType(), "duration": T.LongType(), "set": T.ArrayType(T.StringType())}
        types = [kind(c["type"]) for c in meta["columns"]]
        schema = T.StructType([T.StructField(h, st[t], True) for h, t in zip(meta["header"], types)])
        df = self.spark.createDataFrame(meta["rows"], schema)
        df.createOrReplaceTempView("accounts")
        return [r.asDict() for r in self.spark.sql(sql).collect()]


# ---- comparison ------------------------------------------------------------------------

def num(x):
    if x is None:
        return None
    return Decimal(str(x)).normalize()


def compare(meta, nat, got):
    key = meta.get("key") or "row"
    problems = []
    if len(got) != len(nat):
        problems.append(f"{len(got)} rows, native {len(nat)}")
    by = {}
    for r in got:
        by.setdefault(str(r.get(key)), []).append(r)
    for i, n in enumerate(nat):
        k = str(n.get(key, i + 1))
        cands = by.get(k) or []
        if not cands:
            problems.append(f"row {k}: not in the SQL output")
            continue
        want = row_view(n)
        views = [row_view(r) for r in cands]
        if want in views:
            cands.pop(views.index(want))
        else:
            problems.append(f"row {k}:\n     sql    {views[0]}\n     native {want}")
    return problems


def row_view(r):
    invalid = r.get("tier") == "invalid"
    v = {"tier": r.get("tier"), "invalid": invalid, "error": r.get("error") is not None}
    if not invalid:
        v["score"] = num(r.get("score"))
        v["coverage"] = num(r.get("coverage"))
        v["reasons"] = r.get("reasons") or ""
        if "action" in r:
            v["action"] = r.get("action") or None
        for k in sorted(r):
            if k.startswith("score."):
                v[k] = num(r[k])
    return v


def main():
    engines = {}
    for e in ENGINES:
        if e == "duckdb":
            engines[e] = DuckDB()
        elif e == "postgres":
            engines[e] = Postgres()
        elif e == "spark":
            engines[e] = Spark()
        elif e in ("bigquery", "snowflake"):
            engines[e] = DuckDB(read=e)
    stats = {e: {"cases": 0, "rows": 0, "bad": 0, "failed": 0, "refused": 0} for e in engines}
    reports = 0
    for d in CASES:
        meta = load_case(d)
        try:
            nat = native(meta, d)
        except RuntimeError as err:
            print(f"{d}: {err}")
            for s in stats.values():
                s["failed"] += 1
            continue
        for e, eng in engines.items():
            s = stats[e]
            sql, why = compile_sql(meta, DIALECT[e])
            if sql is None:
                s["refused"] += 1
                if reports < VERBOSE:
                    reports += 1
                    print(f"{e}: {d}: icp compile refused it: {why}")
                continue
            s["cases"] += 1
            try:
                got = eng.run(meta, sql)
            except Exception as err:  # an engine error is a failure of the compiled SQL
                s["failed"] += 1
                if reports < VERBOSE:
                    reports += 1
                    print(f"{e}: {d}: the engine failed: {str(err)[:1500]}")
                continue
            probs = compare(meta, nat, got)
            s["rows"] += len(nat)
            if probs:
                s["bad"] += 1
                s.setdefault("which", []).append(os.path.basename(d.rstrip("/")))
                if reports < VERBOSE:
                    reports += 1
                    print(f"{e}: {d}: {len(probs)} rows disagree, first:\n  " + "\n  ".join(probs[:3]))
    raw_work = os.environ.get("ICP_RAW_WORK")
    raw_stats = {}
    if raw_work:
        import raw
        cases = os.path.join(raw_work, "raw_cases.tsv")
        for e, eng in engines.items():
            started = time.monotonic()
            raw_stats[e] = raw.check(DIALECT[e], raw_runner(e, eng, raw_work, raw), raw_work, cases)
            raw_stats[e]["seconds"] = time.monotonic() - started
    ok = True
    for e, s in stats.items():
        print(f"{e}: {s['cases']} cases, {s['rows']} rows compared: {s['bad']} cases disagree, "
              f"{s['failed']} failed, {s['refused']} refused by icp compile")
        if s.get("which"):
            print(f"{e}: disagreeing cases: {' '.join(s['which'][:20])}")
        ok = ok and s["bad"] == 0 and s["failed"] == 0
    for e, s in raw_stats.items():
        print(f"{e} raw-text: {s['cases']} cases, {s['rows']} rows compared: {s['bad']} cases disagree, "
              f"{s['failed']} failed ({s['seconds']:.0f} s)")
        ok = ok and s["bad"] == 0 and s["failed"] == 0
    sys.exit(0 if ok else 1)


def raw_runner(e, eng, work, raw):
    """How engine `e` runs a `--raw-text` query on text cells: `run(header, body, sql)`."""
    if e == "spark":
        return lambda header, body, sql: raw.run_spark(eng.spark, header, body, sql)
    if e == "postgres":
        return lambda header, body, sql: raw.run_postgres(header, body, sql, work)
    read = None if e == "duckdb" else e
    return lambda header, body, sql: raw.run_duckdb(
        header, body, to_duckdb(sql, read) if read else sql, work, con=eng.con)


if __name__ == "__main__":
    main()
