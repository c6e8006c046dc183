//! Builders for hand-made checked programs (the checker is developed in parallel).
#![allow(
    dead_code,
    unused_imports,
    reason = "each test file uses a different subset"
)]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::unnecessary_box_returns,
    missing_docs,
    reason = "test helpers, also built into the bench"
)]

use icp_eval::{Explanation, Outcome, Plan};
use icp_model::{
    ArithOp, Const, Criterion, CriterionBody, Date, EnumId, EnumTy, Exclude, Expr, ExprKind, Field,
    FieldId, Group, GroupId, Let, LetId, Loc, Profile, ProfileId, Program, Schema, SchemaId,
    Segment, SegmentId, Span, Tier, TierRule, Ty, Value, VariantDef,
};
use icp_syntax::ast::{CmpOp, ContainsMode};

/// The decimal a test's `f64` literal is written as (its shortest form), exactly.
pub fn d(x: f64) -> icp_model::Decimal {
    icp_model::num::parse(&x.to_string()).unwrap()
}

pub fn ex(kind: ExprKind, ty: Ty) -> Expr {
    Expr {
        kind,
        ty,
        span: Span::default(),
    }
}
fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

// Fields of the test schema `T`.
pub const A: u32 = 0; // a: number?
pub const B: u32 = 1; // b: number?
pub const NAME: u32 = 2; // name: text?
pub const TECH: u32 = 3; // tech: set<text>?
pub const P: u32 = 4; // p: bool?
pub const Q: u32 = 5; // q: bool?
pub const KIND: u32 = 6; // kind: enum { x, y = "Why", z = _ }?
pub const DAY: u32 = 7; // day: date?
pub const N_FIELDS: usize = 8;

pub fn schema() -> Schema {
    let f = |name: &str, ty: Ty| Field {
        name: name.into(),
        column: name.into(),
        ty,
        optional: true,
        fraction: false,
        loc: Loc::default(),
    };
    Schema {
        name: "T".into(),
        loc: Loc::default(),
        fields: vec![
            f("a", Ty::Number),
            f("b", Ty::Number),
            f("name", Ty::Text),
            f("tech", Ty::Set(Box::new(Ty::Text))),
            f("p", Ty::Bool),
            f("q", Ty::Bool),
            f("kind", Ty::Enum(EnumId(0))),
            f("day", Ty::Date),
        ],
        key: None,
    }
}

pub fn kind_enum() -> EnumTy {
    let v = |name: &str, strings: &[&str]| VariantDef {
        name: name.into(),
        strings: strings.iter().map(|s| (*s).to_owned()).collect(),
        loc: Loc::default(),
    };
    EnumTy {
        variants: vec![v("x", &[]), v("y", &["Why"]), v("z", &[])],
        catch_all: Some(2),
        ordered: false,
    }
}

