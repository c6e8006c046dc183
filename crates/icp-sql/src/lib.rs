//! Compiles one profile of a checked [`Program`] to one SQL query that scores every row of a
//! table the way `icp score` does: key, `score`, `tier`, `action`, `coverage`, `reasons`,
//! `error` and one `score.GROUP` per group, one row per input row.
//!
//! The query is a chain of CTEs, one per stage: `read` (typed columns, invalid rows; with
//! [`Mode::RawText`] the text cells read by the value readers, see `raw.rs`),
//! `segments`, `criteria` (one `c_NAME` points column and one `d_NAME` decided column per
//! criterion), `exclusions`, `score` and `tier`.
//!
//! Exactness: a criterion's points are constants (`weight` or `weight × practical_share`),
//! so the compiler scales them by `10^k` to whole numbers and the query sums whole numbers.
//! The score is `100 × P / W` with `W` (the sum of positive weights) a constant: a threshold
//! `t` compares `100 × P >= t × W` without dividing, and the displayed score is
//! `floor((2 × 100 × 100 × P + W) / (2 × W)) / 100`, rounded half away from zero exactly.
//!
//! Depends on the checked program only (`icp-model`, `icp-base`), never on the evaluator.

#![allow(
    clippy::doc_markdown,
    reason = "product names (DuckDB, PostgreSQL, BigQuery) are not code"
)]
#![allow(
    clippy::many_single_char_names,
    reason = "SQL fragments: `d` dialect, `k` scale, `w` weight, `p` points, as in the docs"
)]

mod dialect;
mod raw;

use std::fmt::Write as _;

pub use dialect::Dialect;
use icp_base::{CmpOp, ContainsMode};
use icp_model::{
    ArithOp, Const, CriterionBody, Date, Decimal, EnumId, Expr, ExprKind, Field, Profile,
    ProfileId, Program, Schema, TierRule, Ty, num,
};

/// How the table's columns hold the values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Typed columns: see `docs/sql.md` for the SQL type of each field type.
    Typed,
    /// Text columns, read with `icp score`'s value readers compiled to SQL.
    RawText,
}

/// What to compile.
#[derive(Debug, Clone)]
pub struct Options {
    /// The profile.
    pub profile: ProfileId,
    /// The dialect.
    pub dialect: Dialect,
    /// The table (or view) the rows are read from.
    pub table: String,
    /// Typed or raw text columns.
    pub mode: Mode,
    /// `today`; without it the query uses `CURRENT_DATE`.
    pub as_of: Option<Date>,
    /// With [`Mode::RawText`]: the cells' numbers have a decimal comma (`1.200,50`; `.`
    /// groups thousands), as `--decimal ,` reads them.
    pub decimal_comma: bool,
    /// Wrap the query in `CREATE OR REPLACE VIEW NAME AS`.
    pub view: Option<String>,
    /// Lines of the header comment (the program's hash, icp's version); each is written
    /// after `-- `, with line breaks replaced.
    pub header: Vec<String>,
}

/// Why a profile cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No profile with this id.
    NoProfile,
    /// The mode or a construct the compiler does not handle yet.
    Unsupported(String),
    /// A weight needs more digits than the query's whole-number points hold.
    TooPrecise,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::NoProfile => write!(f, "no such profile"),
            Error::Unsupported(what) => write!(f, "not supported yet: {what}"),
            Error::TooPrecise => write!(
                f,
                "a weight or practical share has too many digits for exact SQL points (at most 38 in all)"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Compile one profile of `program` to SQL text.
///
/// # Errors
/// [`Error`] when the profile does not exist, or weights need more than 38 digits once
/// scaled to whole numbers.
pub fn compile(program: &Program, options: &Options) -> Result<String, Error> {
    let profile = program.profile(options.profile).ok_or(Error::NoProfile)?;
    let schema = program.schema(profile.schema).ok_or(Error::NoProfile)?;
    let c = Compiler {
        program,
        profile,
        schema,
        d: options.dialect,
        today: options.as_of,
        comma: options.decimal_comma,
    };
    c.query(options)
}

struct Compiler<'a> {
    program: &'a Program,
    profile: &'a Profile,
    schema: &'a Schema,
    d: Dialect,
    today: Option<Date>,
    /// `--raw-text` cells have a decimal comma.
    comma: bool,
}

/// A decimal's text without exponent.
fn dec(x: Decimal) -> String {
    x.normalize().to_string()
}

