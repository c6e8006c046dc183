//! `icp backtest PROGRAM ACCOUNTS --outcome EXPR`: the ICP as a hypothesis, tested against
//! what happened: per tier the outcome rate with a Wilson 95% interval and the lift over the
//! base rate, whether rates fall as tiers fall; per criterion the outcome rate when it is
//! true, false and unknown; per exclusion the outcome rate of the excluded; `--by COLUMN`
//! splits every table. The outcome is an expression over the profile's schema, checked by
//! the real checker (it is compiled as a segment of the program).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use icp_check::Options;
use icp_eval::{CriterionOutcome, Plan, TierOutcome, Tri};
use icp_model::Date;
use serde::Serialize;

use crate::load;
use crate::sweep::{self, Fail, InputArgs};

/// The name the outcome expression is checked under.
const OUTCOME_SEGMENT: &str = "icp_backtest_outcome";

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Arguments of `icp backtest`.
#[derive(Debug, Clone, clap::Args)]
pub struct BacktestArgs {
    /// The ICP program (its imports are followed).
    pub program: PathBuf,
    /// Accounts with their outcomes: `.csv`, `.tsv`, `.json`, `.jsonl`, each optionally
    /// `.gz`; `-` reads standard input.
    pub accounts: String,
    /// What counts as a good outcome: a condition over the profile's schema, e.g.
    /// `stage == won` or `arr >= $50k`.
    #[arg(long, value_name = "EXPR")]
    pub outcome: String,
    /// Split every table by this input column (a cohort, an acquisition channel).
    #[arg(long, value_name = "COLUMN")]
    pub by: Option<String>,
    /// The profile to test (may be left out when the program has one).
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
    /// The date `today` means, `YYYY-MM-DD` (default: the clock, UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Output format (default: from the `-o` extension, `.md`, `.json`, `.html`; else table).
    #[arg(long, value_enum)]
    pub format: Option<BacktestFormat>,
    /// Write the report here (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output formats of `icp backtest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BacktestFormat {
    /// Text for reading.
    Table,
    /// Markdown.
    Markdown,
    /// One JSON object.
    Json,
    /// A self-contained HTML page with a lift chart (inline SVG, no script).
    Html,
}

/// An outcome rate over a set of accounts.
#[expect(
    clippy::struct_field_names,
    reason = "`rate` is the figure the JSON names so"
)]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Rate {
    /// What the accounts are (a tier, `true`, ...).
    pub label: String,
    /// Accounts with a known outcome.
    pub n: u64,
    /// Of them, with the outcome.
    pub positive: u64,
    /// `positive / n`.
    pub rate: Option<f64>,
    /// Wilson 95% interval, lower bound.
    pub low: Option<f64>,
    /// Wilson 95% interval, upper bound.
    pub high: Option<f64>,
    /// `rate / base rate`.
    pub lift: Option<f64>,
}

/// The Wilson score interval at 95% for `k` successes out of `n`.
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((center - half).max(0.0), (center + half).min(1.0)))
}

impl Rate {
    fn new(label: &str, n: u64, positive: u64, base: Option<f64>) -> Rate {
        let rate = (n > 0).then(|| positive as f64 / n as f64);
        let ci = wilson(positive, n);
        Rate {
            label: label.to_owned(),
            n,
            positive,
            rate,
            low: ci.map(|c| c.0),
            high: ci.map(|c| c.1),
            lift: match (rate, base) {
                (Some(r), Some(b)) if b > 0.0 => Some(r / b),
                _ => None,
            },
        }
    }
}

/// Per criterion: the outcome rate when it is true (perfect or practical), false, unknown.
#[derive(Debug, Serialize)]
pub struct CriterionRates {
    /// Name.
    pub name: String,
    /// Met.
    pub when_true: Rate,
    /// Not met.
    pub when_false: Rate,
    /// Unknown.
    pub when_unknown: Rate,
    /// Rate when true minus rate when false (percentage points / 100).
    pub difference: Option<f64>,
    /// `signal` (the 95% intervals of true and false do not overlap), `weak` (they do, but
    /// the rates differ by 10 points or more), `noise`, or `untested` (no account on one
    /// side).
    pub verdict: &'static str,
}