pub fn field(i: u32) -> Expr {
    let ty = schema().fields[i as usize].ty.clone();
    ex(ExprKind::Field(FieldId(i)), ty)
}
pub fn num(x: f64) -> Expr {
    ex(ExprKind::Const(Const::Num(d(x))), Ty::Number)
}
pub fn text(s: &str) -> Expr {
    ex(ExprKind::Const(Const::Text(s.into())), Ty::Text)
}
pub fn boolean(b: bool) -> Expr {
    ex(ExprKind::Const(Const::Bool(b)), Ty::Bool)
}
pub fn variant(i: u32) -> Expr {
    ex(
        ExprKind::Const(Const::Enum(EnumId(0), i)),
        Ty::Enum(EnumId(0)),
    )
}
pub fn date(y: i32, m: u32, d: u32) -> Expr {
    ex(
        ExprKind::Const(Const::Date(Date::from_ymd(y, m, d).unwrap())),
        Ty::Date,
    )
}
pub fn days(d: i64) -> Expr {
    ex(ExprKind::Const(Const::Duration(d)), Ty::Duration)
}
pub fn today() -> Expr {
    ex(ExprKind::Today, Ty::Date)
}
pub fn let_(i: u32, ty: Ty) -> Expr {
    ex(ExprKind::Let(LetId(i)), ty)
}
pub fn seg(i: u32) -> Expr {
    ex(ExprKind::Segment(SegmentId(i)), Ty::Bool)
}
pub fn score() -> Expr {
    ex(ExprKind::Score, Ty::Number)
}
pub fn group_score(g: u32) -> Expr {
    ex(ExprKind::GroupScore(GroupId(g)), Ty::Number)
}
pub fn cmp(op: CmpOp, a: Expr, b: Expr) -> Expr {
    ex(ExprKind::Cmp(op, bx(a), bx(b)), Ty::Bool)
}
pub fn and(a: Expr, b: Expr) -> Expr {
    ex(ExprKind::And(bx(a), bx(b)), Ty::Bool)
}
pub fn or(a: Expr, b: Expr) -> Expr {
    ex(ExprKind::Or(bx(a), bx(b)), Ty::Bool)
}
pub fn not(a: Expr) -> Expr {
    ex(ExprKind::Not(bx(a)), Ty::Bool)
}
pub fn neg(a: Expr) -> Expr {
    let ty = a.ty.clone();
    ex(ExprKind::Neg(bx(a)), ty)
}
pub fn arith(op: ArithOp, a: Expr, b: Expr) -> Expr {
    let ty = a.ty.clone();
    ex(ExprKind::Arith(op, bx(a), bx(b)), ty)
}
pub fn coalesce(a: Expr, b: Expr) -> Expr {
    let ty = a.ty.clone();
    ex(ExprKind::Coalesce(bx(a), bx(b)), ty)
}
pub fn is_missing(a: Expr) -> Expr {
    ex(ExprKind::IsMissing(bx(a)), Ty::Bool)
}
pub fn in_range(x: Expr, lo: Expr, hi: Expr) -> Expr {
    ex(
        ExprKind::InRange {
            expr: bx(x),
            lo: bx(lo),
            hi: bx(hi),
        },
        Ty::Bool,
    )
}
pub fn in_list(x: Expr, list: Vec<Expr>) -> Expr {
    ex(ExprKind::InList { expr: bx(x), list }, Ty::Bool)
}
pub fn contains(x: Expr, mode: ContainsMode, needles: Vec<Expr>) -> Expr {
    ex(
        ExprKind::Contains {
            expr: bx(x),
            mode,
            needles,
        },
        Ty::Bool,
    )
}

pub fn crit(name: &str, weight: f64, cond: Expr) -> Criterion {
    Criterion {
        name: name.into(),
        title: None,
        loc: Loc::default(),
        weight: d(weight),
        practical_share: None,
        group: None,
        body: CriterionBody::Bool(cond),
    }
}
pub fn card(name: &str, weight: f64, perfect: Expr, practical: Option<Expr>) -> Criterion {
    Criterion {
        body: CriterionBody::Scorecard { perfect, practical },
        ..crit(name, weight, boolean(true))
    }
}
pub fn in_group(mut c: Criterion, g: u32) -> Criterion {
    c.group = Some(GroupId(g));
    c
}
pub fn group(name: &str) -> Group {
    Group {
        name: name.into(),
        title: None,
        loc: Loc::default(),
    }
}
pub fn exclude(name: &str, reason: &str, cond: Expr) -> Exclude {
    Exclude {
        name: name.into(),
        reason: Some(reason.into()),
        loc: Loc::default(),
        cond,
    }
}
pub fn tier(name: &str, rule: TierRule) -> Tier {
    Tier {
        name: name.into(),
        action: None,
        loc: Loc::default(),
        rule,
    }
}
pub fn threshold(name: &str, t: f64) -> Tier {
    tier(name, TierRule::Threshold(d(t)))
}
pub fn catch_all(name: &str) -> Tier {
    tier(name, TierRule::CatchAll)
}
pub fn segment(name: &str, cond: Expr) -> Segment {
    Segment {
        name: name.into(),
        title: None,
        loc: Loc::default(),
        schema: SchemaId(0),
        cond,
    }
}
pub fn let_def(name: &str, expr: Expr) -> Let {
    Let {
        name: name.into(),
        loc: Loc::default(),
        expr,
    }
}

