//! Running a program's `test` blocks: the account's constants become a row, the profile's
//! plan scores it, each `expect` is checked.

use icp_base::{CmpOp, num};
use icp_model::{
    Const, Date, Decimal, ExpectKind, ExpectMetric, FieldId, Program, Schema, SetVal, Test, Ty,
    Value,
};

use crate::{Explanation, Plan, write_num};

/// A row built from constants (a test's `account`), owning its text.
#[derive(Debug, Clone, Default)]
pub struct ConstRow {
    cells: Vec<Cell>,
    /// Required fields that are missing (the row is then invalid).
    missing_required: Vec<String>,
}

#[derive(Debug, Clone)]
enum Cell {
    Missing,
    Bool(bool),
    Num(Decimal),
    Enum(u32),
    Text(String),
    Set(String),
}

impl ConstRow {
    /// The row of `schema` with `account`'s values; unlisted fields are missing, except a
    /// required `set`, which is empty (as an empty cell reads).
    pub fn new(program: &Program, schema: &Schema, account: &[(FieldId, Const)]) -> ConstRow {
        let mut cells: Vec<Cell> = schema
            .fields
            .iter()
            .map(|f| {
                if matches!(f.ty, Ty::Set(_)) && !f.optional {
                    Cell::Set(String::new())
                } else {
                    Cell::Missing
                }
            })
            .collect();
        for (f, c) in account {
            let is_set = schema.field(*f).is_some_and(|f| matches!(f.ty, Ty::Set(_)));
            let cell = match c {
                Const::Missing => Cell::Missing,
                Const::Bool(b) => Cell::Bool(*b),
                Const::Num(n) => Cell::Num(*n),
                Const::Date(d) => Cell::Num(Decimal::from(d.0)),
                Const::Duration(d) => Cell::Num(Decimal::from(*d)),
                Const::Enum(_, i) => Cell::Enum(*i),
                Const::Text(t) if is_set => Cell::Set(t.clone()),
                Const::Text(t) => Cell::Text(t.trim().to_owned()),
                Const::List(items) => Cell::Set(
                    items
                        .iter()
                        .filter_map(|i| match i {
                            Const::Text(t) => Some(t.clone()),
                            Const::Enum(e, v) => program
                                .enum_ty(*e)
                                .and_then(|t| t.variants.get(*v as usize))
                                .map(|v| v.name.clone()),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                        .join("\u{1f}"),
                ),
            };
            if let Some(slot) = cells.get_mut(f.index()) {
                *slot = cell;
            }
        }
        let missing_required = schema
            .fields
            .iter()
            .zip(&cells)
            .filter(|(f, c)| !f.optional && matches!(c, Cell::Missing))
            .map(|(f, _)| f.name.clone())
            .collect();
        ConstRow {
            cells,
            missing_required,
        }
    }

    /// The row's values, slot `i` for field `i`.
    pub fn values(&self) -> Vec<Value<'_>> {
        self.cells
            .iter()
            .map(|c| match c {
                Cell::Missing => Value::Missing,
                Cell::Bool(b) => Value::Bool(*b),
                Cell::Num(n) => Value::Num(*n),
                Cell::Enum(e) => Value::Enum(*e),
                Cell::Text(t) => Value::Text(t),
                Cell::Set(s) => Value::Set(SetVal { raw: s }),
            })
            .collect()
    }

    /// Required (non-`?`) fields that are missing: such a row is `invalid`.
    pub fn missing_required(&self) -> &[String] {
        &self.missing_required
    }
}

/// The result of one `test` block.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TestReport {
    /// The test's name.
    pub name: String,
    /// The profile tested.
    pub profile: String,
    /// `today` used.
    pub today: String,
    /// Whether every expectation held.
    pub passed: bool,
    /// The expectations that failed.
    pub failures: Vec<TestFailure>,
    /// Why the account is invalid, if it is.
    pub invalid: Option<String>,
    /// The account's explanation (absent when invalid).
    pub explanation: Option<Explanation>,
}

/// A failed expectation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TestFailure {
    /// The expectation as written, e.g. `tier ideal`, `score >= 80`.
    pub expected: String,
    /// What it was instead.
    pub actual: String,
    /// Where the `expect` is written.
    #[serde(skip)]
    pub loc: icp_model::Loc,
}

fn holds(op: CmpOp, a: Decimal, b: Decimal) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
    }
}

fn fmt_num(x: Decimal) -> String {
    let mut s = String::new();
    write_num(&mut s, x);
    s
}

