"""Writes messy.csv: every value reader of `icp score` on clean, messy, missing and unreadable
cells (docs/language.md "Reading data"), for engines.sh's `--raw-text` pass.
    python3 messy.py OUT.csv [ROWS] [SEED] [comma]
With `comma`, `.` and `,` are swapped in the number columns: a file for `--decimal ,`."""
import csv, random, sys

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 600
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 15)
comma = len(sys.argv) > 4 and sys.argv[4] == "comma"
NUMBER_COLUMNS = range(1, 8)  # Employees .. churn; cycle (11) too
SWAP = str.maketrans(".,", ",.")

NBSP, WS = "\u00a0", ["", " ", "  ", "\t", "\u00a0", "\u3000", "\u2003"]
MISSING = ["", "NA", "na", "N/A", "n/a", "null", "NULL", "Null", "-", " - ", "\u00a0NA\u00a0"]

INT = ["0", "7", "12", "55", "120", "499", "500", "1200", "1,200", "12,345", "-3", "+8", "2.0",
       "50.000", "00042", "+-5", "++9", "600.", ".0", "123456789012345", "1234567890123456"]
INT_BAD = ["$0", "2.5", "1.2M", "1e3", "1,20", "12,5", "1,000,00", "0,5", "1234,567", "about 50",
           "5 k", "-", "--5", "+ 5", "1,200.5", ",5", "5%", "0x10", "٥"]
MONEY = ["$1,200,000", "1200000", "850000", "$1.5B", "36.9 M", "2.6 B", "$15k", "$1.82 million",
         "2 thousand", "3 billion", "-$5k", "$-5k", "$ 12M", "1.25mm", "4bn", "7 Bn", "10M",
         "$10,000,000", "9.999m", "1234567.89", "$1,234,567.89", "1 K", "1" + NBSP + "M", "+$3M",
         "$+3M", "1e6", "2.5e6 M", "0.5", "1.2345678e3", "$.5M", "$5.", "999,999.99", "1e-2"]
MONEY_BAD = ["abc", "12%", "$1,000,00", "$$5", "5 kk", "5 millions", "$1,20 M", "1.2.3", "5d",
             "€5", "5 M M", "1e", "1e+", "-$-5", "$", "M", "1,0000"]
NUMBER = ["3.5", "1,234.5", "12,345,678.5", "-0.5", "1e3", "0.5", "2.5", "1", "2.50", "0.001",
          "-0.001", "1E-3", "+1.5", "1.", ".75", "1.0e0", "25e-1", "0.000000001", "0e-50", "-0",
          "+0.0e+0", "9" * 20 + ".5"]
NUMBER_BAD = ["$3.5", "3.5M", "12,5", "3,5", "1.5%", "x", "1..2", "e5", ".", "1e",
              # beyond any decimal: unreadable, and no cell may make the query fail
              "1e30", "1e-30", "0e999", "1" * 40, "1e9999999999", "1e-29"]
PERCENT = ["33.3%", "33.3", "36680%", "1,200%", "0%", "25", "25%", "25.01 %", "30" + NBSP + "%",
           "-5%", "1e1%", "100", "24.99"]
PERCENT_BAD = ["$5", "12,5%", "5 pct", "%", "5%%", "five"]
FRACTION = ["0.35", "35%", "0.04", "0.05", "4%", "5 %", "0.049999", "1", "0", "-0.01", "5e-2"]
FRACTION_BAD = ["$0.1", "4 percent", "0,05", "abc"]
BOOL = ["true", "false", "yes", "no", "y", "n", "1", "0", "TRUE", "False", "YES", "No", "Y", "N"]
BOOL_BAD = ["on", "t", "off", "2", "yess", "truth"]
DATE = ["2027-01-31", "2015-01-01", "2014-12-31", "2020-02-29", "2027-01-31T10:00:00Z",
        "2019-06-01 10:00", "2016-03-04t00:00", "2018-+1-05", "2021-10-+3", "0001-01-01",
        "9999-12-31"]
