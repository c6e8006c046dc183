#!/usr/bin/env python3
"""Plain Python reference for bench/profile.icp (profile `growth`).

    python3 bench/reference.py ACCOUNTS.csv OUT.csv --as-of 2027-02-15

Written to be obviously correct rather than fast: the csv module, one dict of typed
values per row, three-valued logic with None as *unknown*, and the scoring steps of
LANGUAGE.md "Semantics (the contract)" in order. Output columns:
id,score,tier,coverage,reasons,error (score 2 decimals, coverage a fraction 2 decimals).
"""

import argparse
import csv
import datetime as dt
import re
import sys
from decimal import Decimal

MISSING = {"", "na", "n/a", "null", "-"}
NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
INT_RE = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)")
MONEY_RE = re.compile(r"\$?(" + NUM + r")\s*(k|m|b|thousand|million|billion)?", re.I)
PERCENT_RE = re.compile(r"(" + NUM + r")\s*%?")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
MULT = {None: 1, "k": 10**3, "m": 10**6, "b": 10**9,
        "thousand": 10**3, "million": 10**6, "billion": 10**9}


class Unreadable(Exception):
    pass


def trim(s):
    return s.strip()  # str.strip also strips U+00A0


def is_missing(s):
    return trim(s).lower() in MISSING


def read_int(s):
    s = trim(s)
    if not INT_RE.fullmatch(s):
        raise Unreadable("int")
    return float(int(s.replace(",", "")))


def read_money(s):
    m = MONEY_RE.fullmatch(trim(s))
    if not m:
        raise Unreadable("money")
    value = Decimal(m.group(1).replace(",", "")) * MULT[m.group(2) and m.group(2).lower()]
    return float(value)  # correctly rounded: "2.3 M" is exactly 2300000


def read_percent(s):
    m = PERCENT_RE.fullmatch(trim(s))
    if not m:
        raise Unreadable("percent")
    return float(m.group(1).replace(",", "")) / 100  # 73% and 73 are both 0.73


def read_date(s):
    s = trim(s)
    if not DATE_RE.fullmatch(s):
        raise Unreadable("date")
    try:
        return dt.date.fromisoformat(s).toordinal()
    except ValueError:
        raise Unreadable("date") from None


def read_text(s):
    return trim(s)


def enum_reader(mapping, catch_all):
    table = {k.lower(): v for k, v in mapping.items()}

    def read(s):
        v = table.get(trim(s).lower())
        if v is None:
            if catch_all is None:
                raise Unreadable("enum")
            return catch_all
        return v

    return read


def read_set(s):
    items = [trim(i) for i in re.split(r"[;|,\x1f]", s)]
    return frozenset(i for i in items if i)


INDUSTRY = enum_reader({"saas": "saas", "software": "saas", "fintech": "fintech",
                        "financial services": "fintech", "agency": "agency",
                        "advertising & marketing": "agency", "health": "health",
                        "other": "other"}, "other")
FUNDING = enum_reader({"none": "none", "seed": "seed", "series_a": "series_a",
                       "series a": "series_a", "series_b": "series_b", "series b": "series_b",
                       "later": "later", "series c+": "later", "private equity": "later",
                       "public": "public", "ipo": "public"}, None)

# field, column, reader, optional, kind (for the error message)
SCHEMA = [
    ("id", "Record ID", read_text, False, "text"),
    ("name", "Company name", read_text, False, "text"),
    ("industry", "Industry", INDUSTRY, False, "enum"),
    ("employees", "Number of Employees", read_int, True, "int"),
    ("marketers", "Marketers", read_int, True, "int"),
    ("revenue", "Annual Revenue", read_money, True, "money"),
    ("country", "Country", read_text, False, "text"),
    ("funding", "Funding", FUNDING, True, "enum"),
    ("tech", "Technologies", read_set, True, "set"),
    ("intent", "Intent", read_percent, True, "percent"),
    ("last_touch", "Last touch", read_date, True, "date"),
]


def decode(row_no, cells):
    """Typed values of one row (None = missing), or raise ValueError(message)."""
    acc = {}
    for field, column, read, optional, kind, raw in cells:
        if raw is None:
            raise ValueError(f"row {row_no}: column `{column}` is absent (ragged row)")
        if kind == "set" and trim(raw) == "":
            acc[field] = frozenset()
            continue
        if is_missing(raw):
            if not optional:
                raise ValueError(f"row {row_no}: column `{column}`: missing value `{raw}` "
                                 f"in a required {kind} field")
            acc[field] = None
            continue
        try:
            acc[field] = read(raw)
        except Unreadable:
            raise ValueError(f"row {row_no}: column `{column}`: cannot read `{raw}` "
                             f"as {kind}") from None
    return acc


# ---- three-valued logic: True, False, None (unknown) -------------------------------

def AND(*xs):
    if any(x is False for x in xs):
        return False
    if any(x is None for x in xs):
        return None
    return True


def OR(*xs):
    if any(x is True for x in xs):
        return True
    if any(x is None for x in xs):
        return None
    return False


def NOT(x):
    return None if x is None else not x


def cmp(a, op, b):
    if a is None or b is None:
        return None
    return {"==": a == b, ">=": a >= b, "<": a < b}[op]


def between(x, lo, hi):
    return None if x is None else lo <= x <= hi


def member(x, options):
    return None if x is None else x in options


def text_in(x, options):
    return None if x is None else x.strip().lower() in {o.lower() for o in options}


