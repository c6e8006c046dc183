//! Type helpers: literal types, comparability, arithmetic, unification and type names.

use icp_model as m;
use icp_syntax::ast::{self as a, BinOp, CmpOp};
use icp_syntax::{FileId, Span};

use super::Checker;

pub(super) fn lit_const(l: &a::Lit) -> (m::Const, m::Ty) {
    match l {
        a::Lit::Int(i) => (m::Const::Num(m::Decimal::from(*i)), m::Ty::Int),
        a::Lit::Number(x) => (m::Const::Num(*x), m::Ty::Number),
        a::Lit::Money(x) => (m::Const::Num(*x), m::Ty::Money),
        a::Lit::Percent(x) => (m::Const::Num(*x), m::Ty::Percent),
        a::Lit::Date(d) => (m::Const::Date(*d), m::Ty::Date),
        a::Lit::Duration(d) => (m::Const::Duration(*d), m::Ty::Duration),
        a::Lit::Text(t) => (m::Const::Text(t.clone()), m::Ty::Text),
        a::Lit::Bool(b) => (m::Const::Bool(*b), m::Ty::Bool),
    }
}

pub(super) fn konst(c: m::Const, ty: m::Ty, span: Span) -> m::Expr {
    m::Expr {
        kind: m::ExprKind::Const(c),
        ty,
        span,
    }
}

pub(super) fn as_const(e: &m::Expr) -> Option<&m::Const> {
    match &e.kind {
        m::ExprKind::Const(c) => Some(c),
        _ => None,
    }
}

/// Whether two types may be compared with `op`; else the reason.
#[expect(
    clippy::match_same_arms,
    reason = "one arm per typing rule, as the docs list them"
)]
pub(super) fn comparable(op: CmpOp, l: &m::Ty, r: &m::Ty) -> Result<(), String> {
    use m::Ty::{Bool, Date, Duration, Enum, Int, Money, Number, Percent, Text};
    let ordering = !matches!(op, CmpOp::Eq | CmpOp::Ne);
    match (l, r) {
        (Percent, Percent) | (Date, Date) | (Duration, Duration) => Ok(()),
        (Percent, Int | Number) | (Int | Number, Percent) => {
            Err("a percent compares with a percent: write the number with `%` (`70%`)".to_owned())
        }
        (Int | Number | Money, Int | Number | Money) => Ok(()),
        (Text, Text) | (Bool, Bool) if !ordering => Ok(()),
        (Enum(x), Enum(y)) if x == y && !ordering => Ok(()),
        (Text, Text) | (Bool, Bool) | (Enum(_), Enum(_)) if ordering => Err(format!(
            "`{}` only works on numbers, money, percents, dates and durations",
            op.as_str()
        )),
        (Enum(_), Text) | (Text, Enum(_)) => Err(
            "compare an enum with one of its variants, written as a bare name (`saas`)".to_owned(),
        ),
        _ => Err(
            "both sides must have the same type (an `int` also fits a `number` or `money`)"
                .to_owned(),
        ),
    }
}

#[expect(
    clippy::match_same_arms,
    clippy::unnested_or_patterns,
    reason = "one arm per typing rule, as the docs list them"
)]
pub(super) fn arith_ty(op: BinOp, l: &m::Ty, r: &m::Ty) -> Option<m::Ty> {
    use m::Ty::{Date, Duration, Int, Money, Number, Percent};
    Some(match (op, l, r) {
        (BinOp::Add | BinOp::Sub | BinOp::Mul, Int, Int) => Int,
        (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div, Int | Number, Int | Number) => Number,
        (BinOp::Add | BinOp::Sub, Money, Money | Int) | (BinOp::Add | BinOp::Sub, Int, Money) => {
            Money
        }
        (BinOp::Add | BinOp::Sub, Percent, Percent) | (BinOp::Mul, Percent, Percent) => Percent,
        (BinOp::Add | BinOp::Sub, Date, Duration) | (BinOp::Add, Duration, Date) => Date,
        (BinOp::Sub, Date, Date) => Duration,
        (BinOp::Add | BinOp::Sub, Duration, Duration)
        | (BinOp::Mul, Duration, Int)
        | (BinOp::Mul, Int, Duration)
        | (BinOp::Div, Duration, Int) => Duration,
        (BinOp::Mul, Money, Int | Number | Percent)
        | (BinOp::Mul, Int | Number | Percent, Money)
        | (BinOp::Div, Money, Int | Number) => Money,
        (BinOp::Mul, Percent, Int | Number) | (BinOp::Mul, Int | Number, Percent) => Percent,
        (BinOp::Div, Money, Money)
        | (BinOp::Div, Percent, Percent)
        | (BinOp::Div, Duration, Duration) => Number,
        (BinOp::Div, Percent, Int | Number) => Percent,
        _ => return None,
    })
}

/// The common type of `a ?? b`.
pub(super) fn unify(l: &m::Ty, r: &m::Ty) -> Option<m::Ty> {
    use m::Ty::{Int, Money, Number};
    match (l, r) {
        _ if l == r => Some(l.clone()),
        (Int, Number) | (Number, Int) => Some(Number),
        (Int, Money) | (Money, Int) => Some(Money),
        _ => None,
    }
}

/// A constant number: `(value, type)`.
pub(super) fn const_num(e: &m::Expr) -> Option<m::Decimal> {
    match as_const(e)? {
        m::Const::Num(x) => Some(*x),
        _ => None,
    }
}

pub(super) fn not(e: m::Expr) -> m::Expr {
    let span = e.span;
    m::Expr {
        kind: m::ExprKind::Not(Box::new(e)),
        ty: m::Ty::Bool,
        span,
    }
}

/// A number as written: every digit, no trailing zeros after the point.
pub(crate) fn fmt_num(x: m::Decimal) -> String {
    icp_base::num::plain(x)
}

impl Checker<'_> {
    pub(super) fn ty_name(&self, t: &m::Ty) -> String {
        match t {
            m::Ty::Bool => "bool".into(),
            m::Ty::Int => "int".into(),
            m::Ty::Number => "number".into(),
            m::Ty::Money => "money".into(),
            m::Ty::Percent => "percent".into(),
            m::Ty::Text => "text".into(),
            m::Ty::Date => "date".into(),
            m::Ty::Duration => "duration".into(),
            m::Ty::Enum(e) => match self.enums.get(e.index()) {
                Some(info) => format!("enum {}", info.field),
                None => "enum".into(),
            },
            m::Ty::Set(t) => format!("set<{}>", self.ty_name(t)),
            m::Ty::List(t) => format!("list of {}", self.ty_name(t)),
        }
    }
}

/// Where a checked item is: its file and the span of its name.
pub(super) fn loc(file: FileId, span: Span) -> m::Loc {
    m::Loc { file, span }
}
