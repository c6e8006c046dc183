#!/usr/bin/env python3
"""Deterministic generator of messy CRM account exports for the scoring benchmark.

    python3 bench/gen.py N OUT.csv [--seed S]

Same N and seed give the same bytes. Columns (see bench/profile.icp):
Record ID, Company name, Industry, Number of Employees, Marketers, Annual Revenue,
Country, Funding, Technologies, Intent, Last touch, Website.

Speed: columns are drawn in bulk with `random.choices` from pre-built pools of cell
values (correlated columns -- employees, marketers, revenue -- from a pool of joint
tuples), so 1M rows take a few seconds rather than a minute.
"""

import argparse
import csv
import datetime as dt
import random
import sys

CHUNK = 100_000
POOL = 50_000

INDUSTRIES = [
    ("Software", 15), ("SaaS", 5), ("software ", 2), ("Financial Services", 8),
    ("FINTECH", 2), ("Advertising & Marketing", 10), ("agency", 2), ("Health", 8),
    ("Logistics & Transportation", 6), ("Retail", 6), ("Food & Beverage", 5),
    ("Construction", 5), ("Education", 4), ("Consumer Products & Services", 6),
    ("Business Products & Services", 6), ("Government Services", 3), ("Energy", 3),
    ("IT Services", 4),
]
COUNTRIES = [
    ("US", 40), ("us", 3), (" US ", 2), ("United States", 5), ("Canada", 8), ("UK", 7),
    ("uk", 1), ("Germany", 7), ("France", 6), ("India", 6), ("Brazil", 5), ("Australia", 5),
    ("Japan", 5),
]
FUNDING = [
    ("Seed", 12), ("Series A", 12), ("series a", 2), ("series_a", 1), ("Series B", 10),
    ("Series C+", 8), ("Private Equity", 6), ("later", 1), ("Public", 5), ("IPO", 2),
    ("none", 15), ("", 10), ("N/A", 2), ("null", 1),
]
TECH = ["HubSpot", "Salesforce", "Marketo", "Segment", "Google Analytics", "Pardot",
        "Intercom", "Zendesk", "hubspot", "Mailchimp"]
TECH_W = [18, 16, 7, 8, 14, 5, 7, 7, 2, 9]
SEPS = [";", "; ", "|", ", ", " | "]
ADJ = ["Acme", "Blue", "Bright", "Cedar", "Delta", "Echo", "Frost", "Granite", "Harbor",
       "Iron", "Juniper", "Kite", "Lumen", "Maple", "North", "Orbit", "Pine", "Quartz",
       "River", "Summit", "Tidal", "Union", "Vertex", "Willow", "Zenith", "Café", "Nordlys"]
NOUN = ["Labs", "Systems", "Analytics", "Foods", "Logistics", "Health", "Media", "Works",
        "Capital", "Cloud", "Robotics", "Studio", "Partners", "Goods", "Energy", "Müller"]
SUFFIX = ["", " Inc.", ", Inc.", " LLC", ", LLC", " Co.", " GmbH", " Ltd", " Group"]


def weighted(rng, pairs, k):
    vals = [v for v, _ in pairs]
    ws = [w for _, w in pairs]
    return rng.choices(vals, ws, k=k)


def money_cell(rng, v):
    """One way of writing the dollar amount v (an int)."""
    r = rng.random()
    if r < 0.20:
        return f"${v:,}"
    if r < 0.40:
        return f"{v / 1e6:.1f} M"
    if r < 0.48 and v >= 1_000_000_000:
        return f"{v / 1e9:.1f} B"
    if r < 0.60:
        return str(v)
    if r < 0.72:
        return f"${v / 1e6:.2f} million"
    if r < 0.82:
        return f"${round(v / 1e3)}K"
    if r < 0.92:
        return f"${v / 1e6:.1f}M"
    return f"{v:,}"


def int_cell(rng, n):
    r = rng.random()
    if n >= 1000 and r < 0.5:
        return f"{n:,}"
    if r > 0.97:
        return f" {n} "
    return str(n)