/// Run one test of `program`; `clock_today` is `today` unless the test has an `as_of`.
pub fn run_test(program: &Program, test: &Test, clock_today: Date) -> TestReport {
    let today = test.as_of.unwrap_or(clock_today);
    let profile = program
        .profile(test.profile)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let mut report = TestReport {
        name: test.name.clone(),
        profile,
        today: today.to_string(),
        passed: false,
        failures: Vec::new(),
        invalid: None,
        explanation: None,
    };
    let plan = match Plan::new(program, test.profile, today) {
        Ok(p) => p,
        Err(e) => {
            report.failures.push(TestFailure {
                expected: "a profile to test".into(),
                actual: e.to_string(),
                loc: test.loc,
            });
            return report;
        }
    };
    let row = ConstRow::new(program, plan.schema(), &test.account);
    let invalid = match row.missing_required() {
        [] => None,
        [one] => Some(format!("required field `{one}` is missing")),
        many => Some(format!(
            "required fields `{}` are missing",
            many.join("`, `")
        )),
    };
    let values = row.values();
    let mut scratch = plan.scratch();
    let outcome = plan.eval(&values, &mut scratch);
    let expl = plan.explain(&values);
    let tier = if invalid.is_some() {
        "invalid"
    } else {
        plan.tier_label(outcome.tier)
    };
    let unknown_note = why_unknown(&expl);
    let tier_why = tier_why(&expl, &unknown_note);

    for ex in &test.expects {
        let failure = match &ex.kind {
            ExpectKind::Tier(name) => (name != tier).then(|| {
                let detail = match &invalid {
                    Some(why) => format!(": {why}"),
                    None => format!("{tier_why}; score {}", num::fixed(outcome.score, 2)),
                };
                (format!("tier {name}"), format!("{tier}{detail}"))
            }),
            ExpectKind::Compare { metric, op, value } => {
                let (label, actual, shown) = match metric {
                    ExpectMetric::Score => {
                        ("score".to_owned(), Some(outcome.score), fmt_num(*value))
                    }
                    ExpectMetric::GroupScore(g) => {
                        let name = program
                            .profile(test.profile)
                            .and_then(|p| p.groups.get(g.index()))
                            .map(|g| g.name.clone())
                            .unwrap_or_default();
                        let actual = expl
                            .groups
                            .iter()
                            .find(|x| x.name == name)
                            .and_then(|x| x.score);
                        (format!("score.{name}"), actual, fmt_num(*value))
                    }
                    ExpectMetric::Coverage => (
                        "coverage".to_owned(),
                        Some(outcome.coverage),
                        format!("{}%", fmt_num(*value * Decimal::ONE_HUNDRED)),
                    ),
                };
                // `==` and `!=` compare the value as reported (two decimals); orderings the
                // unrounded value, as tiers do.
                let ok = invalid.is_none()
                    && actual.is_some_and(|a| {
                        if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                            let dp = if *metric == ExpectMetric::Coverage {
                                4
                            } else {
                                2
                            };
                            holds(*op, num::round_dp(a, dp), num::round_dp(*value, dp))
                        } else {
                            holds(*op, a, *value)
                        }
                    });
                (!ok).then(|| {
                    let got = match (&invalid, actual) {
                        (Some(why), _) => format!("the account is invalid ({why})"),
                        (None, None) => {
                            format!("{label} is missing (the group has no positive weight)")
                        }
                        (None, Some(a)) if *metric == ExpectMetric::Coverage => {
                            let pct = num::round2(a * Decimal::ONE_HUNDRED);
                            format!("{label} {}%{unknown_note}", fmt_num(pct))
                        }
                        (None, Some(a)) => {
                            format!("{label} {}{unknown_note}", num::fixed(a, 2))
                        }
                    };
                    (format!("{label} {} {shown}", op.as_str()), got)
                })
            }
            ExpectKind::Reason(name) => {
                let hit = expl
                    .exclusions
                    .iter()
                    .any(|x| &x.name == name && x.result == crate::Tri::True)
                    || expl
                        .criteria
                        .iter()
                        .any(|c| &c.name == name && !c.points.is_zero());
                (invalid.is_some() || !hit).then(|| {
                    let mut reasons = String::new();
                    plan.write_reasons(&scratch, &mut reasons);
                    if reasons.is_empty() {
                        reasons.push_str("none");
                    }
                    (format!("reason {name}"), format!("reasons: {reasons}"))
                })
            }
            ExpectKind::ExcludedBy(name) => {
                let hit = expl
                    .exclusions
                    .iter()
                    .find(|x| &x.name == name)
                    .map(|x| x.result);
                (invalid.is_some() || hit != Some(crate::Tri::True)).then(|| {
                    let got = match (&invalid, hit) {
                        (Some(why), _) => format!("the account is invalid ({why})"),
                        (None, Some(crate::Tri::Unknown)) => {
                            let fields = expl
                                .exclusions
                                .iter()
                                .find(|x| &x.name == name)
                                .map(|x| x.unknown_fields.clone())
                                .unwrap_or_default();
                            if fields.is_empty() {
                                format!("`{name}` unknown")
                            } else {
                                format!("`{name}` unknown because {}", are_missing(&fields))
                            }
                        }
                        (None, _) => format!("`{name}` false; tier {tier}{tier_why}"),
                    };
                    (format!("excluded_by {name}"), got)
                })
            }
            ExpectKind::InSegment(name) => {
                let target = expl.segment.targets.iter().find(|t| &t.name == name);
                let hit = target.map(|t| t.result);
                (invalid.is_some() || hit != Some(crate::Tri::True)).then(|| {
                    let got = match (&invalid, target) {
                        (Some(why), _) => format!("the account is invalid ({why})"),
                        (None, Some(t)) if t.result == crate::Tri::Unknown => {
                            if t.unknown_fields.is_empty() {
                                format!("`{name}` unknown")
                            } else {
                                format!(
                                    "`{name}` unknown because {}",
                                    are_missing(&t.unknown_fields)
                                )
                            }
                        }
                        (None, _) => format!("`{name}` false"),
                    };
                    (format!("in_segment {name}"), got)
                })
            }
            ExpectKind::Criterion(name, want) => {
                let c = expl.criteria.iter().find(|c| &c.name == name);
                let got = c.map(|c| c.outcome);
                let ok = invalid.is_none()
                    && got.is_some_and(|o| {
                        use crate::CriterionOutcome as O;
                        match want.as_str() {
                            "true" => matches!(o, O::True | O::Perfect | O::Practical),
                            "false" => o == O::False,
                            "unknown" => o == O::Unknown,
                            "perfect" => matches!(o, O::True | O::Perfect),
                            "practical" => o == O::Practical,
                            _ => false,
                        }
                    });
                (!ok).then(|| {
                    let actual = match (&invalid, c) {
                        (Some(why), _) => format!("the account is invalid ({why})"),
                        (None, Some(c)) => {
                            let word = c.outcome.as_str();
                            match c.unknown_fields.as_slice() {
                                [] => format!("{word} ({} points)", fmt_num(c.points)),
                                fields => format!("{word} because {}", are_missing(fields)),
                            }
                        }
                        (None, None) => "no such criterion".to_owned(),
                    };
                    (format!("criterion {name} {want}"), actual)
                })
            }
            ExpectKind::Action(want) => {
                let got = if invalid.is_some() {
                    None
                } else {
                    expl.action.clone()
                };
                (got.as_deref() != Some(want.as_str())).then(|| {
                    let actual = match got {
                        Some(a) => format!("action {a:?} (tier {tier})"),
                        None => format!("no action (tier {tier})"),
                    };
                    (format!("action {want:?}"), actual)
                })
            }
        };

        if let Some((expected, actual)) = failure {
            report.failures.push(TestFailure {
                expected,
                actual,
                loc: ex.loc,
            });
        }
    }
    report.passed = report.failures.is_empty();
    report.invalid = invalid;
    if report.invalid.is_none() {
        report.explanation = Some(expl);
    }
    report
}

