//! A small interval and constant reasoning pass over typed conditions, for `never_true`,
//! `always_true` and `practical_unreachable`.
//!
//! For a condition it computes, in disjunctive normal form, the sets of assignments under
//! which the condition has a given outcome. Each *box* of the normal form maps a variable (a
//! field, a `let`, `score`, `score.GROUP`) to the values it may take: a union of numeric
//! intervals with open or closed ends (integers snap to whole numbers), a finite or
//! co-finite set of texts, or a set of enum variants or booleans; plus whether the variable
//! may be missing.
//!
//! Missing values follow SQL's three-valued logic. A condition is *never true* when no
//! assignment makes it true; it is *always true* when no assignment makes it false **or
//! unknown**, so a condition over a field that may be missing is only always true when it
//! also holds when the field is missing (e.g. `x is missing or x >= 0`).
//!
//! Whatever the pass cannot analyse (arithmetic, comparisons of two fields, `contains`,
//! `today`) is an opaque atom that may take every outcome, so the pass never reports a
//! false positive. The normal form is capped in size; beyond it the pass gives up.

use std::collections::{BTreeMap, BTreeSet};

use icp_model::{Const, Decimal, EnumTy, Expr, ExprKind, SegmentId, Ty};
use icp_syntax::ast::CmpOp;

/// Most boxes a normal form may hold before the pass gives up.
const CAP: usize = 256;
/// Deepest expression the pass walks.
const MAX_DEPTH: usize = 2 * icp_syntax::MAX_DEPTH + 16;
/// How many segment references deep the pass inlines segment conditions.
const MAX_INLINE: usize = 6;

/// A variable of the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Var {
    /// A field of the row.
    Field(u32),
    /// A `let`.
    Let(u32),
    /// `score`.
    Score,
    /// `score.GROUP`.
    Group(u32),
}

/// What the pass needs to know about the program.
pub(crate) struct Env<'a> {
    /// Enum types, for the number of variants.
    pub enums: &'a [EnumTy],
    /// Whether a variable may be missing.
    pub optional: &'a dyn Fn(Var) -> bool,
    /// A segment's condition, to inline.
    pub segment: &'a dyn Fn(SegmentId) -> Option<&'a Expr>,
    /// The highest reachable `score` or `score.GROUP` (scores start at 0).
    pub score_max: &'a dyn Fn(Var) -> Decimal,
}

/// An interval's end: a number, exactly (the values the evaluator compares), or infinite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ext {
    NegInf,
    Fin(Decimal),
    PosInf,
}

use Ext::{Fin, NegInf, PosInf};

