"""`icp compile --raw-text` against an engine: loads each case's CSV as text columns (the file's
header as column names), runs its compiled query and compares every row with native
`icp score --format json`: score and group scores (as decimals), tier, coverage, reasons and,
for invalid rows, the error (without native's `row N (line M), ` and did-you-mean).
    python raw.py ENGINE WORK CASES   (CASES: lines `name<TAB>data.csv`; WORK/name.{json,ENGINE.sql})
ENGINE is `duckdb` or `postgres` (psql on $PGHOST/$PGPORT); diff.py runs the same cases on
Spark, and on BigQuery and Snowflake SQL transpiled to DuckDB by sqlglot, with `check`."""
import csv, json, os, re, subprocess, sys
from collections import defaultdict
from decimal import Decimal



def load_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    first = text.split("\n", 1)[0]
    delim = max([",", ";", "\t"], key=first.count)
    rows = list(csv.reader(__import__("io").StringIO(text, newline=""), delimiter=delim))
    header, body = rows[0], [r for r in rows[1:] if r]
    return header, [r for r in body if len(r) == len(header)]


def qi(name):
    return '"' + name.replace('"', '""') + '"'


def run_duckdb(header, body, sql, tmp, con=None):
    import duckdb
    con = con or duckdb.connect()
    norm = os.path.join(tmp, "norm.csv")
    with open(norm, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows(body)
    cols = "{" + ", ".join(f"'{h.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for h in header) + "}"
    con.execute("DROP TABLE IF EXISTS accounts")
    con.execute(f"CREATE TABLE accounts AS SELECT * FROM read_csv('{norm}', header = false, "
                f"columns = {cols}, delim = ',', quote = '\"', escape = '\"', auto_detect = false)")
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def run_postgres(header, body, sql, tmp):
    def psql(cmd, stdin=None):
        p = subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", cmd],
                           input=stdin, capture_output=True, text=True)
        if p.returncode:
            raise RuntimeError(f"psql failed: {p.stderr.strip()[-1500:]}")
        return p.stdout
    import io
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL).writerows(body)
    psql("DROP TABLE IF EXISTS accounts; CREATE TABLE accounts (" + ", ".join(f"{qi(h)} TEXT" for h in header) + ")")
    psql("COPY accounts FROM STDIN WITH (FORMAT csv)", stdin=buf.getvalue())
    out = psql(f"SET max_parallel_workers_per_gather = 0; SELECT json_agg(q) FROM ({sql}) AS q")
    return json.loads(out) if out.strip() else []


def run_spark(spark, header, body, sql):
    """The cells as a Spark table of STRING columns, the query run by `spark`."""
    from pyspark.sql import types as T
    schema = T.StructType([T.StructField(h, T.StringType(), True) for h in header])
    spark.createDataFrame(body, schema).createOrReplaceTempView("accounts")
    return [r.asDict() for r in spark.sql(sql).collect()]


# The column a field reads, as `read_cells` casts it to text in each dialect.
COLUMN = re.compile(r'COALESCE\(CAST\(("(?:[^"]|"")*"|`(?:[^`\\]|``|\\.)*`) AS (?:TEXT|VARCHAR|STRING)\)')


def unquote(q):
    if q.startswith('"'):
        return q[1:-1].replace('""', '"')
    inner = q[1:-1].replace("``", "`")
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m.group(1), m.group(1)), inner)


def dec(x):
    return None if x is None else Decimal(str(x)).quantize(Decimal("0.01"))


def native_error(e):
    e = re.sub(r"^row \d+ \(line \d+\), ", "", e or "")
    return re.sub(r"; did you mean `[^`]*`\?", "", e)


def check(engine, run, work, cases):
    """Runs every case of the file `cases` with `run(header, body, sql)` and compares; prints a
    line per case; returns the counts {cases, rows, bad (cases that disagree), failed}."""
    stats = {"cases": 0, "rows": 0, "bad": 0, "failed": 0}
    for line in open(cases):
        name, data = line.rstrip("\n").split("\t")
        if not os.path.exists(os.path.join(work, f"{name}.{engine}.sql")):
            continue  # a case for other engines only (raw_cases.sh)
        header, body = load_csv(data)
        native = json.load(open(os.path.join(work, f"{name}.json")))
        key = next(k for k in native[0] if k not in ("score", "tier", "coverage", "reasons", "error", "action") and not k.startswith("score."))
        # Ragged CSV rows (invalid natively) cannot be loaded into a table: left out on both sides.
        native = [n for n in native if "fields, found" not in (n.get("error") or "")]
        sql = open(os.path.join(work, f"{name}.{engine}.sql")).read()
        # Columns named as the schema reads them: a header matches case-insensitively after
        # trimming, as `icp score` matches it (the loader's job in SQL).
        wanted = {unquote(c).strip().lower(): unquote(c) for c in COLUMN.findall(sql)}
        header = [wanted.get(h.strip().lower(), h) for h in header]
        try:
            rows = run(header, body, sql)
        except Exception as err:  # an engine error is a failure of the compiled SQL
            stats["failed"] += 1
            print(f"{engine} raw {name}: the engine failed: {str(err)[:1500]}")
            continue
        stats["cases"] += 1
        stats["rows"] += len(native)
        stats["bad"] += 1 if compare(engine, name, key, native, rows) else 0
    return stats


def compare(engine, name, key, native, rows):
    by_key = defaultdict(list)
    for n in native:
        by_key[str(n[key])].append(n)
    bad = 0
    for r in rows:
        k = str(r[key])
        if not by_key[k]:
            bad += 1
            print(f"{engine} {name}: row {k} only in SQL")
            continue
        n = by_key[k].pop(0)
        got = (dec(r["score"]), r["tier"], dec(r["coverage"]))
        want = (dec(n["score"]), n["tier"], dec(n["coverage"]))
        groups_ok = all(dec(r.get(g)) == dec(v) for g, v in n.items() if g.startswith("score."))
        reasons_ok = n["tier"] == "invalid" or r["reasons"] == n["reasons"]
        action_ok = "action" not in n or (r.get("action") or None) == (n.get("action") or None)
        error_ok = (r["error"] or "") == native_error(n.get("error"))
        if got != want or not groups_ok or not reasons_ok or not error_ok or not action_ok:
            bad += 1
            if bad <= 8:
                print(f"{engine} {name}: row {k}: sql {got} {r.get('reasons')!r} {r.get('error')!r}\n"
                      f"   native {want} {n['reasons']!r} {native_error(n.get('error'))!r}")
    left = sum(len(v) for v in by_key.values())
    if left:
        bad += 1
        print(f"{engine} {name}: {left} native rows not in SQL")
    invalid = sum(1 for r in rows if r["tier"] == "invalid")
    print(f"{engine} raw {name}: {len(rows)} rows ({invalid} invalid), {bad} disagreements", flush=True)
    return bad


if __name__ == "__main__":
    engine, work, cases = sys.argv[1], sys.argv[2], sys.argv[3]
    if engine == "duckdb":
        run = lambda header, body, sql: run_duckdb(header, body, sql, work)
    else:
        run = lambda header, body, sql: run_postgres(header, body, sql, work)
    s = check(engine, run, work, cases)
    sys.exit(1 if s["bad"] or s["failed"] else 0)
