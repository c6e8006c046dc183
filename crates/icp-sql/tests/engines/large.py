"""Writes large.csv for large.icp: money and numbers up to the limits docs/sql.md states (below
10^28, up to 10 decimals), in every form the readers take, and some beyond them (unreadable).
    python3 large.py OUT.csv"""
import csv, random, sys

rng = random.Random(28)
MONEY = ["100000000000000000000", "$100,000,000,000,000,000,000", "1e20", "$1e20", "9.99e27",
         "9990000000000000000000000000", "9999999999999999999999999999", "$9,999,999,999,999,999,999,999,999,999",
         "123456789012345678901234567", "99999999999999999999B",
         "9999999999999999999999M", "$1.5B", "1000000", "0.0000000001",
         "-1000000", "1e26", "12345678901234567.8901234567"]
# budget - revenue and budget + budget stay below 10^28 (see large.icp)
BUDGET = ["", "0", "0.0000000001", "1e20", "$1.5B", "4999999999999999999999999999",
          "123456789012345678901234567", "1000000", "4,999,999,999,999,999,999,999,999,999.0"]
MONEY_BAD = ["1e40", "99999999999999999999999999999", "1e29", "100000000000000000000B", "8e28"]
COUNT = ["", "1", "3", "0", "7", "12", "20", "100", "9999999999999999999999999999", "1000000000000000000"]
RATIO = ["", "1", "0.0000000001", "0.00000000001", "-1.5", "99999999999999",
         "9999999999999999999999999999", "0.9999999999", "1.0000000001", "1e13"]
SHARE = ["", "50%", "49.99999999%", "50.00000001%", "1e25%", "99999999999999999999999999%"]
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "revenue", "budget", "count", "ratio", "share"])
    for i in range(300):
        rev = rng.choice(MONEY_BAD) if rng.random() < 0.05 else rng.choice(MONEY)
        bud = rng.choice(BUDGET)
        w.writerow([f"L{i:03d}", rev, bud, rng.choice(COUNT), rng.choice(RATIO), rng.choice(SHARE)])
