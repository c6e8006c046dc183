//! The evaluator: a tree walk over the parser's expressions, with SQL's three-valued logic,
//! and the scoring steps of LANGUAGE.md ("Scoring one account against one profile", "Group
//! scores and matrix tiers", Revision 2).

use std::collections::HashMap;

use icp_syntax::ast::{BinOp, CmpOp, ContainsMode, Expr, ExprKind, UnaryOp};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::fold;
use crate::model::{Body, FieldType, Program, TierDef, literal};
use crate::value::Value;

/// Why the oracle could not evaluate an expression (an operation it does not model, or an
/// overflow): the case is skipped, not compared.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError(pub String);

type R<T> = Result<T, EvalError>;

fn bail<T>(msg: impl Into<String>) -> R<T> {
    Err(EvalError(msg.into()))
}

/// The result for one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The tier's name, or `excluded`, `out_of_segment`, `invalid`.
    pub tier: String,
    /// The exact score (none for an invalid row).
    pub score: Option<Decimal>,
    /// The exact coverage, a fraction (none for an invalid row).
    pub coverage: Option<Decimal>,
    /// Each group's exact score, in declaration order (none: missing).
    pub groups: Vec<(String, Option<Decimal>)>,
}

/// Rounds for display: two decimals, half away from zero.
pub fn display(d: Decimal) -> String {
    format!(
        "{:.2}",
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    )
}

#[derive(Clone, Copy)]
enum Scope<'s> {
    /// A segment's condition: fields, other segments, variants, `today`.
    Segment,
    /// A profile's rule: lets too, and `situation.NAME`.
    Profile,
    /// A tier condition: `score` and `score.GROUP` too.
    Tier(&'s Scores),
}

struct Scores {
    score: Decimal,
    groups: HashMap<String, Option<Decimal>>,
}

/// Evaluates expressions for one valid row.
pub struct Evaluator<'a> {
    prog: &'a Program,
    row: &'a [Value],
    today: i64,
    depth: u32,
}

fn kleene_not(v: &Value) -> Value {
    Value::from_truth(v.truth().map(|b| !b))
}

fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Equality of two present values; `None` when they cannot be compared.
fn equal(a: &Value, b: &Value) -> Option<bool> {
    Some(match (a, b) {
        (Value::Num(x), Value::Num(y)) => x == y,
        (Value::Date(x), Value::Date(y)) | (Value::Dur(x), Value::Dur(y)) => x == y,
        (Value::Text(x), Value::Text(y)) => fold::key(x) == fold::key(y),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Enum(x), Value::Enum(y)) => x == y,
        _ => return None,
    })
}

/// The declared positions of two variants of one ordered enum (Revision 2, "Ordered enums"):
/// the enum is the field type that declares both; `None` when no ordered enum does, or when
/// two ordered enums that declare both order them differently.
fn positions(prog: &Program, a: &str, b: &str) -> Option<(usize, usize)> {
    let mut found: Option<(usize, usize)> = None;
    for f in &prog.fields {
        if let FieldType::OrderedEnum(vs) = &f.ty {
            let pa = vs.iter().position(|v| v.name == a);
            let pb = vs.iter().position(|v| v.name == b);
            if let (Some(pa), Some(pb)) = (pa, pb) {
                let same = (pa.cmp(&pb), pa == pb);
                if let Some((qa, qb)) = found
                    && (qa.cmp(&qb), qa == qb) != same
                {
                    return None;
                }
                found = Some((pa, pb));
            }
        }
    }
    found
}

fn order(prog: &Program, a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) | (Value::Dur(x), Value::Dur(y)) => Some(x.cmp(y)),
        (Value::Enum(x), Value::Enum(y)) => positions(prog, x, y).map(|(p, q)| p.cmp(&q)),
        _ => None,
    }
}

fn compare(prog: &Program, op: CmpOp, a: &Value, b: &Value) -> R<Value> {
    if *a == Value::Missing || *b == Value::Missing {
        return Ok(Value::Missing);
    }
    let t = match op {
        CmpOp::Eq => equal(a, b),
        CmpOp::Ne => equal(a, b).map(|e| !e),
        CmpOp::Lt => order(prog, a, b).map(std::cmp::Ordering::is_lt),
        CmpOp::Le => order(prog, a, b).map(std::cmp::Ordering::is_le),
        CmpOp::Gt => order(prog, a, b).map(std::cmp::Ordering::is_gt),
        CmpOp::Ge => order(prog, a, b).map(std::cmp::Ordering::is_ge),
    };
    match t {
        Some(t) => Ok(Value::Bool(t)),
        None => bail(format!("cannot compare {a:?} and {b:?}")),
    }
}

