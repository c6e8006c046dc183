//! `icp check`: exit codes, human and JSON output, `--deny warnings`, unreadable input.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    reason = "tests write their fixtures to disk and fail loudly"
)]

use std::path::Path;
use std::process::Command;

use insta_cmd::assert_cmd_snapshot;

const SCHEMA: &str = r"schema Account {
  id:        text key
  employees: int
  revenue:   money?
  country:   text
}
";

const PROFILE: &str = r"situation q1 for Account {
  timeframe 2027-01-01 .. 2027-03-31
}
segment mid { employees in 10..1000 }
profile p for Account in q1 {
  target mid
  criterion big weight 10 { employees >= 100 }
  criterion rich weight 10 { revenue >= $1M }
  tier ideal >= 80
  tier fit >= 50
  tier not_fit
}
";

fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("icp.toml"), "").unwrap();
    for (name, body) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    dir
}

fn icp(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_icp"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("check")
        .arg("--today")
        .arg("2027-01-15");
    cmd
}

#[test]
fn a_clean_project_exits_zero() {
    let dir = project(&[
        ("schema.icp", SCHEMA.as_bytes()),
        ("rules/profile.icp", PROFILE.as_bytes()),
        // skipped: build output, dependencies and hidden directories
        ("target/broken.icp", b"segment broken {"),
        ("node_modules/x/broken.icp", b"segment broken {"),
        (".git/broken.icp", b"segment broken {"),
    ]);
    assert_cmd_snapshot!(icp(dir.path()));
}

#[test]
fn errors_exit_one_with_a_report_and_a_summary() {
    let dir = project(&[(
        "main.icp",
        format!("{SCHEMA}segment a {{ employes > 10 }}\nsegment b {{ country == 3 }}\nsegment c {{ employees < 10 and employees > 100 }}\n")
            .as_bytes(),
    )]);
    assert_cmd_snapshot!(icp(dir.path()));
}

#[test]
fn json_output() {
    let dir = project(&[(
        "main.icp",
        format!("{SCHEMA}segment a {{ employes > 10 }}\nsegment c {{ employees < 10 and employees > 100 }}\n").as_bytes(),
    )]);
    assert_cmd_snapshot!(icp(dir.path()).args(["--format", "json"]));
}

#[test]
fn plain_output() {
    let dir = project(&[(
        "main.icp",
        format!("{SCHEMA}segment a {{ employes > 10 }}\n").as_bytes(),
    )]);
    assert_cmd_snapshot!(icp(dir.path()).args(["--format", "plain"]));
}

#[test]
fn warnings_pass_unless_denied() {
    let text = format!("{SCHEMA}segment c {{ employees < 10 and employees > 100 }}\n");
    let dir = project(&[("main.icp", text.as_bytes())]);
    assert_cmd_snapshot!(
        "warnings_allowed",
        icp(dir.path()).args(["--format", "plain"])
    );
    assert_cmd_snapshot!(
        "warnings_denied",
        icp(dir.path()).args(["--format", "plain", "--deny", "warnings"])
    );
}

#[test]
fn explicit_file_and_directory_paths() {
    let dir = project(&[
        ("a/schema.icp", SCHEMA.as_bytes()),
        ("a/seg.icp", b"segment big { employees > 100 }\n"),
        ("b/other.icp", b"segment broken { employes > 1 }\n"),
    ]);
    assert_cmd_snapshot!(
        "explicit_dir",
        icp(dir.path()).args(["--format", "plain", "a"])
    );
    assert_cmd_snapshot!(
        "explicit_file",
        icp(dir.path()).args(["--format", "plain", "a/schema.icp"])
    );
}

#[test]
fn a_non_utf8_file_exits_two() {
    let dir = project(&[("main.icp", b"schema Account { id: text key }\n// caf\xe9\n")]);
    assert_cmd_snapshot!(icp(dir.path()));
}

#[test]
fn an_empty_directory_exits_two() {
    let dir = project(&[]);
    assert_cmd_snapshot!(icp(dir.path()));
}

#[test]
fn a_missing_path_exits_two() {
    let dir = project(&[]);
    assert_cmd_snapshot!(icp(dir.path()).arg("nope.icp"));
}

#[test]
fn a_bad_date_exits_two() {
    let dir = project(&[("main.icp", SCHEMA.as_bytes())]);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_icp"));
    cmd.current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", "--today", "2027-02-30"]);
    assert_cmd_snapshot!(cmd);
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    let depth = 100_000;
    let text = format!(
        "{SCHEMA}segment deep {{ {}employees > 1{} }}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let dir = project(&[("main.icp", text.as_bytes())]);
    assert_cmd_snapshot!(icp(dir.path()).args(["--format", "json"]));
}

#[test]
fn an_ended_situation_warns() {
    let dir = project(&[("main.icp", format!("{SCHEMA}{PROFILE}").as_bytes())]);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_icp"));
    cmd.current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", "--today", "2027-06-01"]);
    assert_cmd_snapshot!(cmd);
}

#[test]
fn type_mismatch_labels_sit_under_their_operands() {
    // The primary label spans `country == 3`; miette pushes labels that start inside an
    // earlier one past its end, so the renderer draws the primary on `==` and `country`
    // and `3` keep their own labels (the header still names the start, 2:14).
    let segment = "segment fr { country == 3 }\nsegment u { (revenue ?? \"é\") == \"x\" }\n";
    let dir = project(&[
        ("schema.icp", SCHEMA.as_bytes()),
        (
            "main.icp",
            format!("import \"schema.icp\"\n{segment}").as_bytes(),
        ),
    ]);
    assert_cmd_snapshot!(icp(dir.path()).arg("main.icp"));
}