impl Ext {
    /// The smallest whole number at or above (`strict`: above) this end.
    fn int_above(self, strict: bool) -> Ext {
        match self {
            Fin(x) if strict => x.floor().checked_add(Decimal::ONE).map_or(PosInf, Fin),
            Fin(x) => Fin(x.ceil()),
            e => e,
        }
    }
    /// The largest whole number at or below (`strict`: below) this end.
    fn int_below(self, strict: bool) -> Ext {
        match self {
            Fin(x) if strict => x.ceil().checked_sub(Decimal::ONE).map_or(NegInf, Fin),
            Fin(x) => Fin(x.floor()),
            e => e,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Iv {
    lo: Ext,
    lo_in: bool,
    hi: Ext,
    hi_in: bool,
}

impl Iv {
    fn all() -> Iv {
        Iv {
            lo: NegInf,
            lo_in: false,
            hi: PosInf,
            hi_in: false,
        }
    }
    fn point(x: Decimal) -> Iv {
        Iv {
            lo: Fin(x),
            lo_in: true,
            hi: Fin(x),
            hi_in: true,
        }
    }
    fn is_empty(self, int: bool) -> bool {
        if self.lo > self.hi || (self.lo == self.hi && !(self.lo_in && self.hi_in)) {
            return true;
        }
        if int {
            let lo = self.lo.int_above(!self.lo_in);
            let hi = self.hi.int_below(!self.hi_in);
            return lo > hi;
        }
        self.lo > self.hi || (self.lo == self.hi && !(self.lo_in && self.hi_in))
    }
    fn intersect(self, o: Iv) -> Iv {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let (lo, lo_in) = match self.lo.cmp(&o.lo) {
            Greater => (self.lo, self.lo_in),
            Less => (o.lo, o.lo_in),
            Equal => (self.lo, self.lo_in && o.lo_in),
        };
        let (hi, hi_in) = match self.hi.cmp(&o.hi) {
            Less => (self.hi, self.hi_in),
            Greater => (o.hi, o.hi_in),
            Equal => (self.hi, self.hi_in && o.hi_in),
        };
        Iv {
            lo,
            lo_in,
            hi,
            hi_in,
        }
    }
}

/// A union of disjoint intervals, sorted.
#[derive(Debug, Clone, PartialEq)]
struct NumSet {
    ivs: Vec<Iv>,
    int: bool,
}

impl NumSet {
    fn new(mut ivs: Vec<Iv>, int: bool) -> NumSet {
        ivs.retain(|iv| !iv.is_empty(int));
        ivs.sort_by_key(|iv| iv.lo);
        NumSet { ivs, int }
    }
    fn is_empty(&self) -> bool {
        self.ivs.is_empty()
    }
    fn intersect(&self, o: &NumSet) -> NumSet {
        let mut out = Vec::new();
        for a in &self.ivs {
            for b in &o.ivs {
                out.push(a.intersect(*b));
            }
        }
        NumSet::new(out, self.int || o.int)
    }
    fn complement(&self) -> NumSet {
        let mut out = Vec::new();
        let mut lo = NegInf;
        let mut lo_in = false;
        for iv in &self.ivs {
            out.push(Iv {
                lo,
                lo_in,
                hi: iv.lo,
                hi_in: !iv.lo_in,
            });
            lo = iv.hi;
            lo_in = !iv.hi_in;
        }
        out.push(Iv {
            lo,
            lo_in,
            hi: PosInf,
            hi_in: false,
        });
        NumSet::new(out, self.int)
    }
}

/// Texts, compared case-insensitively after trimming (by their [`icp_base::fold::key`]).
#[derive(Debug, Clone, PartialEq)]
enum TextSet {
    Only(BTreeSet<String>),
    AllBut(BTreeSet<String>),
}

impl TextSet {
    fn intersect(&self, o: &TextSet) -> TextSet {
        match (self, o) {
            (TextSet::Only(a), TextSet::Only(b)) => {
                TextSet::Only(a.intersection(b).cloned().collect())
            }
            (TextSet::Only(a), TextSet::AllBut(b)) | (TextSet::AllBut(b), TextSet::Only(a)) => {
                TextSet::Only(a.difference(b).cloned().collect())
            }
            (TextSet::AllBut(a), TextSet::AllBut(b)) => {
                TextSet::AllBut(a.union(b).cloned().collect())
            }
        }
    }
    fn complement(&self) -> TextSet {
        match self {
            TextSet::Only(a) => TextSet::AllBut(a.clone()),
            TextSet::AllBut(a) => TextSet::Only(a.clone()),
        }
    }
    fn is_empty(&self) -> bool {
        matches!(self, TextSet::Only(a) if a.is_empty())
    }
}

/// The present values a variable may take.
#[derive(Debug, Clone, PartialEq)]
enum Dom {
    Num(NumSet),
    Text(TextSet),
    /// Enum variants or booleans (bit 1 = true), with the full mask.
    Bits(u64, u64),
}

impl Dom {
    fn intersect(&self, o: &Dom) -> Option<Dom> {
        Some(match (self, o) {
            (Dom::Num(a), Dom::Num(b)) => Dom::Num(a.intersect(b)),
            (Dom::Text(a), Dom::Text(b)) => Dom::Text(a.intersect(b)),
            (Dom::Bits(a, full), Dom::Bits(b, _)) => Dom::Bits(a & b, *full),
            _ => return None,
        })
    }
    fn complement(&self) -> Dom {
        match self {
            Dom::Num(a) => Dom::Num(a.complement()),
            Dom::Text(a) => Dom::Text(a.complement()),
            Dom::Bits(a, full) => Dom::Bits(!a & full, *full),
        }
    }
    fn is_empty(&self) -> bool {
        match self {
            Dom::Num(a) => a.is_empty(),
            Dom::Text(a) => a.is_empty(),
            Dom::Bits(a, _) => *a == 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct VarDom {
    dom: Dom,
    missing: bool,
}

type Cube = BTreeMap<Var, VarDom>;
/// `None`: the pass gave up. `Some(vec![])`: impossible. `Some(vec![empty cube])`: anything.
type Dnf = Option<Vec<Cube>>;

#[expect(
    clippy::unnecessary_wraps,
    reason = "`None` is the give-up value of the same type"
)]
fn top() -> Dnf {
    Some(vec![Cube::new()])
}
#[expect(
    clippy::unnecessary_wraps,
    reason = "`None` is the give-up value of the same type"
)]
fn bottom() -> Dnf {
    Some(Vec::new())
}

fn and(a: Dnf, b: Dnf) -> Dnf {
    match (a, b) {
        (Some(a), _) if a.is_empty() => bottom(),
        (_, Some(b)) if b.is_empty() => bottom(),
        (Some(a), Some(b)) => {
            if a.len().saturating_mul(b.len()) > CAP {
                return None;
            }
            let mut out = Vec::new();
            for x in &a {
                for y in &b {
                    if let Some(c) = meet(x, y) {
                        out.push(c);
                    }
                }
            }
            Some(out)
        }
        _ => None,
    }
}

fn or(a: Dnf, b: Dnf) -> Dnf {
    let (mut a, b) = (a?, b?);
    if a.len() + b.len() > CAP {
        return None;
    }
    a.extend(b);
    Some(a)
}

/// The intersection of two cubes, `None` when empty.
fn meet(x: &Cube, y: &Cube) -> Option<Cube> {
    let mut out = x.clone();
    for (v, d) in y {
        match out.get_mut(v) {
            Some(e) => {
                let dom = e.dom.intersect(&d.dom)?;
                let missing = e.missing && d.missing;
                if dom.is_empty() && !missing {
                    return None;
                }
                *e = VarDom { dom, missing };
            }
            None => {
                out.insert(*v, d.clone());
            }
        }
    }
    Some(out)
}

struct Pass<'e, 'a> {
    env: &'e Env<'a>,
    inline: usize,
}

/// The outcome sets: `pos` true and `weak` false is "true"; `pos` false, `weak` false is
/// "false"; `pos` false, `weak` true is "not true" (false or unknown); `pos` true, `weak`
/// true is "not false".
#[derive(Clone, Copy)]
struct Mode {
    pos: bool,
    weak: bool,
}

impl Pass<'_, '_> {
    fn var_of(&self, e: &Expr) -> Option<(Var, Dom)> {
        let var = match &e.kind {
            ExprKind::Field(f) => Var::Field(f.0),
            ExprKind::Let(l) => Var::Let(l.0),
            ExprKind::Score => Var::Score,
            ExprKind::GroupScore(g) => Var::Group(g.0),
            _ => return None,
        };
        let full = match &e.ty {
            // dates and durations are whole days
            Ty::Int | Ty::Date | Ty::Duration => Dom::Num(NumSet::new(vec![Iv::all()], true)),
            Ty::Number | Ty::Money | Ty::Percent => Dom::Num(NumSet::new(vec![Iv::all()], false)),
            Ty::Text => Dom::Text(TextSet::AllBut(BTreeSet::new())),
            Ty::Bool => Dom::Bits(0b11, 0b11),
            Ty::Enum(id) => {
                let n = self.env.enums.get(id.index())?.variants.len();
                if n >= 64 {
                    return None;
                }
                let full = (1u64 << n) - 1;
                Dom::Bits(full, full)
            }
            Ty::Set(_) | Ty::List(_) => return None,
        };
        let full = if matches!(var, Var::Score | Var::Group(_)) {
            match full {
                Dom::Num(n) => Dom::Num(n.intersect(&NumSet::new(
                    vec![Iv {
                        lo: Fin(Decimal::ZERO),
                        lo_in: true,
                        hi: Fin(
                            (self.env.score_max)(var).clamp(Decimal::ZERO, Decimal::ONE_HUNDRED),
                        ),
                        hi_in: true,
                    }],
                    false,
                ))),
                other => other,
            }
        } else {
            full
        };
        Some((var, full))
    }

    /// An atom on `var` whose present values make it true in `yes` (within `full`).
    fn atom(&self, var: Var, full: &Dom, yes: &Dom, mode: Mode) -> Dnf {
        let Some(yes) = full.intersect(yes) else {
            return top();
        };
        let dom = if mode.pos {
            yes
        } else {
            full.intersect(&yes.complement()).unwrap_or(yes)
        };
        let missing = mode.weak && (self.env.optional)(var);
        if dom.is_empty() && !missing {
            return bottom();
        }
        let mut c = Cube::new();
        c.insert(var, VarDom { dom, missing });
        Some(vec![c])
    }

    /// `(x ?? d) OP k` with constant `d` and `k`: `x OP k` when `x` is present, else the
    /// constant `d OP k`; never unknown.
    fn coalesce_cmp(&self, op: CmpOp, left: &Expr, right: &Expr, mode: Mode) -> Option<Dnf> {
        let (op, value, default, k) = match (&left.kind, &right.kind) {
            (ExprKind::Coalesce(v, d), ExprKind::Const(k)) => (op, v, d, k),
            (ExprKind::Const(k), ExprKind::Coalesce(v, d)) => (flip(op), v, d, k),
            _ => return None,
        };
        let (var, full) = self.var_of(value)?;
        let (Some(dv), Some(kv)) = (num(constant(default)), num(Some(k))) else {
            return None;
        };
        let holds = match op {
            CmpOp::Eq => dv == kv,
            CmpOp::Ne => dv != kv,
            CmpOp::Lt => dv < kv,
            CmpOp::Le => dv <= kv,
            CmpOp::Gt => dv > kv,
            CmpOp::Ge => dv >= kv,
        };
        let yes = cmp_set(&full, op, k)?;
        let dom = if mode.pos {
            full.intersect(&yes)?
        } else {
            full.intersect(&yes.complement())?
        };
        let missing = (self.env.optional)(var) && holds == mode.pos;
        if dom.is_empty() && !missing {
            return Some(bottom());
        }
        let mut cube = Cube::new();
        cube.insert(var, VarDom { dom, missing });
        Some(Some(vec![cube]))
    }

    #[expect(
        clippy::many_single_char_names,
        reason = "a, b, c, l, r, x: the usual names for operands"
    )]
    fn walk(&mut self, e: &Expr, mode: Mode, depth: usize) -> Dnf {
        if depth > MAX_DEPTH {
            return None;
        }
        match &e.kind {
            ExprKind::Const(Const::Bool(b)) => {
                if *b == mode.pos {
                    top()
                } else {
                    bottom()
                }
            }
            ExprKind::Const(Const::Missing) => {
                if mode.weak {
                    top()
                } else {
                    bottom()
                }
            }
            ExprKind::Not(x) => self.walk(
                x,
                Mode {
                    pos: !mode.pos,
                    weak: mode.weak,
                },
                depth + 1,
            ),
            ExprKind::And(a, b) => {
                let (a, b) = (self.walk(a, mode, depth + 1), self.walk(b, mode, depth + 1));
                if mode.pos { and(a, b) } else { or(a, b) }
            }
            ExprKind::Or(a, b) => {
                let (a, b) = (self.walk(a, mode, depth + 1), self.walk(b, mode, depth + 1));
                if mode.pos { or(a, b) } else { and(a, b) }
            }
            ExprKind::Segment(id) => {
                if self.inline >= MAX_INLINE {
                    return top();
                }
                let Some(cond) = (self.env.segment)(*id) else {
                    return top();
                };
                self.inline += 1;
                let r = self.walk(cond, mode, depth + 1);
                self.inline -= 1;
                r
            }
            ExprKind::Field(_) | ExprKind::Let(_) if e.ty == Ty::Bool => {
                let Some((var, full)) = self.var_of(e) else {
                    return top();
                };
                self.atom(var, &full, &Dom::Bits(0b10, 0b11), mode)
            }
            ExprKind::IsMissing(x) => {
                let Some((var, full)) = self.var_of(x) else {
                    return top();
                };
                if !(self.env.optional)(var) {
                    // `never_missing` reports this already
                    return top();
                }
                let mut c = Cube::new();
                let d = if mode.pos {
                    VarDom {
                        dom: full.intersect(&full.complement()).unwrap_or(full),
                        missing: true,
                    }
                } else {
                    VarDom {
                        dom: full,
                        missing: false,
                    }
                };
                c.insert(var, d);
                Some(vec![c])
            }
            ExprKind::Cmp(op, l, r) => {
                if let Some(d) = self.coalesce_cmp(*op, l, r, mode) {
                    return d;
                }
                let (var, full, op, c) =
                    match (self.var_of(l), constant(r), self.var_of(r), constant(l)) {
                        (Some((v, f)), Some(c), _, _) => (v, f, *op, c),
                        (_, _, Some((v, f)), Some(c)) => (v, f, flip(*op), c),
                        _ => return top(),
                    };
                let Some(yes) = cmp_set(&full, op, c) else {
                    return top();
                };
                self.atom(var, &full, &yes, mode)
            }
            ExprKind::InRange { expr, lo, hi } => {
                let Some((var, full)) = self.var_of(expr) else {
                    return top();
                };
                if let (Dom::Bits(..), Some(l), Some(h)) = (&full, constant(lo), constant(hi)) {
                    // an ordered enum: `lo <= x and x <= hi` by declared position
                    let (Some(ge), Some(le)) =
                        (cmp_set(&full, CmpOp::Ge, l), cmp_set(&full, CmpOp::Le, h))
                    else {
                        return top();
                    };
                    let Some(yes) = ge.intersect(&le) else {
                        return top();
                    };
                    return self.atom(var, &full, &yes, mode);
                }
                let (Some(lo), Some(hi)) = (num(constant(lo)), num(constant(hi))) else {
                    return top();
                };
                let Dom::Num(n) = &full else { return top() };
                let yes = Dom::Num(NumSet::new(
                    vec![Iv {
                        lo: Fin(lo),
                        lo_in: true,
                        hi: Fin(hi),
                        hi_in: true,
                    }],
                    n.int,
                ));
                self.atom(var, &full, &yes, mode)
            }
            ExprKind::InList { expr, list } => {
                let Some((var, full)) = self.var_of(expr) else {
                    return top();
                };
                let mut yes: Option<Dom> = None;
                for item in list {
                    let Some(c) = constant(item) else {
                        return top();
                    };
                    let Some(s) = cmp_set(&full, CmpOp::Eq, c) else {
                        return top();
                    };
                    yes = Some(match yes {
                        None => s,
                        Some(acc) => match union(&acc, &s) {
                            Some(u) => u,
                            None => return top(),
                        },
                    });
                }
                let yes = yes
                    .unwrap_or_else(|| full.intersect(&full.complement()).unwrap_or(full.clone()));
                self.atom(var, &full, &yes, mode)
            }
            _ => top(),
        }
    }
}

