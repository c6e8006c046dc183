//! `icp score` end to end: every `tests/score/<case>/` (a `profile.icp`, an `accounts.*`
//! file and optional extra arguments in `args`, or several runs in `runs`, one `NAME: ARGS`
//! a line) is scored and its exit code, stdout and stderr snapshotted beside it; plus all
//! 5,015 rows of the Inc. 5000 file.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests read fixtures, and fail loudly"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/score")
}

/// The timing line varies from run to run.
const FILTERS: &[(&str, &str)] = &[(r"in \d+\.\d+s \([\d,]+ rows/s\)", "in [TIME]")];

fn icp(dir: &Path) -> Command {
    let mut cmd = Command::new(get_cargo_bin("icp"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

fn accounts_file(dir: &Path) -> Option<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("accounts."))
        .collect();
    names.sort();
    names.into_iter().next()
}

#[test]
fn score_cases() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.join("profile.icp").is_file() && p.file_name().is_some_and(|n| n != "inc5000")
        })
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 5,
        "no cases found in {}",
        cases_dir().display()
    );
    for dir in cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let accounts = accounts_file(&dir).unwrap_or_else(|| panic!("{name}: no accounts.* file"));
        for (snapshot, extra) in runs(&dir) {
            let mut cmd = icp(&dir);
            cmd.args(["score", "profile.icp", &accounts, "--as-of", "2027-01-15"]);
            cmd.args(extra.split_whitespace());
            // Tiny blocks on several threads: the output must not depend on them.
            cmd.args(["--block-size", "64", "--threads", "3"]);
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path(&dir);
            settings.set_prepend_module_to_snapshot(false);
            settings.set_input_file(dir.join("profile.icp"));
            for (from, to) in FILTERS {
                settings.add_filter(from, *to);
            }
            settings.bind(|| assert_cmd_snapshot!(snapshot, cmd));
        }
    }
}

/// A case's runs: each line `NAME: ARGS` of its `runs` file (snapshot `NAME.snap`), else one
/// run with the arguments of `args` (snapshot `output.snap`).
fn runs(dir: &Path) -> Vec<(String, String)> {
    if let Ok(text) = std::fs::read_to_string(dir.join("runs")) {
        return text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (name, args) = l
                    .split_once(':')
                    .unwrap_or_else(|| panic!("{}: `{l}` is not `NAME: ARGS`", dir.display()));
                (name.trim().to_owned(), args.trim().to_owned())
            })
            .collect();
    }
    let extra = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    vec![("output".to_owned(), extra)]
}

#[test]
fn output_is_the_same_whatever_the_blocks_and_threads() {
    let dir = cases_dir().join("basic");
    let run = |extra: &[&str]| {
        let out = icp(&dir)
            .args([
                "score",
                "profile.icp",
                "accounts.csv",
                "--as-of",
                "2027-01-15",
            ])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        out.stdout
    };
    let reference = run(&["--threads", "1"]);
    for (block, threads) in [("1", "1"), ("7", "2"), ("100", "4"), ("1000000", "8")] {
        assert_eq!(
            run(&["--block-size", block, "--threads", threads]),
            reference,
            "block {block}, threads {threads}"
        );
    }
}

#[test]
fn writes_to_a_file_atomically() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = cases_dir().join("basic");
    let target = tmp.path().join("scores.json");
    std::fs::write(&target, "previous contents").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::Permissions::from_mode(0o640);
        std::fs::set_permissions(&target, mode).unwrap();
    }
    // A failed run (missing input) leaves the previous file as it was.
    let out = icp(&dir)
        .args(["score", "profile.icp", "nope.csv", "-o"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "previous contents"
    );
    // A good run replaces it; the format follows the extension.
    let out = icp(&dir)
        .args([
            "score",
            "profile.icp",
            "accounts.csv",
            "--as-of",
            "2027-01-15",
            "-o",
        ])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&target).unwrap();
    let rows: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 9);
    // The replaced file keeps its mode (not the temporary file's private 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(left.len(), 1);
}

#[test]
fn reads_standard_input_and_gzip() {
    let dir = cases_dir().join("basic");
    let csv = std::fs::read(dir.join("accounts.csv")).unwrap();
    let mut gz = flate2_encode(&csv);
    let expected = icp(&dir)
        .args([
            "score",
            "profile.icp",
            "accounts.csv",
            "--as-of",
            "2027-01-15",
        ])
        .output()
        .unwrap()
        .stdout;
    for input in [csv.clone(), std::mem::take(&mut gz)] {
        let mut child = icp(&dir)
            .args(["score", "profile.icp", "-", "--as-of", "2027-01-15"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(out.stdout, expected);
    }
}

fn flate2_encode(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

#[test]
fn inc5000_every_row_scored_or_explained() {
    let dir = cases_dir().join("inc5000");
    // The real file, kept once in the repository: the Inc. 5000 example's copy.
    let accounts =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/inc5000/companies.csv");
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("scores.csv");
    let out = icp(&dir)
        .args(["score", "profile.icp"])
        .arg(&accounts)
        .args(["--as-of", "2026-12-01", "-o"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(&target).unwrap();
    let mut rdr = csv::Reader::from_reader(written.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5015, "one output row per input row");
    // Output order is input order: the ids follow the input's `id` column.
    let input = std::fs::read_to_string(&accounts).unwrap();
    let mut inrdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(input.as_bytes());
    let ids: Vec<String> = inrdr
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .next_back()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .collect();
    let invalid: Vec<String> = rows
        .iter()
        .zip(&ids)
        .filter_map(|(r, id)| {
            assert_eq!(r.get(0).unwrap(), id);
            (r.get(2) == Some("invalid"))
                .then(|| format!("{},{}", r.get(0).unwrap(), r.get(5).unwrap()))
        })
        .collect();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let mut settings = insta::Settings::clone_current();
    for (from, to) in FILTERS {
        settings.add_filter(from, *to);
    }
    settings.bind(|| {
        insta::assert_snapshot!("inc5000_summary", stderr);
        insta::assert_snapshot!("inc5000_invalid_rows", invalid.join("\n"));
    });
}