def firmographics(rng):
    """A joint (employees, marketers, revenue) tuple."""
    r = rng.random()
    if r < 0.03:
        emp_n, emp = None, "NA"
    elif r < 0.05:
        emp_n, emp = None, ""
    elif r < 0.06:
        emp_n, emp = 0, "0"
    else:
        emp_n = int(10 ** rng.uniform(0.3, 4.0))
        emp = int_cell(rng, emp_n)
    r = rng.random()
    if r < 0.10:
        mk = "0"
    elif r < 0.20:
        mk = ""
    elif r < 0.22:
        mk = "NA"
    else:
        cap = max(1, (emp_n or 50) // 20)
        mk = int_cell(rng, rng.randint(1, min(cap, 60)))
    r = rng.random()
    if r < 0.05:
        rev = ""
    elif r < 0.07:
        rev = "NA"
    elif r < 0.075 and emp_n:
        # exactly $100k per head, written in millions ("2.3 M" for 23 people):
        # exercises exact decimal reading of money at the `>= $100k` boundary
        rev = f"{emp_n / 10:.1f} M"
    else:
        rev = money_cell(rng, int(10 ** rng.uniform(4.7, 10.7)))
    return emp, mk, rev


def tech_cell(rng):
    r = rng.random()
    if r < 0.15:
        return ""
    if r < 0.16:
        return "N/A"
    k = rng.randint(1, 4)
    items = []
    for t in rng.choices(TECH, TECH_W, k=k):
        if t not in items:
            items.append(t)
    return rng.choice(SEPS).join(items)


def intent_cell(rng):
    r = rng.random()
    if r < 0.20:
        return ""
    if r < 0.22:
        return "NA"
    n = rng.randint(0, 100)
    return f"{n}%" if r < 0.6 else str(n)


def date_cell(rng):
    r = rng.random()
    if r < 0.15:
        return ""
    d = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 410))
    return d.isoformat()


def name_cell(rng):
    n = f"{rng.choice(ADJ)} {rng.choice(NOUN)}{rng.choice(SUFFIX)}"
    r = rng.random()
    if r < 0.01:
        n = f'The "{n}"'
    elif r < 0.0102:
        n = f"{n}\n(formerly {rng.choice(ADJ)} {rng.choice(NOUN)})"  # a quoted line break
    return n


# (column index, bad value): each makes the row invalid per LANGUAGE.md "Reading data"
INVALID = [
    (5, "abc"),         # money that cannot be read
    (3, "2.5"),         # int with a fraction
    (3, "$0"),          # int with a currency sign
    (7, "Series Z"),    # enum value matching no variant (no catch-all)
    (6, ""),            # missing value in a required text field
    (9, "high"),        # percent that cannot be read
    (10, "yesterday"),  # date that cannot be read
]
HEADER = ["Record ID", "Company name", "Industry", "Number of Employees", "Marketers",
          "Annual Revenue", "Country", "Funding", "Technologies", "Intent", "Last touch",
          "Website"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2027)
    ap.add_argument("--invalid-rate", type=float, default=0.004)
    a = ap.parse_args()

    rng = random.Random(a.seed)
    names = [name_cell(rng) for _ in range(POOL)]
    firmo = [firmographics(rng) for _ in range(POOL)]
    techs = [tech_cell(rng) for _ in range(POOL)]
    intents = [intent_cell(rng) for _ in range(POOL)]
    dates = [date_cell(rng) for _ in range(POOL)]

    out = sys.stdout if a.out == "-" else open(a.out, "w", newline="", encoding="utf-8")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    done = 0
    while done < a.rows:
        k = min(CHUNK, a.rows - done)
        ids = [f"A{i:08d}" for i in range(done + 1, done + k + 1)]
        nm = rng.choices(names, k=k)
        ind = weighted(rng, INDUSTRIES, k)
        fm = rng.choices(firmo, k=k)
        cty = weighted(rng, COUNTRIES, k)
        fnd = weighted(rng, FUNDING, k)
        tch = rng.choices(techs, k=k)
        itt = rng.choices(intents, k=k)
        dts = rng.choices(dates, k=k)
        rows = [
            [i, n, d, f[0], f[1], f[2], c, fu, t, it, la,
             "www." + n.split(" ", 1)[0].lower() + ".com"]
            for i, n, d, f, c, fu, t, it, la in zip(ids, nm, ind, fm, cty, fnd, tch, itt, dts)
        ]
        n_bad = int(k * a.invalid_rate)
        for pos in rng.sample(range(k), n_bad):
            col, bad = rng.choice(INVALID)
            rows[pos][col] = bad
        w.writerows(rows)
        done += k
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
