//! Running the real `icp` binary on a generated case, comparing its rows with the oracle's,
//! and shrinking a disagreement.
//!
//! The implementation is driven as a black box: `icp score PROGRAM ACCOUNTS.csv --format json
//! --explain --as-of DATE`, the documented command line (docs/cli.md). Per row the comparison
//! covers the tier (`invalid` included), the score and coverage as displayed (two decimals),
//! and from the explanation each group's score (rounded to two decimals) and each criterion's
//! outcome (`true`, `false`, `unknown`, `perfect`, `practical`).
#![allow(
    clippy::disallowed_methods,
    reason = "a test harness: it writes the case to a temporary directory and runs the binary"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::eval::{self, Outcome};
use crate::generate::{AS_OF, Case, Format};
use crate::model::{Body, Program};
use crate::read;

/// One row as `icp` reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct IcpRow {
    /// The tier.
    pub tier: String,
    /// The score, two decimals.
    pub score: Option<String>,
    /// The coverage, two decimals.
    pub coverage: Option<String>,
    /// Group scores, rounded to two decimals, by name (none: missing).
    pub groups: Vec<(String, Option<String>)>,
    /// Criterion outcomes by name.
    pub criteria: Vec<(String, String)>,
    /// For the oracle: the values whose exact third decimal is a final 5 (`score`,
    /// `coverage`, `group NAME`), with their display rounded toward zero instead, accepted
    /// while exact decimals are pending (see [`Case::exact`]).
    pub midpoints: Vec<(String, String)>,
}

/// What a row holds besides [`IcpRow`]: the columns that several profiles, tier actions and
/// invalid rows add.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Extra {
    /// `best_profile` (several profiles only; `None`: empty or null).
    pub best_profile: Option<String>,
    /// The `action` value: `None` when the output has no `action` column, `Some(None)` when
    /// it is empty or null.
    pub action: Option<Option<String>>,
    /// The oracle: the columns whose cells could not be read (an invalid row); `icp`: empty.
    pub bad_columns: Vec<String>,
    /// `icp`: the row's error message.
    pub error: Option<String>,
}

/// The display of `d` rounded toward zero when `d` lies exactly halfway between two
/// displayable values.
fn midpoint(d: rust_decimal::Decimal) -> Option<String> {
    use rust_decimal::RoundingStrategy;
    let away = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let toward = d.round_dp_with_strategy(2, RoundingStrategy::MidpointTowardZero);
    (away != toward).then(|| format!("{toward:.2}"))
}

/// What a run of a case gave.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Both agree on every row.
    Agree,
    /// `icp` refused the program (exit 2): a generator defect or a checker false positive.
    Rejected(String),
    /// The oracle cannot evaluate the case (an operation it does not model).
    Skipped(String),
    /// They disagree; the rows that differ, with what differs.
    Disagree(Vec<RowDiff>),
}

/// One row on which the two evaluators differ.
#[derive(Debug, Clone)]
pub struct RowDiff {
    /// The data row (0-based).
    pub row: usize,
    /// What differs: `tier`, `score`, `coverage`, `group g0`, `criterion c1`.
    pub what: Vec<String>,
    /// The oracle's result, displayed.
    pub oracle: IcpRow,
    /// `icp`'s result.
    pub icp: IcpRow,
}

/// The oracle's result for a row, in `icp`'s terms.
pub fn oracle_row(prog: &Program, out: &Outcome, outcomes: &[(String, String)]) -> IcpRow {
    IcpRow {
        tier: out.tier.clone(),
        score: out.score.map(eval::display),
        coverage: out.coverage.map(eval::display),
        groups: if out.tier == "invalid" {
            Vec::new()
        } else {
            out.groups
                .iter()
                .map(|(g, s)| (g.clone(), s.map(eval::display)))
                .collect()
        },
        midpoints: {
            let mut m = Vec::new();
            let named = [
                ("score".to_string(), out.score),
                ("coverage".to_string(), out.coverage),
            ];
            let groups = out.groups.iter().map(|(g, s)| (format!("group {g}"), *s));
            for (what, v) in named.into_iter().chain(groups) {
                if let Some(alt) = v.and_then(midpoint) {
                    m.push((what, alt));
                }
            }
            m
        },
        criteria: if out.tier == "invalid" {
            Vec::new()
        } else {
            prog.criteria
                .iter()
                .map(|c| c.name.clone())
                .zip(outcomes.iter().map(|(_, o)| o.clone()))
                .collect()
        },
    }
}