fn arith(op: BinOp, a: &Value, b: &Value) -> R<Value> {
    if *a == Value::Missing || *b == Value::Missing {
        return Ok(Value::Missing);
    }
    let overflow = || EvalError("overflow".into());
    Ok(match (op, a, b) {
        (BinOp::Add, Value::Num(x), Value::Num(y)) => {
            Value::Num(x.checked_add(*y).ok_or_else(overflow)?)
        }
        (BinOp::Sub, Value::Num(x), Value::Num(y)) => {
            Value::Num(x.checked_sub(*y).ok_or_else(overflow)?)
        }
        (BinOp::Mul, Value::Num(x), Value::Num(y)) => {
            Value::Num(x.checked_mul(*y).ok_or_else(overflow)?)
        }
        (BinOp::Div, Value::Num(x), Value::Num(y)) => {
            if y.is_zero() {
                Value::Missing
            } else {
                Value::Num(x.checked_div(*y).ok_or_else(overflow)?)
            }
        }
        (BinOp::Add, Value::Date(d), Value::Dur(n))
        | (BinOp::Add, Value::Dur(n), Value::Date(d)) => Value::Date(d + n),
        (BinOp::Sub, Value::Date(d), Value::Dur(n)) => Value::Date(d - n),
        (BinOp::Sub, Value::Date(x), Value::Date(y))
        | (BinOp::Sub, Value::Dur(x), Value::Dur(y)) => Value::Dur(x - y),
        (BinOp::Add, Value::Dur(x), Value::Dur(y)) => Value::Dur(x + y),
        _ => return bail(format!("unsupported arithmetic {op:?} on {a:?} and {b:?}")),
    })
}

impl<'a> Evaluator<'a> {
    /// An evaluator for one valid row, `today` in days since 1970-01-01.
    pub fn new(prog: &'a Program, row: &'a [Value], today: i64) -> Self {
        Evaluator {
            prog,
            row,
            today,
            depth: 0,
        }
    }

    fn field(&self, name: &str) -> Option<&Value> {
        let i = self.prog.fields.iter().position(|f| f.name == name)?;
        self.row.get(i)
    }

    fn name(&mut self, n: &str, scope: Scope<'_>) -> R<Value> {
        if !matches!(scope, Scope::Segment)
            && let Some(e) = self.prog.lets.get(n)
        {
            return self.eval(e, Scope::Profile);
        }
        if let (Scope::Tier(s), "score") = (scope, n) {
            return Ok(Value::Num(s.score));
        }
        if let Some(v) = self.field(n) {
            return Ok(v.clone());
        }
        if let Some(e) = self.prog.segments.get(n) {
            let v = self.eval(e, Scope::Segment)?;
            return Ok(Value::from_truth(v.truth()));
        }
        if n == "today" {
            return Ok(Value::Date(self.today));
        }
        // Anything else the checker accepted is an enum variant.
        Ok(Value::Enum(n.to_string()))
    }

    fn eval(&mut self, e: &Expr, scope: Scope<'_>) -> R<Value> {
        self.depth += 1;
        if self.depth > 200 {
            return bail("too deep (a reference cycle?)");
        }
        let v = self.eval_inner(e, scope);
        self.depth -= 1;
        v
    }

