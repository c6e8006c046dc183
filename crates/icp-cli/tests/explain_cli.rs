//! `icp explain`: one account's explanation as a text tree or JSON, found by key or row.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests: fixtures are written to a temporary directory"
)]

use std::path::Path;
use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

/// LANGUAGE.md's first program (its `import` dropped: one file).
const FIRST: &str = r#"schema Account {
  id:         text     from "Record ID" key
  name:       text     from "Company name"
  industry:   enum { saas = "Software", fintech = "Financial Services", agency, other = _ }
  employees:  int      from "Number of Employees"
  marketers:  int?
  revenue:    money?   from "Annual Revenue"
  country:    text
  funding:    enum { none, seed, series_a, series_b, later, public }
  tech:       set<text> from "Technologies"
  intent:     percent? from "Intent"
  last_touch: date?    from "Last touch"
  stage:      enum { open, won, lost, churned }?
  arr:        money?
}

situation q1_2027 "Mid-market push" for Account {
  timeframe 2027-01-01 .. 2027-03-31
  goal new_customers count >= 25 where stage == won
  goal new_arr sum(arr) >= $100k where stage == won
  milestone 2027-01-31 new_arr >= $34k
  capability full_ui = false
}

segment mary_marketer "Marketers at companies of 10-1000 employees" {
  employees in 10..1000 and marketers >= 1
}
segment owner_ollie "Owners of businesses under 10 employees, no full-time marketer" {
  employees < 10 and (marketers ?? 0) == 0
}

profile mid_market "Mid-market marketing teams" for Account in q1_2027 {
  target mary_marketer
  practical_share 50%

  let revenue_per_employee = revenue / employees

  group ready "Ready" {
    criterion urgent_need "Shows buying intent" weight 15 { intent >= 70% }
  }
  group able "Able" {
    criterion size "Company size" weight 20 {
      perfect   when employees in 50..200
      practical when employees in 10..1000
    }
    criterion budget "Can afford us" weight 25 { revenue >= $2M }
    criterion efficient "Revenue per head" weight 5 { revenue_per_employee >= $100k }
  }
  criterion stack "Uses a CRM we integrate with" weight 10 {
    tech contains any ["HubSpot", "Salesforce"]
  }
  criterion recent "Touched this quarter" weight 10 { last_touch >= today - 90d }
  criterion legacy_tool "Locked into a competitor" weight -10 { tech contains "Marketo" }

  exclude no_marketer "No full-time marketer" { marketers == 0 }
  exclude needs_ui "Needs a full UI we do not have" {
    not situation.full_ui and funding == public
  }

  tier ideal     >= 80
  tier practical >= 50
  tier not_fit
}

test "a 120-person SaaS with two marketers is ideal" {
  profile mid_market
  as_of 2027-01-15
  account { id: "a1", name: "Acme", industry: saas, employees: 120, marketers: 2,
            revenue: $5M, country: "US", funding: series_a, tech: ["HubSpot"],
            intent: 80%, last_touch: 2027-01-02 }
  expect tier ideal
  expect score >= 80
}
"#;

const ACCOUNTS: &str = "\
Record ID,Company name,industry,Number of Employees,marketers,Annual Revenue,country,funding,Technologies,Intent,Last touch,stage,arr
a1,Acme,Software,120,2,$5M,US,series_a,HubSpot,80%,2027-01-02,,
a2,Beta,Financial Services,600,1,NA,DE,seed,\"Marketo;Salesforce\",75,,open,
a3,Gamma,agency,8,0,$1.2M,US,public,,10%,2026-12-01,,
a4,Delta,Software,abc,1,$1M,US,seed,,,,,
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("first.icp"), FIRST).unwrap();
    std::fs::write(dir.path().join("accounts.csv"), ACCOUNTS).unwrap();
    dir
}

fn explain(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(get_cargo_bin("icp"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .args([
            "explain",
            "first.icp",
            "accounts.csv",
            "--as-of",
            "2027-01-15",
        ])
        .args(args);
    c
}

#[test]
fn by_key_as_text() {
    let dir = project();
    assert_cmd_snapshot!(explain(dir.path(), &["--id", "a2"]));
}

#[test]
fn by_row_out_of_segment_and_excluded() {
    let dir = project();
    assert_cmd_snapshot!(explain(dir.path(), &["--row", "3"]));
}

#[test]
fn as_json() {
    let dir = project();
    let out = explain(dir.path(), &["--id", "a1", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["row"], 1);
    assert_eq!(v["id"], "a1");
    assert_eq!(v["tier"], "ideal");
    assert_eq!(v["score"], 94.12);
    assert_eq!(v["today"], "2027-01-15");
    assert_eq!(v["criteria"].as_array().unwrap().len(), 7);
    assert_eq!(v["criteria"][1]["outcome"], "perfect");
    assert_eq!(v["segment"]["targets"][0]["result"], "true");
    insta::assert_json_snapshot!(v);
}

#[test]
fn an_invalid_row() {
    let dir = project();
    assert_cmd_snapshot!(explain(dir.path(), &["--row", "4", "--format", "json"]));
}

#[test]
fn not_found_and_usage_errors() {
    let dir = project();
    assert_cmd_snapshot!("unknown_key", explain(dir.path(), &["--id", "zz"]));
    assert_cmd_snapshot!("no_such_row", explain(dir.path(), &["--row", "99"]));
    assert_cmd_snapshot!(
        "profile_typo",
        explain(dir.path(), &["--id", "a1", "--profile", "mid_markt"])
    );
    let out = explain(dir.path(), &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--id or --row is required");
    let out = explain(dir.path(), &["--id", "a1", "--row", "1"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "--id and --row exclude each other"
    );
}
