#!/usr/bin/env python3
"""Score every example's accounts with `icp score` and compare each row with the intended
outcome written in its `Notes` column ("ideal (100)", "mary: practical (45); ...").

Usage: python3 examples/check_notes.py [path/to/icp]   (default: target/debug/icp)
For `inc5000/`, which has no notes, it compares the count of rows per tier.
Exit status 1 when a row's tier or score differs from its note.
"""
import csv
import io
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ICP = sys.argv[1] if len(sys.argv) > 1 else str(HERE.parent / "target" / "debug" / "icp")

# (directory, program, accounts, as-of, profile or None, prefix of the note or None)
CASES = [
    ("hubspot-personas", "profile.icp", "accounts.csv", "2026-12-01", "mary", "mary"),
    ("hubspot-personas", "profile.icp", "accounts.csv", "2026-12-01", "ollie", "ollie"),
    ("fintech-b2b", "fintech.icp", "accounts.csv", "2026-12-01", None, None),
    ("sustainable-beauty-b2c", "beauty.icp", "accounts.csv", "2026-12-01", None, None),
    ("helpdesk-saas", "profile.icp", "accounts.csv", "2026-12-01", None, None),
    ("marketing-agency", "agency.icp", "accounts.csv", "2027-01-15", None, None),
    ("lincoln-murphy", "profile.icp", "accounts.csv", "2026-12-01", None, None),
]


# The real Inc. 5000 file has no notes: check the count of each tier instead.
INC5000 = {"ideal": 340, "good": 1084, "nurture": 1315, "pass": 604, "excluded": 312,
           "out_of_segment": 1349, "invalid": 11}


def main() -> int:
    failures = 0
    d = HERE / "inc5000"
    run = subprocess.run([ICP, "score", str(d / "profile.icp"), str(d / "companies.csv"),
                          "--as-of", "2026-12-01"], capture_output=True, text=True, check=False)
    counts: dict = {}
    for out in csv.DictReader(io.StringIO(run.stdout)):
        counts[out["tier"]] = counts.get(out["tier"], 0) + 1
    if counts != INC5000:
        print(f"inc5000: expected {INC5000}, got {counts}")
        failures += 1
    print(f"inc5000: {sum(counts.values())} rows, tiers {'as expected' if counts == INC5000 else 'DIFFER'}")
    for directory, program, accounts, as_of, profile, prefix in CASES:
        d = HERE / directory
        cmd = [ICP, "score", str(d / program), str(d / accounts), "--as-of", as_of]
        if profile:
            cmd += ["--profile", profile]
        run = subprocess.run(cmd, capture_output=True, text=True, check=False)
        got = list(csv.DictReader(io.StringIO(run.stdout)))
        rows = list(csv.DictReader(open(d / accounts, encoding="utf-8")))
        if run.returncode != 0 or len(got) != len(rows):
            print(f"{directory}: `icp score` failed ({run.returncode}): {run.stderr.strip()}")
            failures += 1
            continue
        bad = 0
        for row, out in zip(rows, got):
            note = row.get("Notes", "")
            if prefix:
                m = re.search(re.escape(prefix) + r": ([^;]*)", note)
                if not m:
                    continue
                note = m.group(1)
            m = re.match(r"\s*(\w+)(?: \(([-\d.]+))?", note)
            if not m:
                continue
            tier, score = m.group(1), m.group(2)
            if out["tier"] != tier or (score and abs(float(out["score"]) - float(score)) > 0.011):
                bad += 1
                key = next(iter(out.values()))
                print(f"{directory}: {key}: expected {tier} {score or ''}, got {out['tier']} {out['score']}")
        print(f"{directory} ({profile or 'default profile'}): {len(rows)} rows, {bad} differ from their notes")
        failures += bad
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