/// A scratch directory for one runner (removed on drop).
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// A fresh directory under the system's temporary directory.
    pub fn new() -> std::io::Result<Scratch> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "icp-oracle-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        // An empty icp.toml makes the directory its own project root.
        std::fs::write(dir.join("icp.toml"), "")?;
        Ok(Scratch { dir })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn two(v: &serde_json::Value) -> Option<String> {
    v.as_f64().map(|f| format!("{f:.2}"))
}

/// Runs `icp score` on a case: its rows, or the reason it refused the program.
pub fn run_icp(bin: &Path, scratch: &Scratch, case: &Case) -> Result<Vec<IcpRow>, String> {
    Ok(run_icp_full(bin, scratch, case)?
        .into_iter()
        .map(|(r, _)| r)
        .collect())
}

/// The command line `icp score` is run with for a case (after `icp`).
pub fn icp_args(case: &Case) -> Vec<String> {
    let mut args: Vec<String> = [
        "score",
        "profile.icp",
        &format!("accounts.{}", case.format.extension()),
        "--format",
        "json",
        "--explain",
        "--as-of",
        AS_OF,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    if case.decimal_comma && !decimal_in_toml(case) {
        args.extend(["--decimal".to_string(), ",".to_string()]);
    }
    if case.profiles.len() > 1 {
        if case.csv.len().is_multiple_of(3) && case.profiles.first().is_some_and(|p| p == "p") {
            // Every profile of the program, in declaration order: the generator's order.
            args.push("--all-profiles".to_string());
        } else {
            for p in &case.profiles {
                args.extend(["--profile".to_string(), p.clone()]);
            }
        }
    }
    args
}

/// Whether a decimal-comma case says so in `icp.toml` (`[data] decimal = ","`) rather than
/// with `--decimal ,`: half of them, chosen by the data's length.
fn decimal_in_toml(case: &Case) -> bool {
    case.decimal_comma && case.csv.len().is_multiple_of(2)
}

/// The `icp.toml` a case runs with.
pub fn icp_toml(case: &Case) -> &'static str {
    if decimal_in_toml(case) {
        "[data]\ndecimal = \",\"\n"
    } else {
        ""
    }
}

