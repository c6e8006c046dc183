//! `icp fmt`: writing files, `--check`, `--diff`, standard input, syntax errors, `[fmt] width`,
//! and the examples already in the canonical layout.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    reason = "tests write their fixtures to disk and fail loudly"
)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const UGLY: &str = "segment  big {employees>100}\n";
const PRETTY: &str = "segment big { employees > 100 }\n";

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    dir
}

fn icp(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_icp"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("fmt")
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn formats_files_in_place_under_a_directory() {
    let dir = project(&[("icp.toml", ""), ("a/x.icp", UGLY), ("y.icp", PRETTY)]);
    let out = icp(dir.path(), &["."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a/x.icp")).unwrap(),
        PRETTY
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("y.icp")).unwrap(),
        PRETTY
    );
    // no temporary file left behind
    assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
}

#[test]
fn check_lists_the_files_that_would_change_and_changes_nothing() {
    let dir = project(&[("icp.toml", ""), ("x.icp", UGLY), ("y.icp", PRETTY)]);
    let out = icp(dir.path(), &["--check", "x.icp", "y.icp"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "x.icp\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("x.icp")).unwrap(),
        UGLY
    );
    let out = icp(dir.path(), &["--check", "y.icp"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn diff_prints_a_unified_diff() {
    let dir = project(&[("x.icp", UGLY)]);
    let out = icp(dir.path(), &["--diff", "x.icp"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "--- a/x.icp\n+++ b/x.icp\n@@ -1 +1 @@\n-segment  big {employees>100}\n+segment big { employees > 100 }\n"
    );
}

#[test]
fn standard_input_to_standard_output() {
    let dir = project(&[]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_icp"))
        .current_dir(dir.path())
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(UGLY.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), PRETTY);
}

#[test]
fn a_file_with_syntax_errors_is_left_untouched() {
    let broken = "segment big {employees>}\n";
    let dir = project(&[("x.icp", broken), ("y.icp", UGLY)]);
    let out = icp(dir.path(), &["x.icp", "y.icp"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("x.icp: not formatted: it has syntax errors"),
        "{err}"
    );
    assert!(err.contains("x.icp:1:"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("x.icp")).unwrap(),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("y.icp")).unwrap(),
        PRETTY
    );
}

#[test]
fn the_width_comes_from_icp_toml() {
    let long = "segment s { employees > 100 and revenue > 5 }\n";
    let dir = project(&[("icp.toml", "[fmt]\nwidth = 30\n"), ("x.icp", long)]);
    let out = icp(dir.path(), &["x.icp"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("x.icp")).unwrap(),
        "segment s {\n  employees > 100\n  and revenue > 5\n}\n"
    );
    let bad = project(&[("icp.toml", "[fmt]\nwidth = \"wide\"\n"), ("x.icp", long)]);
    let out = icp(bad.path(), &["x.icp"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`[fmt] width` must be a whole number"));
}

#[test]
fn the_examples_are_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = icp(&root, &["--check", "examples"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "run `icp fmt examples`: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}