def contains_any(s, items):
    return None if s is None else any(i in s for i in items)


def contains_all(s, items):
    return None if s is None else all(i in s for i in items)


def default(x, d):
    return d if x is None else x


# ---- the profile --------------------------------------------------------------------

PRACTICAL_SHARE = 0.5
FULL_UI = False


def criteria(a, today):
    """(name, weight, kind, outcome) in declaration order.

    A boolean criterion's outcome is True/False/None; a scorecard's is
    "perfect"/"practical"/False/None (branches in order; the first true one wins,
    an unknown branch before any true one makes the criterion unknown)."""
    def scorecard(perfect, practical):
        if perfect is None:
            return None
        if perfect:
            return "perfect"
        if practical is None:
            return None
        return "practical" if practical else False

    emp, mk, rev = a["employees"], a["marketers"], a["revenue"]
    rpe = None if rev is None or emp is None or emp == 0 else rev / emp
    intent = a["intent"]
    return [
        ("urgent_need", 15, scorecard(cmp(intent, ">=", 70 / 100), cmp(intent, ">=", 40 / 100))),
        ("recent", 10, cmp(a["last_touch"], ">=", today - 90)),
        ("size", 20, scorecard(between(emp, 50, 500), between(emp, 10, 2000))),
        ("budget", 25, scorecard(cmp(rev, ">=", 10e6), cmp(rev, ">=", 2e6))),
        ("efficient", 5, cmp(rpe, ">=", 100e3)),
        ("funded", 8, member(a["funding"], {"series_a", "series_b", "later"})),
        ("stack", 10, contains_any(a["tech"], ["HubSpot", "Salesforce"])),
        ("modern", 6, contains_all(a["tech"], ["Segment", "Google Analytics"])),
        ("team", 7, OR(cmp(mk, ">=", 3),
                       AND(cmp(default(mk, 0), ">=", 1), cmp(emp, "<", 50)))),
        ("industry_fit", 12, member(a["industry"], {"saas", "fintech", "agency"})),
        ("home_market", 4, text_in(a["country"], ["US", "Canada", "UK"])),
        ("legacy_tool", -10, contains_any(a["tech"], ["Marketo"])),
    ]


def in_target(a):
    mary = AND(between(a["employees"], 10, 1000), cmp(a["marketers"], ">=", 1))
    funded = AND(member(a["funding"], {"seed", "series_a"}), cmp(a["employees"], ">=", 5))
    return OR(mary, funded) is True  # unknown counts as not in


def exclusions(a):
    return [
        ("no_marketer", "No full-time marketer", cmp(a["marketers"], "==", 0)),
        ("needs_ui", "Needs a full UI we do not have",
         AND(NOT(FULL_UI), cmp(a["funding"], "==", "public"))),
    ]


TIERS = [("ideal", 75), ("practical", 45), ("not_fit", None)]


def fmt_points(p):
    return f"{p:+g}"


def score(a, today):
    crit = criteria(a, today)
    excl = exclusions(a)
    pos = sum(w for _, w, _ in crit if w > 0)
    total = sum(abs(w) for _, w, _ in crit)
    points = 0.0
    decided = 0
    reasons = []
    unknown = []
    for name, w, out in crit:
        if out is None:
            unknown.append(name)
            continue
        decided += abs(w)
        p = w * PRACTICAL_SHARE if out == "practical" else (w if out else 0)
        points += p
        if p != 0:
            reasons.append(f"{name} {fmt_points(p)}" + (" (practical)" if out == "practical" else ""))
    s = min(100.0, max(0.0, 100.0 * points / pos))
    cov = decided / total
    true_excl = [(n, r) for n, r, v in excl if v is True]
    unknown += [n for n, _, v in excl if v is None]
    if true_excl:
        reasons.insert(0, "excluded: " + ", ".join(f"{n} ({r})" for n, r in true_excl))
    if unknown:
        reasons.append("unknown: " + ", ".join(unknown))
    if not in_target(a):
        tier = "out_of_segment"
    elif true_excl:
        tier = "excluded"
    else:
        tier = next(t for t, th in TIERS if th is None or s >= th)
    return s, tier, cov, "; ".join(reasons)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("accounts")
    ap.add_argument("out")
    ap.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    a = ap.parse_args()
    today = a.as_of.toordinal()

    with open(a.accounts, newline="", encoding="utf-8-sig") as f, \
            open(a.out, "w", newline="", encoding="utf-8") as o:
        rd = csv.reader(f)
        header = [trim(h).lower() for h in next(rd)]
        idx = []
        for field, column, read, optional, kind in SCHEMA:
            try:
                idx.append(header.index(column.lower()))
            except ValueError:
                sys.exit(f"missing column `{column}`")
        w = csv.writer(o, lineterminator="\n")
        w.writerow(["id", "score", "tier", "coverage", "reasons", "error"])
        for n, row in enumerate(rd, start=1):
            cells = [(f, c, r, opt, k, row[i] if i < len(row) else None)
                     for (f, c, r, opt, k), i in zip(SCHEMA, idx)]
            try:
                acc = decode(n, cells)
            except ValueError as e:
                key = trim(row[idx[0]]) if idx[0] < len(row) else ""
                w.writerow([key, "", "invalid", "", "", str(e)])
                continue
            s, tier, cov, reasons = score(acc, today)
            w.writerow([acc["id"], f"{s:.2f}", tier, f"{cov:.2f}", reasons, ""])


if __name__ == "__main__":
    main()