/// A profile `p` over schema `T` with the default tiers `high >= 50`, `low`.
pub fn profile() -> Profile {
    Profile {
        name: "p".into(),
        title: None,
        loc: Loc::default(),
        schema: SchemaId(0),
        situation: None,
        targets: vec![],
        practical_share: d(0.5),
        lets: vec![],
        groups: vec![],
        criteria: vec![],
        excludes: vec![],
        tiers: vec![threshold("high", 50.0), catch_all("low")],
    }
}

pub fn program(p: Profile, segments: Vec<Segment>) -> Program {
    Program {
        schemas: vec![schema()],
        enums: vec![kind_enum()],
        segments,
        profiles: vec![std::sync::Arc::new(p)],
        ..Program::default()
    }
}

pub fn day0() -> Date {
    Date::from_ymd(2027, 1, 15).unwrap()
}

pub fn plan(p: &Program) -> Plan {
    Plan::new(p, ProfileId(0), day0()).unwrap()
}

/// A row of the test schema with the given slots set.
pub fn row<'a>(set: &[(u32, Value<'a>)]) -> Vec<Value<'a>> {
    let mut r = vec![Value::Missing; N_FIELDS];
    for (i, v) in set {
        r[*i as usize] = *v;
    }
    r
}

/// Evaluate `cond` on `row` as the single exclusion of a profile: true, false or unknown.
pub fn truth(cond: Expr, r: &[Value<'_>]) -> icp_eval::Tri {
    let mut p = profile();
    p.excludes.push(exclude("x", "test", cond));
    let prog = program(p, vec![]);
    let plan = plan(&prog);
    plan.explain(r).exclusions[0].result
}

pub fn eval(prog: &Program, r: &[Value<'_>]) -> (Outcome, Explanation, String) {
    let plan = plan(prog);
    let mut s = plan.scratch();
    let out = plan.eval(r, &mut s);
    let mut reasons = String::new();
    plan.write_reasons(&s, &mut reasons);
    (out, plan.explain(r), reasons)
}

pub fn label(prog: &Program, r: &[Value<'_>]) -> String {
    let plan = plan(prog);
    let out = plan.eval(r, &mut plan.scratch());
    plan.tier_label(out.tier).to_owned()
}

pub use ArithOp::{Add, Div, Mul, Sub};
pub use CmpOp::{Eq, Ge, Gt, Le, Lt, Ne};
pub use ContainsMode::{All, Any, One};

/// Checks a one-file program (`/p/main.icp`) and returns its program; panics on an error.
pub fn check_src(src: &str) -> Program {
    let loader = icp_check::MemoryLoader::new().with("/p/main.icp", src);
    let checked = icp_check::check(
        &[std::path::PathBuf::from("/p/main.icp")],
        &std::path::PathBuf::from("/p"),
        &loader,
        &icp_check::Options::default(),
    );
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    checked.program
}

/// Seven criteria conditions over the test schema, one of each kind (a comparison, `and`,
/// `or` with a set `contains`, text equality, arithmetic, an enum list, a date window): the
/// property tests weigh them at random.
pub fn seven_conditions() -> [Expr; 7] {
    use ArithOp::{Div, Sub};
    use CmpOp::{Eq, Ge, Gt, Lt};
    use ContainsMode::Any;
    [
        cmp(Ge, field(A), num(50.0)),
        and(field(P), cmp(Lt, field(B), num(100.0))),
        or(field(Q), contains(field(TECH), Any, vec![text("HubSpot")])),
        cmp(Eq, field(NAME), text("acme")),
        cmp(Gt, arith(Div, field(A), field(B)), num(1.0)),
        in_list(field(KIND), vec![variant(0), variant(2)]),
        cmp(Ge, field(DAY), arith(Sub, today(), days(365))),
    ]
}