    #[expect(
        clippy::many_single_char_names,
        reason = "operands named as in the contract's rules"
    )]
    fn eval_inner(&mut self, e: &Expr, scope: Scope<'_>) -> R<Value> {
        Ok(match &e.kind {
            ExprKind::Lit(l) => match literal(&self.prog.src, l, e.span) {
                Some(v) => v,
                None => return bail("unreadable literal"),
            },
            ExprKind::List(items) => Value::List(
                items
                    .iter()
                    .map(|i| self.eval(i, scope))
                    .collect::<R<Vec<_>>>()?,
            ),
            ExprKind::Name(id) => self.name(&id.name, scope)?,
            ExprKind::Path(a, b) => match (a.name.as_str(), scope) {
                ("situation", _) if b.name == "start" || b.name == "end" => {
                    match self.prog.timeframe {
                        Some((start, end)) => {
                            Value::Date(if b.name == "start" { start } else { end })
                        }
                        None => return bail("a situation without a timeframe"),
                    }
                }
                ("situation", _) => match self.prog.capabilities.get(&b.name) {
                    Some(c) => self.eval(c, Scope::Profile)?,
                    None => return bail(format!("unknown capability {}", b.name)),
                },
                ("score", Scope::Tier(s)) => match s.groups.get(&b.name) {
                    Some(g) => g.map_or(Value::Missing, Value::Num),
                    None => return bail(format!("unknown group {}", b.name)),
                },
                _ => return bail("unsupported path"),
            },
            ExprKind::Unary(UnaryOp::Not, x) => kleene_not(&self.eval(x, scope)?),
            ExprKind::Unary(UnaryOp::Neg, x) => match self.eval(x, scope)? {
                Value::Missing => Value::Missing,
                Value::Num(n) => Value::Num(-n),
                Value::Dur(n) => Value::Dur(-n),
                other => return bail(format!("cannot negate {other:?}")),
            },
            ExprKind::Binary(op, a, b) => {
                let x = self.eval(a, scope)?;
                let y = self.eval(b, scope)?;
                match op {
                    BinOp::And => Value::from_truth(and(x.truth(), y.truth())),
                    BinOp::Or => Value::from_truth(or(x.truth(), y.truth())),
                    BinOp::Cmp(c) => compare(self.prog, *c, &x, &y)?,
                    BinOp::Coalesce => {
                        if x == Value::Missing {
                            y
                        } else {
                            x
                        }
                    }
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => arith(*op, &x, &y)?,
                }
            }
            ExprKind::InRange {
                expr,
                lo,
                hi,
                negated,
            } => {
                let x = self.eval(expr, scope)?;
                let l = self.eval(lo, scope)?;
                let h = self.eval(hi, scope)?;
                let t = if [&x, &l, &h].iter().any(|v| **v == Value::Missing) {
                    None
                } else {
                    let above = compare(self.prog, CmpOp::Ge, &x, &l)?.truth();
                    let below = compare(self.prog, CmpOp::Le, &x, &h)?.truth();
                    and(above, below)
                };
                Value::from_truth(if *negated { t.map(|b| !b) } else { t })
            }
            ExprKind::InList {
                expr,
                list,
                negated,
            } => {
                let x = self.eval(expr, scope)?;
                let items = list
                    .iter()
                    .map(|i| self.eval(i, scope))
                    .collect::<R<Vec<_>>>()?;
                let t = if x == Value::Missing || items.contains(&Value::Missing) {
                    None
                } else {
                    let mut any = false;
                    for i in &items {
                        any |= compare(self.prog, CmpOp::Eq, &x, i)?.truth() == Some(true);
                    }
                    Some(any)
                };
                Value::from_truth(if *negated { t.map(|b| !b) } else { t })
            }
            ExprKind::Contains { expr, mode, needle } => {
                let hay = self.eval(expr, scope)?;
                let needle = self.eval(needle, scope)?;
                let needles = match (mode, needle) {
                    (ContainsMode::One, n) => vec![n],
                    (_, Value::List(items)) => items,
                    (_, other) => return bail(format!("contains any/all on {other:?}")),
                };
                if hay == Value::Missing || needles.contains(&Value::Missing) {
                    Value::Missing
                } else {
                    let mut hits = Vec::new();
                    for n in &needles {
                        let Value::Text(n) = n else {
                            return bail("a needle that is not text");
                        };
                        let k = fold::key(n);
                        hits.push(match &hay {
                            Value::Set(items) => items.iter().any(|i| fold::key(i) == k),
                            Value::Text(t) => fold::key(t).contains(&k),
                            other => return bail(format!("contains on {other:?}")),
                        });
                    }
                    Value::Bool(match mode {
                        ContainsMode::One | ContainsMode::Any => hits.iter().any(|h| *h),
                        ContainsMode::All => hits.iter().all(|h| *h),
                    })
                }
            }
            ExprKind::IsMissing { expr, negated } => {
                let missing = self.eval(expr, scope)? == Value::Missing;
                Value::Bool(missing != *negated)
            }
            ExprKind::Call { .. } => return bail("calls exist only in goals"),
        })
    }

    fn truth(&mut self, e: &Expr, scope: Scope<'_>) -> R<Option<bool>> {
        Ok(self.eval(e, scope)?.truth())
    }

    /// A criterion's outcome (LANGUAGE.md step 3, and Revision 2 for a scorecard whose
    /// `perfect` branch is unknown): `true`, `false`, `unknown` for a boolean criterion;
    /// `perfect`, `practical`, `false`, `unknown` for a scorecard.
    pub fn outcome(&mut self, body: &Body) -> R<&'static str> {
        Ok(match body {
            Body::Bool(cond) => match self.truth(cond, Scope::Profile)? {
                Some(true) => "true",
                Some(false) => "false",
                None => "unknown",
            },
            Body::Scorecard(perfect, practical) => {
                let pf = self.truth(perfect, Scope::Profile)?;
                let pr = match practical {
                    Some(p) => Some(self.truth(p, Scope::Profile)?),
                    None => None,
                };
                match (pf, pr) {
                    (Some(true), _) => "perfect",
                    (_, Some(Some(true))) => "practical",
                    (Some(false), None | Some(Some(false))) => "false",
                    _ => "unknown",
                }
            }
        })
    }

    /// Scores the row against the program's profile.
    pub fn score(&mut self) -> R<Outcome> {
        let prog = self.prog;
        // Step 3: points per criterion, and whether it is decided.
        let mut sum_points = Decimal::ZERO;
        let mut sum_positive = Decimal::ZERO;
        let mut sum_abs = Decimal::ZERO;
        let mut sum_decided = Decimal::ZERO;
        let mut group_points: HashMap<String, (Decimal, Decimal)> = HashMap::new();
        for c in &prog.criteria {
            let outcome = self.outcome(&c.body)?;
            let (points, decided) = match outcome {
                "true" | "perfect" => (c.weight, true),
                "practical" => (
                    c.weight
                        .checked_mul(c.practical_share.unwrap_or(prog.practical_share))
                        .ok_or_else(|| EvalError("overflow".into()))?,
                    true,
                ),
                "false" => (Decimal::ZERO, true),
                _ => (Decimal::ZERO, false),
            };
            sum_points += points;
            sum_abs += c.weight.abs();
            if decided {
                sum_decided += c.weight.abs();
            }
            if c.weight > Decimal::ZERO {
                sum_positive += c.weight;
            }
            if let Some(g) = &c.group {
                let e = group_points
                    .entry(g.clone())
                    .or_insert((Decimal::ZERO, Decimal::ZERO));
                e.0 += points;
                if c.weight > Decimal::ZERO {
                    e.1 += c.weight;
                }
            }
        }
        let clamp = |d: Decimal| d.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED);
        let ratio = |points: Decimal, positive: Decimal| -> R<Option<Decimal>> {
            if positive.is_zero() {
                return Ok(None);
            }
            let v = Decimal::ONE_HUNDRED
                .checked_mul(points)
                .and_then(|p| p.checked_div(positive))
                .ok_or_else(|| EvalError("overflow".into()))?;
            Ok(Some(clamp(v)))
        };
        let Some(score) = ratio(sum_points, sum_positive)? else {
            return bail("no positive weight");
        };
        let coverage = if sum_abs.is_zero() {
            None
        } else {
            sum_decided.checked_div(sum_abs)
        };
        let mut groups = Vec::new();
        for g in &prog.groups {
            let (p, pos) = group_points.get(g).copied().unwrap_or_default();
            groups.push((g.clone(), ratio(p, pos)?));
        }
        // Step 1: targets; unknown counts as not in.
        let mut tier = None;
        if !prog.targets.is_empty() {
            let mut inside = false;
            for t in &prog.targets {
                inside |= self.name(t, Scope::Segment)?.truth() == Some(true);
            }
            if !inside {
                tier = Some("out_of_segment".to_string());
            }
        }
        // Step 2: exclusions (evaluated even when out of segment, which wins).
        let mut excluded = false;
        for (_, cond) in &prog.excludes {
            excluded |= self.truth(cond, Scope::Profile)? == Some(true);
        }
        if tier.is_none() && excluded {
            tier = Some("excluded".to_string());
        }
        // Step 6: the first tier whose rule holds.
        if tier.is_none() {
            let scores = Scores {
                score,
                groups: groups.iter().cloned().collect(),
            };
            for t in &prog.tiers {
                let holds = match t {
                    TierDef::Threshold(_, n) => score >= *n,
                    TierDef::When(_, cond) => self.truth(cond, Scope::Tier(&scores))? == Some(true),
                    TierDef::CatchAll(_) => true,
                };
                if holds {
                    tier = Some(t.name().to_string());
                    break;
                }
            }
        }
        let Some(tier) = tier else {
            return bail("no tier holds (no catch-all)");
        };
        Ok(Outcome {
            tier,
            score: Some(score),
            coverage,
            groups,
        })
    }
}

/// Scores every row: invalid rows get tier `invalid`.
pub fn score_rows(prog: &Program, rows: &[crate::read::Row], today: i64) -> R<Vec<Outcome>> {
    rows.iter()
        .map(|r| match r {
            Ok(values) => Evaluator::new(prog, values, today).score(),
            Err(_) => Ok(Outcome {
                tier: "invalid".into(),
                score: None,
                coverage: None,
                groups: Vec::new(),
            }),
        })
        .collect()
}
