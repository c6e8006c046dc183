//! `icp status`, `icp backtest`, `icp diff` and `icp init` end to end: snapshots on the
//! Lincoln Murphy example (`history.csv` has outcomes and cohorts), backtest figures
//! against hand computation, a diff across two commits of a temporary git repository with
//! imports, and `icp init` on every example's accounts and the Inc. 5000 file.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests read fixtures, and fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn icp(dir: &Path) -> Command {
    let mut cmd = Command::new(get_cargo_bin("icp"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

fn lm() -> PathBuf {
    examples().join("lincoln-murphy")
}

#[test]
fn status_measures_goals_and_a_missed_milestone_exits_one() {
    assert_cmd_snapshot!(icp(&lm()).args([
        "status",
        "profile.icp",
        "accounts.csv",
        "--as-of",
        "2027-01-20"
    ]));
}

#[test]
fn status_json_on_the_history() {
    assert_cmd_snapshot!(icp(&lm()).args([
        "status",
        "profile.icp",
        "history.csv",
        "--as-of",
        "2026-12-01",
        "--format",
        "json"
    ]));
}

#[test]
fn status_warns_near_the_end() {
    assert_cmd_snapshot!(icp(&lm()).args([
        "status",
        "profile.icp",
        "history.csv",
        "--as-of",
        "2027-02-20"
    ]));
}

#[test]
fn backtest_table_by_cohort() {
    assert_cmd_snapshot!(icp(&lm()).args([
        "backtest",
        "profile.icp",
        "history.csv",
        "--outcome",
        "stage == won",
        "--by",
        "Cohort",
        "--as-of",
        "2026-12-01"
    ]));
}

#[test]
fn backtest_markdown_churn() {
    assert_cmd_snapshot!(icp(&lm()).args([
        "backtest",
        "profile.icp",
        "history.csv",
        "--outcome",
        "stage == churned",
        "--format",
        "markdown",
        "--as-of",
        "2026-12-01"
    ]));
}

#[test]
fn backtest_outcome_is_checked_by_the_checker() {
    assert_cmd_snapshot!(icp(&lm()).args([
        "backtest",
        "profile.icp",
        "history.csv",
        "--outcome",
        "stage == wom",
        "--as-of",
        "2026-12-01"
    ]));
    assert_cmd_snapshot!(icp(&lm()).args([
        "backtest",
        "profile.icp",
        "history.csv",
        "--outcome",
        "stage == won",
        "--by",
        "cohrt",
        "--as-of",
        "2026-12-01"
    ]));
}

#[test]
fn backtest_html_is_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let status = icp(&lm())
        .args([
            "backtest",
            "profile.icp",
            "history.csv",
            "--outcome",
            "stage == won",
            "--by",
            "Channel",
            "--as-of",
            "2026-12-01",
            "-o",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert_eq!(html.matches("<svg").count(), 3, "one chart per split");
    assert!(!html.contains("<script"));
    assert!(!html.contains("http://") || html.matches("http://").count() == 3); // only xmlns
    assert!(!html.contains("https://"));
    assert!(html.contains("Channel = inbound"));
}

const SMALL_PROGRAM: &str = "\
schema Account {
  id: text key
  size: int
  stage: enum { won, lost }?
}
profile p {
  criterion big weight 10 { size >= 100 }
  exclude tiny { size < 5 }
  tier a >= 50
  tier b
}
";

const SMALL_ACCOUNTS: &str = "\
id,size,stage
r1,200,won
r2,150,won
r3,120,lost
r4,300,won
r5,50,lost
r6,60,won
r7,20,lost
r8,3,lost
r9,2,won
r10,80,
";

fn close(v: &serde_json::Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - want).abs() < 1e-6, "got {got}, want {want}");
}

