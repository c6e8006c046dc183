//! `icp doc` end to end: Markdown and HTML of two examples (snapshots), the page written
//! atomically with `-o`, and every user string escaped in HTML.
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

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn icp(dir: &Path) -> Command {
    let mut cmd = Command::new(get_cargo_bin("icp"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

#[test]
fn lincoln_murphy_markdown() {
    assert_cmd_snapshot!(icp(&example("lincoln-murphy")).args([
        "doc",
        "profile.icp",
        "--data",
        "accounts.csv",
        "--as-of",
        "2026-12-01"
    ]));
}

#[test]
fn lincoln_murphy_html() {
    assert_cmd_snapshot!(icp(&example("lincoln-murphy")).args([
        "doc",
        "profile.icp",
        "--data",
        "accounts.csv",
        "--as-of",
        "2026-12-01",
        "--format",
        "html"
    ]));
}

#[test]
fn fintech_markdown() {
    assert_cmd_snapshot!(icp(&example("fintech-b2b")).args([
        "doc",
        "fintech.icp",
        "--data",
        "accounts.csv",
        "--as-of",
        "2026-03-01"
    ]));
}

#[test]
fn fintech_html_without_data() {
    assert_cmd_snapshot!(icp(&example("fintech-b2b")).args([
        "doc",
        "fintech.icp",
        "--as-of",
        "2026-03-01",
        "--format",
        "html"
    ]));
}

const HOSTILE: &str = r#"schema S {
  id: text from "id" key
  n:  int  from "n"
}

segment big "<b>Big</b> & \"loud\"" { n >= 10 }

profile p "<script>alert('x')</script> \"quoted\" | *bold*" for S {
  target big
  criterion c "<img src=x onerror=alert(1)>" weight 1 { n >= 20 }
  exclude e "</td><script>" { n == 13 }
  tier top "<script>go()</script>" >= 50
  tier rest
}
"#;

#[test]
fn html_escapes_every_user_string_and_writes_atomically() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.icp"), HOSTILE).unwrap();
    let out = dir.path().join("icp.html");
    let status = icp(dir.path())
        .args(["doc", "p.icp", "--as-of", "2026-01-01", "-o"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>Big"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;quoted&quot;"));
    assert!(html.contains("&lt;/td&gt;&lt;script&gt;"));
    assert!(!html.contains("https://"));
    // Markdown: the same strings cannot open HTML or break a table.
    let md = icp(dir.path())
        .args(["doc", "p.icp", "--as-of", "2026-01-01"])
        .output()
        .unwrap();
    assert!(md.status.success());
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(!md.contains("<script"), "{md}");
    assert!(md.contains("&lt;script&gt;go()&lt;/script&gt;"), "{md}");
    assert!(md.contains("\\| \\*bold\\*"), "{md}");
    // No temporary file left next to the output.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".icp-out-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn unknown_profile_is_a_usage_error() {
    let out = icp(&example("fintech-b2b"))
        .args(["doc", "fintech.icp", "--profile", "fintech_mdi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("did you mean `fintech_mid`"), "{err}");
}