fn icp_row(r: &serde_json::Value) -> IcpRow {
    let ex = &r["explanation"];
    IcpRow {
        tier: r["tier"].as_str().unwrap_or("?").to_string(),
        score: two(&r["score"]),
        coverage: two(&r["coverage"]),
        groups: ex["groups"]
            .as_array()
            .map(|gs| {
                gs.iter()
                    .map(|g| {
                        (
                            g["name"].as_str().unwrap_or("?").to_string(),
                            two(&g["score"]),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        criteria: ex["criteria"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .map(|c| {
                        (
                            c["name"].as_str().unwrap_or("?").to_string(),
                            c["outcome"].as_str().unwrap_or("?").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        midpoints: Vec::new(),
    }
}

#[expect(
    clippy::option_option,
    reason = "no column, an empty one, a value: three cases, as in `Extra::action`"
)]
fn icp_action(r: &serde_json::Value) -> Option<Option<String>> {
    let obj = r.as_object()?;
    let a = obj.get("action")?;
    Some(
        a.as_str()
            .filter(|s| !s.is_empty())
            .map(ToString::to_string),
    )
}

/// [`run_icp`] with the [`Extra`] columns; with several profiles, one entry per row and
/// profile (row-major, profiles in the order given).
pub fn run_icp_full(
    bin: &Path,
    scratch: &Scratch,
    case: &Case,
) -> Result<Vec<(IcpRow, Extra)>, String> {
    let prog = scratch.dir.join("profile.icp");
    let data = scratch
        .dir
        .join(format!("accounts.{}", case.format.extension()));
    std::fs::write(&prog, &case.program).map_err(|e| e.to_string())?;
    std::fs::write(&data, &case.csv).map_err(|e| e.to_string())?;
    std::fs::write(scratch.dir.join("icp.toml"), icp_toml(case)).map_err(|e| e.to_string())?;
    let out = Command::new(bin)
        .args(icp_args(case))
        .current_dir(&scratch.dir)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("output is not JSON: {e}"))?;
    let rows = json.as_array().ok_or("output is not an array")?;
    let mut out = Vec::new();
    for r in rows {
        let error = r["error"].as_str().map(ToString::to_string);
        if case.profiles.len() > 1 {
            let best = r["best_profile"].as_str().map(ToString::to_string);
            for p in &case.profiles {
                let pr = r
                    .get("profiles")
                    .and_then(|ps| ps.get(p.as_str()))
                    .unwrap_or(&serde_json::Value::Null);
                out.push((
                    icp_row(pr),
                    Extra {
                        best_profile: best.clone(),
                        action: icp_action(pr),
                        bad_columns: Vec::new(),
                        error: error.clone(),
                    },
                ));
            }
        } else {
            out.push((
                icp_row(r),
                Extra {
                    best_profile: None,
                    action: icp_action(r),
                    bad_columns: Vec::new(),
                    error,
                },
            ));
        }
    }
    Ok(out)
}

/// The oracle's rows for a case.
pub fn run_oracle(case: &Case) -> Result<(Program, Vec<IcpRow>), String> {
    let (prog, rows) = run_oracle_full(case)?;
    Ok((prog, rows.into_iter().map(|(r, _)| r).collect()))
}

/// Reads a case's accounts file as its format and decimal mark say.
pub fn read_case(prog: &Program, case: &Case) -> Result<Vec<read::Row>, String> {
    match case.format {
        Format::Csv => read::read_csv_opts(prog, &case.csv, case.decimal_comma),
        Format::Json => read::read_json(prog, &case.csv, false, case.decimal_comma),
        Format::Jsonl => read::read_json(prog, &case.csv, true, case.decimal_comma),
    }
}

/// [`run_oracle`] with the [`Extra`] columns; with several profiles, one entry per row and
/// profile (row-major), and the first profile's program.
pub fn run_oracle_full(case: &Case) -> Result<(Program, Vec<(IcpRow, Extra)>), String> {
    let names: Vec<Option<&str>> = if case.profiles.len() > 1 {
        case.profiles.iter().map(|p| Some(p.as_str())).collect()
    } else {
        vec![None]
    };
    let progs = names
        .iter()
        .map(|n| Program::load(&case.program, *n).map_err(|e| e.0))
        .collect::<Result<Vec<_>, String>>()?;
    let Some(first) = progs.first() else {
        return Err("no profile".into());
    };
    let rows = read_case(first, case)?;
    let today = read::parse_date(AS_OF).ok_or("bad AS_OF")?;
    let mut out = Vec::new();
    for r in &rows {
        match r {
            Ok(values) => {
                let mut per = Vec::new();
                for prog in &progs {
                    let mut ev = eval::Evaluator::new(prog, values, today);
                    let o = ev.score().map_err(|e| e.0)?;
                    let outcomes = criterion_outcomes(prog, values, today)?;
                    let action = (!prog.actions.is_empty())
                        .then(|| prog.actions.get(&o.tier).cloned().filter(|a| !a.is_empty()));
                    let row = oracle_row(prog, &o, &outcomes);
                    per.push((o, row, action));
                }
                // best_profile: the highest exact score among the profiles whose target the
                // account is in and that do not exclude it; the first given on ties.
                let mut best: Option<(usize, rust_decimal::Decimal)> = None;
                if progs.len() > 1 {
                    for (k, (o, _, _)) in per.iter().enumerate() {
                        if o.tier == "out_of_segment" || o.tier == "excluded" {
                            continue;
                        }
                        if let Some(sc) = o.score
                            && best.is_none_or(|(_, b)| sc > b)
                        {
                            best = Some((k, sc));
                        }
                    }
                }
                let best_name = best.and_then(|(k, _)| case.profiles.get(k).cloned());
                for (_, row, action) in per {
                    out.push((
                        row,
                        Extra {
                            best_profile: best_name.clone(),
                            action,
                            bad_columns: Vec::new(),
                            error: None,
                        },
                    ));
                }
            }
            Err(errors) => {
                // Errors start with the field's name; name its column.
                let bad: Vec<String> = errors
                    .iter()
                    .filter_map(|e| {
                        let name = e.split(':').next()?;
                        first
                            .fields
                            .iter()
                            .find(|f| f.name == name)
                            .map(|f| f.column.clone())
                    })
                    .collect();
                for prog in &progs {
                    out.push((
                        IcpRow {
                            tier: "invalid".into(),
                            score: None,
                            coverage: None,
                            groups: Vec::new(),
                            criteria: Vec::new(),
                            midpoints: Vec::new(),
                        },
                        Extra {
                            best_profile: None,
                            action: (!prog.actions.is_empty()).then_some(None),
                            bad_columns: bad.clone(),
                            error: None,
                        },
                    ));
                }
            }
        }
    }
    Ok((first.clone(), out))
}

fn criterion_outcomes(
    prog: &Program,
    values: &[crate::value::Value],
    today: i64,
) -> Result<Vec<(String, String)>, String> {
    let mut ev = eval::Evaluator::new(prog, values, today);
    prog.criteria
        .iter()
        .map(|c| {
            let o = ev.outcome(&c.body).map_err(|e| e.0)?;
            Ok((c.name.clone(), o.to_string()))
        })
        .collect()
}

/// Compares the two results row by row.
pub fn compare(oracle: &[IcpRow], icp: &[IcpRow], exact: bool) -> Vec<RowDiff> {
    let mut diffs = Vec::new();
    if oracle.len() != icp.len() {
        diffs.push(RowDiff {
            row: 0,
            what: vec![format!(
                "row count: oracle {} vs icp {}",
                oracle.len(),
                icp.len()
            )],
            oracle: oracle.first().cloned().unwrap_or_else(empty_row),
            icp: icp.first().cloned().unwrap_or_else(empty_row),
        });
        return diffs;
    }
    for (i, (o, m)) in oracle.iter().zip(icp).enumerate() {
        let mut what = Vec::new();
        // A displayed value differs, unless it is a midpoint shown rounded the other way
        // while exact decimals are pending.
        let differs = |what: &str, ours: Option<&String>, theirs: Option<&String>| {
            ours != theirs
                && (exact
                    || !o
                        .midpoints
                        .iter()
                        .any(|(w, alt)| w == what && Some(alt) == theirs))
        };
        if o.tier != m.tier {
            what.push("tier".to_string());
        }
        if differs("score", o.score.as_ref(), m.score.as_ref()) {
            what.push("score".to_string());
        }
        if differs("coverage", o.coverage.as_ref(), m.coverage.as_ref()) {
            what.push("coverage".to_string());
        }
        for (name, s) in &o.groups {
            let theirs = m.groups.iter().find(|(g, _)| g == name).map(|(_, s)| s);
            let label = format!("group {name}");
            let missing_both = theirs.is_some_and(Option::is_none) && s.is_none();
            if !missing_both
                && (theirs.is_none()
                    || differs(&label, s.as_ref(), theirs.and_then(Option::as_ref)))
            {
                what.push(label);
            }
        }
        for (name, s) in &o.criteria {
            let theirs = m.criteria.iter().find(|(c, _)| c == name).map(|(_, s)| s);
            if theirs != Some(s) {
                what.push(format!("criterion {name}"));
            }
        }
        if !what.is_empty() {
            diffs.push(RowDiff {
                row: i,
                what,
                oracle: o.clone(),
                icp: m.clone(),
            });
        }
    }
    diffs
}

/// [`compare`] and the [`Extra`] columns: `best_profile`, `action`, and that an invalid
/// row's error names every unreadable cell's column. `profiles` entries make one row.
pub fn compare_full(
    oracle: &[(IcpRow, Extra)],
    icp: &[(IcpRow, Extra)],
    exact: bool,
    profiles: usize,
) -> Vec<RowDiff> {
    let per = profiles.max(1);
    let o_rows: Vec<IcpRow> = oracle.iter().map(|(r, _)| r.clone()).collect();
    let m_rows: Vec<IcpRow> = icp.iter().map(|(r, _)| r.clone()).collect();
    let mut diffs = compare(&o_rows, &m_rows, exact);
    if oracle.len() != icp.len() {
        return diffs;
    }
    for (i, ((o, oe), (m, me))) in oracle.iter().zip(icp).enumerate() {
        let mut what = Vec::new();
        if oe.best_profile != me.best_profile {
            what.push(format!(
                "best_profile (oracle {:?}, icp {:?})",
                oe.best_profile, me.best_profile
            ));
        }
        if oe.action != me.action {
            what.push(format!(
                "action (oracle {:?}, icp {:?})",
                oe.action, me.action
            ));
        }
        if o.tier == "invalid" && m.tier == "invalid" {
            let msg = me.error.clone().unwrap_or_default().to_lowercase();
            let unnamed: Vec<&String> = oe
                .bad_columns
                .iter()
                .filter(|c| !msg.contains(&c.trim().to_lowercase()))
                .collect();
            // One `column `NAME`` per unreadable cell (docs/cli.md, "Reading data").
            let named = msg.matches("column `").count();
            if !unnamed.is_empty() || (!oe.bad_columns.is_empty() && named != oe.bad_columns.len())
            {
                what.push(format!(
                    "error (names no {unnamed:?}: {:?})",
                    me.error.clone().unwrap_or_default()
                ));
            }
        }
        if what.is_empty() {
            continue;
        }
        if let Some(d) = diffs.iter_mut().find(|d| d.row == i) {
            d.what.extend(what);
        } else {
            diffs.push(RowDiff {
                row: i,
                what,
                oracle: o.clone(),
                icp: m.clone(),
            });
        }
    }
    // Entries to data rows; the profile's name in each difference.
    for d in &mut diffs {
        if per > 1 {
            let k = d.row % per;
            d.what = d
                .what
                .iter()
                .map(|w| format!("{w} [profile {k}]"))
                .collect();
        }
        d.row /= per;
    }
    diffs.sort_by_key(|d| d.row);
    diffs
}

fn empty_row() -> IcpRow {
    IcpRow {
        tier: String::new(),
        score: None,
        coverage: None,
        groups: Vec::new(),
        criteria: Vec::new(),
        midpoints: Vec::new(),
    }
}

/// Runs one case through both evaluators.
pub fn check(bin: &Path, scratch: &Scratch, case: &Case) -> Verdict {
    let (_, oracle) = match run_oracle_full(case) {
        Ok(o) => o,
        Err(e) => return Verdict::Skipped(e),
    };
    let icp = match run_icp_full(bin, scratch, case) {
        Ok(r) => r,
        Err(e) => return Verdict::Rejected(e),
    };
    let diffs = compare_full(&oracle, &icp, case.exact, case.profiles.len());
    if diffs.is_empty() {
        Verdict::Agree
    } else {
        Verdict::Disagree(diffs)
    }
}

/// The kind of a disagreement, for grouping: the first thing that differs, with the
/// criterion or group name left out.
pub fn kind(d: &RowDiff) -> String {
    let mut w: Vec<String> = d
        .what
        .iter()
        .map(|w| w.split(' ').next().unwrap_or("").to_string())
        .collect();
    w.dedup();
    w.join("+")
}

/// The case's accounts file with only the rows `keep` (0-based).
fn data_with_rows(case: &Case, keep: &[usize]) -> String {
    match case.format {
        Format::Csv => csv_with_rows(&case.csv, keep),
        Format::Jsonl => {
            let mut out = String::new();
            for (i, l) in case
                .csv
                .lines()
                .filter(|l| !l.trim().is_empty())
                .enumerate()
            {
                if keep.contains(&i) {
                    out.push_str(l);
                    out.push('\n');
                }
            }
            out
        }
        Format::Json => match serde_json::from_str::<serde_json::Value>(&case.csv) {
            Ok(serde_json::Value::Array(items)) => {
                let kept: Vec<serde_json::Value> = items
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| keep.contains(i))
                    .map(|(_, v)| v)
                    .collect();
                serde_json::Value::Array(kept).to_string()
            }
            _ => case.csv.clone(),
        },
    }
}

fn csv_with_rows(csv: &str, keep: &[usize]) -> String {
    let mut lines = csv.lines().filter(|l| !l.is_empty());
    let mut out = String::new();
    if let Some(h) = lines.next() {
        out.push_str(h);
        out.push('\n');
    }
    for (i, l) in lines.enumerate() {
        if keep.contains(&i) {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// Shrinks a disagreeing case: keeps the first disagreeing row only, then removes program
/// lines one at a time (as long as `icp` still accepts the program and the row still
/// disagrees on the same things), then CSV columns no field reads.
pub fn shrink(bin: &Path, scratch: &Scratch, case: &Case, first: &RowDiff) -> Case {
    let target = kind(first);
    let still = |c: &Case| -> bool {
        match check(bin, scratch, c) {
            Verdict::Disagree(ds) => ds.iter().any(|d| kind(d) == target),
            _ => false,
        }
    };
    // Rows: generated rows hold no line breaks, so a line is a row.
    let mut best = case.clone();
    let one = Case {
        csv: data_with_rows(case, &[first.row]),
        ..case.clone()
    };
    if still(&one) {
        best = one;
    }
    // Program lines, repeatedly.
    let mut progress = true;
    while progress {
        progress = false;
        let lines: Vec<&str> = best.program.lines().collect();
        for i in (0..lines.len()).rev() {
            let mut kept: Vec<&str> = lines.clone();
            kept.remove(i);
            let cand = Case {
                program: kept.join("\n") + "\n",
                ..best.clone()
            };
            if still(&cand) {
                best = cand;
                progress = true;
                break;
            }
        }
    }
    // Columns no field reads.
    if case.format != Format::Csv || case.decimal_comma {
        return best;
    }
    if let Ok(prog) = Program::load(&best.program, None) {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(best.csv.as_bytes());
        let records: Vec<csv::StringRecord> = rdr.records().filter_map(Result::ok).collect();
        if let Some(header) = records.first() {
            let keep: Vec<usize> = header
                .iter()
                .enumerate()
                .filter(|(_, h)| {
                    prog.fields
                        .iter()
                        .any(|f| f.column.trim().to_lowercase() == h.trim().to_lowercase())
                })
                .map(|(i, _)| i)
                .collect();
            let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
            for r in &records {
                let cells: Vec<&str> = keep.iter().filter_map(|&i| r.get(i)).collect();
                let _ = w.write_record(&cells);
            }
            let cand = Case {
                csv: String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned(),
                ..best.clone()
            };
            if still(&cand) {
                best = cand;
            }
        }
    }
    best
}

/// A report of a disagreement: the program, the rows, and both results per differing row.
pub fn report(bin: &Path, scratch: &Scratch, case: &Case) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "----- PROGRAM\n{}----- ACCOUNTS.{}\n{}",
        case.program,
        case.format.extension(),
        case.csv
    );
    let toml = icp_toml(case);
    if !toml.is_empty() {
        let _ = writeln!(s, "----- icp.toml\n{toml}");
    }
    let _ = writeln!(s, "----- icp {}", icp_args(case).join(" "));
    match (run_oracle_full(case), run_icp_full(bin, scratch, case)) {
        (Ok((_, o)), Ok(m)) => {
            for d in compare_full(&o, &m, case.exact, case.profiles.len()) {
                let _ = writeln!(s, "row {}: differs in {}", d.row, d.what.join(", "));
                let _ = writeln!(s, "  oracle: {}", show(&d.oracle));
                let _ = writeln!(s, "  icp:    {}", show(&d.icp));
            }
        }
        (o, m) => {
            let _ = writeln!(s, "oracle: {:?}\nicp: {:?}", o.map(|x| x.1), m);
        }
    }
    s
}

fn show(r: &IcpRow) -> String {
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let groups: Vec<String> = r
        .groups
        .iter()
        .map(|(g, s)| format!("{g}={}", opt(s)))
        .collect();
    let crit: Vec<String> = r.criteria.iter().map(|(c, o)| format!("{c}={o}")).collect();
    format!(
        "tier={} score={} coverage={} groups[{}] criteria[{}]",
        r.tier,
        opt(&r.score),
        opt(&r.coverage),
        groups.join(" "),
        crit.join(" ")
    )
}

/// What kind of criterion a body is, for reports.
pub fn is_scorecard(b: &Body) -> bool {
    matches!(b, Body::Scorecard(..))
}
