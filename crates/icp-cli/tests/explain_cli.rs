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

/// LANGUAGE.md's first program (kept once, in icp-syntax's test data), its `import` dropped:
/// one file.
fn first() -> String {
    include_str!("../../icp-syntax/tests/data/language_md.icp")
        .lines()
        .filter(|l| !l.starts_with("import "))
        .collect::<Vec<_>>()
        .join("\n")
}

const ACCOUNTS: &str = "\
Record ID,Company name,industry,Number of Employees,marketers,Annual Revenue,country,funding,Technologies,Intent,Last touch,stage,arr
a1,Acme,Software,120,2,$5M,US,series_a,HubSpot,80%,2027-01-02,,
a2,Beta,Financial Services,600,1,NA,DE,seed,\"Marketo;Salesforce\",75,,open,
a3,Gamma,agency,8,0,$1.2M,US,public,,10%,2026-12-01,,
a4,Delta,Software,abc,1,$1M,US,seed,,,,,
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("first.icp"), first()).unwrap();
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

/// `tests/score/profiles`: three profiles over one schema (`mary`, `ollie`, `large`).
fn profiles(args: &[&str]) -> Command {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/score/profiles");
    let mut c = Command::new(get_cargo_bin("icp"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .args([
            "explain",
            "profile.icp",
            "accounts.csv",
            "--as-of",
            "2027-01-15",
        ])
        .args(args);
    c
}

#[test]
fn two_profiles_side_by_side_a_tie_goes_to_the_first() {
    assert_cmd_snapshot!(profiles(&[
        "--id",
        "a2",
        "--profile",
        "mary",
        "--profile",
        "ollie"
    ]));
}

#[test]
fn two_profiles_one_excludes_the_account() {
    assert_cmd_snapshot!(profiles(&[
        "--id",
        "a3",
        "--profile",
        "ollie",
        "--profile",
        "mary"
    ]));
}

#[test]
fn all_profiles_as_json() {
    assert_cmd_snapshot!(profiles(&[
        "--id",
        "a4",
        "--all-profiles",
        "--format",
        "json"
    ]));
}

#[test]
fn two_profiles_an_invalid_row() {
    assert_cmd_snapshot!(profiles(&[
        "--id",
        "a6",
        "--profile",
        "mary",
        "--profile",
        "ollie"
    ]));
}

#[test]
fn profiles_over_two_schemas_are_refused() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/score/profiles-schemas");
    let mut c = Command::new(get_cargo_bin("icp"));
    c.current_dir(dir).env("NO_COLOR", "1").args([
        "explain",
        "profile.icp",
        "accounts.csv",
        "--id",
        "x1",
        "--all-profiles",
    ]);
    assert_cmd_snapshot!(c);
}