/// How much a criterion tells apart, from its rates when true and when false.
fn verdict(t: &Rate, f: &Rate) -> (Option<f64>, &'static str) {
    match (t.rate, f.rate, t.low, t.high, f.low, f.high) {
        (Some(rt), Some(rf), Some(tl), Some(th), Some(fl), Some(fh)) => {
            let d = rt - rf;
            let v = if tl > fh || fl > th {
                "signal"
            } else if d.abs() >= 0.1 {
                "weak"
            } else {
                "noise"
            };
            (Some(d), v)
        }
        _ => (None, "untested"),
    }
}

/// Per exclusion: the outcome rate of the accounts it excludes.
#[derive(Debug, Serialize)]
pub struct ExclusionRates {
    /// Name.
    pub name: String,
    /// Accounts it excludes.
    pub excluded: Rate,
}

/// The tables of one set of accounts (all, or one value of `--by`).
#[derive(Debug, Serialize)]
pub struct Split {
    /// The `--by` value, `None` for all accounts.
    pub by: Option<String>,
    /// Valid accounts whose outcome is unknown (left out of every rate).
    pub unknown_outcome: u64,
    /// The base rate.
    pub base: Rate,
    /// Per tier, in order, then `excluded` and `out_of_segment`.
    pub tiers: Vec<Rate>,
    /// Whether the rates of the profile's tiers never rise from one tier to the next.
    pub monotone: bool,
    /// Where they rise.
    pub rises: Vec<String>,
    /// Per criterion.
    pub criteria: Vec<CriterionRates>,
    /// Per exclusion.
    pub exclusions: Vec<ExclusionRates>,
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Profile.
    pub profile: String,
    /// The outcome expression.
    pub outcome: String,
    /// `today`.
    pub as_of: String,
    /// `--by` column.
    pub by: Option<String>,
    /// Rows read.
    pub rows: u64,
    /// Invalid rows (left out).
    pub invalid: u64,
    /// All accounts first, then one split per `--by` value.
    pub splits: Vec<Split>,
}

/// What one valid row contributes.
struct Obs {
    outcome: Tri,
    tier: TierOutcome,
    crits: Vec<CriterionOutcome>,
    excluded: Vec<bool>,
    by: Option<String>,
}

/// Run `icp backtest`.
pub fn run(args: &BacktestArgs) -> ExitCode {
    sweep::report(backtest(args))
}

/// Checks the program with the outcome expression as one more segment; `Err`: rendered
/// errors (an error in the expression is shown as `--outcome` line 2).
fn load_with_outcome(
    path: &Path,
    today: Date,
    outcome: &str,
    profile: Option<&str>,
) -> Result<icp_check::Checked, Fail> {
    // The program alone first: its errors are its own, and it names the schema.
    let plain = sweep::program(path, today)?;
    let id = sweep::pick_profile(&plain.program, profile)?;
    let schema = plain
        .program
        .profile(id)
        .and_then(|p| plain.program.schema(p.schema))
        .map(|s| s.name.clone())
        .ok_or_else(|| Fail::new("the profile's schema is not in the program"))?;
    if outcome.trim().is_empty() {
        return Err(Fail::new(
            "`--outcome` is empty: give a condition such as `stage == won`",
        ));
    }
    let (mut entries, root) = load::entries_and_root(path).map_err(Fail::new)?;
    let virtual_file = root.join("--outcome");
    let text = format!(
        "segment {OUTCOME_SEGMENT} for {schema} {{\n{}\n}}\n",
        outcome.replace(['\n', '\r'], " ")
    );
    entries.push(virtual_file.clone());
    let overlay = HashMap::from([(virtual_file.clone(), text)]);
    let checked = icp_check::check_with_overlay(
        &entries,
        &root,
        &load::FsLoader,
        &overlay,
        &Options { today: Some(today) },
    );
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    if errors.is_empty() {
        return Ok(checked);
    }
    let mut rendered = String::new();
    for d in errors {
        let (shown, text) = checked.file(d.file).map_or((String::new(), ""), |f| {
            let shown = if f.path == virtual_file {
                "--outcome".to_owned()
            } else {
                load::display_path(&f.path)
            };
            (shown, &*f.text)
        });
        rendered.push_str(&crate::render::render(d, &shown, text, load::color(false)));
        if !rendered.ends_with('\n') {
            rendered.push('\n');
        }
    }
    Err(Fail(format!(
        "{rendered}error: `--outcome {outcome}` is not a condition over schema `{schema}`"
    )))
}

