//! `icp test`: ok / FAILED per test, the reasons of failures, the summary and exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "tests: fixtures are written to a temporary directory"
)]

use std::path::Path;
use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

/// LANGUAGE.md's first program (kept once, in icp-syntax's test data), its `import` dropped:
/// one file.
fn first() -> String {
    include_str!("../../icp-syntax/tests/data/language_md.icp")
        .lines()
        .filter(|l| !l.starts_with("import "))
        .collect::<Vec<_>>()
        .join("\n")
}

const FAILING: &str = r#"
test "no revenue is still ideal" {
  profile mid_market
  as_of 2027-01-15
  account { id: "a2", name: "Beta", industry: saas, employees: 120, marketers: 2,
            country: "US", funding: series_a, tech: ["HubSpot"], intent: 80% }
  expect tier ideal
  expect coverage >= 90%
  expect score.able >= 50
  expect reason budget
}

test "a public company is excluded" {
  profile mid_market
  as_of 2027-01-15
  account { id: "a3", name: "Gamma", industry: fintech, employees: 300, marketers: 4,
            country: "US", funding: public, tech: [] }
  expect tier excluded
  expect reason needs_ui
}
"#;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn icp(dir: &Path) -> Command {
    let mut c = Command::new(get_cargo_bin("icp"));
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

#[test]
fn the_language_md_test_passes() {
    let dir = project(&[("first.icp", first().as_str())]);
    assert_cmd_snapshot!(icp(dir.path()).arg("test").arg("first.icp"));
}

#[test]
fn failures_show_expected_and_found() {
    let dir = project(&[("first.icp", first().as_str()), ("more.icp", FAILING)]);
    // No paths: every `.icp` file of the current directory.
    assert_cmd_snapshot!(icp(dir.path()).arg("test").args(["--as-of", "2027-02-01"]));
}

#[test]
fn failures_in_the_entry_file_show_where_too() {
    // The entry file is file 0; its failures point at their `expect` like any other file's.
    let one = format!("{}\n{FAILING}", first());
    let dir = project(&[("one.icp", one.as_str())]);
    assert_cmd_snapshot!(icp(dir.path()).args(["test", "one.icp", "--as-of", "2027-02-01"]));
}

#[test]
fn json_reports() {
    let dir = project(&[("first.icp", first().as_str()), ("more.icp", FAILING)]);
    let out = icp(dir.path())
        .args(["test", "--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"], 2);
    assert_eq!(v["failed"], 1);
    let failed = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["passed"] == false)
        .unwrap();
    assert_eq!(failed["name"], "no revenue is still ideal");
    assert_eq!(failed["failures"].as_array().unwrap().len(), 4);
    assert_eq!(failed["explanation"]["tier"], "practical");
}

