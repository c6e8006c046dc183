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

use std::fmt::Write as _;
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

/// Records of the benchmark's schema (`../shared/perf/bench.icp`, copied in
/// `tests/score/batched/profile.icp`): messy cells of every kind, invalid rows, keys with
/// escaped quotes and line breaks, ragged rows, so that batches of rows hold every case.
fn messy_accounts(rows: usize, seed: u64) -> String {
    let mut x = seed;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let pick = |i: u64, items: &[&'static str]| items[i as usize % items.len()];
    let mut out = String::from(
        "Record ID,Company name,Industry,Number of Employees,Marketers,Annual Revenue,Country,Funding,Technologies,Intent,Last touch\n",
    );
    for i in 0..rows {
        let id = match next(20) {
            0 => format!("\"A\"\"{i}\"\"\""),
            1 => format!("\"A{i}\nB\""),
            2 => format!(" A{i} "),
            _ => format!("A{i}"),
        };
        if next(50) == 0 {
            // A ragged row.
            writeln!(out, "{id},x,y").unwrap();
            continue;
        }
        let employees = match next(12) {
            0 => "NA".to_owned(),
            1 => "12,5".to_owned(),
            2 => String::new(),
            3 => "\"1,200\"".to_owned(),
            _ => (next(1500)).to_string(),
        };
        let marketers = match next(10) {
            0 => String::new(),
            1 => "0".to_owned(),
            _ => next(40).to_string(),
        };
        let revenue = pick(
            next(9),
            &[
                "\"$1,339,033\"",
                "36.9 M",
                "$0",
                "NA",
                "850K",
                "\"$2,000,000\"",
                "1999999.99",
                "",
                "lots",
            ],
        );
        let industry = pick(
            next(6),
            &[
                "Software",
                "software",
                "Financial Services",
                "agency",
                "other",
                "SaaS",
            ],
        );
        let country = pick(next(4), &["Russia", "Singapore", "\"Russia\"", " Russia "]);
        let funding = pick(
            next(7),
            &["public", "seed", "series_a", "later", "none", "", "Public"],
        );
        let tech = pick(
            next(7),
            &[
                "Salesforce;Intercom",
                "HubSpot",
                "Marketo;HubSpot",
                "",
                "\"[\"\"HubSpot\"\"]\"",
                "Zoom",
                "hubspot | Marketo",
            ],
        );
        let intent = pick(next(6), &["64%", "70%", "0.7", "", "85", "NA"]);
        let touch = pick(
            next(6),
            &[
                "2026-09-01",
                "2026-08-31",
                "",
                "2026-10-19T10:00:00Z",
                "09/01/2026",
                "2025-12-19",
            ],
        );
        writeln!(
            out,
            "{id},Acme {i},{industry},{employees},{marketers},{revenue},{country},{funding},{tech},{intent},{touch}"
        )
        .unwrap();
    }
    out
}

/// A row's cells by column name.
fn table(csv_text: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::Reader::from_reader(csv_text);
    let header = rdr.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// `--columns` writes the default output's columns, projected: whatever the path the rows take
/// (rows evaluated a batch at a time when only scores and tiers are written, or one by one).
#[test]
fn chosen_columns_are_the_default_columns_projected() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<(PathBuf, PathBuf, String)> = Vec::new();
    let bench = cases_dir().join("batched");
    for (i, rows) in [0usize, 1, 255, 256, 257, 3000].into_iter().enumerate() {
        let file = tmp.path().join(format!("accounts{i}.csv"));
        std::fs::write(&file, messy_accounts(rows, 0x9e37_79b9 + i as u64)).unwrap();
        cases.push((bench.join("profile.icp"), file, "id".into()));
    }
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    cases.push((
        examples.join("inc5000"),
        examples.join("inc5000/companies.csv"),
        "id".into(),
    ));
    let mut compared = 0;
    for (profile, data, key) in &cases {
        let run = |extra: &[&str]| {
            let out = icp(tmp.path())
                .arg("score")
                .arg(profile)
                .arg(data)
                .args(["--as-of", "2026-12-05", "--format", "csv"])
                .args(extra)
                .output()
                .unwrap();
            assert!(
                out.status.code() == Some(0) || out.status.code() == Some(1),
                "{}: {}",
                data.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            table(&out.stdout)
        };
        let (header, full) = run(&[]);
        let at = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (k, s, t) = (at(key), at("score"), at("tier"));
        for (columns, threads) in [
            (format!("{key},score,tier"), "1"),
            (format!("tier,{key},score"), "2"),
            ("score,tier".to_owned(), "3"),
        ] {
            let (h, chosen) = run(&["--columns", &columns, "--threads", threads]);
            assert_eq!(h.join(","), columns);
            assert_eq!(chosen.len(), full.len(), "{}", data.display());
            for (row, got) in full.iter().zip(&chosen) {
                let want: Vec<&str> = columns
                    .split(',')
                    .map(|c| match c {
                        "score" => row[s].as_str(),
                        "tier" => row[t].as_str(),
                        _ => row[k].as_str(),
                    })
                    .collect();
                assert_eq!(got, &want, "{} --columns {columns}", data.display());
                compared += 1;
            }
        }
    }
    assert!(compared > 20_000, "{compared}");
}

/// An output past 16 MiB is flushed to disk while rows go on being written (every 16 MiB):
/// the file is whole and in place, and no temporary file is left.
#[test]
fn a_large_output_is_whole_after_its_flushes() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("accounts.csv");
    std::fs::write(&data, messy_accounts(150_000, 7)).unwrap();
    let target = tmp.path().join("scored.csv");
    let out = icp(tmp.path())
        .arg("score")
        .arg(cases_dir().join("batched/profile.icp"))
        .arg(&data)
        .args(["--as-of", "2026-12-05", "--keep-columns", "-o"])
        .arg(&target)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read(&target).unwrap();
    assert!(written.len() > 20 << 20, "{} bytes", written.len());
    let (_, rows) = table(&written);
    assert_eq!(rows.len(), 150_000);
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}