/// `x × 10^k` as a whole number, if exact and within 38 digits.
fn scaled(x: Decimal, k: u32) -> Result<i128, Error> {
    let x = x.normalize();
    let m = x.mantissa();
    let s = x.scale();
    let up = k.checked_sub(s).ok_or(Error::TooPrecise)?;
    let p = 10_i128.checked_pow(up).ok_or(Error::TooPrecise)?;
    let v = m.checked_mul(p).ok_or(Error::TooPrecise)?;
    if v.unsigned_abs() >= 10_u128.pow(37) {
        return Err(Error::TooPrecise);
    }
    Ok(v)
}

impl Compiler<'_> {
    fn id(&self, s: &str) -> String {
        self.d.ident(s)
    }

    fn field(&self, f: icp_model::FieldId) -> Option<&Field> {
        self.schema.field(f)
    }

    /// A constant as SQL of its type.
    fn konst(&self, c: &Const, ty: &Ty) -> String {
        match c {
            Const::Missing => "NULL".into(),
            Const::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            Const::Num(x) => match ty {
                Ty::Duration => dec(*x),
                _ => self.d.number(&dec(*x)),
            },
            Const::Text(t) => self.d.string(t),
            Const::Date(dt) => self.d.date(*dt),
            Const::Duration(n) => n.to_string(),
            Const::Enum(e, i) => self.variant(*e, *i),
            Const::List(items) => {
                let inner = match ty {
                    Ty::Set(t) | Ty::List(t) => t.as_ref().clone(),
                    _ => Ty::Text,
                };
                let parts: Vec<String> = items.iter().map(|i| self.konst(i, &inner)).collect();
                format!("ARRAY[{}]", parts.join(", "))
            }
        }
    }

    fn variant(&self, e: EnumId, i: u32) -> String {
        let name = self
            .program
            .enum_ty(e)
            .and_then(|t| t.variants.get(i as usize))
            .map_or("", |v| v.name.as_str());
        self.d.string(name)
    }

    /// An ordered enum's value as its position.
    fn position(&self, e: EnumId, x: &Expr) -> String {
        if let ExprKind::Const(Const::Enum(_, i)) = &x.kind {
            return i.to_string();
        }
        let sx = self.expr(x);
        let mut out = format!("(CASE {sx}");
        if let Some(t) = self.program.enum_ty(e) {
            for (i, v) in t.variants.iter().enumerate() {
                let _ = write!(out, " WHEN {} THEN {i}", self.d.string(&v.name));
            }
        }
        out.push_str(" END)");
        out
    }

    fn is_text(ty: &Ty) -> bool {
        matches!(ty, Ty::Text)
    }

    #[allow(clippy::unused_self, reason = "a method like the other SQL builders")]
    fn lower(&self, x: &str) -> String {
        format!("lower(trim({x}))")
    }

    fn today(&self) -> String {
        self.today
            .map_or_else(|| "CURRENT_DATE".to_owned(), |t| self.d.date(t))
    }

    /// Operands that may be NULL: constants other than missing never are.
    fn nullable(x: &Expr) -> bool {
        !matches!(&x.kind, ExprKind::Const(c) if *c != Const::Missing)
    }

    /// `CASE WHEN any operand IS NULL THEN NULL ELSE body END`.
    #[allow(clippy::unused_self, reason = "a method like the other SQL builders")]
    fn strict(&self, operands: &[&Expr], sql: &[String], body: &str) -> String {
        let checks: Vec<String> = operands
            .iter()
            .zip(sql)
            .filter(|(e, _)| Self::nullable(e))
            .map(|(_, s)| format!("{s} IS NULL"))
            .collect();
        if checks.is_empty() {
            format!("({body})")
        } else {
            format!(
                "(CASE WHEN {} THEN NULL ELSE {body} END)",
                checks.join(" OR ")
            )
        }
    }

    fn cmp_sql(op: CmpOp) -> &'static str {
        match op {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Both sides of a comparison, as SQL that compares the way the language does.
    fn comparable(&self, a: &Expr, b: &Expr) -> (String, String) {
        match (&a.ty, &b.ty) {
            (Ty::Enum(e), _) | (_, Ty::Enum(e)) => {
                let ordered = self.program.enum_ty(*e).is_some_and(|t| t.ordered);
                if ordered {
                    (self.position(*e, a), self.position(*e, b))
                } else {
                    (self.expr(a), self.expr(b))
                }
            }
            (ta, tb) if Self::is_text(ta) || Self::is_text(tb) => {
                (self.lower(&self.expr(a)), self.lower(&self.expr(b)))
            }
            _ => (self.expr(a), self.expr(b)),
        }
    }

    /// A boolean, number, text, date, enum (variant name), set (array) or duration (days).
    #[allow(clippy::too_many_lines, reason = "one arm per expression kind")]
    fn expr(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Const(c) => self.konst(c, &e.ty),
            ExprKind::Field(f) => self
                .field(*f)
                .map_or_else(|| "NULL".into(), |f| self.id(&format!("f_{}", f.name))),
            ExprKind::Let(l) => self
                .profile
                .lets
                .get(l.index())
                .map_or_else(|| "NULL".into(), |l| self.expr(&l.expr)),
            ExprKind::Segment(s) => self
                .program
                .segment(*s)
                .map_or_else(|| "NULL".into(), |s| format!("({})", self.expr(&s.cond))),
            ExprKind::Today => self.today(),
            ExprKind::Score => "score_exact".into(),
            ExprKind::GroupScore(g) => format!("score_exact_{}", g.0),
            ExprKind::Not(x) => format!("(NOT {})", self.expr(x)),
            ExprKind::Neg(x) => format!("(-{})", self.expr(x)),
            ExprKind::And(a, b) => format!("({} AND {})", self.expr(a), self.expr(b)),
            ExprKind::Or(a, b) => format!("({} OR {})", self.expr(a), self.expr(b)),
            ExprKind::Cmp(op, a, b) => {
                if let Some(s) = self.score_cmp(*op, a, b) {
                    return s;
                }
                let (sa, sb) = self.comparable(a, b);
                format!("({sa} {} {sb})", Self::cmp_sql(*op))
            }
            ExprKind::Arith(op, a, b) => self.arith(*op, a, b, &e.ty),
            ExprKind::Coalesce(a, b) => {
                format!("COALESCE({}, {})", self.expr(a), self.expr(b))
            }
            ExprKind::InRange { expr, lo, hi } => {
                let (sx, slo) = self.comparable(expr, lo);
                let (_, shi) = self.comparable(expr, hi);
                let body = format!("({sx} >= {slo} AND {sx} <= {shi})");
                self.strict(
                    &[expr, lo, hi],
                    &[sx.clone(), slo.clone(), shi.clone()],
                    &body,
                )
            }
            ExprKind::InList { expr, list } => {
                let mut ops: Vec<&Expr> = vec![expr];
                let mut sql = Vec::new();
                let mut sx = String::new();
                let mut items = Vec::new();
                for item in list {
                    let (a, b) = self.comparable(expr, item);
                    sx = a;
                    items.push(b);
                    ops.push(item);
                }
                if list.is_empty() {
                    let x = self.expr(expr);
                    return format!("(CASE WHEN {x} IS NULL THEN NULL ELSE FALSE END)");
                }
                sql.push(sx.clone());
                sql.extend(items.iter().cloned());
                let body = format!("{sx} IN ({})", items.join(", "));
                self.strict(&ops, &sql, &body)
            }
            ExprKind::Contains {
                expr,
                mode,
                needles,
            } => self.contains(expr, *mode, needles),
            ExprKind::IsMissing(x) => format!("({} IS NULL)", self.expr(x)),
        }
    }

    /// `score OP constant` (or a group score) without dividing: `100 × P OP c × W`.
    fn score_cmp(&self, op: CmpOp, a: &Expr, b: &Expr) -> Option<String> {
        let (s, c, op) = match (&a.kind, &b.kind) {
            (ExprKind::Score | ExprKind::GroupScore(_), ExprKind::Const(Const::Num(c))) => {
                (a, *c, op)
            }
            (ExprKind::Const(Const::Num(c)), ExprKind::Score | ExprKind::GroupScore(_)) => {
                (b, *c, flip(op))
            }
            _ => return None,
        };
        let (p, w) = match &s.kind {
            ExprKind::GroupScore(g) => (format!("pc_{}", g.0), self.group_weight(g.index())),
            _ => ("pc".to_owned(), self.pos_weight()),
        };
        let w = w.ok()?;
        if w == 0 {
            return Some("CAST(NULL AS BOOLEAN)".into());
        }
        Some(format!(
            "({})",
            self.points_cmp(&p, Self::cmp_sql(op), c, w)?
        ))
    }

    /// `score OP c` for the points `p` of the weight `w`, in whole numbers: `100 × 10^s × p
    /// OP m × w` where `c = m / 10^s`. `None` when a side reaches 10^38.
    fn points_cmp(&self, p: &str, op: &str, c: Decimal, w: i128) -> Option<String> {
        let c = c.normalize();
        let f = 10_i128.checked_pow(c.scale())?.checked_mul(100)?;
        let rhs = c.mantissa().checked_mul(w)?;
        let limit = 10_i128.pow(38);
        if f.checked_mul(w)? >= limit || rhs.unsigned_abs() >= limit.unsigned_abs() {
            return None;
        }
        Some(format!("{f} * {p} {op} {}", self.d.exact(&rhs.to_string())))
    }

    fn arith(&self, op: ArithOp, a: &Expr, b: &Expr, ty: &Ty) -> String {
        let sa = self.expr(a);
        let sb = self.expr(b);
        match (op, &a.ty, &b.ty) {
            (ArithOp::Add, Ty::Date, _) => self.d.date_add(&sa, &sb),
            (ArithOp::Add, _, Ty::Date) => self.d.date_add(&sb, &sa),
            (ArithOp::Sub, Ty::Date, Ty::Date) => self.d.date_diff(&sa, &sb),
            (ArithOp::Sub, Ty::Date, _) => self.d.date_add(&sa, &format!("(-{sb})")),
            (ArithOp::Add | ArithOp::Sub, _, _) if !is_number(ty) => {
                format!("({sa} {} {sb})", if op == ArithOp::Add { '+' } else { '-' })
            }
            (ArithOp::Add, _, _) => self.d.add('+', &sa, &sb),
            (ArithOp::Sub, _, _) => self.d.add('-', &sa, &sb),
            (ArithOp::Mul, _, _) => {
                if *ty == Ty::Duration {
                    self.d.cast(&format!("({sa}) * ({sb})"), self.d.days())
                } else {
                    self.d.mul(&sa, &sb)
                }
            }
            (ArithOp::Div, _, _) => {
                let q = if *ty == Ty::Duration {
                    self.d.cast(
                        &format!("{} / ({sb})", self.d.cast(&sa, self.d.decimal())),
                        self.d.days(),
                    )
                } else {
                    self.d.div(&sa, &sb)
                };
                format!("(CASE WHEN {sb} = 0 THEN NULL ELSE {q} END)")
            }
        }
    }

    fn contains(&self, x: &Expr, mode: ContainsMode, needles: &[Expr]) -> String {
        let sx = self.expr(x);
        let ns: Vec<String> = needles.iter().map(|n| self.expr(n)).collect();
        let set = matches!(x.ty, Ty::Set(_));
        let tests: Vec<String> = ns
            .iter()
            .map(|n| {
                if set {
                    self.d.set_has(&sx, n)
                } else {
                    self.d.substring(&self.lower(&sx), &self.lower(n))
                }
            })
            .collect();
        let body = if tests.is_empty() {
            match mode {
                ContainsMode::All => "TRUE".to_owned(),
                _ => "FALSE".to_owned(),
            }
        } else {
            let join = if mode == ContainsMode::All {
                " AND "
            } else {
                " OR "
            };
            format!("({})", tests.join(join))
        };
        let mut ops: Vec<&Expr> = vec![x];
        ops.extend(needles.iter());
        let mut sql = vec![sx];
        sql.extend(ns);
        self.strict(&ops, &sql, &body)
    }

    /// The scale `k` that makes every criterion's points a whole number.
    fn scale(&self) -> u32 {
        let mut k = 0;
        for c in &self.profile.criteria {
            k = k.max(c.weight.normalize().scale());
            if let CriterionBody::Scorecard {
                practical: Some(_), ..
            } = c.body
                && let Some(p) = c.weight.checked_mul(c.share(self.profile))
            {
                k = k.max(p.normalize().scale());
            }
        }
        k
    }

    fn pos_weight(&self) -> Result<i128, Error> {
        let k = self.scale();
        self.profile
            .criteria
            .iter()
            .filter(|c| c.weight > Decimal::ZERO)
            .try_fold(0_i128, |acc, c| {
                acc.checked_add(scaled(c.weight, k)?)
                    .ok_or(Error::TooPrecise)
            })
    }

    fn group_weight(&self, g: usize) -> Result<i128, Error> {
        let k = self.scale();
        self.profile
            .criteria
            .iter()
            .filter(|c| {
                c.weight > Decimal::ZERO && c.group.map(icp_model::GroupId::index) == Some(g)
            })
            .try_fold(0_i128, |acc, c| {
                acc.checked_add(scaled(c.weight, k)?)
                    .ok_or(Error::TooPrecise)
            })
    }

    fn abs_weight(&self) -> Result<i128, Error> {
        let k = self.scale();
        self.profile.criteria.iter().try_fold(0_i128, |acc, c| {
            acc.checked_add(scaled(c.weight.abs(), k)?)
                .ok_or(Error::TooPrecise)
        })
    }

    /// The typed column of a field, as the `read` stage selects it.
    fn read_column(&self, f: &Field) -> String {
        let col = self.id(&f.column);
        match &f.ty {
            Ty::Bool => self.d.cast(&col, self.d.boolean()),
            Ty::Int | Ty::Number | Ty::Money | Ty::Percent => self.d.cast(&col, self.d.decimal()),
            Ty::Text => self.d.cast(&col, self.d.text()),
            Ty::Date => self.d.cast(&col, "DATE"),
            Ty::Duration => self.d.cast(&col, self.d.days()),
            Ty::Enum(e) => {
                let Some(t) = self.program.enum_ty(*e) else {
                    return col;
                };
                let names: Vec<String> =
                    t.variants.iter().map(|v| self.d.string(&v.name)).collect();
                let other = t
                    .catch_all
                    .and_then(|i| t.variants.get(i as usize))
                    .map_or_else(|| "NULL".to_owned(), |v| self.d.string(&v.name));
                let text = self.d.cast(&col, self.d.text());
                format!(
                    "CASE WHEN {text} IS NULL THEN NULL WHEN {text} IN ({}) THEN {text} ELSE {other} END",
                    names.join(", ")
                )
            }
            Ty::Set(_) | Ty::List(_) => col,
        }
    }

    /// The error text of a row: every required field that is missing, every enum value that
    /// names no variant.
    fn read_error(&self) -> String {
        let mut parts = Vec::new();
        for f in &self.schema.fields {
            let col = self.id(&f.column);
            if !f.optional {
                let msg = format!("column `{}`: missing value; ", f.column);
                parts.push(format!(
                    "CASE WHEN {col} IS NULL THEN {} ELSE '' END",
                    self.d.string(&msg)
                ));
            }
            if let Ty::Enum(e) = &f.ty
                && let Some(t) = self.program.enum_ty(*e)
                && t.catch_all.is_none()
            {
                let names: Vec<String> =
                    t.variants.iter().map(|v| self.d.string(&v.name)).collect();
                let msg = format!("column `{}`: not a variant; ", f.column);
                parts.push(format!(
                    "CASE WHEN {col} IS NOT NULL AND {} NOT IN ({}) THEN {} ELSE '' END",
                    self.d.cast(&col, self.d.text()),
                    names.join(", "),
                    self.d.string(&msg)
                ));
            }
        }
        if parts.is_empty() {
            return "CAST(NULL AS VARCHAR)".replace("VARCHAR", self.d.text());
        }
        let all = parts.join(" || ");
        format!("NULLIF({all}, '')")
    }

    /// The `read` stage of typed columns: `WITH read AS (...),`.
    fn typed_read(&self, q: &mut String, table: &str, keyless: bool) {
        q.push_str("WITH read AS (\n  SELECT\n");
        let mut cols = Vec::new();
        for f in &self.schema.fields {
            cols.push(format!(
                "    {} AS {}",
                self.read_column(f),
                self.id(&format!("f_{}", f.name))
            ));
        }
        if keyless {
            cols.push(format!("    ROW_NUMBER() OVER () AS {}", self.id("row")));
        }
        cols.push(format!("    {} AS icp_error", self.read_error()));
        q.push_str(&cols.join(",\n"));
        let _ = write!(q, "\n  FROM {}\n),\n", self.id(table));
    }

    #[allow(clippy::too_many_lines, reason = "one stage after the other")]
    fn query(&self, options: &Options) -> Result<String, Error> {
        let d = self.d;
        let k = self.scale();
        let w = self.pos_weight()?;
        let a = self.abs_weight()?;
        // The largest whole number the query computes is `20000 * pc + w` (pc <= w <= a),
        // in DECIMAL(38, 0) or HUGEINT: it must stay below 10^38.
        if a.checked_mul(20_001).is_none_or(|x| x >= 10_i128.pow(38)) {
            return Err(Error::TooPrecise);
        }
        let mut q = String::new();
        let _ = writeln!(
            q,
            "-- Compiled by icp from profile `{}` ({} dialect, {}).",
            self.profile.name,
            d.name(),
            match options.mode {
                Mode::Typed => "typed columns",
                Mode::RawText if self.comma => "text columns with a decimal comma",
                Mode::RawText => "text columns",
            }
        );
        for line in &options.header {
            let _ = writeln!(q, "-- {}", line.replace(['\n', '\r'], " "));
        }
        let _ = writeln!(
            q,
            "-- Points are whole numbers scaled by 10^{k}; the score is 100 * points / {w}."
        );
        if let Some(v) = &options.view {
            let _ = writeln!(q, "CREATE OR REPLACE VIEW {} AS", self.id(v));
        }
        let key = self
            .schema
            .key
            .and_then(|k| self.schema.field(k))
            .map(|f| f.name.clone());
        // read
        if options.mode == Mode::RawText {
            q.push_str(&self.raw_read(&options.table, key.is_none()));
        } else {
            self.typed_read(&mut q, &options.table, key.is_none());
        }
        // segments
        q.push_str("segments AS (\n  SELECT\n    read.*");
        for t in &self.profile.targets {
            if let Some(s) = self.program.segment(*t) {
                let _ = write!(
                    q,
                    ",\n    {} AS {}",
                    self.expr(&s.cond),
                    self.id(&format!("s_{}", s.name))
                );
            }
        }
        q.push_str("\n  FROM read\n),\n");
        // criteria
        q.push_str("criteria AS (\n  SELECT\n    segments.*");
        for c in &self.profile.criteria {
            let full = scaled(c.weight, k)?;
            let (points, decided) = match &c.body {
                CriterionBody::Bool(e) => {
                    let s = self.expr(e);
                    (
                        format!("CASE WHEN {s} THEN {full} ELSE 0 END"),
                        format!("{s} IS NOT NULL"),
                    )
                }
                CriterionBody::Scorecard { perfect, practical } => {
                    let pf = self.expr(perfect);
                    match practical {
                        None => (
                            format!("CASE WHEN {pf} THEN {full} ELSE 0 END"),
                            format!("{pf} IS NOT NULL"),
                        ),
                        Some(pr) => {
                            let pr = self.expr(pr);
                            let part = c
                                .weight
                                .checked_mul(c.share(self.profile))
                                .ok_or(Error::TooPrecise)?;
                            let part = scaled(part, k)?;
                            (
                                format!(
                                    "CASE WHEN {pf} THEN {full} WHEN {pr} THEN {part} ELSE 0 END"
                                ),
                                format!(
                                    "CASE WHEN {pf} THEN TRUE WHEN {pr} THEN TRUE WHEN {pf} IS NULL OR {pr} IS NULL THEN FALSE ELSE TRUE END"
                                ),
                            )
                        }
                    }
                }
            };
            let _ = write!(
                q,
                ",\n    {} AS {},\n    {} AS {}",
                d.cast(&points, d.integer()),
                self.id(&format!("c_{}", c.name)),
                decided,
                self.id(&format!("d_{}", c.name))
            );
        }
        q.push_str("\n  FROM segments\n),\n");
        // exclusions
        q.push_str("exclusions AS (\n  SELECT\n    criteria.*");
        for x in &self.profile.excludes {
            let _ = write!(
                q,
                ",\n    {} AS {}",
                self.expr(&x.cond),
                self.id(&format!("x_{}", x.name))
            );
        }
        q.push_str("\n  FROM criteria\n),\n");
        // score
        let sum = |filter: &dyn Fn(&icp_model::Criterion) -> bool| -> String {
            let parts: Vec<String> = self
                .profile
                .criteria
                .iter()
                .filter(|c| filter(c))
                .map(|c| self.id(&format!("c_{}", c.name)))
                .collect();
            if parts.is_empty() {
                d.cast("0", d.integer())
            } else {
                parts.join(" + ")
            }
        };
        let clamp = |p: &str, w: i128| format!("LEAST(GREATEST({p}, 0), {w})");
        q.push_str("score AS (\n  SELECT\n    exclusions.*");
        let _ = write!(q, ",\n    {} AS pc", clamp(&sum(&|_| true), w));
        for (gi, _) in self.profile.groups.iter().enumerate() {
            let gw = self.group_weight(gi)?;
            let _ = write!(
                q,
                ",\n    {} AS pc_{gi}",
                clamp(
                    &sum(&|c| c.group.map(icp_model::GroupId::index) == Some(gi)),
                    gw
                )
            );
        }
        let decided: Vec<String> = self
            .profile
            .criteria
            .iter()
            .map(|c| {
                Ok(format!(
                    "CASE WHEN {} THEN {} ELSE 0 END",
                    self.id(&format!("d_{}", c.name)),
                    scaled(c.weight.abs(), k)?
                ))
            })
            .collect::<Result<_, Error>>()?;
        let decided = if decided.is_empty() {
            "0".to_owned()
        } else {
            decided.join(" + ")
        };
        let _ = write!(q, ",\n    {} AS dc", d.cast(&decided, d.integer()));
        q.push_str("\n  FROM exclusions\n),\n");
        // exact scores for `when` conditions that are not `score OP constant`
        let exact = |p: &str, w: i128| {
            if w == 0 {
                "NULL".to_owned()
            } else {
                format!("{} / {w}", d.cast(&format!("100 * {p}"), d.decimal()))
            }
        };
        // tier
        q.push_str("tier AS (\n  SELECT\n    score.*");
        let _ = write!(q, ",\n    {} AS score_exact", exact("pc", w));
        for (gi, _) in self.profile.groups.iter().enumerate() {
            let _ = write!(
                q,
                ",\n    {} AS score_exact_{gi}",
                exact(&format!("pc_{gi}"), self.group_weight(gi)?)
            );
        }
        q.push_str("\n  FROM score\n),\n");
        q.push_str("ranked AS (\n  SELECT\n    tier.*,\n    CASE\n");
        q.push_str("      WHEN icp_error IS NOT NULL THEN 'invalid'\n");
        if !self.profile.targets.is_empty() {
            let any: Vec<String> = self
                .profile
                .targets
                .iter()
                .filter_map(|t| self.program.segment(*t))
                .map(|s| format!("COALESCE({}, FALSE)", self.id(&format!("s_{}", s.name))))
                .collect();
            let _ = writeln!(
                q,
                "      WHEN NOT ({}) THEN 'out_of_segment'",
                any.join(" OR ")
            );
        }
        for x in &self.profile.excludes {
            let _ = writeln!(
                q,
                "      WHEN COALESCE({}, FALSE) THEN 'excluded'",
                self.id(&format!("x_{}", x.name))
            );
        }
        for t in &self.profile.tiers {
            let name = d.string(&t.name);
            match &t.rule {
                TierRule::Threshold(th) => {
                    if w == 0 {
                        continue;
                    }
                    let cmp = self
                        .points_cmp("pc", ">=", *th, w)
                        .ok_or(Error::TooPrecise)?;
                    let _ = writeln!(q, "      WHEN {cmp} THEN {name}");
                }
                TierRule::When(e) => {
                    let _ = writeln!(
                        q,
                        "      WHEN COALESCE({}, FALSE) THEN {name}",
                        self.expr(e)
                    );
                }
                TierRule::CatchAll => {
                    let _ = writeln!(q, "      ELSE {name}");
                }
            }
        }
        q.push_str("    END AS tier\n  FROM tier\n)\n");
        // output
        let display = |p: &str, w: i128| {
            if w == 0 {
                "NULL".to_owned()
            } else {
                d.hundredths(&format!(
                    "CAST({} AS {})",
                    d.int_div(&format!("20000 * {p} + {w}"), &(2 * w).to_string()),
                    d.integer()
                ))
            }
        };
        let valid = |x: String| format!("CASE WHEN icp_error IS NULL THEN {x} END");
        q.push_str("SELECT\n");
        let mut out = Vec::new();
        out.push(format!(
            "  {}",
            key.as_ref().map_or_else(
                || self.id("row"),
                |k| format!("{} AS {}", self.id(&format!("f_{k}")), self.id(k))
            )
        ));
        out.push(format!("  {} AS score", valid(display("pc", w))));
        out.push("  tier".to_owned());
        if self.profile.tiers.iter().any(|t| t.action.is_some()) {
            let mut act = String::from("  CASE tier");
            for t in &self.profile.tiers {
                if let Some(a) = &t.action {
                    let _ = write!(act, " WHEN {} THEN {}", d.string(&t.name), d.string(a));
                }
            }
            act.push_str(" END AS action");
            out.push(act);
        }
        let cov = if a == 0 {
            d.hundredths(&d.cast("100", d.integer()))
        } else {
            d.hundredths(&format!(
                "CAST({} AS {})",
                d.int_div(&format!("200 * dc + {a}"), &(2 * a).to_string()),
                d.integer()
            ))
        };
        out.push(format!("  {} AS coverage", valid(cov)));
        out.push(format!("  {} AS reasons", valid(self.reasons(k)?)));
        out.push("  icp_error AS error".to_owned());
        for (gi, g) in self.profile.groups.iter().enumerate() {
            out.push(format!(
                "  {} AS {}",
                valid(display(&format!("pc_{gi}"), self.group_weight(gi)?)),
                self.id(&format!("score.{}", g.name))
            ));
        }
        q.push_str(&out.join(",\n"));
        q.push_str("\nFROM ranked\n");
        Ok(q)
    }

    /// The reasons text, as `icp score` writes it.
    fn reasons(&self, k: u32) -> Result<String, Error> {
        let d = self.d;
        let mut pieces = Vec::new();
        if !self.profile.targets.is_empty() {
            let any: Vec<String> = self
                .profile
                .targets
                .iter()
                .filter_map(|t| self.program.segment(*t))
                .map(|s| format!("COALESCE({}, FALSE)", self.id(&format!("s_{}", s.name))))
                .collect();
            let mut seg = format!(
                "CASE WHEN NOT ({}) THEN '; out_of_segment:'",
                any.join(" OR ")
            );
            // As natively: ` a false, b unknown` (a comma before every target but the first).
            let named = self
                .profile
                .targets
                .iter()
                .filter_map(|t| self.program.segment(*t));
            for (k, s) in named.enumerate() {
                let lead = if k == 0 { " " } else { ", " };
                let col = self.id(&format!("s_{}", s.name));
                let _ = write!(
                    seg,
                    " || CASE WHEN {col} IS NULL THEN {} WHEN {col} THEN {} ELSE {} END",
                    d.string(&format!("{lead}{} unknown", s.name)),
                    d.string(&format!("{lead}{} true", s.name)),
                    d.string(&format!("{lead}{} false", s.name)),
                );
            }
            seg.push_str(" ELSE '' END");
            pieces.push(seg);
        }
        for x in &self.profile.excludes {
            let mut text = format!("; excluded: {}", x.name);
            if let Some(r) = &x.reason {
                let _ = write!(text, " ({r})");
            }
            pieces.push(format!(
                "CASE WHEN COALESCE({}, FALSE) THEN {} ELSE '' END",
                self.id(&format!("x_{}", x.name)),
                d.string(&text)
            ));
        }
        for c in &self.profile.criteria {
            let col = self.id(&format!("c_{}", c.name));
            let full = scaled(c.weight, k)?;
            let mut full_text = format!("; {} ", c.name);
            points(&mut full_text, c.weight);
            let mut perfect = format!("{col} = {full}");
            let mut practical = None;
            if let Some(part) = c.weight.checked_mul(c.share(self.profile))
                && let CriterionBody::Scorecard {
                    perfect: pf,
                    practical: Some(_),
                } = &c.body
            {
                let mut t = format!("; {} ", c.name);
                points(&mut t, part);
                t.push_str(" (practical)");
                let part = scaled(part, k)?;
                if part == full {
                    // `practical_share 100%`: the points do not tell the branches apart.
                    perfect = format!("COALESCE({}, FALSE)", self.expr(pf));
                }
                practical = Some((part, t));
            }
            let mut arm = format!(
                "CASE WHEN {perfect} AND {col} <> 0 THEN {}",
                d.string(&full_text)
            );
            if let Some((part, t)) = practical {
                let _ = write!(
                    arm,
                    " WHEN {col} = {part} AND {col} <> 0 THEN {}",
                    d.string(&t)
                );
            }
            arm.push_str(" ELSE '' END");
            pieces.push(arm);
        }
        let mut unknown = Vec::new();
        for c in &self.profile.criteria {
            unknown.push(format!(
                "CASE WHEN NOT {} THEN {} ELSE '' END",
                self.id(&format!("d_{}", c.name)),
                d.string(&format!(", {}", c.name))
            ));
        }
        for x in &self.profile.excludes {
            unknown.push(format!(
                "CASE WHEN {} IS NULL THEN {} ELSE '' END",
                self.id(&format!("x_{}", x.name)),
                d.string(&format!(", {}", x.name))
            ));
        }
        if !unknown.is_empty() {
            let list = format!("({})", unknown.join(" || "));
            pieces.push(format!(
                "CASE WHEN {list} = '' THEN '' ELSE '; unknown: ' || SUBSTR({list}, 3) END"
            ));
        }
        if pieces.is_empty() {
            return Ok("''".into());
        }
        Ok(format!("SUBSTR({}, 3)", pieces.join("\n    || ")))
    }
}

/// Whether values of `ty` are the dialect's exact decimals (not whole days).
fn is_number(ty: &Ty) -> bool {
    matches!(ty, Ty::Int | Ty::Number | Ty::Money | Ty::Percent)
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        o => o,
    }
}

/// `+10`, `-15`, `+12.5`: a criterion's points in the reasons.
fn points(out: &mut String, p: Decimal) {
    out.push(if p.is_sign_negative() && !p.is_zero() {
        '-'
    } else {
        '+'
    });
    num::write_short(out, p.abs());
}