fn backtest(args: &BacktestArgs) -> Result<ExitCode, Fail> {
    let today = sweep::today(args.as_of.as_deref())?;
    let format = match (args.format, &args.output) {
        (Some(f), _) => f,
        (None, Some(p)) => match p.extension().and_then(|e| e.to_str()) {
            Some("html" | "htm") => BacktestFormat::Html,
            Some("md" | "markdown") => BacktestFormat::Markdown,
            Some("json") => BacktestFormat::Json,
            _ => BacktestFormat::Table,
        },
        (None, None) => BacktestFormat::Table,
    };
    let checked = load_with_outcome(&args.program, today, &args.outcome, args.profile.as_deref())?;
    let program = &checked.program;
    let id = sweep::pick_profile(program, args.profile.as_deref())?;
    let cond = program
        .segments
        .iter()
        .find(|s| s.name == OUTCOME_SEGMENT)
        .map(|s| &s.cond)
        .ok_or_else(|| Fail::new("the outcome expression did not check"))?;
    let plan = Plan::with_probes(program, id, today, &[cond]).map_err(Fail::new)?;
    // `--by` names an input column, any column of the file, not only the schema's.
    let by_index = match &args.by {
        Some(by) => {
            let header = header_of(&args.accounts, &args.input)?;
            let want = by.trim().to_lowercase();
            let Some(i) = header.iter().position(|c| c.trim().to_lowercase() == want) else {
                let mut msg = format!("error: `--by {by}`: no such column in `{}`", args.accounts);
                if let Some(s) = icp_syntax::did_you_mean(by, header.iter().map(String::as_str)) {
                    let _ = write!(msg, ": did you mean `{s}`?");
                }
                return Err(Fail(msg));
            };
            Some(i)
        }
        None => None,
    };
    let swept = sweep::sweep(
        &args.accounts,
        &args.input,
        program,
        plan.schema(),
        || plan.scratch(),
        |scratch, row| {
            if row.error.is_some() {
                return None;
            }
            let o = plan.eval(row.values, scratch);
            Some(Obs {
                outcome: plan.probe(0, row.values, scratch),
                tier: o.tier,
                crits: plan.criteria_outcomes(scratch).map(|c| c.1).collect(),
                excluded: plan
                    .exclusion_outcomes(scratch)
                    .map(|(_, t)| t == Tri::True)
                    .collect(),
                by: by_index.map(|i| {
                    String::from_utf8_lossy(row.column(i).unwrap_or_default())
                        .trim()
                        .to_owned()
                }),
            })
        },
    )?;
    let tiers: Vec<String> = plan.tier_names().map(str::to_owned).collect();
    let crit_names: Vec<String> = plan
        .criteria_outcomes(&plan.scratch())
        .map(|c| c.0.to_owned())
        .collect();
    let excl_names: Vec<String> = plan
        .exclusion_outcomes(&plan.scratch())
        .map(|x| x.0.to_owned())
        .collect();
    let obs: Vec<&Obs> = swept.rows.iter().flatten().collect();
    let mut splits = vec![split(None, &obs, &tiers, &crit_names, &excl_names)];
    if by_index.is_some() {
        let mut groups: BTreeMap<&str, Vec<&Obs>> = BTreeMap::new();
        for o in &obs {
            groups
                .entry(o.by.as_deref().unwrap_or_default())
                .or_default()
                .push(o);
        }
        for (value, group) in groups {
            splits.push(split(Some(value), &group, &tiers, &crit_names, &excl_names));
        }
    }
    let report = Report {
        profile: plan.profile_name().to_owned(),
        outcome: args.outcome.clone(),
        as_of: today.to_string(),
        by: args.by.clone(),
        rows: swept.rows.len() as u64,
        invalid: swept.rows.iter().filter(|r| r.is_none()).count() as u64,
        splits,
    };
    let text = match format {
        BacktestFormat::Json => sweep::to_json(&report),
        BacktestFormat::Table => table(&report),
        BacktestFormat::Markdown => markdown(&report),
        BacktestFormat::Html => html(&report),
    };
    sweep::emit(&text, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// The header of the accounts file (an open that reads no further than the header).
fn header_of(accounts: &str, input: &InputArgs) -> Result<Vec<String>, Fail> {
    if accounts == "-" {
        return Err(Fail::new(
            "`--by` reads the header first: give a file, not `-`",
        ));
    }
    let opened = crate::input::open(
        Path::new(accounts),
        input.input_format.as_deref(),
        input.delimiter.as_deref(),
        false,
    )
    .map_err(Fail::new)?;
    let source = icp_data::Source::open(
        opened.reader,
        icp_data::ReadOptions {
            format: opened.format,
            delimiter: opened.delimiter,
            ..icp_data::ReadOptions::default()
        },
    )
    .map_err(|e| Fail::new(format!("`{accounts}`: {e}")))?;
    Ok(source.header().to_vec())
}

fn split(
    by: Option<&str>,
    obs: &[&Obs],
    tiers: &[String],
    crits: &[String],
    excls: &[String],
) -> Split {
    let known: Vec<&&Obs> = obs.iter().filter(|o| o.outcome != Tri::Unknown).collect();
    let count = |f: &dyn Fn(&Obs) -> bool| {
        let n = known.iter().filter(|o| f(o)).count() as u64;
        let k = known
            .iter()
            .filter(|o| f(o) && o.outcome == Tri::True)
            .count() as u64;
        (n, k)
    };
    let (n, k) = count(&|_| true);
    let base = Rate::new("all", n, k, None);
    let b = base.rate;
    let mut tier_rates: Vec<Rate> = tiers
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let (n, k) = count(&|o| o.tier == TierOutcome::Tier(i as u32));
            Rate::new(name, n, k, b)
        })
        .collect();
    let mut rises = Vec::new();
    let mut last: Option<&Rate> = None;
    for r in &tier_rates {
        if let Some(rate) = r.rate {
            if let Some(prev) = last
                && prev.rate.is_some_and(|p| rate > p + 1e-12)
            {
                rises.push(format!(
                    "`{}` ({}) above `{}` ({})",
                    r.label,
                    pct(r.rate),
                    prev.label,
                    pct(prev.rate)
                ));
            }
            last = Some(r);
        }
    }
    for (label, t) in [
        ("excluded", TierOutcome::Excluded),
        ("out_of_segment", TierOutcome::OutOfSegment),
    ] {
        let (n, k) = count(&|o| o.tier == t);
        tier_rates.push(Rate::new(label, n, k, b));
    }
    let criteria = crits
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let of = |o: &Obs| o.crits.get(i).copied().unwrap_or(CriterionOutcome::Unknown);
            let met = |c| {
                matches!(
                    c,
                    CriterionOutcome::Perfect
                        | CriterionOutcome::Practical
                        | CriterionOutcome::True
                )
            };
            let (nt, kt) = count(&|o| met(of(o)));
            let (nf, kf) = count(&|o| of(o) == CriterionOutcome::False);
            let (nu, ku) = count(&|o| of(o) == CriterionOutcome::Unknown);
            let when_true = Rate::new("true", nt, kt, b);
            let when_false = Rate::new("false", nf, kf, b);
            let (difference, verdict) = verdict(&when_true, &when_false);
            CriterionRates {
                name: name.clone(),
                when_true,
                when_false,
                when_unknown: Rate::new("unknown", nu, ku, b),
                difference,
                verdict,
            }
        })
        .collect();
    let exclusions = excls
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let (n, k) = count(&|o| o.excluded.get(i).copied().unwrap_or(false));
            ExclusionRates {
                name: name.clone(),
                excluded: Rate::new("excluded", n, k, b),
            }
        })
        .collect();
    Split {
        by: by.map(str::to_owned),
        unknown_outcome: obs.len() as u64 - known.len() as u64,
        base,
        monotone: rises.is_empty(),
        rises,
        tiers: tier_rates,
        criteria,
        exclusions,
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |x| format!("{:.1}%", x * 100.0))
}