#[test]
fn a_program_with_errors_exits_2() {
    let broken = first().replace(
        "weight 25 { revenue >= $2M }",
        "weight 25 { revenu >= $2M }",
    );
    let dir = project(&[("first.icp", &broken)]);
    let out = icp(dir.path())
        .args(["test", "first.icp"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("revenu"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn each_project_is_checked_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let one = r#"
schema A {
  id: text key
  n: int?
}
profile p {
  criterion big weight 10 { n >= 10 }
  tier high >= 50
  tier low
}
test "big is high" {
  profile p
  account { id: "1", n: 20 }
  expect tier high
}
"#;
    // The same names again, in another project: no clash.
    let two = one
        .replace("big is high", "small is low")
        .replace("n: 20", "n: 1")
        .replace("expect tier high", "expect tier low");
    for (name, text) in [("one", one.to_owned()), ("two", two)] {
        std::fs::create_dir(dir.path().join(name)).unwrap();
        std::fs::write(dir.path().join(name).join("icp.toml"), "").unwrap();
        std::fs::write(dir.path().join(name).join("main.icp"), text).unwrap();
    }
    assert_cmd_snapshot!("two_projects", icp(dir.path()).arg("test"));

    // A broken project is reported; the others are still tested; exit 2.
    std::fs::create_dir(dir.path().join("three")).unwrap();
    std::fs::write(dir.path().join("three").join("icp.toml"), "").unwrap();
    std::fs::write(
        dir.path().join("three").join("main.icp"),
        "schema B { id: text key }\nsegment s { nope > 1 }\n",
    )
    .unwrap();
    let out = icp(dir.path()).arg("test").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2 passed, 0 failed (projects with errors were not tested"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

/// A small program whose tests exercise every form of `expect`; the second test fails each.
const FORMS: &str = r#"
schema A {
  id:    text key
  n:     int?
  kind:  enum { shop, bank }
  tags:  set<text>
}
segment shops { kind == shop }
profile p for A {
  target shops
  criterion big weight 10 {
    perfect   when n >= 100
    practical when n >= 10
  }
  criterion tagged weight 10 { tags contains "crm" }
  exclude tiny "Too small to serve" { n < 2 }
  tier high "Call within a day" >= 50
  tier low
}
test "a big tagged shop is high" {
  profile p
  account { id: "1", n: 200, kind: shop, tags: ["crm"] }
  expect tier high
  expect criterion big perfect
  expect criterion tagged true
  expect in_segment shops
  expect action "Call within a day"
  expect score == 100
}
test "every form fails" {
  profile p
  account { id: "2", kind: bank }
  expect tier high
  expect excluded_by tiny
  expect in_segment shops
  expect criterion big practical
  expect criterion tagged unknown
  expect action "Call within a day"
  expect score >= 50
}
"#;

#[test]
fn every_expectation_form_reports_its_failure_human() {
    let dir = project(&[("forms.icp", FORMS)]);
    assert_cmd_snapshot!(icp(dir.path()).args(["test", "forms.icp"]));
}

#[test]
fn a_failing_test_human() {
    let dir = project(&[("first.icp", first().as_str()), ("more.icp", FAILING)]);
    assert_cmd_snapshot!(icp(dir.path()).args(["test", "--as-of", "2027-02-01", "."]));
}

#[test]
fn a_failing_test_json() {
    let dir = project(&[("first.icp", first().as_str()), ("more.icp", FAILING)]);
    assert_cmd_snapshot!(icp(dir.path()).args([
        "test",
        "--as-of",
        "2027-02-01",
        "--format",
        "json",
        "--filter",
        "no revenue",
        "."
    ]));
}

#[test]
fn a_failing_test_junit() {
    let dir = project(&[("first.icp", first().as_str()), ("more.icp", FAILING)]);
    assert_cmd_snapshot!(icp(dir.path()).args([
        "test",
        "--as-of",
        "2027-02-01",
        "--format",
        "junit",
        "."
    ]));
}

#[test]
fn filter_runs_only_matching_tests() {
    let dir = project(&[("first.icp", first().as_str()), ("more.icp", FAILING)]);
    let out = icp(dir.path())
        .args(["test", "--as-of", "2027-02-01", "--filter", "excluded", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("running 1 test\n"), "{stdout}");
    assert!(
        stdout.ends_with("test result: ok. 1 passed, 0 failed; 2 filtered out\n"),
        "{stdout}"
    );
}

#[test]
fn coverage_names_what_no_test_exercised() {
    let dir = project(&[("forms.icp", FORMS)]);
    assert_cmd_snapshot!(icp(dir.path()).args(["test", "--coverage", "--filter", "big", "."]));
}

#[test]
fn min_coverage_fails_below_it() {
    let dir = project(&[("first.icp", first().as_str())]);
    let run = |pct: &str| {
        icp(dir.path())
            .args(["test", "--min-coverage", pct, "."])
            .output()
            .unwrap()
    };
    let low = run("1%");
    assert_eq!(
        low.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&low.stdout)
    );
    let high = run("100");
    assert_eq!(high.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&high.stdout);
    assert!(stdout.contains("below --min-coverage 100.00%"), "{stdout}");
    assert!(
        stdout.ends_with("test result: FAILED. 1 passed, 0 failed\n"),
        "{stdout}"
    );
    let bad = run("abc");
    assert_eq!(bad.status.code(), Some(2));
}

const CASES_PROGRAM: &str = r#"schema Account {
  id:        text   from "Record ID" key
  employees: int    from "Employees"
  revenue:   money? from "Annual Revenue"
}

profile p for Account {
  criterion big "Big" weight 50 { employees >= 100 }
  criterion rich "Rich" weight 50 { revenue >= $1M }
  tier ideal >= 80
  tier practical >= 50
  tier not_fit
}

test "sizes" {
  account { id: "a1", revenue: $2M }
  cases from "cases.csv"
}
"#;

/// Row 2 fails (its empty revenue cell is missing, as `icp score` reads it, so it is not
/// ideal); row 3 has no `case` cell.
const CASES_CSV: &str =
    "case,Employees,Annual Revenue,expect_tier,expect_score,expect_criterion.rich
big and rich,\"1,200\",$2.5M,ideal,100,true
small with an empty revenue cell,10,,ideal,>= 50,unknown
,300,NA,practical,,
";

#[test]
fn cases_from_a_csv_file_human() {
    let dir = project(&[("p.icp", CASES_PROGRAM), ("cases.csv", CASES_CSV)]);
    assert_cmd_snapshot!(icp(dir.path()).args(["test", "--coverage", "."]));
}

#[test]
fn cases_from_a_csv_file_json_and_filter() {
    let dir = project(&[("p.icp", CASES_PROGRAM), ("cases.csv", CASES_CSV)]);
    assert_cmd_snapshot!(icp(dir.path()).args([
        "test",
        "--format",
        "json",
        "--filter",
        "sizes / small",
        "."
    ]));
}

#[test]
fn cases_from_a_csv_file_junit() {
    let dir = project(&[("p.icp", CASES_PROGRAM), ("cases.csv", CASES_CSV)]);
    assert_cmd_snapshot!(icp(dir.path()).args(["test", "--format", "junit", "."]));
}

#[test]
fn an_unreadable_cases_cell_is_an_error() {
    let csv = "case,Employees,expect_tier\nbad,12O,ideal\n";
    let dir = project(&[("p.icp", CASES_PROGRAM), ("cases.csv", csv)]);
    assert_cmd_snapshot!(icp(dir.path()).args(["test", "."]));
}