/// By hand: 9 rows with a known outcome, 5 won: base 5/9. Tier a (size >= 100): r1..r4, 3
/// won; tier b: r5, r6, r7 (r10's outcome is unknown), 1 won; excluded (size < 5): r8,
/// r9, 1 won. Wilson 95% (z = 1.959964) for 3 of 4: centre (0.75 + 0.48018) / 1.96037 =
/// 0.62753, half-width 1.959964 × √(0.046875 + 0.060023) / 1.96037 = 0.32689.
#[test]
fn backtest_figures_match_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.icp"), SMALL_PROGRAM).unwrap();
    std::fs::write(dir.path().join("a.csv"), SMALL_ACCOUNTS).unwrap();
    let out = icp(dir.path())
        .args([
            "backtest",
            "p.icp",
            "a.csv",
            "--outcome",
            "stage == won",
            "--format",
            "json",
            "--as-of",
            "2027-01-01",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = &r["splits"][0];
    assert_eq!(all["unknown_outcome"], 1);
    assert_eq!(
        (all["base"]["n"].as_u64(), all["base"]["positive"].as_u64()),
        (Some(9), Some(5))
    );
    close(&all["base"]["rate"], 5.0 / 9.0);
    close(&all["base"]["low"], 0.266_651_293_495_493);
    close(&all["base"]["high"], 0.811_221_478_902_335);
    let a = &all["tiers"][0];
    assert_eq!(
        (a["label"].as_str(), a["n"].as_u64(), a["positive"].as_u64()),
        (Some("a"), Some(4), Some(3))
    );
    close(&a["rate"], 0.75);
    close(&a["low"], 0.300_641_842_582_402);
    close(&a["high"], 0.954_412_739_190_300);
    close(&a["lift"], 0.75 / (5.0 / 9.0));
    let b = &all["tiers"][1];
    assert_eq!(
        (b["n"].as_u64(), b["positive"].as_u64()),
        (Some(3), Some(1))
    );
    close(&b["low"], 0.061_491_944_720_396);
    close(&b["high"], 0.792_340_399_197_952);
    close(&b["lift"], (1.0 / 3.0) / (5.0 / 9.0));
    let x = &all["tiers"][2];
    assert_eq!(
        (x["label"].as_str(), x["n"].as_u64(), x["positive"].as_u64()),
        (Some("excluded"), Some(2), Some(1))
    );
    assert_eq!(all["monotone"], true);
    let big = &all["criteria"][0];
    assert_eq!(
        (
            big["when_true"]["n"].as_u64(),
            big["when_true"]["positive"].as_u64()
        ),
        (Some(4), Some(3))
    );
    assert_eq!(
        (
            big["when_false"]["n"].as_u64(),
            big["when_false"]["positive"].as_u64()
        ),
        (Some(5), Some(2))
    );
    close(&big["when_false"]["low"], 0.117_620_774_232_648);
    assert_eq!(big["when_unknown"]["n"], 0);
    // 75% vs 40%: 35 points apart, but the intervals (30.1–95.4% and 11.8–76.9%) overlap.
    close(&big["difference"], 0.75 - 0.4);
    assert_eq!(big["verdict"], "weak");
    let tiny = &all["exclusions"][0]["excluded"];
    assert_eq!(
        (tiny["n"].as_u64(), tiny["positive"].as_u64()),
        (Some(2), Some(1))
    );
    close(&tiny["lift"], 0.5 / (5.0 / 9.0));
}

#[test]
fn status_needs_a_situation() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.icp"), SMALL_PROGRAM).unwrap();
    std::fs::write(dir.path().join("a.csv"), SMALL_ACCOUNTS).unwrap();
    let out = icp(dir.path())
        .args(["status", "p.icp", "a.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("profile `p` has no situation"), "{err}");
}

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .is_ok_and(|o| o.status.success())
}

const SCHEMA_V1: &str = "schema Account {\n  id: text key\n  size: int\n  budget: bool?\n}\n";
const PROFILE_V1: &str = "import \"schema.icp\"\nprofile p {\n  criterion big weight 10 { size >= 100 }\n  criterion budget weight 10 { budget }\n  tier a >= 75\n  tier b >= 40\n  tier c\n}\n";
// The change under review: the budget weighs less, small companies are excluded, and the
// schema (an import) now requires the budget.
const SCHEMA_V2: &str = "schema Account {\n  id: text key\n  size: int\n  budget: bool\n}\n";
const PROFILE_V2: &str = "import \"schema.icp\"\nprofile p {\n  criterion big weight 10 { size >= 100 }\n  criterion budget weight 5 { budget }\n  exclude small { size < 10 }\n  tier a >= 75\n  tier b >= 40\n  tier c\n}\n";
const DIFF_ACCOUNTS: &str =
    "id,size,budget\nx1,200,true\nx2,200,false\nx3,50,true\nx4,5,true\nx5,300,\nx6,20,false\n";

#[test]
fn diff_across_two_commits_with_imports() {
    if !git(Path::new("."), &["--version"]) {
        eprintln!("skipped: no `git`");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(git(d, &["init", "-q"]));
    std::fs::create_dir(d.join("icp")).unwrap();
    std::fs::write(d.join("icp/icp.toml"), "").unwrap();
    std::fs::write(d.join("icp/schema.icp"), SCHEMA_V1).unwrap();
    std::fs::write(d.join("icp/profile.icp"), PROFILE_V1).unwrap();
    std::fs::write(d.join("accounts.csv"), DIFF_ACCOUNTS).unwrap();
    assert!(git(d, &["add", "."]));
    assert!(git(d, &["commit", "-q", "-m", "v1"]));
    std::fs::write(d.join("icp/schema.icp"), SCHEMA_V2).unwrap();
    std::fs::write(d.join("icp/profile.icp"), PROFILE_V2).unwrap();
    assert!(git(d, &["commit", "-q", "-am", "v2"]));
    // The working tree changes again: `--git HEAD` sees this, not the commit.
    std::fs::write(
        d.join("icp/profile.icp"),
        PROFILE_V2.replace("weight 5", "weight 20"),
    )
    .unwrap();
    assert_cmd_snapshot!(
        "diff_commits_markdown",
        icp(d).args([
            "diff",
            "HEAD~1:icp/profile.icp",
            "HEAD:icp/profile.icp",
            "accounts.csv",
            "--format",
            "markdown",
            "--as-of",
            "2027-01-01"
        ])
    );
    assert_cmd_snapshot!(
        "diff_git_working_tree",
        icp(d).args([
            "diff",
            "--git",
            "HEAD",
            "icp/profile.icp",
            "accounts.csv",
            "--as-of",
            "2027-01-01",
            "--fail-on-change"
        ])
    );
    // From a subdirectory, PROGRAM is relative to it, in the working tree and in REV.
    let sub = icp(&d.join("icp"))
        .args([
            "diff",
            "--git",
            "HEAD",
            "profile.icp",
            "../accounts.csv",
            "--format",
            "json",
            "--as-of",
            "2027-01-01",
        ])
        .output()
        .unwrap();
    assert!(
        sub.status.success(),
        "{}",
        String::from_utf8_lossy(&sub.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&sub.stdout).unwrap();
    assert_eq!(j["old"], "HEAD:./profile.icp");
    assert_eq!(j["moved"].as_array().map(Vec::len), Some(2));
    // The same file twice: nothing changed, and `--fail-on-change` passes.
    let same = icp(d)
        .args([
            "diff",
            "HEAD:icp/profile.icp",
            "HEAD:icp/profile.icp",
            "accounts.csv",
            "--fail-on-change",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        same.status.success(),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(j["moved"].as_array().map(Vec::len), Some(0));
    assert_eq!(j["score_changed"], 0);
    // A revision that does not exist.
    assert_cmd_snapshot!(
        "diff_bad_revision",
        icp(d).args([
            "diff",
            "nope:icp/profile.icp",
            "icp/profile.icp",
            "accounts.csv"
        ])
    );
}

/// `icp init` on every example's accounts file and on the Inc. 5000 file: the program
/// checks without a warning, its test passes, and every row scores (`--strict`: no row is
/// invalid).
#[test]
fn init_on_every_example_checks_and_scores_every_row() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(examples())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .flat_map(|d| {
            ["accounts.csv", "companies.csv"]
                .into_iter()
                .map(move |n| d.join(n))
        })
        .filter(|p| p.is_file())
        .collect();
    files.push(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/inc5000/companies.csv"),
    );
    files.retain(|p| p.is_file());
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    for file in files {
        let dir = tempfile::tempdir().unwrap();
        let out = icp(dir.path())
            .args(["init", "--as-of", "2026-12-01", "-o", "proj", "--from"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let check = icp(dir.path())
            .args(["check", "--deny", "warnings", "proj"])
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&check.stderr)
        );
        let test = icp(dir.path()).args(["test", "proj"]).output().unwrap();
        assert!(
            test.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&test.stdout)
        );
        let score = icp(dir.path())
            .args([
                "score",
                "--strict",
                "--as-of",
                "2026-12-01",
                "proj/profile.icp",
            ])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            score.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&score.stderr)
        );
    }
}

/// Odd inputs: JSON Lines with a null and a grouped number, and a CSV whose header holds a
/// line break and whose columns suggest no criterion (the program still has one).
#[test]
fn init_on_json_lines_and_an_odd_header() {
    let cases = [
        (
            "a.jsonl",
            "{\"Company ID\":\"a1\",\"Employees\":120,\"Tags\":\"x;y\",\"Won\":true}\n{\"Company ID\":\"a2\",\"Employees\":80,\"Tags\":\"x\",\"Won\":false}\n{\"Company ID\":\"a3\",\"Employees\":null,\"Tags\":\"y;x\",\"Won\":true}\n{\"Company ID\":\"a4\",\"Employees\":\"1,200\",\"Tags\":\"y\",\"Won\":false}\n",
        ),
        ("b.csv", "id,\"multi\nline\",x\n1,a,2\n2,b,3\n"),
    ];
    for (name, text) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(name), text).unwrap();
        let out = icp(dir.path())
            .args([
                "init",
                "--as-of",
                "2026-12-01",
                "-o",
                "proj",
                "--from",
                name,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let check = icp(dir.path())
            .args(["check", "--deny", "warnings", "proj"])
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let score = icp(dir.path())
            .args([
                "score",
                "--strict",
                "--as-of",
                "2026-12-01",
                "proj/profile.icp",
                name,
            ])
            .output()
            .unwrap();
        assert!(
            score.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&score.stderr)
        );
        let profile = std::fs::read_to_string(dir.path().join("proj/profile.icp")).unwrap();
        assert!(profile.contains("criterion "), "{name}: {profile}");
    }
}

#[test]
fn init_explains_its_choices() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(lm().join("accounts.csv"), dir.path().join("accounts.csv")).unwrap();
    let out = icp(dir.path())
        .args([
            "init",
            "--as-of",
            "2026-12-01",
            "-o",
            "proj",
            "--from",
            "accounts.csv",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let schema = std::fs::read_to_string(dir.path().join("proj/schema.icp")).unwrap();
    let profile = std::fs::read_to_string(dir.path().join("proj/profile.icp")).unwrap();
    let toml = std::fs::read_to_string(dir.path().join("proj/icp.toml")).unwrap();
    insta::assert_snapshot!(
        "init_lincoln_murphy",
        format!("{schema}\n----- profile.icp\n{profile}\n----- icp.toml\n{toml}")
    );
    // A second run keeps the files.
    let again = icp(dir.path())
        .args(["init", "-o", "proj", "--from"])
        .arg(lm().join("accounts.csv"))
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}