fn lift(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |x| format!("{x:.2}x"))
}

fn ci(r: &Rate) -> String {
    match (r.low, r.high) {
        (Some(l), Some(h)) => format!("{:.1}–{:.1}%", l * 100.0, h * 100.0),
        _ => "-".to_owned(),
    }
}

fn split_title(r: &Report, s: &Split) -> String {
    match (&s.by, &r.by) {
        (Some(v), Some(col)) => format!("{col} = {}", if v.is_empty() { "(empty)" } else { v }),
        _ => "all accounts".to_owned(),
    }
}

fn monotone_text(s: &Split) -> String {
    if s.monotone {
        "rates fall as tiers fall: monotone".to_owned()
    } else {
        format!("not monotone: {}", s.rises.join(", "))
    }
}

fn table(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "backtest of profile `{}` with outcome `{}` as of {}: {} rows, {} invalid",
        r.profile, r.outcome, r.as_of, r.rows, r.invalid
    );
    for s in &r.splits {
        let _ = writeln!(
            out,
            "\n== {}: base rate {} ({}/{}), {} with unknown outcome",
            split_title(r, s),
            pct(s.base.rate),
            s.base.positive,
            s.base.n,
            s.unknown_outcome
        );
        let _ = writeln!(
            out,
            "{:<24} {:>6} {:>6} {:>7} {:>14} {:>7}",
            "tier", "n", "hits", "rate", "95% CI", "lift"
        );
        for t in &s.tiers {
            let _ = writeln!(
                out,
                "{:<24} {:>6} {:>6} {:>7} {:>14} {:>7}",
                t.label,
                t.n,
                t.positive,
                pct(t.rate),
                ci(t),
                lift(t.lift)
            );
        }
        let _ = writeln!(out, "{}", monotone_text(s));
        if !s.criteria.is_empty() {
            let _ = writeln!(
                out,
                "\n{:<24} {:>20} {:>20} {:>20}  verdict",
                "criterion", "true", "false", "unknown"
            );
            for c in &s.criteria {
                let cellf = |x: &Rate| {
                    if x.n == 0 {
                        "n=0".to_owned()
                    } else {
                        format!("{} {} n={}", pct(x.rate), lift(x.lift), x.n)
                    }
                };
                let _ = writeln!(
                    out,
                    "{:<24} {:>20} {:>20} {:>20}  {}",
                    c.name,
                    cellf(&c.when_true),
                    cellf(&c.when_false),
                    cellf(&c.when_unknown),
                    c.verdict
                );
            }
        }
        if !s.exclusions.is_empty() {
            let _ = writeln!(
                out,
                "\n{:<24} {:>6} {:>7} {:>7}",
                "exclusion", "n", "rate", "lift"
            );
            for x in &s.exclusions {
                let _ = writeln!(
                    out,
                    "{:<24} {:>6} {:>7} {:>7}",
                    x.name,
                    x.excluded.n,
                    pct(x.excluded.rate),
                    lift(x.excluded.lift)
                );
            }
        }
    }
    out
}

fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Backtest of `{}`: outcome `{}`\n\nAs of {}: {} rows, {} invalid.",
        r.profile,
        r.outcome.replace('|', "\\|"),
        r.as_of,
        r.rows,
        r.invalid
    );
    for s in &r.splits {
        let _ = writeln!(
            out,
            "\n#### {}\n\nBase rate {} ({}/{}); {} with unknown outcome. {}.\n",
            split_title(r, s),
            pct(s.base.rate),
            s.base.positive,
            s.base.n,
            s.unknown_outcome,
            monotone_text(s)
        );
        out.push_str("| tier | n | hits | rate | 95% CI | lift |\n|---|--:|--:|--:|--:|--:|\n");
        for t in &s.tiers {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                t.label,
                t.n,
                t.positive,
                pct(t.rate),
                ci(t),
                lift(t.lift)
            );
        }
        if !s.criteria.is_empty() {
            out.push_str(
                "\n| criterion | true | false | unknown | verdict |\n|---|--:|--:|--:|---|\n",
            );
            for c in &s.criteria {
                let cellf = |x: &Rate| format!("{} ({}, n={})", pct(x.rate), lift(x.lift), x.n);
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    c.name,
                    cellf(&c.when_true),
                    cellf(&c.when_false),
                    cellf(&c.when_unknown),
                    c.verdict
                );
            }
        }
        if !s.exclusions.is_empty() {
            out.push_str("\n| exclusion | n | rate | lift |\n|---|--:|--:|--:|\n");
            for x in &s.exclusions {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    x.name,
                    x.excluded.n,
                    pct(x.excluded.rate),
                    lift(x.excluded.lift)
                );
            }
        }
    }
    out
}

