"""Loads accounts.csv typed into an engine, runs the compiled query, compares with native."""
import csv, json, os, subprocess, sys
from decimal import Decimal

engine, work, data = sys.argv[1], sys.argv[2], sys.argv[3]
native = {r["id"]: r for r in json.load(open(os.path.join(work, "native.json")))}
sql = open(os.path.join(work, f"{engine}.sql")).read()

TYPED = """CREATE TABLE accounts AS SELECT
  id, NULLIF(trim(name), '') AS name, CAST(NULLIF(n, '') AS INTEGER) AS n,
  CAST(NULLIF(amount, '') AS DECIMAL(38, 10)) AS amount, CAST(NULLIF(ratio, '') AS DECIMAL(38, 10)) AS ratio,
  CAST(NULLIF(growth, '') AS DECIMAL(38, 10)) AS growth, NULLIF(stage, '') AS stage, NULLIF(kind, '') AS kind,
  {tags} AS tags, CAST(NULLIF(seen, '') AS DATE) AS seen, CAST(NULLIF(active, '') AS BOOLEAN) AS active
FROM raw"""
cols = "id,name,n,amount,ratio,growth,stage,kind,tags,seen,active".split(",")
if engine == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{data}', all_varchar = true, header = true)")
    con.execute(TYPED.format(tags="CASE WHEN tags IS NULL OR tags = '' THEN CAST([] AS VARCHAR[]) ELSE string_split(tags, ';') END"))
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
else:
    def psql(cmd, stdin=None):
        return subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", cmd],
                              input=stdin, capture_output=True, text=True, check=True).stdout
    psql("CREATE TABLE raw (" + ", ".join(f"{c} TEXT" for c in cols) + ")")
    psql("COPY raw FROM STDIN WITH (FORMAT csv, HEADER true)", stdin=open(data).read())
    psql(TYPED.format(tags="CASE WHEN tags IS NULL OR tags = '' THEN ARRAY[]::TEXT[] ELSE string_to_array(tags, ';') END"))
    out = psql(f"SELECT json_agg(q) FROM ({sql}) AS q")
    rows = json.loads(out)

def dec(x):
    return None if x is None else Decimal(str(x)).quantize(Decimal("0.01"))

bad = 0
for r in rows:
    n = native.get(r["id"])
    got = (dec(r["score"]), r["tier"], dec(r["coverage"]), r["tier"] == "invalid")
    want = (dec(n["score"]), n["tier"], dec(n["coverage"]), n["tier"] == "invalid")
    groups_ok = all(dec(r.get(k)) == dec(v) for k, v in n.items() if k.startswith("score."))
    reasons_ok = n["tier"] == "invalid" or r["reasons"] == n["reasons"]
    if got != want or not groups_ok or not reasons_ok:
        bad += 1
        if bad <= 5:
            print(f"{engine}: row {r['id']}: sql {got} {r.get('reasons')!r}\n   native {want} {n['reasons']!r}")
if len(rows) != len(native):
    bad += 1
    print(f"{engine}: {len(rows)} rows, native {len(native)}")
print(f"{engine}: {len(rows)} rows, {bad} disagreements")
sys.exit(1 if bad else 0)