/// `` `a` `` or `` `a` and `b` `` or `` `a`, `b` and `c` ``.
fn names(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Why a value is what it is, as `icp explain` says it: `` : `budget` unknown because
/// `revenue` is missing `` (empty when every criterion is decided).
fn why_unknown(expl: &Explanation) -> String {
    let parts: Vec<String> = expl
        .criteria
        .iter()
        .filter(|c| c.outcome == crate::CriterionOutcome::Unknown)
        .map(|c| match c.unknown_fields.as_slice() {
            [] => format!("`{}` unknown", c.name),
            fields => format!("`{}` unknown because {}", c.name, are_missing(fields)),
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join(", "))
    }
}

/// Why the account has its tier: the exclusions that hold, the target segments it is not in,
/// else the unknown criteria.
fn tier_why(expl: &Explanation, unknown_note: &str) -> String {
    if expl.tier == "excluded" {
        let by: Vec<String> = expl
            .exclusions
            .iter()
            .filter(|x| x.result == crate::Tri::True)
            .map(|x| match &x.reason {
                Some(r) => format!("`{}` ({r})", x.name),
                None => format!("`{}`", x.name),
            })
            .collect();
        return format!(": excluded by {}", by.join(", "));
    }
    if expl.tier == "out_of_segment" {
        let targets: Vec<String> = expl
            .segment
            .targets
            .iter()
            .map(|t| match (t.result, t.unknown_fields.as_slice()) {
                (crate::Tri::Unknown, []) => format!("`{}` unknown", t.name),
                (crate::Tri::Unknown, fields) => {
                    format!("`{}` unknown because {}", t.name, are_missing(fields))
                }
                _ => format!("`{}` false", t.name),
            })
            .collect();
        return format!(": in no target segment ({})", targets.join(", "));
    }
    unknown_note.to_owned()
}

/// `` `a` is missing `` or `` `a` and `b` are missing ``.
fn are_missing(fields: &[String]) -> String {
    let verb = if fields.len() == 1 { "is" } else { "are" };
    format!("{} {verb} missing", names(fields))
}
