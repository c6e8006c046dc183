//! `icp status PROGRAM ACCOUNTS`: where the profile's situation stands: days elapsed and
//! left, each goal measured over the valid accounts its `where` selects (with a
//! straight-line projection to the end), each milestone met, missed or pending as of the
//! date, and a warning when the situation has ended or is about to (revisit the ICP).
//! Exit 1 when a milestone is missed.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use icp_eval::{Plan, Tri};
use icp_model::{Date, Decimal, Metric, Program, Situation, Ty, num};
use icp_syntax::ast::CmpOp;
use serde::Serialize;

use crate::sweep::{self, Fail, InputArgs};

/// Days before a situation's end from which `icp status` warns.
const WARN_DAYS: i32 = 14;

/// Arguments of `icp status`.
#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {
    /// The ICP program (its imports are followed).
    pub program: PathBuf,
    /// The accounts, as of the date: `.csv`, `.tsv`, `.json`, `.jsonl`, each optionally
    /// `.gz`; `-` reads standard input.
    pub accounts: String,
    /// The profile whose situation to measure (may be left out when the program has one).
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
    /// The date of the status, `YYYY-MM-DD` (default: the clock, UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: StatusFormat,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output formats of `icp status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusFormat {
    /// Text for reading.
    Table,
    /// One JSON object.
    Json,
}

/// The measured situation.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Profile name.
    pub profile: String,
    /// Situation name.
    pub situation: String,
    /// Situation title.
    pub title: Option<String>,
    /// The date of the status.
    pub as_of: String,
    /// First day, if the situation has a timeframe.
    pub start: Option<String>,
    /// Last day.
    pub end: Option<String>,
    /// Days of the timeframe (both ends included).
    pub days_total: Option<i32>,
    /// Days from the start through the date (0 before the start).
    pub days_elapsed: Option<i32>,
    /// Days after the date up to the end (0 once it ended).
    pub days_left: Option<i32>,
    /// Valid accounts read.
    pub accounts: u64,
    /// Rows that could not be read.
    pub invalid: u64,
    /// Goals.
    pub goals: Vec<GoalStatus>,
    /// Milestones.
    pub milestones: Vec<MilestoneStatus>,
    /// `revisit the ICP` warnings.
    pub warnings: Vec<String>,
}

/// One goal, measured.
#[derive(Debug, Serialize)]
pub struct GoalStatus {
    /// Name.
    pub name: String,
    /// `count` or `sum(FIELD)`.
    pub metric: String,
    /// The comparison.
    pub op: String,
    /// Target.
    pub target: f64,
    /// Measured value.
    pub actual: f64,
    /// Accounts the `where` selected.
    pub selected: u64,
    /// Selected accounts whose `where` was unknown (not counted).
    pub unknown: u64,
    /// `actual / target` (for `>=` and `>` goals with a positive target).
    pub progress: Option<f64>,
    /// Straight-line projection to the end of the timeframe.
    pub projected: Option<f64>,
    /// Whether `actual OP target` holds now.
    pub met: bool,
    /// Whether the projection meets the target.
    pub on_track: Option<bool>,
    /// How values of the goal are shown (`$240k`, `12`).
    #[serde(skip)]
    money: bool,
}

/// One milestone, as of the date.
#[derive(Debug, Serialize)]
pub struct MilestoneStatus {
    /// By when.
    pub date: String,
    /// The goal it measures.
    pub goal: String,
    /// The comparison.
    pub op: String,
    /// Target.
    pub target: f64,
    /// The goal's measured value.
    pub actual: f64,
    /// `met`, `missed` or `pending`.
    pub state: &'static str,
}

/// Run `icp status`.
pub fn run(args: &StatusArgs) -> ExitCode {
    sweep::report(status(args))
}

