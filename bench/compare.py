#!/usr/bin/env python3
"""Check that scoring outputs agree row by row.

    python3 bench/compare.py NAME=OUT.csv NAME=OUT.csv [...] [--show 10]

The first file is the baseline. Rows are matched by position (every input row yields
exactly one output row, in input order). Fatal: a different row count, key, tier, or
score to 2 decimals. Coverage is compared too (as a fraction; a column whose values
exceed 1 is read as percent) but a difference there only warns.
Exit 0 when all agree, 1 otherwise.
"""

import argparse
import collections
import csv
import sys


def open_csv(path):
    f = open(path, newline="", encoding="utf-8-sig")
    rd = csv.reader(f)
    header = next(rd, [])
    cols = {h.strip().lower(): i for i, h in enumerate(header)}
    missing = [c for c in ("score", "tier") if c not in cols]
    if missing:
        sys.exit(f"{path}: no column {missing} in header {header}")
    return rd, cols  # the key field comes first


def percent_coverage(path):
    """Whether the coverage column is a percent (some value above 1)."""
    rd, cols = open_csv(path)
    ci = cols.get("coverage")
    if ci is None:
        return False
    for n, r in enumerate(rd):
        if n > 10000:
            break
        try:
            if float(r[ci]) > 1.0:
                return True
        except (ValueError, IndexError):
            pass
    return False


def score2(s):
    s = s.strip()
    if s == "":
        return ""
    try:
        return f"{float(s):.2f}"
    except ValueError:
        return s


def cell(row, cols, name):
    i = cols.get(name)
    return row[i] if i is not None and i < len(row) else ""


def reason_names(reasons):
    """The criteria and exclusions a reasons cell names, with how: {name: text}."""
    out = {}
    for part in reasons.split("; "):
        head, sep, rest = part.partition(": ")
        if sep and " " not in head:  # `excluded: a (why), b`, `unknown: a, b`, ...
            for item in rest.split(", "):
                name, _, how = item.partition(" ")
                out[name] = f"{head} {how}".strip()
        elif part:
            name, _, how = part.partition(" ")
            out[name] = how
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outputs", nargs="+", help="NAME=PATH")
    ap.add_argument("--show", type=int, default=10, help="disagreements to print")
    a = ap.parse_args()
    named = [o.split("=", 1) for o in a.outputs]
    base_name, base_path = named[0]
    bad = 0
    for name, path in named[1:]:
        brd, bcols = open_csv(base_path)
        ord_, ocols = open_csv(path)
        pct = percent_coverage(path)
        diffs = cov_diffs = n = 0
        culprits = collections.Counter()
        sentinel = object()
        while True:
            b, o = next(brd, sentinel), next(ord_, sentinel)
            if b is sentinel or o is sentinel:
                if b is not o:
                    extra = name if b is sentinel else base_name
                    print(f"DISAGREE: {extra} has more rows than the other after row {n}")
                    diffs += 1
                break
            n += 1
            bk, ok = (b[0].strip() if b else ""), (o[0].strip() if o else "")
            bt, ot = cell(b, bcols, "tier"), cell(o, ocols, "tier")
            bs, os_ = score2(cell(b, bcols, "score")), score2(cell(o, ocols, "score"))
            if bk != ok or bt != ot or bs != os_:
                diffs += 1
                br = reason_names(cell(b, bcols, "reasons"))
                orr = reason_names(cell(o, ocols, "reasons"))
                culprits.update(k for k in br.keys() | orr.keys() if br.get(k) != orr.get(k)
                                and not str(br.get(k, orr.get(k))).startswith("out_of_segment"))
                if diffs <= a.show:
                    print(f"DISAGREE row {n}: {base_name}: key={bk} tier={bt} score={bs}"
                          f" | {name}: key={ok} tier={ot} score={os_}")
                    print(f"    {base_name} reasons: {cell(b, bcols, 'reasons')}")
                    print(f"    {name} reasons: {cell(o, ocols, 'reasons')}")
                    be, oe = cell(b, bcols, "error"), cell(o, ocols, "error")
                    if be or oe:
                        print(f"    errors: {base_name}: {be!r} | {name}: {oe!r}")
                continue
            bc, oc = cell(b, bcols, "coverage").strip(), cell(o, ocols, "coverage").strip()
            try:
                differs = bool(bc) != bool(oc) or (
                    bc and abs(float(bc) - float(oc) / (100 if pct else 1)) > 0.0051)
            except ValueError:
                differs = True
            if differs and "coverage" in ocols:
                cov_diffs += 1
                if cov_diffs <= 3:
                    print(f"warning: row {n} ({bk}): coverage {base_name}={bc!r} {name}={oc!r}")
        status = "agree" if diffs == 0 else f"{diffs} rows DISAGREE"
        print(f"{name} vs {base_name}: {n} rows compared, {status}"
              + (f" (coverage differs on {cov_diffs} rows: warning only)" if cov_diffs else ""))
        if culprits:
            print("    names whose reason differs on disagreeing rows: "
                  + ", ".join(f"{k} ({v})" for k, v in culprits.most_common(12)))
        bad += diffs
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