use sweep::esc;

/// A horizontal bar chart of lift per tier, the base rate (lift 1) as a dashed line.
fn lift_svg(s: &Split) -> String {
    let bars: Vec<sweep::Bar> = s
        .tiers
        .iter()
        .filter(|t| t.n > 0)
        .map(|t| {
            let l = t.lift.unwrap_or(0.0);
            sweep::Bar {
                label: t.label.clone(),
                value: l,
                text: lift(t.lift),
                color: if l >= 1.0 { "#2e7d32" } else { "#c62828" },
            }
        })
        .collect();
    let max = bars
        .iter()
        .map(|b| b.value)
        .fold(1.0_f64, f64::max)
        .max(1.0);
    sweep::bar_chart("lift per tier", &bars, max, Some((1.0, "base rate")))
}

fn html(r: &Report) -> String {
    let mut out = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>icp backtest</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}td:first-child,th:first-child{text-align:left}.bad{color:#c62828}</style></head><body>\n",
    );
    let _ = writeln!(
        out,
        "<h1>Backtest of <code>{}</code></h1>\n<p>Outcome <code>{}</code>, as of {}: {} rows, {} invalid.</p>",
        esc(&r.profile),
        esc(&r.outcome),
        r.as_of,
        r.rows,
        r.invalid
    );
    for s in &r.splits {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<p>Base rate {} ({}/{}); {} with unknown outcome. <span{}>{}</span>.</p>",
            esc(&split_title(r, s)),
            pct(s.base.rate),
            s.base.positive,
            s.base.n,
            s.unknown_outcome,
            if s.monotone { "" } else { " class=\"bad\"" },
            esc(&monotone_text(s))
        );
        out.push_str(&lift_svg(s));
        out.push_str("<table><tr><th>tier</th><th>n</th><th>hits</th><th>rate</th><th>95% CI</th><th>lift</th></tr>\n");
        for t in &s.tiers {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&t.label),
                t.n,
                t.positive,
                pct(t.rate),
                ci(t),
                lift(t.lift)
            );
        }
        out.push_str("</table>\n");
        if !s.criteria.is_empty() {
            out.push_str(
                "<table><tr><th>criterion</th><th>true</th><th>false</th><th>unknown</th><th>verdict</th></tr>\n",
            );
            for c in &s.criteria {
                let cellf = |x: &Rate| format!("{} ({}, n={})", pct(x.rate), lift(x.lift), x.n);
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&c.name),
                    cellf(&c.when_true),
                    cellf(&c.when_false),
                    cellf(&c.when_unknown),
                    c.verdict
                );
            }
            out.push_str("</table>\n");
        }
        if !s.exclusions.is_empty() {
            out.push_str(
                "<table><tr><th>exclusion</th><th>n</th><th>rate</th><th>lift</th></tr>\n",
            );
            for x in &s.exclusions {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&x.name),
                    x.excluded.n,
                    pct(x.excluded.rate),
                    lift(x.excluded.lift)
                );
            }
            out.push_str("</table>\n");
        }
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_hand_computation() {
        // 8 of 10: p = 0.8, z² = 3.8415; centre (0.8 + 0.19207) / 1.38415 = 0.71680;
        // half 1.95996 × √(0.016 + 0.0096037) / 1.38415 = 0.22658.
        let (l, h) = wilson(8, 10).unwrap();
        assert!((l - 0.4902).abs() < 1e-4, "{l}");
        assert!((h - 0.9433).abs() < 1e-4, "{h}");
        let (l, h) = wilson(0, 5).unwrap();
        assert!(l.abs() < 1e-12);
        assert!((h - 0.4345).abs() < 1e-4, "{h}");
        assert_eq!(wilson(0, 0), None);
        let r = Rate::new("a", 4, 2, Some(0.25));
        assert_eq!(r.rate, Some(0.5));
        assert_eq!(r.lift, Some(2.0));
    }
}