fn status(args: &StatusArgs) -> Result<ExitCode, Fail> {
    let today = sweep::today(args.as_of.as_deref())?;
    let checked = sweep::program(&args.program, today)?;
    let program = &checked.program;
    let profile_id = sweep::pick_profile(program, args.profile.as_deref())?;
    let profile = program
        .profile(profile_id)
        .ok_or_else(|| Fail::new("the profile is not in the program"))?;
    let situation = profile
        .situation
        .and_then(|s| program.situation(s))
        .ok_or_else(|| {
            Fail(format!(
                "error: profile `{}` has no situation: declare one (`situation NAME for SCHEMA {{ timeframe .. goal .. }}`) and name it in the profile's header (`profile {} in NAME`)",
                profile.name, profile.name
            ))
        })?;
    if situation.schema != profile.schema {
        return Err(Fail::new(format!(
            "situation `{}` counts a different schema than profile `{}` scores",
            situation.name, profile.name
        )));
    }
    let filters: Vec<&icp_model::Expr> = situation
        .goals
        .iter()
        .filter_map(|g| g.filter.as_ref())
        .collect();
    let plan = Plan::with_probes(program, profile_id, today, &filters).map_err(Fail::new)?;
    let schema = program
        .schema(situation.schema)
        .ok_or_else(|| Fail::new("the situation's schema is not in the program"))?;
    // Per row: per goal, (selected, unknown, value); `None` for an invalid row.
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
            plan.eval(row.values, scratch);
            let mut probe = 0;
            let per_goal: Vec<(Tri, f64)> = situation
                .goals
                .iter()
                .map(|g| {
                    let t = if g.filter.is_some() {
                        probe += 1;
                        plan.probe(probe - 1, row.values, scratch)
                    } else {
                        Tri::True
                    };
                    let v = match g.metric {
                        Metric::Count => 1.0,
                        Metric::Sum(f) => sweep::number(row.values.get(f.index())).unwrap_or(0.0),
                    };
                    (t, v)
                })
                .collect();
            Some(per_goal)
        },
    )?;
    let status = measure(
        program,
        profile.name.as_str(),
        situation,
        schema,
        &swept.rows,
        today,
    );
    let out = match args.format {
        StatusFormat::Json => sweep::to_json(&status),
        StatusFormat::Table => table(&status, sweep::color()),
    };
    sweep::emit(&out, None)?;
    Ok(if status.milestones.iter().any(|m| m.state == "missed") {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn holds(op: CmpOp, a: f64, b: f64) -> bool {
    // Sums of money read from text carry binary noise; a cent's billionth is no difference.
    let eps = 1e-9 * (1.0 + a.abs().max(b.abs()));
    match op {
        CmpOp::Eq => (a - b).abs() <= eps,
        CmpOp::Ne => (a - b).abs() > eps,
        CmpOp::Lt => a < b - eps,
        CmpOp::Le => a <= b + eps,
        CmpOp::Gt => a > b + eps,
        CmpOp::Ge => a >= b - eps,
    }
}

fn measure(
    program: &Program,
    profile: &str,
    situation: &Situation,
    schema: &icp_model::Schema,
    rows: &[Option<Vec<(Tri, f64)>>],
    today: Date,
) -> Status {
    let _ = program;
    let valid = rows.iter().flatten().count() as u64;
    let invalid = rows.len() as u64 - valid;
    let days = situation.timeframe.map(|(start, end)| {
        let total = (end.0 - start.0 + 1).max(0);
        let elapsed = (today.0 - start.0 + 1).clamp(0, total);
        (start, end, total, elapsed, total - elapsed)
    });
    let goals: Vec<GoalStatus> = situation
        .goals
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let (mut actual, mut selected, mut unknown) = (0.0, 0u64, 0u64);
            for per in rows.iter().flatten() {
                match per.get(i) {
                    Some((Tri::True, v)) => {
                        actual += v;
                        selected += 1;
                    }
                    Some((Tri::Unknown, _)) => unknown += 1,
                    _ => {}
                }
            }
            let (metric, money) = match g.metric {
                Metric::Count => ("count".to_owned(), false),
                Metric::Sum(f) => {
                    let field = schema.field(f);
                    (
                        format!("sum({})", field.map_or("?", |f| f.name.as_str())),
                        field.is_some_and(|f| f.ty == Ty::Money),
                    )
                }
            };
            let progress = (matches!(g.op, CmpOp::Ge | CmpOp::Gt) && g.target > Decimal::ZERO)
                .then(|| actual / num::to_f64(g.target));
            let projected = days.and_then(|(_, _, total, elapsed, _)| {
                (elapsed > 0).then(|| actual * f64::from(total) / f64::from(elapsed))
            });
            GoalStatus {
                name: g.name.clone(),
                metric,
                op: g.op.as_str().to_owned(),
                target: num::to_f64(g.target),
                actual,
                selected,
                unknown,
                progress,
                projected,
                met: holds(g.op, actual, num::to_f64(g.target)),
                on_track: projected.map(|p| holds(g.op, p, num::to_f64(g.target))),
                money,
            }
        })
        .collect();
    let milestones = situation
        .milestones
        .iter()
        .map(|m| {
            let actual = goals.get(m.goal).map_or(0.0, |g| g.actual);
            let state = if holds(m.op, actual, num::to_f64(m.target)) {
                "met"
            } else if m.date < today {
                "missed"
            } else {
                "pending"
            };
            MilestoneStatus {
                date: m.date.to_string(),
                goal: goals
                    .get(m.goal)
                    .map_or_else(String::new, |g| g.name.clone()),
                op: m.op.as_str().to_owned(),
                target: num::to_f64(m.target),
                actual,
                state,
            }
        })
        .collect();
    let mut warnings = Vec::new();
    match days {
        Some((_, end, ..)) if today > end => warnings.push(format!(
            "situation `{}` ended on {end}: revisit the ICP (backtest it against the outcomes, then set the next situation)",
            situation.name
        )),
        Some((_, end, ..)) if end.0 - today.0 < WARN_DAYS => warnings.push(format!(
            "situation `{}` ends on {end}, in {} days: revisit the ICP",
            situation.name,
            end.0 - today.0
        )),
        None => warnings.push(format!(
            "situation `{}` has no timeframe: days and projections need `timeframe START .. END`",
            situation.name
        )),
        _ => {}
    }
    Status {
        profile: profile.to_owned(),
        situation: situation.name.clone(),
        title: situation.title.clone(),
        as_of: today.to_string(),
        start: days.map(|d| d.0.to_string()),
        end: days.map(|d| d.1.to_string()),
        days_total: days.map(|d| d.2),
        days_elapsed: days.map(|d| d.3),
        days_left: days.map(|d| d.4),
        accounts: valid,
        invalid,
        goals,
        milestones,
        warnings,
    }
}

