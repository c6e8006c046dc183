//! Every bundled example, as a new user runs it: `icp check --deny warnings` is clean,
//! `icp test` passes, and `icp score` gives each row of its accounts file the outcome its
//! `Notes` column states (the scored output is snapshotted too).
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests read fixtures, and fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use insta_cmd::get_cargo_bin;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn icp(args: &[&str]) -> Output {
    Command::new(get_cargo_bin("icp"))
        .args(args)
        .current_dir(examples())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// One scoring run of an example.
struct Case {
    dir: &'static str,
    program: &'static str,
    as_of: &'static str,
    /// The profiles scored in one run (none: the program's only one), each also the prefix
    /// of its part of the note (`mary: ideal (100); ollie: ..`).
    profiles: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        dir: "hubspot-personas",
        program: "profile.icp",
        as_of: "2026-12-01",
        profiles: &["mary", "ollie"],
    },
    Case {
        dir: "fintech-b2b",
        program: "fintech.icp",
        as_of: "2026-12-01",
        profiles: &[],
    },
    Case {
        dir: "sustainable-beauty-b2c",
        program: "beauty.icp",
        as_of: "2026-12-01",
        profiles: &[],
    },
    Case {
        dir: "helpdesk-saas",
        program: "profile.icp",
        as_of: "2026-12-01",
        profiles: &[],
    },
    Case {
        dir: "marketing-agency",
        program: "agency.icp",
        as_of: "2027-01-15",
        profiles: &[],
    },
    Case {
        dir: "lincoln-murphy",
        program: "profile.icp",
        as_of: "2026-12-01",
        profiles: &[],
    },
];

#[test]
fn every_example_checks_clean_and_its_tests_pass() {
    let mut dirs: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("icp.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 7, "examples: {dirs:?}");
    for d in &dirs {
        let out = icp(&["check", "--deny", "warnings", "--today", "2026-12-01", d]);
        assert_eq!(out.status.code(), Some(0), "{d}: {}", text(&out.stderr));
        let out = icp(&["test", "--as-of", "2026-12-01", d]);
        assert_eq!(out.status.code(), Some(0), "{d}: {}", text(&out.stdout));
        assert!(text(&out.stdout).contains(" passed, 0 failed"), "{d}");
    }
}

/// The tier (and score, when the note gives one) a note states: `ideal (100)`,
/// `mary: practical (45); ollie: excluded`.
fn expected(note: &str, prefix: Option<&str>) -> Option<(String, Option<f64>)> {
    let note = match prefix {
        Some(p) => {
            let start = note.find(&format!("{p}: "))? + p.len() + 2;
            note[start..].split(';').next()?
        }
        None => note,
    };
    let mut words = note.split_whitespace();
    let tier: String = words
        .next()?
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let score = words
        .next()
        .and_then(|w| w.trim_start_matches('(').trim_end_matches(')').parse().ok());
    Some((tier, score))
}

#[test]
fn every_example_scores_as_its_notes_say() {
    for &Case {
        dir,
        program,
        as_of,
        profiles,
    } in CASES
    {
        let program = format!("{dir}/{program}");
        let accounts = format!("{dir}/accounts.csv");
        let mut args = vec!["score", &program, &accounts, "--as-of", as_of];
        for p in profiles {
            args.extend(["--profile", p]);
        }
        let out = icp(&args);
        assert_eq!(out.status.code(), Some(0), "{dir}: {}", text(&out.stderr));
        let scored = text(&out.stdout);
        let name = if profiles.is_empty() {
            format!("{dir}-default")
        } else {
            format!("{dir}-{}", profiles.join("-"))
        };
        insta::assert_snapshot!(name, scored);

        let input = std::fs::read_to_string(examples().join(&accounts)).unwrap();
        let mut inputs = csv::Reader::from_reader(input.as_bytes());
        let notes_at = inputs
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "Notes")
            .unwrap();
        let notes: Vec<String> = inputs
            .records()
            .map(|r| r.unwrap()[notes_at].to_owned())
            .collect();
        let mut outputs = csv::Reader::from_reader(scored.as_bytes());
        let header = outputs.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = outputs.records().map(Result::unwrap).collect();
        assert_eq!(
            rows.len(),
            notes.len(),
            "{dir}: one output row per input row"
        );
        // One profile: `score`, `tier`, the whole note; several: `P.score`, `P.tier`, the
        // note's `P: ...` part.
        let runs: Vec<Option<&str>> = if profiles.is_empty() {
            vec![None]
        } else {
            profiles.iter().map(|p| Some(*p)).collect()
        };
        let several = profiles.len() > 1;
        for prefix in runs {
            let column = |field: &str| {
                let name = match prefix {
                    Some(p) if several => format!("{p}.{field}"),
                    _ => field.to_owned(),
                };
                header
                    .iter()
                    .position(|h| h == name)
                    .unwrap_or_else(|| panic!("{dir}: no column `{name}`"))
            };
            let (tier_at, score_at) = (column("tier"), column("score"));
            let mut checked = 0;
            for (row, note) in rows.iter().zip(&notes) {
                let Some((tier, score)) = expected(note, prefix) else {
                    continue;
                };
                checked += 1;
                assert_eq!(
                    row[tier_at], tier,
                    "{dir}: row {:?}, note {note:?}",
                    &row[0]
                );
                if let Some(s) = score {
                    let got: f64 = row[score_at].parse().unwrap();
                    assert!(
                        (got - s).abs() < 0.011,
                        "{dir}: row {:?}: score {got}, note {note:?}",
                        &row[0]
                    );
                }
            }
            assert!(
                checked >= 3,
                "{dir} {prefix:?}: only {checked} rows have notes"
            );
        }
    }
}

#[test]
fn the_inc5000_example_scores_every_real_row() {
    let out = icp(&[
        "score",
        "inc5000/profile.icp",
        "inc5000/companies.csv",
        "--as-of",
        "2026-12-01",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let scored = text(&out.stdout);
    let mut rdr = csv::Reader::from_reader(scored.as_bytes());
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut rows = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        *counts.entry(r[2].to_owned()).or_default() += 1;
        rows += 1;
    }
    assert_eq!(rows, 5015);
    insta::assert_debug_snapshot!(counts);
}