DATE_BAD = ["01/31/2027", "31/01/2027", "2019-02-29", "2020-13-01", "2020-00-10", "2020-01-32",
            "0000-01-01", "2020-1-5", "2020-01-05X", "2020/01/05", "20200105", "2020-04-31",
            "1900-02-29", "yesterday"]
DURATION = ["90", "90d", "12w", "30", "30d", "4w", "31", "5 d", "2 W", "1.5d", "0", "4.5w",
            "1e1"]
DURATION_BAD = ["3 months", "$30", "30%", "30k", "d", "w5"]
TEXT = ["Acme", "beta co", "Coco Ltd", "  padded co  ", "O'Brien; \"quoted\"", "naïve", "N/A Corp",
        "—", "na na", "CO", "x\ty co"]
INDUSTRY = ["saas", "SaaS", "Software & SaaS", "software & saas", "SOFTWARE", "fintech",
            "Financial Services", "financial services", "Retail", "other", "Software",
            "  Financial Services  "]
STAGE = ["seed", "Seed", "SEED", "series_a", "Series A", "series a", "later", "LATER"]
STAGE_BAD = ["Series B", "series-a", "pre-seed", "A"]
PLAN = ["free", "pro", "Professional", "PROFESSIONAL", "Free", "pro "]
PLAN_BAD = ["enterprise", "prof", "premium"]
SET = ["CRM;ERP", "crm|ads", "CRM, ERP, Ads", "ERP", " CRM ; ; ERP ", "crm,,", "Ads",
       '["CRM","ERP"]', '["crm", "Ads"]', '[ "CRM" , null , "ERP" ]', '["null", "CRM"]', "[]",
       '["a;b", "crm"]', '["ERP", 5, true]', "[CRM, ERP]", '["crm"', "[not json", "x", "CRM",
       '["CRM"]x', "\u00a0CRM\u00a0;\u3000ERP", "Slack", '["Slack"]', "slack;CRM", "[", "]", "[x]", '[""]', '[ ]',
       "CRM\u001fERP", '["Ads" , "CRM"] ']


def cell(good, bad=(), missing=True, p_bad=0.08, p_missing=0.12):
    x = rng.random()
    if missing and x < p_missing:
        v = rng.choice(MISSING)
    elif bad and x < p_missing + p_bad:
        v = rng.choice(bad)
    else:
        v = rng.choice(good)
    if rng.random() < 0.25:
        v = rng.choice(WS) + v + rng.choice(WS)
    return v


header = ["id", "Employees", "staff", "Revenue", "budget", "ratio", "Growth %", "churn", "active",
          "paying", "founded", "cycle", "name", "industry", "stage", "plan", "tech", "tools"]
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for i in range(rows):
        # Mostly readable rows (their scores are compared), some invalid ones.
        strict = rng.random() < 0.7
        pb = 0.0 if strict else 0.15
        pm = 0.0 if strict else 0.1
        row = [
            f"M{i:04d}",
            cell(INT, INT_BAD, p_bad=pb, p_missing=pm),
            cell(INT, INT_BAD, p_bad=pb),
            cell(MONEY, MONEY_BAD, p_bad=pb, p_missing=pm),
            cell(MONEY, MONEY_BAD, p_bad=pb),
            cell(NUMBER, NUMBER_BAD, p_bad=pb),
            cell(PERCENT, PERCENT_BAD, p_bad=pb),
            cell(FRACTION, FRACTION_BAD, p_bad=pb),
            cell(BOOL, BOOL_BAD, p_bad=pb),
            cell(BOOL, BOOL_BAD, p_bad=pb, p_missing=pm),
            cell(DATE, DATE_BAD, p_bad=pb),
            cell(DURATION, DURATION_BAD, p_bad=pb),
            cell(TEXT),
            cell(INDUSTRY),
            cell(STAGE, STAGE_BAD, p_bad=pb),
            cell(PLAN, PLAN_BAD, p_bad=pb, p_missing=pm),
            cell(SET, p_missing=pm),
            cell(SET),
        ]
        if comma:
            for c in [*NUMBER_COLUMNS, 11]:
                row[c] = row[c].translate(SWAP)
        w.writerow(row)
