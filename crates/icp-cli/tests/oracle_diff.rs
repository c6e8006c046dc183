//! The differential test: `icp score` against `icp-oracle`, a second evaluator written from
//! the language contract alone, on random well-typed programs and random messy rows.
//!
//! It lives here, not in `icp-oracle`, because only this crate's tests get the freshly built
//! `icp` binary (`CARGO_BIN_EXE_icp`): the implementation is driven as a black box through
//! its documented command line. The generator leaves out the contract rules listed in
//! `icp_oracle::generate::PENDING` (not implemented on this branch yet); the long-running
//! fuzzer (`cargo run --release -p icp-oracle --example diff -- SECS [SEED] --all`) turns them
//! on.

use std::fmt::Write as _;
use std::path::Path;

use icp_oracle::diff::{self, Scratch, Verdict};
use icp_oracle::generate::{self, Config};

const SEED: u64 = 20_270_115;
const CASES: u64 = 200;
const ROWS: usize = 30;

#[test]
fn icp_score_agrees_with_the_oracle_on_random_programs_and_rows() {
    let bin = Path::new(env!("CARGO_BIN_EXE_icp"));
    let cfg = Config::everything(ROWS);
    let scratch = Scratch::new().unwrap();
    let mut agree = 0;
    let mut problems = String::new();
    for i in 0..CASES {
        let case = generate::case(SEED + i, &cfg);
        match diff::check(bin, &scratch, &case) {
            Verdict::Agree => agree += 1,
            Verdict::Rejected(why) => {
                let _ = writeln!(
                    problems,
                    "case {}: icp refused the program: {why}\n{}",
                    SEED + i,
                    case.program
                );
            }
            Verdict::Skipped(why) => {
                let _ = writeln!(
                    problems,
                    "case {}: the oracle cannot evaluate it: {why}\n{}",
                    SEED + i,
                    case.program
                );
            }
            Verdict::Disagree(ds) => {
                let small = diff::shrink(bin, &scratch, &case, &ds[0]);
                let _ = writeln!(
                    problems,
                    "===== case {}: {} rows disagree; shrunk:\n{}",
                    SEED + i,
                    ds.len(),
                    diff::report(bin, &scratch, &small)
                );
            }
        }
    }
    assert!(problems.is_empty(), "{problems}");
    assert_eq!(agree, CASES);
}

/// The comparison sees a difference in any compared column: a test of the test.
#[test]
fn a_changed_row_is_a_disagreement() {
    let case = generate::case(SEED, &Config::passing(5));
    let (_, rows) = diff::run_oracle(&case).unwrap();
    assert!(diff::compare(&rows, &rows, true).is_empty());
    for change in 0..3 {
        let mut other = rows.clone();
        let r = &mut other[0];
        match change {
            0 => r.tier.push('x'),
            1 => r.score = Some("100.01".into()),
            _ => r.coverage = Some("0.01".into()),
        }
        assert_eq!(
            diff::compare(&rows, &other, true).len(),
            1,
            "change {change}"
        );
    }
}

/// The columns beyond the row's results are compared too: `action`, `best_profile`, and that an
/// invalid row's error names every unreadable cell.
#[test]
fn a_changed_action_best_profile_or_error_is_a_disagreement() {
    let row = diff::IcpRow {
        tier: "t0".into(),
        score: Some("50.00".into()),
        coverage: Some("1.00".into()),
        groups: Vec::new(),
        criteria: Vec::new(),
        midpoints: Vec::new(),
    };
    let extra = diff::Extra {
        best_profile: Some("p".into()),
        action: Some(Some("Call them".into())),
        bad_columns: Vec::new(),
        error: None,
    };
    let ours = vec![(row.clone(), extra.clone())];
    assert!(diff::compare_full(&ours, &ours, true, 1).is_empty());
    let mut other = extra.clone();
    other.best_profile = None;
    assert_eq!(
        diff::compare_full(&ours, &[(row.clone(), other)], true, 1).len(),
        1
    );
    let mut other = extra.clone();
    other.action = Some(None);
    assert_eq!(
        diff::compare_full(&ours, &[(row.clone(), other)], true, 1).len(),
        1
    );
    let invalid = diff::IcpRow {
        tier: "invalid".into(),
        score: None,
        coverage: None,
        ..row
    };
    let oracle = diff::Extra {
        bad_columns: vec!["Employees".into(), "Revenue".into()],
        ..diff::Extra::default()
    };
    let named = |msg: &str| diff::Extra {
        error: Some(msg.into()),
        ..diff::Extra::default()
    };
    let both = "row 1 (line 2), column `Employees`: x, found `a`; column `Revenue`: y, found `b`";
    let one = "row 1 (line 2), column `Employees`: x, found `a`";
    let o = vec![(invalid.clone(), oracle)];
    assert!(diff::compare_full(&o, &[(invalid.clone(), named(both))], true, 1).is_empty());
    assert_eq!(
        diff::compare_full(&o, &[(invalid, named(one))], true, 1).len(),
        1
    );
}