fn union(a: &Dom, b: &Dom) -> Option<Dom> {
    // a ∪ b = not (not a ∩ not b)
    Some(a.complement().intersect(&b.complement())?.complement())
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

fn constant(e: &Expr) -> Option<&Const> {
    match &e.kind {
        ExprKind::Const(c) => Some(c),
        _ => None,
    }
}

fn num(c: Option<&Const>) -> Option<Decimal> {
    match c? {
        Const::Num(x) => Some(*x),
        Const::Date(d) => Some(Decimal::from(d.0)),
        Const::Duration(d) => Some(Decimal::from(*d)),
        _ => None,
    }
}

/// The present values `x` for which `x OP c` holds, in the domain's kind.
fn cmp_set(full: &Dom, op: CmpOp, c: &Const) -> Option<Dom> {
    match full {
        Dom::Num(n) => {
            let k = num(Some(c))?;
            let (inf, x) = (PosInf, Fin(k));
            let ivs = match op {
                CmpOp::Eq => vec![Iv::point(k)],
                CmpOp::Ne => vec![
                    Iv {
                        lo: NegInf,
                        lo_in: false,
                        hi: x,
                        hi_in: false,
                    },
                    Iv {
                        lo: x,
                        lo_in: false,
                        hi: inf,
                        hi_in: false,
                    },
                ],
                CmpOp::Lt => vec![Iv {
                    lo: NegInf,
                    lo_in: false,
                    hi: x,
                    hi_in: false,
                }],
                CmpOp::Le => vec![Iv {
                    lo: NegInf,
                    lo_in: false,
                    hi: x,
                    hi_in: true,
                }],
                CmpOp::Gt => vec![Iv {
                    lo: x,
                    lo_in: false,
                    hi: inf,
                    hi_in: false,
                }],
                CmpOp::Ge => vec![Iv {
                    lo: x,
                    lo_in: true,
                    hi: inf,
                    hi_in: false,
                }],
            };
            Some(Dom::Num(NumSet::new(ivs, n.int)))
        }
        Dom::Text(_) => {
            let Const::Text(t) = c else { return None };
            // As the evaluator compares texts: trimmed, by simple case folding.
            let set: BTreeSet<String> = std::iter::once(icp_base::fold::key(t)).collect();
            match op {
                CmpOp::Eq => Some(Dom::Text(TextSet::Only(set))),
                CmpOp::Ne => Some(Dom::Text(TextSet::AllBut(set))),
                _ => None,
            }
        }
        Dom::Bits(_, fullmask) => {
            let bit = match c {
                Const::Enum(_, i) if *i < 64 => 1u64 << i,
                Const::Bool(b) => {
                    if *b {
                        0b10
                    } else {
                        0b01
                    }
                }
                _ => return None,
            };
            // An ordered enum (the checker allows `< <= > >=` on no other) compares by
            // declared position, which is the variant's index: the variants below `bit`
            // are the bits below it.
            let below = bit - 1;
            match (op, c) {
                (CmpOp::Eq, _) => Some(Dom::Bits(bit, *fullmask)),
                (CmpOp::Ne, _) => Some(Dom::Bits(!bit & fullmask, *fullmask)),
                (CmpOp::Lt, Const::Enum(..)) => Some(Dom::Bits(below & fullmask, *fullmask)),
                (CmpOp::Le, Const::Enum(..)) => {
                    Some(Dom::Bits((below | bit) & fullmask, *fullmask))
                }
                (CmpOp::Gt, Const::Enum(..)) => {
                    Some(Dom::Bits(!(below | bit) & fullmask, *fullmask))
                }
                (CmpOp::Ge, Const::Enum(..)) => Some(Dom::Bits(!below & fullmask, *fullmask)),
                _ => None,
            }
        }
    }
}

fn sat(d: &Dnf) -> bool {
    d.as_ref().is_none_or(|v| !v.is_empty())
}

/// Whether some assignment makes the condition true.
pub(crate) fn can_be_true(e: &Expr, env: &Env<'_>) -> bool {
    let mut p = Pass { env, inline: 0 };
    sat(&p.walk(
        e,
        Mode {
            pos: true,
            weak: false,
        },
        0,
    ))
}

/// Whether some assignment makes the condition false or unknown.
pub(crate) fn can_be_not_true(e: &Expr, env: &Env<'_>) -> bool {
    let mut p = Pass { env, inline: 0 };
    sat(&p.walk(
        e,
        Mode {
            pos: false,
            weak: true,
        },
        0,
    ))
}

/// Whether `a` can be true while `b` is not true (false or unknown).
pub(crate) fn can_be_true_without(a: &Expr, b: &Expr, env: &Env<'_>) -> bool {
    let mut p = Pass { env, inline: 0 };
    let ta = p.walk(
        a,
        Mode {
            pos: true,
            weak: false,
        },
        0,
    );
    let nb = p.walk(
        b,
        Mode {
            pos: false,
            weak: true,
        },
        0,
    );
    sat(&and(ta, nb))
}