/// A goal's value as written in the program: `$240k` for money, `12` or `12.5` else.
fn show(x: f64, money: bool) -> String {
    if !money {
        return sweep::num_text(x, 2);
    }
    let (n, unit) = if x.abs() >= 1e6 {
        (x / 1e6, "M")
    } else if x.abs() >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let sign = if n < 0.0 { "-" } else { "" };
    format!("{sign}${}{unit}", sweep::num_text(n.abs(), 2))
}

fn table(s: &Status, color: bool) -> String {
    let mut out = String::new();
    let title = s
        .title
        .as_deref()
        .map_or_else(String::new, |t| format!(" \"{t}\""));
    let _ = writeln!(
        out,
        "{}",
        sweep::paint(
            color,
            "1",
            &format!(
                "situation {}{title} (profile {}) as of {}",
                s.situation, s.profile, s.as_of
            )
        )
    );
    if let (Some(start), Some(end), Some(total), Some(elapsed), Some(left)) =
        (&s.start, &s.end, s.days_total, s.days_elapsed, s.days_left)
    {
        let _ = writeln!(
            out,
            "timeframe {start} .. {end}: day {elapsed} of {total}, {left} left"
        );
    }
    let _ = writeln!(
        out,
        "{} valid accounts{}",
        s.accounts,
        if s.invalid > 0 {
            format!(", {} invalid rows not counted", s.invalid)
        } else {
            String::new()
        }
    );
    out.push('\n');
    let name_w = s
        .goals
        .iter()
        .map(|g| g.name.chars().count())
        .chain([4])
        .max()
        .unwrap_or(4);
    let _ = writeln!(
        out,
        "{:<name_w$}  {:<16} {:>10} {:>12} {:>8} {:>10}  status",
        "goal", "metric", "actual", "target", "progress", "projected"
    );
    for g in &s.goals {
        let progress = g
            .progress
            .map_or_else(|| "-".to_owned(), |p| format!("{:.0}%", p * 100.0));
        let projected = g
            .projected
            .map_or_else(|| "-".to_owned(), |p| show(p, g.money));
        let state = match (g.met, g.on_track) {
            (true, _) => sweep::paint(color, "32", "met"),
            (false, Some(true)) => sweep::paint(color, "32", "on track"),
            (false, Some(false)) => sweep::paint(color, "33", "behind"),
            (false, None) => "not met".to_owned(),
        };
        let _ = writeln!(
            out,
            "{:<name_w$}  {:<16} {:>10} {:>12} {:>8} {:>10}  {state}",
            g.name,
            g.metric,
            show(g.actual, g.money),
            format!("{} {}", g.op, show(g.target, g.money)),
            progress,
            projected,
        );
    }
    if !s.milestones.is_empty() {
        out.push('\n');
        let _ = writeln!(
            out,
            "{:<10}  {:<name_w$}  {:>12} {:>10}  state",
            "milestone", "goal", "target", "actual"
        );
        for m in &s.milestones {
            let money = s
                .goals
                .iter()
                .find(|g| g.name == m.goal)
                .is_some_and(|g| g.money);
            let state = match m.state {
                "met" => sweep::paint(color, "32", "met"),
                "missed" => sweep::paint(color, "31", "missed"),
                other => other.to_owned(),
            };
            let _ = writeln!(
                out,
                "{:<10}  {:<name_w$}  {:>12} {:>10}  {state}",
                m.date,
                m.goal,
                format!("{} {}", m.op, show(m.target, money)),
                show(m.actual, money),
            );
        }
    }
    for w in &s.warnings {
        out.push('\n');
        let _ = write!(
            out,
            "{}",
            sweep::paint(color, "33", &format!("warning: {w}"))
        );
    }
    if !s.warnings.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_counts_show_as_written() {
        assert_eq!(show(240_000.0, true), "$240k");
        assert_eq!(show(1_500_000.0, true), "$1.5M");
        assert_eq!(show(12.0, false), "12");
        assert_eq!(show(2.5, false), "2.5");
        assert!(holds(CmpOp::Ge, 0.1 + 0.2, 0.3));
        assert!(!holds(CmpOp::Gt, 0.1 + 0.2, 0.3));
    }
}
