//! Name resolution, typing and lints over the parsed files.

#![allow(
    clippy::single_match_else,
    reason = "a two-arm `match` with a long second arm reads better than `if let .. else`"
)]

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use icp_model as m;
use icp_syntax::ast::{self as a, BinOp, CmpOp, ContainsMode, UnaryOp};
use icp_syntax::diagnostic::{Edit, Fix};
use icp_syntax::{Code, Diagnostic, FileId, Severity, Span, did_you_mean};

use crate::load::display_path;
use crate::logic::{self, Var};
use crate::{Def, DefKind, Options, Ref, SourceFile, SymbolIndex};

/// Deepest expression the typer walks (the parser bounds depth; this is a second fence).
const MAX_EXPR_DEPTH: usize = 2 * icp_syntax::MAX_DEPTH + 16;

/// Built-in tier names a profile's tiers may not reuse.
pub const BUILTIN_TIERS: [&str; 3] = ["excluded", "out_of_segment", "invalid"];

const TYPE_NAMES: [&str; 10] = [
    "bool", "int", "number", "money", "percent", "text", "date", "duration", "enum", "set",
];

/// What the checker produces.
pub(crate) struct Output {
    pub program: m::Program,
    pub diagnostics: Vec<Diagnostic>,
    pub symbols: SymbolIndex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Global {
    Schema(usize),
    Situation(usize),
    Segment(usize),
    Profile(usize),
}

/// The item a diagnostic belongs to (an error drops it from the program).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Schema(usize),
    Situation(usize),
    Segment(usize),
    Profile(usize),
    Test(usize),
}

struct SchemaInfo<'a> {
    file: FileId,
    ast: &'a a::Schema,
    err: bool,
    def: usize,
    fields: Vec<m::Field>,
    field_ix: HashMap<&'a str, u32>,
    field_defs: Vec<usize>,
    key: Option<m::FieldId>,
}

struct EnumInfo {
    ty: m::EnumTy,
    owner: usize,
    field: String,
    defs: Vec<usize>,
}

struct SituationInfo<'a> {
    file: FileId,
    ast: &'a a::Situation,
    err: bool,
    def: usize,
    schema: Option<usize>,
    caps: Vec<(String, m::Const, m::Ty, usize)>,
    goals: Vec<(String, m::Ty, usize)>,
    model: Option<m::Situation>,
}

struct SegmentInfo<'a> {
    file: FileId,
    ast: &'a a::Segment,
    err: bool,
    def: usize,
    schema: Option<usize>,
    cond: Option<m::Expr>,
    deps: Vec<usize>,
}

struct ProfileInfo<'a> {
    file: FileId,
    ast: &'a a::Profile,
    err: bool,
    def: usize,
    schema: Option<usize>,
    situation: Option<usize>,
    deps: Vec<usize>,
    model: Option<m::Profile>,
    tiers: Vec<(String, usize)>,
    groups: HashMap<String, (u32, usize)>,
    reasons: HashMap<String, usize>,
}

struct TestInfo<'a> {
    file: FileId,
    ast: &'a a::Test,
    err: bool,
    profile: Option<usize>,
    model: Option<m::Test>,
}

/// One `let` in scope.
struct LetEntry {
    id: u32,
    ty: Option<m::Ty>,
    def: usize,
    used: Cell<bool>,
}

/// The situation visible to an expression.
#[derive(Clone, Copy)]
enum SitScope {
    /// None at all (segments, profiles without `in`).
    None(&'static str),
    /// One whose name did not resolve: stay quiet.
    Unresolved,
    /// This one.
    Some(usize),
}

/// Where an expression is typed.
struct Scope<'s> {
    owner: Owner,
    file: FileId,
    /// `None`: the schema did not resolve; field lookups stay quiet.
    schema: Option<usize>,
    lets: Option<&'s HashMap<String, LetEntry>>,
    situation: SitScope,
    /// In a tier condition: `score` and `score.GROUP` are allowed.
    tier: bool,
    groups: Option<&'s HashMap<String, (u32, usize)>>,
}

pub(crate) struct Checker<'a> {
    files: &'a [SourceFile],
    root: &'a Path,
    options: &'a Options,
    diags: Vec<Diagnostic>,
    defs: Vec<Def>,
    refs: Vec<Ref>,
    names: HashMap<&'a str, (Global, usize)>,
    schemas: Vec<SchemaInfo<'a>>,
    enums: Vec<EnumInfo>,
    situations: Vec<SituationInfo<'a>>,
    segments: Vec<SegmentInfo<'a>>,
    profiles: Vec<ProfileInfo<'a>>,
    tests: Vec<TestInfo<'a>>,
    /// Segments referenced by the expression being typed.
    seg_refs: Vec<usize>,
    /// Whether the "nesting too deep" error was reported.
    deep_reported: bool,
    /// The enum types, for the logic pass (fixed once the schemas are checked).
    enum_tys: Vec<m::EnumTy>,
    /// The schemas by name, sorted (fixed once the items are collected).
    schema_names: Vec<(usize, &'a str)>,
}

fn lit_const(l: &a::Lit) -> (m::Const, m::Ty) {
    match l {
        a::Lit::Int(i) => (m::Const::Num(*i as f64), m::Ty::Int),
        a::Lit::Number(x) => (m::Const::Num(*x), m::Ty::Number),
        a::Lit::Money(x) => (m::Const::Num(*x), m::Ty::Money),
        a::Lit::Percent(x) => (m::Const::Num(*x), m::Ty::Percent),
        a::Lit::Date(d) => (m::Const::Date(*d), m::Ty::Date),
        a::Lit::Duration(d) => (m::Const::Duration(*d), m::Ty::Duration),
        a::Lit::Text(t) => (m::Const::Text(t.clone()), m::Ty::Text),
        a::Lit::Bool(b) => (m::Const::Bool(*b), m::Ty::Bool),
    }
}

fn konst(c: m::Const, ty: m::Ty, span: Span) -> m::Expr {
    m::Expr {
        kind: m::ExprKind::Const(c),
        ty,
        span,
    }
}

fn as_const(e: &m::Expr) -> Option<&m::Const> {
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
fn comparable(op: CmpOp, l: &m::Ty, r: &m::Ty) -> Result<(), String> {
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
fn arith_ty(op: BinOp, l: &m::Ty, r: &m::Ty) -> Option<m::Ty> {
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
fn unify(l: &m::Ty, r: &m::Ty) -> Option<m::Ty> {
    use m::Ty::{Int, Money, Number};
    match (l, r) {
        _ if l == r => Some(l.clone()),
        (Int, Number) | (Number, Int) => Some(Number),
        (Int, Money) | (Money, Int) => Some(Money),
        _ => None,
    }
}

/// A constant number: `(value, type)`.
fn const_num(e: &m::Expr) -> Option<f64> {
    match as_const(e)? {
        m::Const::Num(x) => Some(*x),
        _ => None,
    }
}

impl<'a> Checker<'a> {
    pub(crate) fn new(files: &'a [SourceFile], root: &'a Path, options: &'a Options) -> Self {
        Self {
            files,
            root,
            options,
            diags: Vec::new(),
            defs: Vec::new(),
            refs: Vec::new(),
            names: HashMap::new(),
            schemas: Vec::new(),
            enums: Vec::new(),
            situations: Vec::new(),
            segments: Vec::new(),
            profiles: Vec::new(),
            tests: Vec::new(),
            seg_refs: Vec::new(),
            deep_reported: false,
            enum_tys: Vec::new(),
            schema_names: Vec::new(),
        }
    }

    // ----- plumbing -------------------------------------------------------------------

    fn mark(&mut self, owner: Owner) {
        match owner {
            Owner::Schema(i) => {
                if let Some(x) = self.schemas.get_mut(i) {
                    x.err = true;
                }
            }
            Owner::Situation(i) => {
                if let Some(x) = self.situations.get_mut(i) {
                    x.err = true;
                }
            }
            Owner::Segment(i) => {
                if let Some(x) = self.segments.get_mut(i) {
                    x.err = true;
                }
            }
            Owner::Profile(i) => {
                if let Some(x) = self.profiles.get_mut(i) {
                    x.err = true;
                }
            }
            Owner::Test(i) => {
                if let Some(x) = self.tests.get_mut(i) {
                    x.err = true;
                }
            }
        }
    }

    fn emit(&mut self, owner: Option<Owner>, file: FileId, d: Diagnostic) {
        let d = d.in_file(file);
        if d.severity == Severity::Error
            && let Some(o) = owner
        {
            self.mark(o);
        }
        self.diags.push(d);
    }

    fn emit_in(&mut self, sc: &Scope<'_>, d: Diagnostic) {
        self.emit(Some(sc.owner), sc.file, d);
    }

    fn def(
        &mut self,
        kind: DefKind,
        name: &str,
        file: FileId,
        name_span: Span,
        full_span: Span,
    ) -> usize {
        self.defs.push(Def {
            kind,
            name: name.to_owned(),
            file,
            name_span,
            full_span,
            container: None,
            detail: String::new(),
        });
        self.defs.len() - 1
    }

    fn def_in(
        &mut self,
        kind: DefKind,
        name: &str,
        file: FileId,
        name_span: Span,
        full_span: Span,
        container: &str,
    ) -> usize {
        let d = self.def(kind, name, file, name_span, full_span);
        if let Some(x) = self.defs.get_mut(d) {
            x.container = Some(container.to_owned());
        }
        d
    }

    fn set_detail(&mut self, def: usize, detail: String) {
        if let Some(d) = self.defs.get_mut(def) {
            d.detail = detail;
        }
    }

    fn reference(&mut self, file: FileId, span: Span, def: usize) {
        self.refs.push(Ref { file, span, def });
    }

    fn where_is(&self, file: FileId, span: Span) -> String {
        match self.files.get(file.0 as usize) {
            Some(f) => {
                let (line, col) = f.lines.line_col(&f.text, span.start as usize);
                format!("{}:{line}:{col}", display_path(self.root, &f.path))
            }
            None => "another file".to_owned(),
        }
    }

    fn src(&self, file: FileId, span: Span) -> &'a str {
        self.files
            .get(file.0 as usize)
            .map_or("", |f| span.text(&f.text))
    }

    /// A duplicate-name diagnostic pointing at the first definition.
    fn duplicate(
        &mut self,
        owner: Option<Owner>,
        file: FileId,
        what: &str,
        name: &a::Ident,
        first: usize,
    ) {
        let (ffile, fspan) = self
            .defs
            .get(first)
            .map_or((file, name.span), |d| (d.file, d.name_span));
        let mut d = Diagnostic::new(
            Code::DuplicateName,
            name.span,
            format!("{what} `{}` is defined twice", name.name),
        )
        .with_label("defined again here");
        if ffile == file {
            d = d.with_secondary(fspan, "first defined here");
        }
        let at = self.where_is(ffile, fspan);
        d = d.with_help(format!(
            "the first definition is at {at}; rename one of them"
        ));
        self.emit(owner, file, d);
    }

    #[expect(clippy::too_many_arguments, reason = "plain data for one message")]
    fn unknown(
        &mut self,
        sc_owner: Option<Owner>,
        file: FileId,
        code: Code,
        ident: &a::Ident,
        message: String,
        candidates: &[&str],
        fallback_help: &str,
    ) {
        let mut d = Diagnostic::new(code, ident.span, message).with_label("not found");
        match did_you_mean(&ident.name, candidates.iter().copied()) {
            Some(s) => {
                d = d.with_help(format!("did you mean `{s}`?")).with_fix(
                    format!("replace with `{s}`"),
                    ident.span,
                    s,
                );
            }
            None => d = d.with_help(fallback_help.to_owned()),
        }
        self.emit(sc_owner, file, d);
    }

    fn ty_name(&self, t: &m::Ty) -> String {
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

    // ----- the run --------------------------------------------------------------------

    pub(crate) fn run(mut self) -> Output {
        self.collect();
        let mut schema_names: Vec<(usize, &'a str)> = self
            .names
            .iter()
            .filter_map(|(n, (g, _))| match g {
                Global::Schema(i) => Some((*i, *n)),
                _ => None,
            })
            .collect();
        schema_names.sort_unstable_by_key(|(_, n)| *n);
        self.schema_names = schema_names;
        for i in 0..self.schemas.len() {
            self.check_schema(i);
        }
        self.enum_tys = self.enums.iter().map(|e| e.ty.clone()).collect();
        // Schemas of situations and segments first: references need them.
        for i in 0..self.situations.len() {
            let (file, ident) = self
                .situations
                .get(i)
                .map(|s| (s.file, s.ast.schema.as_ref()))
                .unzip();
            let (Some(file), Some(ident)) = (file, ident) else {
                continue;
            };
            let span = self
                .situations
                .get(i)
                .map_or(Span::default(), |s| s.ast.name.span);
            let s = self.resolve_schema(Owner::Situation(i), file, ident, span);
            if let Some(x) = self.situations.get_mut(i) {
                x.schema = s;
            }
        }
        for i in 0..self.segments.len() {
            let (file, ident, span) = match self.segments.get(i) {
                Some(s) => (s.file, s.ast.schema.as_ref(), s.ast.name.span),
                None => continue,
            };
            let s = self.resolve_schema(Owner::Segment(i), file, ident, span);
            if let Some(x) = self.segments.get_mut(i) {
                x.schema = s;
            }
        }
        for i in 0..self.situations.len() {
            self.check_situation(i);
        }
        for i in 0..self.segments.len() {
            self.check_segment(i);
        }
        self.segment_cycles();
        for i in 0..self.segments.len() {
            self.lint_segment(i);
        }
        for i in 0..self.profiles.len() {
            self.check_profile(i);
        }
        for i in 0..self.tests.len() {
            self.check_test(i);
        }
        let program = self.assemble();
        Output {
            program,
            diagnostics: self.diags,
            symbols: SymbolIndex {
                defs: self.defs,
                refs: self.refs,
            },
        }
    }

    /// Register every top-level item and its name.
    fn collect(&mut self) {
        let files = self.files;
        let mut test_names: HashMap<&'a str, usize> = HashMap::new();
        for f in files {
            for item in &f.ast.items {
                let (global, name, kind) = match item {
                    a::Item::Import(_) => continue,
                    a::Item::Schema(s) => {
                        let def =
                            self.def(DefKind::Schema, &s.name.name, f.id, s.name.span, s.span);
                        self.schemas.push(SchemaInfo {
                            file: f.id,
                            ast: s,
                            err: false,
                            def,
                            fields: Vec::new(),
                            field_ix: HashMap::new(),
                            field_defs: Vec::new(),
                            key: None,
                        });
                        (Global::Schema(self.schemas.len() - 1), &s.name, "schema")
                    }
                    a::Item::Situation(s) => {
                        let def =
                            self.def(DefKind::Situation, &s.name.name, f.id, s.name.span, s.span);
                        self.situations.push(SituationInfo {
                            file: f.id,
                            ast: s,
                            err: false,
                            def,
                            schema: None,
                            caps: Vec::new(),
                            goals: Vec::new(),
                            model: None,
                        });
                        (
                            Global::Situation(self.situations.len() - 1),
                            &s.name,
                            "situation",
                        )
                    }
                    a::Item::Segment(s) => {
                        let def =
                            self.def(DefKind::Segment, &s.name.name, f.id, s.name.span, s.span);
                        self.segments.push(SegmentInfo {
                            file: f.id,
                            ast: s,
                            err: false,
                            def,
                            schema: None,
                            cond: None,
                            deps: Vec::new(),
                        });
                        (Global::Segment(self.segments.len() - 1), &s.name, "segment")
                    }
                    a::Item::Profile(p) => {
                        let def =
                            self.def(DefKind::Profile, &p.name.name, f.id, p.name.span, p.span);
                        self.profiles.push(ProfileInfo {
                            file: f.id,
                            ast: p,
                            err: false,
                            def,
                            schema: None,
                            situation: None,
                            deps: Vec::new(),
                            model: None,
                            tiers: Vec::new(),
                            groups: HashMap::new(),
                            reasons: HashMap::new(),
                        });
                        (Global::Profile(self.profiles.len() - 1), &p.name, "profile")
                    }
                    a::Item::Test(t) => {
                        let def = self.def(DefKind::Test, &t.name.value, f.id, t.name.span, t.span);
                        self.set_detail(def, format!("**test** \"{}\"", t.name.value));
                        let ix = self.tests.len();
                        self.tests.push(TestInfo {
                            file: f.id,
                            ast: t,
                            err: false,
                            profile: None,
                            model: None,
                        });
                        if let Some(&first) = test_names.get(t.name.value.as_str()) {
                            let ident = a::Ident {
                                name: t.name.value.clone(),
                                span: t.name.span,
                            };
                            self.duplicate(Some(Owner::Test(ix)), f.id, "test", &ident, first);
                        } else {
                            test_names.insert(&t.name.value, def);
                        }
                        continue;
                    }
                };
                let def = self.defs.len() - 1;
                if let Some(&(_, first)) = self.names.get(name.name.as_str()) {
                    let owner = match global {
                        Global::Schema(i) => Owner::Schema(i),
                        Global::Situation(i) => Owner::Situation(i),
                        Global::Segment(i) => Owner::Segment(i),
                        Global::Profile(i) => Owner::Profile(i),
                    };
                    self.duplicate(Some(owner), f.id, kind, name, first);
                } else {
                    self.names.insert(&name.name, (global, def));
                }
            }
        }
    }

    fn names_of(&self, pick: impl Fn(Global) -> bool) -> Vec<&'a str> {
        let mut v: Vec<&'a str> = self
            .names
            .iter()
            .filter(|(_, (g, _))| pick(*g))
            .map(|(n, _)| *n)
            .collect();
        v.sort_unstable();
        v
    }

    /// The schema named by `for`, else the only one.
    fn resolve_schema(
        &mut self,
        owner: Owner,
        file: FileId,
        ident: Option<&a::Ident>,
        at: Span,
    ) -> Option<usize> {
        if let Some(ident) = ident {
            if let Some(&(Global::Schema(i), def)) = self.names.get(ident.name.as_str()) {
                self.reference(file, ident.span, def);
                return Some(i);
            }
            let cands = self.names_of(|g| matches!(g, Global::Schema(_)));
            self.unknown(
                Some(owner),
                file,
                Code::UnknownSchema,
                ident,
                format!("unknown schema `{}`", ident.name),
                &cands,
                "declare it with `schema NAME { ... }`",
            );
            return None;
        }
        let schemas = std::mem::take(&mut self.schema_names);
        let found = match schemas.as_slice() {
            [(only, _)] => Some(*only),
            [] => {
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(Code::NoSchema, at, "no schema to check this against")
                        .with_label("needs a schema")
                        .with_help(
                            "declare `schema Account { ... }`, or import the file that declares it",
                        ),
                );
                None
            }
            many => {
                let names: Vec<&str> = many.iter().map(|(_, n)| *n).collect();
                let first = names.first().copied().unwrap_or("Account");
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(
                        Code::AmbiguousSchema,
                        at,
                        format!(
                            "several schemas are in scope ({}): say which one",
                            names.join(", ")
                        ),
                    )
                    .with_label("no `for SCHEMA`")
                    .with_help(format!(
                        "add `for {first}` (or another schema) after the name"
                    )),
                );
                None
            }
        };
        self.schema_names = schemas;
        found
    }

    // ----- schemas --------------------------------------------------------------------

    fn field_ty(
        &mut self,
        si: usize,
        file: FileId,
        field: &'a a::Field,
        t: &'a a::TypeExpr,
        in_set: bool,
    ) -> Option<m::Ty> {
        let owner = Some(Owner::Schema(si));
        Some(match &t.kind {
            a::TypeKind::Bool => m::Ty::Bool,
            a::TypeKind::Int => m::Ty::Int,
            a::TypeKind::Number => m::Ty::Number,
            a::TypeKind::Money => m::Ty::Money,
            a::TypeKind::Percent => m::Ty::Percent,
            a::TypeKind::Text => m::Ty::Text,
            a::TypeKind::Date => m::Ty::Date,
            a::TypeKind::Duration => m::Ty::Duration,
            a::TypeKind::Named(id) => {
                self.unknown(
                    owner,
                    file,
                    Code::UnknownType,
                    id,
                    format!("unknown type `{}`", id.name),
                    &TYPE_NAMES,
                    "types are bool, int, number, money, percent, text, date, duration, enum { .. } and set<text>",
                );
                return None;
            }
            a::TypeKind::Set(inner) => {
                if in_set || inner.optional || !matches!(inner.kind, a::TypeKind::Text) {
                    self.emit(
                        owner,
                        file,
                        Diagnostic::new(
                            Code::InvalidSetType,
                            inner.span,
                            format!("a set cannot hold `{}`", self.src(file, inner.span)),
                        )
                        .with_label("not a set element type")
                        .with_help("sets hold text items (`set<text>`), read from `;`, `|` or `,` separated cells"),
                    );
                    return None;
                }
                m::Ty::Set(Box::new(m::Ty::Text))
            }
            a::TypeKind::Enum(variants) => {
                let eid = self.enums.len() as u32;
                let mut ty = m::EnumTy {
                    variants: Vec::new(),
                    catch_all: None,
                };
                let mut defs = Vec::new();
                let mut ok = true;
                if variants.is_empty() {
                    self.emit(
                        owner,
                        file,
                        Diagnostic::new(
                            Code::EmptyEnum,
                            t.span,
                            format!("enum `{}` has no variants", field.name.name),
                        )
                        .with_label("empty")
                        .with_help("list its values: `enum { open, won, lost }`"),
                    );
                    ok = false;
                }
                let mut seen: HashMap<String, usize> = HashMap::new();
                let mut strings: HashMap<String, (String, Span)> = HashMap::new();
                let mut catch: Option<Span> = None;
                for v in variants {
                    let def = self.def_in(
                        DefKind::Variant,
                        &v.name.name,
                        file,
                        v.name.span,
                        v.span,
                        &field.name.name,
                    );
                    if let Some(&first) = seen.get(&v.name.name) {
                        self.duplicate(owner, file, "variant", &v.name, first);
                        ok = false;
                    } else {
                        seen.insert(v.name.name.clone(), def);
                    }
                    if let Some(c) = v.catch_all {
                        if let Some(first) = catch {
                            self.emit(
                                owner,
                                file,
                                Diagnostic::new(Code::MultipleCatchAll, c, "an enum may have only one `= _` catch-all")
                                    .with_label("second catch-all")
                                    .with_secondary(first, "first catch-all")
                                    .with_help("keep one `= _` variant: it takes every value no other variant reads"),
                            );
                            ok = false;
                        } else {
                            catch = Some(c);
                            ty.catch_all = Some(ty.variants.len() as u32);
                        }
                    }
                    let mut reads: Vec<(String, Span)> =
                        vec![(v.name.name.trim().to_lowercase(), v.name.span)];
                    reads.extend(
                        v.strings
                            .iter()
                            .map(|s| (s.value.trim().to_lowercase(), s.span)),
                    );
                    let mut mine: Vec<String> = Vec::new();
                    for (s, span) in reads {
                        if mine.contains(&s) {
                            continue;
                        }
                        mine.push(s.clone());
                        if let Some((other, ospan)) = strings.get(&s) {
                            let d = Diagnostic::new(
                                Code::DuplicateMapping,
                                span,
                                format!("variants `{other}` and `{}` both read `{s}`", v.name.name),
                            )
                            .with_label(format!("`{}` reads it here", v.name.name))
                            .with_secondary(*ospan, format!("`{other}` reads it here"))
                            .with_help(
                                "a value must map to one variant: remove one of the mappings",
                            );
                            self.emit(owner, file, d);
                            ok = false;
                        } else {
                            strings.insert(s, (v.name.name.clone(), span));
                        }
                    }
                    defs.push(def);
                    ty.variants.push(m::VariantDef {
                        name: v.name.name.clone(),
                        strings: v.strings.iter().map(|s| s.value.clone()).collect(),
                        loc: m::Loc {
                            file,
                            span: v.name.span,
                        },
                    });
                }
                let list = ty
                    .variants
                    .iter()
                    .map(|v| format!("`{}`", v.name))
                    .collect::<Vec<_>>()
                    .join(", ");
                for (d, v) in defs.iter().zip(&ty.variants) {
                    let reads = if v.strings.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "\n\nreads {}",
                            v.strings
                                .iter()
                                .map(|s| format!("\"{s}\""))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    self.set_detail(
                        *d,
                        format!("**variant** `{}` of `{}`{reads}", v.name, field.name.name),
                    );
                }
                let _ = list;
                self.enums.push(EnumInfo {
                    ty,
                    owner: si,
                    field: field.name.name.clone(),
                    defs,
                });
                if !ok {
                    return None;
                }
                m::Ty::Enum(m::EnumId(eid))
            }
        })
    }

    fn check_schema(&mut self, si: usize) {
        let Some(info) = self.schemas.get(si) else {
            return;
        };
        let (file, ast) = (info.file, info.ast);
        let owner = Some(Owner::Schema(si));
        let mut field_ix: HashMap<&'a str, u32> = HashMap::new();
        let mut field_defs = Vec::new();
        let mut fields = Vec::new();
        let mut key: Option<(m::FieldId, Span)> = None;
        let mut columns: HashMap<String, (String, Span)> = HashMap::new();
        for f in &ast.fields {
            let def = self.def_in(
                DefKind::Field,
                &f.name.name,
                file,
                f.name.span,
                f.span,
                &ast.name.name,
            );
            if let Some(&first) = field_ix.get(f.name.name.as_str()) {
                let first_def = field_defs.get(first as usize).copied().unwrap_or(def);
                self.duplicate(owner, file, "field", &f.name, first_def);
            }
            let ty = self.field_ty(si, file, f, &f.ty, false);
            let column = f
                .from
                .as_ref()
                .map_or_else(|| f.name.name.clone(), |s| s.value.clone());
            let col_key = column.trim().to_lowercase();
            let col_span = f.from.as_ref().map_or(f.name.span, |s| s.span);
            if let Some((other, ospan)) = columns.get(&col_key) {
                let d = Diagnostic::new(
                    Code::DuplicateColumn,
                    col_span,
                    format!(
                        "fields `{other}` and `{}` both read column `{column}`",
                        f.name.name
                    ),
                )
                .with_label("read again here")
                .with_secondary(*ospan, format!("`{other}` reads it"))
                .with_help(
                    "columns match case-insensitively; give one field another `from \"...\"`",
                );
                self.emit(owner, file, d);
            } else {
                columns.insert(col_key, (f.name.name.clone(), col_span));
            }
            let id = m::FieldId(fields.len() as u32);
            if let Some(kspan) = f.key {
                if let Some((_, first)) = key {
                    self.emit(
                        owner,
                        file,
                        Diagnostic::new(Code::MultipleKeys, kspan, "a schema has one `key` field")
                            .with_label("second key")
                            .with_secondary(first, "first key")
                            .with_help("keep `key` on the field that identifies the account"),
                    );
                } else {
                    key = Some((id, kspan));
                }
                if f.ty.optional {
                    self.emit(
                        owner,
                        file,
                        Diagnostic::new(
                            Code::OptionalKey,
                            f.ty.span,
                            format!("key field `{}` may be missing", f.name.name),
                        )
                        .with_label("`?` makes the key optional")
                        .with_help("every account needs its key: remove the `?`")
                        .with_fix(
                            "remove the `?`",
                            f.ty.span,
                            self.src(file, f.ty.span).trim_end_matches('?').trim_end(),
                        ),
                    );
                }
            }
            let ty_text = self.src(file, f.ty.span);
            let mut detail = format!(
                "**field** `{}`: `{ty_text}`\n\ncolumn \"{column}\"",
                f.name.name
            );
            detail.push_str(if f.ty.optional {
                " · may be missing"
            } else {
                " · required"
            });
            if f.key.is_some() {
                detail.push_str(" · key");
            }
            if let a::TypeKind::Enum(vs) = &f.ty.kind {
                let _ = write!(
                    detail,
                    "\n\nvariants: {}",
                    vs.iter()
                        .map(|v| format!("`{}`", v.name.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            self.set_detail(def, detail);
            field_ix.entry(&f.name.name).or_insert(id.0);
            field_defs.push(def);
            fields.push(m::Field {
                name: f.name.name.clone(),
                column,
                ty: ty.unwrap_or(m::Ty::Bool),
                optional: f.ty.optional,
                loc: m::Loc {
                    file,
                    span: f.name.span,
                },
            });
        }
        if key.is_none() {
            self.emit(
                owner,
                file,
                Diagnostic::new(Code::MissingKey, ast.name.span, format!("schema `{}` has no `key` field", ast.name.name))
                    .with_label("no key")
                    .with_help("mark the field that identifies an account with `key` (`id: text from \"Record ID\" key`), so output rows can be joined back"),
            );
        }
        let n = fields.len();
        self.set_detail(
            info_def(&self.schemas, si),
            format!(
                "**schema** `{}`\n\n{n} field{}",
                ast.name.name,
                if n == 1 { "" } else { "s" }
            ),
        );
        if let Some(info) = self.schemas.get_mut(si) {
            info.fields = fields;
            info.field_ix = field_ix;
            info.field_defs = field_defs;
            info.key = key.map(|(k, _)| k);
        }
    }

    // ----- situations -----------------------------------------------------------------

    fn check_situation(&mut self, xi: usize) {
        let Some(info) = self.situations.get(xi) else {
            return;
        };
        let (file, ast, schema, sdef) = (info.file, info.ast, info.schema, info.def);
        let owner = Owner::Situation(xi);
        let mut timeframe: Option<(m::Date, m::Date, Span)> = None;
        // capabilities first: goal filters may use them
        let mut caps: Vec<(String, m::Const, m::Ty, usize)> = Vec::new();
        for c in &ast.clauses {
            let a::SituationClause::Capability(cap) = c else {
                continue;
            };
            let def = self.def_in(
                DefKind::Capability,
                &cap.name.name,
                file,
                cap.name.span,
                cap.span,
                &ast.name.name,
            );
            if let Some((_, _, _, first)) = caps.iter().find(|x| x.0 == cap.name.name) {
                let first = *first;
                self.duplicate(Some(owner), file, "capability", &cap.name, first);
                continue;
            }
            let literal = matches!(&cap.value.kind, a::ExprKind::Lit(_))
                || matches!(&cap.value.kind, a::ExprKind::Unary(UnaryOp::Neg, x) if matches!(x.kind, a::ExprKind::Lit(_)));
            if !literal {
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(
                        Code::CapabilityNotConstant,
                        cap.value.span,
                        format!("capability `{}` must be a literal", cap.name.name),
                    )
                    .with_label("not a literal")
                    .with_help("a capability states a fact: `true`, `false`, a number, `$50k`, `\"text\"`, a date"),
                );
                continue;
            }
            let (c, ty) = match &cap.value.kind {
                a::ExprKind::Lit(l) => lit_const(l),
                a::ExprKind::Unary(_, x) => match &x.kind {
                    a::ExprKind::Lit(l) => {
                        let (c, ty) = lit_const(l);
                        match c {
                            m::Const::Num(n) => (m::Const::Num(-n), ty),
                            m::Const::Duration(d) => (m::Const::Duration(-d), ty),
                            other => (other, ty),
                        }
                    }
                    _ => continue,
                },
                _ => continue,
            };
            self.set_detail(
                def,
                format!(
                    "**capability** `situation.{}` = `{}`",
                    cap.name.name,
                    self.src(file, cap.value.span)
                ),
            );
            caps.push((cap.name.name.clone(), c, ty, def));
        }
        if let Some(x) = self.situations.get_mut(xi) {
            x.caps.clone_from(&caps);
        }
        let sc = Scope {
            owner,
            file,
            schema,
            lets: None,
            situation: SitScope::Some(xi),
            tier: false,
            groups: None,
        };
        let mut goals: Vec<m::Goal> = Vec::new();
        let mut goal_info: Vec<(String, m::Ty, usize)> = Vec::new();
        let mut milestones = Vec::new();
        for c in &ast.clauses {
            match c {
                a::SituationClause::Timeframe(t) => {
                    if timeframe.is_some() {
                        self.emit(
                            Some(owner),
                            file,
                            Diagnostic::new(
                                Code::DuplicateClause,
                                t.span,
                                "a situation has one `timeframe`",
                            )
                            .with_label("second timeframe")
                            .with_help("keep one `timeframe START .. END`"),
                        );
                        continue;
                    }
                    if t.start.date > t.end.date {
                        self.emit(
                            Some(owner),
                            file,
                            Diagnostic::new(
                                Code::EmptyTimeframe,
                                t.span,
                                format!("timeframe ends ({}) before it starts ({})", t.end.date, t.start.date),
                            )
                            .with_label("empty timeframe")
                            .with_help("write the first day, then the last: `timeframe 2027-01-01 .. 2027-03-31`"),
                        );
                    }
                    timeframe = Some((t.start.date, t.end.date, t.span));
                }
                a::SituationClause::Goal(g) => {
                    let def = self.def_in(
                        DefKind::Goal,
                        &g.name.name,
                        file,
                        g.name.span,
                        g.span,
                        &ast.name.name,
                    );
                    if let Some((_, _, first)) = goal_info.iter().find(|x| x.0 == g.name.name) {
                        let first = *first;
                        self.duplicate(Some(owner), file, "goal", &g.name, first);
                        continue;
                    }
                    let (metric, mty) = match &g.metric {
                        a::Aggregate::Count(_) => (Some(m::Metric::Count), m::Ty::Int),
                        a::Aggregate::Sum(field, _) => match self.field(&sc, field) {
                            Some((fid, ty)) if ty.is_numeric() => (Some(m::Metric::Sum(fid)), ty),
                            Some((_, ty)) => {
                                let tn = self.ty_name(&ty);
                                self.emit_in(
                                    &sc,
                                    Diagnostic::new(Code::TypeMismatch, field.span, format!("cannot sum `{}`: it is {tn}", field.name))
                                        .with_label(format!("this is `{tn}`"))
                                        .with_help("`sum(..)` takes a numeric field (int, number, money, percent)"),
                                );
                                (None, ty)
                            }
                            None => (None, m::Ty::Number),
                        },
                    };
                    let target = self.goal_target(&sc, &g.target, &mty);
                    let filter = g.filter.as_ref().and_then(|f| self.condition(&sc, f));
                    self.set_detail(
                        def,
                        format!(
                            "**goal** `{}`\n\n```icp\n{}\n```",
                            g.name.name,
                            self.src(file, g.span)
                        ),
                    );
                    goal_info.push((g.name.name.clone(), mty, def));
                    if let (Some(metric), Some(target)) = (metric, target) {
                        goals.push(m::Goal {
                            name: g.name.name.clone(),
                            title: g.title.as_ref().map(|t| t.value.clone()),
                            loc: m::Loc {
                                file,
                                span: g.name.span,
                            },
                            metric,
                            op: g.op,
                            target,
                            filter,
                        });
                    }
                }
                a::SituationClause::Milestone(_) | a::SituationClause::Capability(_) => {}
            }
        }
        for c in &ast.clauses {
            let a::SituationClause::Milestone(ms) = c else {
                continue;
            };
            let Some(gi) = goal_info.iter().position(|g| g.0 == ms.goal.name) else {
                let cands: Vec<&str> = goal_info.iter().map(|g| g.0.as_str()).collect();
                self.unknown(
                    Some(owner),
                    file,
                    Code::UnknownGoal,
                    &ms.goal,
                    format!("situation `{}` has no goal `{}`", ast.name.name, ms.goal.name),
                    &cands,
                    "a milestone measures one of the situation's goals: `milestone DATE GOAL >= VALUE`",
                );
                continue;
            };
            let Some((_, mty, gdef)) = goal_info.get(gi).cloned() else {
                continue;
            };
            self.reference(file, ms.goal.span, gdef);
            if let Some((start, end, tspan)) = timeframe
                && (ms.date.date < start || ms.date.date > end)
            {
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(
                        Code::MilestoneOutsideTimeframe,
                        ms.date.span,
                        format!("milestone {} is outside the timeframe {start} .. {end}", ms.date.date),
                    )
                    .with_label("outside the timeframe")
                    .with_secondary(tspan, "the timeframe")
                    .with_help("a milestone checks progress within the situation: date it inside the timeframe"),
                );
            }
            if let Some(target) = self.goal_target(&sc, &ms.target, &mty)
                && let Some(goal) = goals.iter().position(|g| g.name == ms.goal.name)
            {
                milestones.push(m::Milestone {
                    date: ms.date.date,
                    goal,
                    op: ms.op,
                    target,
                    loc: m::Loc {
                        file,
                        span: ms.span,
                    },
                });
            }
        }
        match timeframe {
            None => self.emit(
                Some(owner),
                file,
                Diagnostic::new(Code::MissingTimeframe, ast.name.span, format!("situation `{}` has no timeframe", ast.name.name))
                    .with_label("no timeframe")
                    .with_help("an ICP holds for a period: add `timeframe 2027-01-01 .. 2027-03-31` and revisit it when it ends"),
            ),
            Some((start, end, tspan)) => {
                if let Some(today) = self.options.today
                    && start <= end
                    && today > end
                {
                    self.emit(
                        Some(owner),
                        file,
                        Diagnostic::new(
                            Code::SituationEnded,
                            tspan,
                            format!("situation `{}` ended on {end}", ast.name.name),
                        )
                        .with_label(format!("ended {} days before today ({today})", today.0 - end.0))
                        .with_help("revisit the ICP: check its goals, then write the next situation with a new timeframe"),
                    );
                }
            }
        }
        let mut detail = format!("**situation** `{}`", ast.name.name);
        if let Some(t) = &ast.title {
            let _ = write!(detail, " \"{}\"", t.value);
        }
        if let Some((s, e, _)) = timeframe {
            let _ = write!(detail, "\n\ntimeframe {s} .. {e}");
        }
        self.set_detail(sdef, detail);
        let model = schema.map(|s| m::Situation {
            name: ast.name.name.clone(),
            title: ast.title.as_ref().map(|t| t.value.clone()),
            loc: m::Loc {
                file,
                span: ast.name.span,
            },
            schema: m::SchemaId(s as u32),
            timeframe: timeframe.map(|(s, e, _)| (s, e)),
            goals,
            milestones,
            capabilities: caps.into_iter().map(|(n, c, _, _)| (n, c)).collect(),
        });
        if let Some(x) = self.situations.get_mut(xi) {
            x.goals = goal_info;
            x.model = model;
        }
    }

    /// A goal or milestone target: a constant of the metric's type.
    fn goal_target(&mut self, sc: &Scope<'_>, e: &'a a::Expr, metric: &m::Ty) -> Option<f64> {
        let t = self.expr(sc, e, None, 0)?;
        let Some(v) = const_num(&t) else {
            self.emit_in(
                sc,
                Diagnostic::new(
                    Code::NotConstant,
                    e.span,
                    "a goal's target must be a literal",
                )
                .with_label("not a literal")
                .with_help("write the number to reach: `25`, `$100k`"),
            );
            return None;
        };
        if comparable(CmpOp::Ge, metric, &t.ty).is_err() {
            let (mn, tn) = (self.ty_name(metric), self.ty_name(&t.ty));
            self.emit_in(
                sc,
                Diagnostic::new(
                    Code::TypeMismatch,
                    e.span,
                    format!("the goal measures `{mn}`, the target is `{tn}`"),
                )
                .with_label(format!("this is `{tn}`"))
                .with_help(format!("write a `{mn}` target")),
            );
            return None;
        }
        Some(v)
    }

    // ----- segments -------------------------------------------------------------------

    fn check_segment(&mut self, gi: usize) {
        let Some(info) = self.segments.get(gi) else {
            return;
        };
        let (file, ast, schema, def) = (info.file, info.ast, info.schema, info.def);
        let sc = Scope {
            owner: Owner::Segment(gi),
            file,
            schema,
            lets: None,
            situation: SitScope::None("segments hold for every situation"),
            tier: false,
            groups: None,
        };
        self.seg_refs.clear();
        let cond = self.condition(&sc, &ast.cond);
        let deps = std::mem::take(&mut self.seg_refs);
        let mut detail = format!("**segment** `{}`", ast.name.name);
        if let Some(t) = &ast.title {
            let _ = write!(detail, " \"{}\"", t.value);
        }
        let _ = write!(detail, "\n\n```icp\n{}\n```", self.src(file, ast.cond.span));
        self.set_detail(def, detail);
        if let Some(x) = self.segments.get_mut(gi) {
            x.cond = cond;
            x.deps = deps;
        }
    }

    /// Report segments that refer to themselves, and drop their conditions.
    fn segment_cycles(&mut self) {
        let deps: Vec<Vec<usize>> = self.segments.iter().map(|s| s.deps.clone()).collect();
        let (_, cycles) = dependency_order(&deps);
        for members in cycles {
            let chain = cycle_chain(
                members
                    .iter()
                    .filter_map(|x| self.segments.get(*x).map(|s| s.ast.name.name.clone())),
            );
            for x in members {
                let Some(s) = self.segments.get(x) else {
                    continue;
                };
                let (file, span, name) = (s.file, s.ast.name.span, s.ast.name.name.clone());
                self.emit(
                    Some(Owner::Segment(x)),
                    file,
                    Diagnostic::new(
                        Code::ReferenceCycle,
                        span,
                        format!("segment `{name}` refers to itself"),
                    )
                    .with_label("part of a cycle")
                    .with_help(format!(
                        "segments may use other segments, but not in a circle: {chain}"
                    )),
                );
                if let Some(s) = self.segments.get_mut(x) {
                    s.cond = None;
                }
            }
        }
    }

    fn lint_segment(&mut self, gi: usize) {
        let Some(info) = self.segments.get(gi) else {
            return;
        };
        let (Some(cond), Some(schema)) = (info.cond.as_ref(), info.schema) else {
            return;
        };
        let (file, span, name) = (info.file, info.ast.cond.span, info.ast.name.name.clone());
        let (never, always) = self.truth(schema, &[], cond);
        self.report_truth(
            Owner::Segment(gi),
            file,
            span,
            "segment",
            &name,
            never,
            always,
        );
    }

    // ----- the logic pass glue --------------------------------------------------------

    /// `(never true, always true)` of a typed condition.
    /// `bounds`: the highest reachable `score`, then each group's (100 when absent).
    fn truth(&self, schema: usize, bounds: &[f64], cond: &m::Expr) -> (bool, bool) {
        let optional = |v: Var| self.var_optional(schema, v);
        let segment =
            |id: m::SegmentId| self.segments.get(id.index()).and_then(|s| s.cond.as_ref());
        let score_max = |v: Var| match v {
            Var::Score => bounds.first().copied().unwrap_or(100.0),
            Var::Group(g) => bounds.get(g as usize + 1).copied().unwrap_or(100.0),
            _ => 100.0,
        };
        let env = logic::Env {
            enums: &self.enum_tys,
            optional: &optional,
            segment: &segment,
            score_max: &score_max,
        };
        (
            !logic::can_be_true(cond, &env),
            !logic::can_be_not_true(cond, &env),
        )
    }

    fn var_optional(&self, schema: usize, v: Var) -> bool {
        match v {
            Var::Field(f) => self
                .schemas
                .get(schema)
                .and_then(|s| s.fields.get(f as usize))
                .is_none_or(|f| f.optional),
            Var::Let(_) | Var::Group(_) => true,
            Var::Score => false,
        }
    }

    #[expect(clippy::too_many_arguments, reason = "plain data for one message")]
    fn report_truth(
        &mut self,
        owner: Owner,
        file: FileId,
        span: Span,
        what: &str,
        name: &str,
        never: bool,
        always: bool,
    ) {
        if never {
            self.emit(
                Some(owner),
                file,
                Diagnostic::new(Code::NeverTrue, span, format!("the condition of {what} `{name}` can never be true"))
                    .with_label("no account satisfies this")
                    .with_help("the parts contradict each other (e.g. `employees < 10 and employees > 100`): fix the bounds"),
            );
        } else if always {
            self.emit(
                Some(owner),
                file,
                Diagnostic::new(Code::AlwaysTrue, span, format!("the condition of {what} `{name}` is always true"))
                    .with_label("every account satisfies this")
                    .with_help("a condition that holds for every account does not tell them apart: tighten it or remove it"),
            );
        }
    }

    // ----- profiles -------------------------------------------------------------------

    fn check_profile(&mut self, pi: usize) {
        let Some(info) = self.profiles.get(pi) else {
            return;
        };
        let (file, ast, pdef) = (info.file, info.ast, info.def);
        let owner = Owner::Profile(pi);
        let schema = self.resolve_schema(owner, file, ast.schema.as_ref(), ast.name.span);
        // situation
        let mut situation = None;
        let sit_scope = match &ast.situation {
            None => SitScope::None("the profile has no situation (`in SITUATION`)"),
            Some(id) => match self.names.get(id.name.as_str()) {
                Some(&(Global::Situation(x), def)) => {
                    self.reference(file, id.span, def);
                    situation = Some(x);
                    let sschema = self.situations.get(x).and_then(|s| s.schema);
                    if let (Some(ps), Some(ss)) = (schema, sschema)
                        && ps != ss
                    {
                        let (pn, sn) = (self.schema_name(ps), self.schema_name(ss));
                        self.emit(
                            Some(owner),
                            file,
                            Diagnostic::new(
                                Code::SchemaMismatch,
                                id.span,
                                format!(
                                    "profile `{}` is for `{pn}`, situation `{}` for `{sn}`",
                                    ast.name.name, id.name
                                ),
                            )
                            .with_label(format!("a situation for `{sn}`"))
                            .with_help("a profile and its situation must describe the same schema"),
                        );
                    }
                    SitScope::Some(x)
                }
                _ => {
                    let cands = self.names_of(|g| matches!(g, Global::Situation(_)));
                    self.unknown(
                        Some(owner),
                        file,
                        Code::UnknownSituation,
                        id,
                        format!("unknown situation `{}`", id.name),
                        &cands,
                        "declare it with `situation NAME { timeframe .. }`",
                    );
                    SitScope::Unresolved
                }
            },
        };
        self.seg_refs.clear();
        // targets, practical share
        let mut targets = Vec::new();
        let mut share: Option<(f64, Span)> = None;
        for member in &ast.members {
            match member {
                a::ProfileMember::Target(t) => {
                    for id in &t.segments {
                        if let Some(g) = self.segment_ref(owner, file, schema, id) {
                            targets.push(m::SegmentId(g as u32));
                        }
                    }
                }
                a::ProfileMember::PracticalShare(ps) => {
                    if let Some((_, first)) = share {
                        self.emit(
                            Some(owner),
                            file,
                            Diagnostic::new(
                                Code::DuplicateClause,
                                ps.span,
                                "`practical_share` is set twice",
                            )
                            .with_label("second one")
                            .with_secondary(first, "first one")
                            .with_help("keep one `practical_share`"),
                        );
                        continue;
                    }
                    let v = match &ps.value.kind {
                        a::ExprKind::Lit(a::Lit::Percent(x)) => Some(*x),
                        _ => {
                            self.emit(
                                Some(owner),
                                file,
                                Diagnostic::new(Code::TypeMismatch, ps.value.span, "`practical_share` takes a percent")
                                    .with_label("not a percent")
                                    .with_help("write the share of the weight a practical fit earns: `practical_share 50%`"),
                            );
                            None
                        }
                    };
                    if let Some(v) = v {
                        if !(0.0..=1.0).contains(&v) {
                            self.emit(
                                Some(owner),
                                file,
                                Diagnostic::new(
                                    Code::PracticalShareRange,
                                    ps.value.span,
                                    format!("`practical_share` must be between 0% and 100%, not {}", self.src(file, ps.value.span)),
                                )
                                .with_label("out of range")
                                .with_help("a practical fit earns part of the weight: 0% to 100% (default 50%)"),
                            );
                        }
                        share = Some((v, ps.span));
                    }
                }
                _ => {}
            }
        }
        // names inside the profile: lets, groups, criteria, exclusions share one namespace
        let mut local: HashMap<&'a str, usize> = HashMap::new();
        let pname = ast.name.name.as_str();
        let mut let_asts: Vec<(&'a a::Let, usize)> = Vec::new();
        let mut group_asts: Vec<(&'a a::Group, usize)> = Vec::new();
        let mut crit_asts: Vec<(&'a a::Criterion, Option<u32>, usize)> = Vec::new();
        let mut excl_asts: Vec<(&'a a::Exclude, usize)> = Vec::new();
        let mut tier_asts: Vec<(&'a a::Tier, usize)> = Vec::new();
        let mut declare =
            |this: &mut Self, kind: DefKind, what: &str, name: &'a a::Ident, full: Span| -> usize {
                let def = this.def_in(kind, &name.name, file, name.span, full, pname);
                if let Some(&first) = local.get(name.name.as_str()) {
                    this.duplicate(Some(owner), file, what, name, first);
                } else {
                    local.insert(&name.name, def);
                }
                def
            };
        for member in &ast.members {
            match member {
                a::ProfileMember::Let(l) => {
                    let d = declare(self, DefKind::Let, "name", &l.name, l.span);
                    let_asts.push((l, d));
                }
                a::ProfileMember::Group(g) => {
                    let d = declare(self, DefKind::Group, "name", &g.name, g.span);
                    let gid = group_asts.len() as u32;
                    group_asts.push((g, d));
                    for c in &g.criteria {
                        let d = declare(self, DefKind::Criterion, "name", &c.name, c.span);
                        crit_asts.push((c, Some(gid), d));
                    }
                }
                a::ProfileMember::Criterion(c) => {
                    let d = declare(self, DefKind::Criterion, "name", &c.name, c.span);
                    crit_asts.push((c, None, d));
                }
                a::ProfileMember::Exclude(x) => {
                    let d = declare(self, DefKind::Exclude, "name", &x.name, x.span);
                    excl_asts.push((x, d));
                }
                a::ProfileMember::Tier(t) => {
                    let d = self.def_in(
                        DefKind::Tier,
                        &t.name.name,
                        file,
                        t.name.span,
                        t.span,
                        pname,
                    );
                    tier_asts.push((t, d));
                }
                _ => {}
            }
        }
        // lets, in dependency order
        let (lets, let_table) = self.profile_lets(owner, file, schema, sit_scope, &let_asts);
        let groups_map: HashMap<String, (u32, usize)> = group_asts
            .iter()
            .enumerate()
            .map(|(i, (g, d))| (g.name.name.clone(), (i as u32, *d)))
            .collect();
        let sc = Scope {
            owner,
            file,
            schema,
            lets: Some(&let_table),
            situation: sit_scope,
            tier: false,
            groups: Some(&groups_map),
        };
        let mut groups = Vec::new();
        for (g, d) in &group_asts {
            if g.criteria.is_empty() {
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(
                        Code::EmptyGroup,
                        g.name.span,
                        format!("group `{}` has no criteria", g.name.name),
                    )
                    .with_label("empty")
                    .with_help("add criteria to the group or remove it"),
                );
            }
            let mut detail = format!("**group** `{}`", g.name.name);
            if let Some(t) = &g.title {
                let _ = write!(detail, " \"{}\"", t.value);
            }
            let _ = write!(
                detail,
                "\n\n{} criteria · `score.{}` in tiers",
                g.criteria.len(),
                g.name.name
            );
            self.set_detail(*d, detail);
            groups.push(m::Group {
                name: g.name.name.clone(),
                title: g.title.as_ref().map(|t| t.value.clone()),
                loc: m::Loc {
                    file,
                    span: g.name.span,
                },
            });
        }
        // criteria
        let mut criteria = Vec::new();
        let mut crit_ok = true;
        let mut positive = 0.0;
        for (c, group, _) in &crit_asts {
            if c.weight.value == 0.0 {
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(Code::ZeroWeight, c.weight.span, format!("criterion `{}` has weight zero", c.name.name))
                        .with_label("weighs nothing")
                        .with_help("a criterion of weight 0 never changes the score: give it a weight or remove it"),
                );
            } else if c.weight.value > 0.0 {
                positive += c.weight.value;
            }
            let body = match &c.body {
                a::CriterionBody::Bool(e) => self.condition(&sc, e).map(m::CriterionBody::Bool),
                a::CriterionBody::Scorecard { perfect, practical } => {
                    let p = self.condition(&sc, perfect);
                    let q = practical.as_ref().map(|q| self.condition(&sc, q));
                    match (p, q) {
                        (Some(p), None) => Some(m::CriterionBody::Scorecard {
                            perfect: p,
                            practical: None,
                        }),
                        (Some(p), Some(Some(q))) => Some(m::CriterionBody::Scorecard {
                            perfect: p,
                            practical: Some(q),
                        }),
                        _ => None,
                    }
                }
            };
            match body {
                Some(body) => criteria.push(m::Criterion {
                    name: c.name.name.clone(),
                    title: c.title.as_ref().map(|t| t.value.clone()),
                    loc: m::Loc {
                        file,
                        span: c.name.span,
                    },
                    weight: c.weight.value,
                    group: group.map(m::GroupId),
                    body,
                }),
                None => crit_ok = false,
            }
        }
        if !crit_asts.is_empty()
            && positive <= 0.0
            && crit_asts.iter().all(|(c, _, _)| c.weight.value != 0.0)
        {
            self.emit(
                Some(owner),
                file,
                Diagnostic::new(Code::NoPositiveWeight, ast.name.span, format!("profile `{}` has no positive weight", ast.name.name))
                    .with_label("its score is undefined")
                    .with_help("the score is points over the sum of positive weights: give at least one criterion a positive weight"),
            );
        } else if crit_asts.is_empty() {
            self.emit(
                Some(owner),
                file,
                Diagnostic::new(
                    Code::NoPositiveWeight,
                    ast.name.span,
                    format!("profile `{}` has no criteria", ast.name.name),
                )
                .with_label("nothing to score")
                .with_help(
                    "add a weighted criterion: `criterion size weight 20 { employees in 50..200 }`",
                ),
            );
        }
        // exclusions
        let mut excludes = Vec::new();
        let mut excl_spans = Vec::new();
        for (x, d) in &excl_asts {
            let cond = self.condition(&sc, &x.cond);
            let mut detail = format!("**exclude** `{}`", x.name.name);
            if let Some(r) = &x.reason {
                let _ = write!(detail, " \"{}\"", r.value);
            }
            let _ = write!(detail, "\n\n```icp\n{}\n```", self.src(file, x.cond.span));
            self.set_detail(*d, detail);
            if let Some(cond) = cond {
                excl_spans.push(x.cond.span);
                excludes.push(m::Exclude {
                    name: x.name.name.clone(),
                    reason: x.reason.as_ref().map(|r| r.value.clone()),
                    loc: m::Loc {
                        file,
                        span: x.name.span,
                    },
                    cond,
                });
            }
        }
        let mut deps = std::mem::take(&mut self.seg_refs);
        // logic lints on criteria and exclusions
        let mut max_points = 0.0;
        let mut group_max = vec![0.0; groups.len()];
        let mut group_pos = vec![0.0; groups.len()];
        if let Some(s) = schema {
            for (c, (ca, _, _)) in criteria.iter().zip(crit_asts.iter().filter(|_| crit_ok)) {
                let w = c.weight.max(0.0);
                let before = max_points;
                match (&c.body, &ca.body) {
                    (m::CriterionBody::Bool(e), a::CriterionBody::Bool(ae)) => {
                        let (never, always) = self.truth(s, &[], e);
                        self.report_truth(
                            owner,
                            file,
                            ae.span,
                            "criterion",
                            &c.name,
                            never,
                            always,
                        );
                        if !never {
                            max_points += w;
                        }
                    }
                    (
                        m::CriterionBody::Scorecard { perfect, practical },
                        a::CriterionBody::Scorecard {
                            perfect: ap,
                            practical: aq,
                        },
                    ) => {
                        let (pn, pa) = self.truth(s, &[], perfect);
                        self.report_truth(owner, file, ap.span, "criterion", &c.name, pn, pa);
                        let mut best = if pn { 0.0 } else { w };
                        if let (Some(q), Some(aq)) = (practical, aq) {
                            let (qn, _) = self.truth(s, &[], q);
                            if qn {
                                self.report_truth(
                                    owner,
                                    file,
                                    aq.span,
                                    "criterion",
                                    &c.name,
                                    true,
                                    false,
                                );
                            } else if !self.practical_possible(s, q, perfect) {
                                self.emit(
                                    Some(owner),
                                    file,
                                    Diagnostic::new(
                                        Code::PracticalUnreachable,
                                        aq.span,
                                        format!("the `practical` branch of `{}` can never fire", c.name),
                                    )
                                    .with_label("whenever this holds, `perfect` holds too")
                                    .with_secondary(ap.span, "the perfect branch wins first")
                                    .with_help("the practical branch should cover the near-misses: widen it beyond the perfect one"),
                                );
                            } else if best == 0.0 {
                                best = w * share.map_or(0.5, |s| s.0);
                            }
                        }
                        max_points += best;
                    }
                    _ => {}
                }
                if let Some(g) = c.group {
                    if let Some(x) = group_max.get_mut(g.index()) {
                        *x += max_points - before;
                    }
                    if let Some(x) = group_pos.get_mut(g.index()) {
                        *x += w;
                    }
                }
            }
            for (x, span) in excludes.iter().zip(&excl_spans) {
                let (never, always) = self.truth(s, &[], &x.cond);
                self.report_truth(owner, file, *span, "exclusion", &x.name, never, always);
            }
        }
        let known = crit_ok && schema.is_some();
        let max_score = if positive > 0.0 && known {
            100.0 * max_points / positive
        } else {
            100.0
        };
        let mut bounds = vec![max_score];
        bounds.extend(group_max.iter().zip(&group_pos).map(|(m, p)| {
            if *p > 0.0 && known {
                100.0 * m / p
            } else {
                100.0
            }
        }));
        // criteria details
        for (c, _, d) in &crit_asts {
            let mut detail = format!("**criterion** `{}`", c.name.name);
            if let Some(t) = &c.title {
                let _ = write!(detail, " \"{}\"", t.value);
            }
            let w = c.weight.value;
            if positive > 0.0 && w > 0.0 {
                let _ = write!(
                    detail,
                    "\n\nweight {} · {:.1}% of the maximum score (Σ positive weights {})",
                    fmt_num(w),
                    100.0 * w / positive,
                    fmt_num(positive)
                );
            } else {
                let _ = write!(detail, "\n\nweight {}", fmt_num(w));
                if positive > 0.0 && w < 0.0 {
                    let _ = write!(
                        detail,
                        " · takes {:.1} points off the score when true",
                        100.0 * -w / positive
                    );
                }
            }
            if matches!(
                c.body,
                a::CriterionBody::Scorecard {
                    practical: Some(_),
                    ..
                }
            ) {
                let _ = write!(
                    detail,
                    " · practical fit earns {:.0}%",
                    100.0 * share.map_or(0.5, |s| s.0)
                );
            }
            self.set_detail(*d, detail);
        }
        // tiers
        let tiers = self.profile_tiers(owner, file, ast, &tier_asts, &sc, &bounds, schema);
        deps.append(&mut self.seg_refs);
        // unused lets
        for (l, _) in &let_asts {
            if let Some(e) = let_table.get(&l.name.name)
                && !e.used.get()
                && local.get(l.name.name.as_str()) == Some(&e.def)
            {
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(
                        Code::UnusedLet,
                        l.name.span,
                        format!("`let {}` is never used", l.name.name),
                    )
                    .with_label("unused")
                    .with_help("use it in a criterion, exclusion or tier, or remove it"),
                );
            }
        }
        // hover
        let mut detail = format!("**profile** `{}`", ast.name.name);
        if let Some(t) = &ast.title {
            let _ = write!(detail, " \"{}\"", t.value);
        }
        let _ = write!(
            detail,
            "\n\n{} criteria · {} exclusions · {} tiers · Σ positive weights {}",
            crit_asts.len(),
            excl_asts.len(),
            tier_asts.len(),
            fmt_num(positive)
        );
        self.set_detail(pdef, detail);
        let reasons: HashMap<String, usize> = crit_asts
            .iter()
            .map(|(c, _, d)| (c.name.name.clone(), *d))
            .chain(excl_asts.iter().map(|(x, d)| (x.name.name.clone(), *d)))
            .collect();
        let tier_names: Vec<(String, usize)> = tier_asts
            .iter()
            .map(|(t, d)| (t.name.name.clone(), *d))
            .collect();
        let model = match (schema, tiers) {
            (Some(s), Some(tiers)) => Some(m::Profile {
                name: ast.name.name.clone(),
                title: ast.title.as_ref().map(|t| t.value.clone()),
                loc: m::Loc {
                    file,
                    span: ast.name.span,
                },
                schema: m::SchemaId(s as u32),
                situation: situation.map(|x| m::SituationId(x as u32)),
                targets,
                practical_share: share.map_or(0.5, |s| s.0),
                lets,
                groups,
                criteria,
                excludes,
                tiers,
            }),
            _ => None,
        };
        if let Some(x) = self.profiles.get_mut(pi) {
            x.schema = schema;
            x.situation = situation;
            x.deps = deps;
            x.model = model;
            x.tiers = tier_names;
            x.groups = groups_map;
            x.reasons = reasons;
        }
    }

    fn practical_possible(&self, schema: usize, practical: &m::Expr, perfect: &m::Expr) -> bool {
        let optional = |v: Var| self.var_optional(schema, v);
        let segment =
            |id: m::SegmentId| self.segments.get(id.index()).and_then(|s| s.cond.as_ref());
        let score_max = |_: Var| 100.0;
        let env = logic::Env {
            enums: &self.enum_tys,
            optional: &optional,
            segment: &segment,
            score_max: &score_max,
        };
        logic::can_be_true_without(practical, perfect, &env)
    }

    fn schema_name(&self, s: usize) -> String {
        self.schemas
            .get(s)
            .map(|x| x.ast.name.name.clone())
            .unwrap_or_default()
    }

    /// A segment named in `target` or an expression; checks its schema.
    fn segment_ref(
        &mut self,
        owner: Owner,
        file: FileId,
        schema: Option<usize>,
        id: &a::Ident,
    ) -> Option<usize> {
        match self.names.get(id.name.as_str()) {
            Some(&(Global::Segment(g), def)) => {
                self.reference(file, id.span, def);
                self.seg_refs.push(g);
                let gs = self.segments.get(g).and_then(|s| s.schema);
                if let (Some(ps), Some(gs)) = (schema, gs)
                    && ps != gs
                {
                    let (pn, gn) = (self.schema_name(ps), self.schema_name(gs));
                    self.emit(
                        Some(owner),
                        file,
                        Diagnostic::new(
                            Code::SchemaMismatch,
                            id.span,
                            format!("segment `{}` is for `{gn}`, not `{pn}`", id.name),
                        )
                        .with_label(format!("a segment of `{gn}`"))
                        .with_help("a segment only applies to accounts of its own schema"),
                    );
                    return None;
                }
                Some(g)
            }
            _ => {
                let cands = self.names_of(|g| matches!(g, Global::Segment(_)));
                self.unknown(
                    Some(owner),
                    file,
                    Code::UnknownSegment,
                    id,
                    format!("unknown segment `{}`", id.name),
                    &cands,
                    "declare it with `segment NAME { condition }`",
                );
                None
            }
        }
    }

    /// Type the profile's `let`s in dependency order.
    fn profile_lets(
        &mut self,
        owner: Owner,
        file: FileId,
        schema: Option<usize>,
        situation: SitScope,
        lets: &[(&'a a::Let, usize)],
    ) -> (Vec<m::Let>, HashMap<String, LetEntry>) {
        let index: HashMap<&str, usize> = lets
            .iter()
            .enumerate()
            .map(|(i, (l, _))| (l.name.name.as_str(), i))
            .collect();
        let deps: Vec<Vec<usize>> = lets
            .iter()
            .map(|(l, _)| {
                let mut names = Vec::new();
                collect_names(&l.value, &mut names, 0);
                let mut d: Vec<usize> = names
                    .iter()
                    .filter_map(|n| index.get(n.as_str()).copied())
                    .collect();
                d.sort_unstable();
                d.dedup();
                d
            })
            .collect();
        let (order, cycles) = dependency_order(&deps);
        let mut cyclic = vec![false; lets.len()];
        for members in cycles {
            let chain = cycle_chain(
                members
                    .iter()
                    .filter_map(|x| lets.get(*x).map(|(l, _)| l.name.name.clone())),
            );
            for x in members {
                if let Some(c) = cyclic.get_mut(x) {
                    *c = true;
                }
                let Some((l, _)) = lets.get(x) else { continue };
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(
                        Code::ReferenceCycle,
                        l.name.span,
                        format!("`let {}` refers to itself", l.name.name),
                    )
                    .with_label("part of a cycle")
                    .with_help(format!(
                        "a `let` may use other `let`s, but not in a circle: {chain}"
                    )),
                );
            }
        }
        let mut table: HashMap<String, LetEntry> = HashMap::new();
        for (i, (l, d)) in lets.iter().enumerate() {
            table.entry(l.name.name.clone()).or_insert(LetEntry {
                id: u32::MAX,
                ty: None,
                def: *d,
                // a `let` in a cycle is reported as such, not as unused
                used: Cell::new(cyclic.get(i) == Some(&true)),
            });
        }
        let mut out = Vec::new();
        for i in order {
            let Some((l, d)) = lets.get(i) else { continue };
            if table.get(&l.name.name).is_some_and(|e| e.def != *d) {
                continue; // a duplicate name: reported already
            }
            if cyclic.get(i) == Some(&true) {
                continue;
            }
            let typed = {
                let sc = Scope {
                    owner,
                    file,
                    schema,
                    lets: Some(&table),
                    situation,
                    tier: false,
                    groups: None,
                };
                self.expr(&sc, &l.value, None, 0)
            };
            let id = out.len() as u32;
            if let Some(e) = typed {
                let tn = self.ty_name(&e.ty);
                self.set_detail(
                    *d,
                    format!(
                        "**let** `{}`: `{tn}`\n\n```icp\n{}\n```",
                        l.name.name,
                        self.src(file, l.value.span)
                    ),
                );
                if let Some(entry) = table.get_mut(&l.name.name) {
                    entry.id = id;
                    entry.ty = Some(e.ty.clone());
                }
                out.push(m::Let {
                    name: l.name.name.clone(),
                    loc: m::Loc {
                        file,
                        span: l.name.span,
                    },
                    expr: e,
                });
            }
        }
        (out, table)
    }

    #[expect(clippy::too_many_arguments, reason = "the profile's parts")]
    fn profile_tiers(
        &mut self,
        owner: Owner,
        file: FileId,
        ast: &'a a::Profile,
        tiers: &[(&'a a::Tier, usize)],
        sc: &Scope<'_>,
        bounds: &[f64],
        schema: Option<usize>,
    ) -> Option<Vec<m::Tier>> {
        let max_score = bounds.first().copied().unwrap_or(100.0);
        let tier_sc = Scope { tier: true, ..*sc };
        if tiers.is_empty() {
            self.emit(
                Some(owner),
                file,
                Diagnostic::new(Code::NoTiers, ast.name.span, format!("profile `{}` has no tiers", ast.name.name))
                    .with_label("no tiers")
                    .with_help("end the profile with tiers: `tier ideal >= 80`, `tier practical >= 50`, `tier not_fit`"),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut prev: Option<(f64, Span)> = None;
        let mut closed: Option<(Span, &str)> = None; // a tier every remaining account reaches
        for (t, d) in tiers {
            if BUILTIN_TIERS.contains(&t.name.name.as_str()) {
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(Code::DuplicateName, t.name.span, format!("`{}` is a built-in tier", t.name.name))
                        .with_label("reserved name")
                        .with_help("`excluded`, `out_of_segment` and `invalid` are given by scoring: pick another name"),
                );
                ok = false;
            } else if let Some(first) = seen.get(t.name.name.as_str()) {
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(
                        Code::DuplicateName,
                        t.name.span,
                        format!("tier `{}` is defined twice", t.name.name),
                    )
                    .with_label("defined again here")
                    .with_secondary(*first, "first defined here")
                    .with_help("rename one of the tiers"),
                );
                ok = false;
            } else {
                seen.insert(&t.name.name, t.name.span);
            }
            if let Some((cspan, cname)) = closed {
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(Code::UnreachableTier, t.name.span, format!("tier `{}` can never be reached", t.name.name))
                        .with_label("unreachable")
                        .with_secondary(cspan, format!("`{cname}` already takes every remaining account"))
                        .with_help("only the last tier may be the catch-all (no threshold): reorder or remove the tiers"),
                );
            }
            let mut detail = format!("**tier** `{}`", t.name.name);
            if let Some(a) = &t.action {
                let _ = write!(detail, " \"{}\"", a.value);
            }
            let rule = match &t.rule {
                a::TierRule::CatchAll => {
                    detail.push_str("\n\ncatch-all: every remaining account");
                    if closed.is_none() {
                        closed = Some((t.name.span, &t.name.name));
                    }
                    Some(m::TierRule::CatchAll)
                }
                a::TierRule::Threshold(e) => {
                    let v = self.expr(&tier_sc, e, None, 0).and_then(|x| {
                        let v = const_num(&x);
                        match (&x.ty, v) {
                            (m::Ty::Percent, Some(v)) => Some(v * 100.0),
                            (m::Ty::Int | m::Ty::Number, Some(v)) => Some(v),
                            _ => None,
                        }
                    });
                    match v {
                        None => {
                            self.emit(
                                Some(owner),
                                file,
                                Diagnostic::new(Code::NotConstant, e.span, "a tier threshold must be a number")
                                    .with_label("not a number")
                                    .with_help("write the lowest score of the tier, 0 to 100: `tier ideal >= 80`"),
                            );
                            None
                        }
                        Some(v) => {
                            let _ = write!(detail, "\n\nscore ≥ {}", fmt_num(v));
                            if let Some((pv, pspan)) = prev
                                && v >= pv
                            {
                                self.emit(
                                    Some(owner),
                                    file,
                                    Diagnostic::new(
                                        Code::TierOrder,
                                        e.span,
                                        format!("tier `{}` (>= {}) comes after a tier with threshold {}", t.name.name, fmt_num(v), fmt_num(pv)),
                                    )
                                    .with_label("not lower than the tier before")
                                    .with_secondary(pspan, "earlier threshold")
                                    .with_help("tiers are tried in order: list thresholds from highest to lowest"),
                                );
                            } else if closed.is_none() {
                                if v > 100.0 {
                                    self.emit(
                                        Some(owner),
                                        file,
                                        Diagnostic::new(
                                            Code::UnreachableTier,
                                            e.span,
                                            format!(
                                                "tier `{}` needs a score of {}, above 100",
                                                t.name.name,
                                                fmt_num(v)
                                            ),
                                        )
                                        .with_label("scores go from 0 to 100")
                                        .with_help("lower the threshold to at most 100"),
                                    );
                                } else if v > max_score + 1e-9 {
                                    self.emit(
                                        Some(owner),
                                        file,
                                        Diagnostic::new(
                                            Code::UnreachableTier,
                                            e.span,
                                            format!(
                                                "tier `{}` needs a score of {}, but the highest reachable score is {}",
                                                t.name.name,
                                                fmt_num(v),
                                                fmt_num((max_score * 100.0).round() / 100.0)
                                            ),
                                        )
                                        .with_label("no account can score this much")
                                        .with_help("some criteria can never be true; fix them or lower the threshold"),
                                    );
                                }
                            }
                            prev = Some((v, e.span));
                            if v <= 0.0 && closed.is_none() {
                                closed = Some((t.name.span, &t.name.name));
                            }
                            Some(m::TierRule::Threshold(v))
                        }
                    }
                }
                a::TierRule::When(e) => {
                    let _ = write!(detail, "\n\nwhen `{}`", self.src(file, e.span));
                    let cond = self.condition(&tier_sc, e);
                    if let (Some(c), Some(s)) = (&cond, schema) {
                        let (never, always) = self.truth(s, bounds, c);
                        self.report_truth(owner, file, e.span, "tier", &t.name.name, never, always);
                    }
                    cond.map(m::TierRule::When)
                }
            };
            self.set_detail(*d, detail);
            match rule {
                Some(rule) => out.push(m::Tier {
                    name: t.name.name.clone(),
                    action: t.action.as_ref().map(|a| a.value.clone()),
                    loc: m::Loc {
                        file,
                        span: t.name.span,
                    },
                    rule,
                }),
                None => ok = false,
            }
        }
        if let Some((last, _)) = tiers.last()
            && !matches!(last.rule, a::TierRule::CatchAll)
        {
            let (line_start, indent) =
                self.files
                    .get(file.0 as usize)
                    .map_or((0, String::new()), |f| {
                        let line = f.lines.line_of(last.span.start as usize);
                        let start = f.lines.line_start(line);
                        let text = f.text.get(start..last.span.start as usize).unwrap_or("");
                        (
                            start,
                            text.chars().take_while(|c| c.is_whitespace()).collect(),
                        )
                    });
            let _ = line_start;
            let insert = Span::new(last.span.end as usize, last.span.end as usize);
            self.emit(
                Some(owner),
                file,
                Diagnostic::new(
                    Code::MissingCatchAllTier,
                    last.span,
                    format!(
                        "the last tier of `{}` has a threshold, so some accounts get no tier",
                        ast.name.name
                    ),
                )
                .with_label("accounts below this get no tier")
                .with_help(
                    "end with a tier without a threshold that catches the rest: `tier not_fit`",
                )
                .with_fix(
                    "add `tier not_fit`",
                    insert,
                    format!("\n{indent}tier not_fit"),
                ),
            );
            ok = false;
        }
        ok.then_some(out)
    }

    // ----- tests ----------------------------------------------------------------------

    fn check_test(&mut self, ti: usize) {
        let Some(info) = self.tests.get(ti) else {
            return;
        };
        let (file, ast) = (info.file, info.ast);
        let owner = Owner::Test(ti);
        let mut profile_ident: Option<&'a a::Ident> = None;
        let mut as_of: Option<(m::Date, Span)> = None;
        let mut account: Option<&'a a::Account> = None;
        let mut expects: Vec<&'a a::Expect> = Vec::new();
        let dup = |this: &mut Self, span: Span, first: Span, what: &str| {
            this.emit(
                Some(owner),
                file,
                Diagnostic::new(
                    Code::DuplicateClause,
                    span,
                    format!("a test has one `{what}`"),
                )
                .with_label(format!("second `{what}`"))
                .with_secondary(first, "first one")
                .with_help(format!(
                    "keep one `{what}` clause; write another test for another case"
                )),
            );
        };
        for c in &ast.clauses {
            match c {
                a::TestClause::Profile(id) => match profile_ident {
                    Some(first) => dup(self, id.span, first.span, "profile"),
                    None => profile_ident = Some(id),
                },
                a::TestClause::AsOf(d) => match as_of {
                    Some((_, first)) => dup(self, d.span, first, "as_of"),
                    None => as_of = Some((d.date, d.span)),
                },
                a::TestClause::Account(acc) => match account {
                    Some(first) => dup(self, acc.span, first.span, "account"),
                    None => account = Some(acc),
                },
                a::TestClause::Expect(e) => expects.push(e),
            }
        }
        let profile = match profile_ident {
            Some(id) => match self.names.get(id.name.as_str()) {
                Some(&(Global::Profile(p), def)) => {
                    self.reference(file, id.span, def);
                    Some(p)
                }
                _ => {
                    let cands = self.names_of(|g| matches!(g, Global::Profile(_)));
                    self.unknown(
                        Some(owner),
                        file,
                        Code::UnknownProfile,
                        id,
                        format!("unknown profile `{}`", id.name),
                        &cands,
                        "declare it with `profile NAME { .. }`",
                    );
                    None
                }
            },
            None => {
                let profiles: Vec<usize> = self
                    .names
                    .values()
                    .filter_map(|(g, _)| match g {
                        Global::Profile(p) => Some(*p),
                        _ => None,
                    })
                    .collect();
                if let [only] = profiles.as_slice() {
                    Some(*only)
                } else {
                    let names = self.names_of(|g| matches!(g, Global::Profile(_)));
                    let help = match names.first() {
                        Some(first) => {
                            format!("add `profile {first}` (or another: {})", names.join(", "))
                        }
                        None => "declare a profile to test, then name it: `profile mid_market`"
                            .to_owned(),
                    };
                    self.emit(
                        Some(owner),
                        file,
                        Diagnostic::new(
                            Code::TestProfileRequired,
                            ast.name.span,
                            "this test does not say which profile it tests",
                        )
                        .with_label("no `profile NAME`")
                        .with_help(help),
                    );
                    None
                }
            }
        };
        let schema = profile
            .and_then(|p| self.profiles.get(p))
            .and_then(|p| p.schema);
        let mut values: Vec<(m::FieldId, m::Const)> = Vec::new();
        match account {
            None => self.emit(
                Some(owner),
                file,
                Diagnostic::new(
                    Code::TestWithoutAccount,
                    ast.name.span,
                    "this test has no account",
                )
                .with_label("no `account { .. }`")
                .with_help(
                    "describe the account to score: `account { id: \"a1\", employees: 120 }`",
                ),
            ),
            Some(acc) => {
                if let Some(s) = schema {
                    values = self.test_account(owner, file, s, acc);
                }
            }
        }
        if expects.is_empty() {
            self.emit(
                Some(owner),
                file,
                Diagnostic::new(
                    Code::TestWithoutExpect,
                    ast.name.span,
                    "this test expects nothing",
                )
                .with_label("no `expect`")
                .with_help("say what should happen: `expect tier ideal`, `expect score >= 80`"),
            );
        }
        let mut out_expects = Vec::new();
        if let Some(p) = profile {
            for e in &expects {
                if let Some(kind) = self.test_expect(owner, file, p, e) {
                    out_expects.push(m::Expect {
                        kind,
                        loc: m::Loc { file, span: e.span },
                    });
                }
            }
        }
        let model = profile.map(|p| m::Test {
            name: ast.name.value.clone(),
            loc: m::Loc {
                file,
                span: ast.name.span,
            },
            profile: m::ProfileId(p as u32),
            as_of: as_of.map(|d| d.0),
            account: values,
            expects: out_expects,
        });
        if let Some(x) = self.tests.get_mut(ti) {
            x.profile = profile;
            x.model = model;
        }
    }

    fn test_account(
        &mut self,
        owner: Owner,
        file: FileId,
        schema: usize,
        acc: &'a a::Account,
    ) -> Vec<(m::FieldId, m::Const)> {
        let sc = Scope {
            owner,
            file,
            schema: Some(schema),
            lets: None,
            situation: SitScope::None("test accounts hold values"),
            tier: false,
            groups: None,
        };
        let mut out: Vec<(m::FieldId, m::Const)> = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for f in &acc.fields {
            if let Some(first) = seen.get(f.name.name.as_str()) {
                self.emit(
                    Some(owner),
                    file,
                    Diagnostic::new(
                        Code::DuplicateName,
                        f.name.span,
                        format!("field `{}` is given twice", f.name.name),
                    )
                    .with_label("given again here")
                    .with_secondary(*first, "first given here")
                    .with_help("give each field once"),
                );
                continue;
            }
            seen.insert(&f.name.name, f.name.span);
            let Some((fid, fty)) = self.field(&sc, &f.name) else {
                continue;
            };
            let Some(v) = self.account_value(&sc, &f.value, &fty) else {
                continue;
            };
            out.push((fid, v));
        }
        let missing: Vec<String> = self
            .schemas
            .get(schema)
            .map(|s| {
                s.fields
                    .iter()
                    .filter(|fd| !fd.optional && !seen.contains_key(fd.name.as_str()))
                    .map(|fd| format!("`{}`", fd.name))
                    .collect()
            })
            .unwrap_or_default();
        if !missing.is_empty() {
            let n = missing.len();
            self.emit(
                Some(owner),
                file,
                Diagnostic::new(
                    Code::TestMissingField,
                    acc.span,
                    format!("the account lacks {n} required field{}: {}", if n == 1 { "" } else { "s" }, missing.join(", ")),
                )
                .with_label("incomplete account")
                .with_help("give every field without `?` a value, or make the field optional in the schema"),
            );
        }
        out
    }

    /// A test account value: a literal of the field's type.
    #[expect(
        clippy::many_single_char_names,
        reason = "e, c, d, x: expression, constant, diagnostic, typed"
    )]
    fn account_value(&mut self, sc: &Scope<'_>, e: &'a a::Expr, ty: &m::Ty) -> Option<m::Const> {
        match (ty, &e.kind) {
            (m::Ty::Set(inner), a::ExprKind::List(items)) => {
                let mut out = Vec::new();
                for item in items {
                    out.push(self.account_value(sc, item, inner)?);
                }
                Some(m::Const::List(out))
            }
            _ => {
                let enum_ctx = match ty {
                    m::Ty::Enum(id) => Some(id.0),
                    _ => None,
                };
                let x = self.expr(sc, e, enum_ctx, 0)?;
                let Some(c) = as_const(&x).cloned() else {
                    self.emit_in(
                        sc,
                        Diagnostic::new(Code::NotConstant, e.span, "a test account value must be a literal")
                            .with_label("not a literal")
                            .with_help("write the value itself: `120`, `$5M`, `\"US\"`, `saas`, `[\"HubSpot\"]`"),
                    );
                    return None;
                };
                let fits = &x.ty == ty
                    || matches!((ty, &x.ty), (m::Ty::Number | m::Ty::Money, m::Ty::Int));
                if !fits {
                    let (want, got) = (self.ty_name(ty), self.ty_name(&x.ty));
                    let mut d = Diagnostic::new(
                        Code::TypeMismatch,
                        e.span,
                        format!("expected `{want}`, found `{got}`"),
                    )
                    .with_label(format!("this is `{got}`"));
                    d = match (ty, &c) {
                        (m::Ty::Enum(id), m::Const::Text(t)) => {
                            let name = self.enums.get(id.index()).and_then(|en| {
                                en.ty.variants.iter().find(|v| {
                                    v.name.eq_ignore_ascii_case(t.trim())
                                        || v.strings
                                            .iter()
                                            .any(|s| s.trim().eq_ignore_ascii_case(t.trim()))
                                })
                            });
                            match name {
                                Some(v) => d
                                    .with_help(format!("write the variant by name: `{}`", v.name))
                                    .with_fix(
                                        format!("replace with `{}`", v.name),
                                        e.span,
                                        v.name.clone(),
                                    ),
                                None => d.with_help("write one of the enum's variants by name"),
                            }
                        }
                        (m::Ty::Set(_), _) => {
                            d.with_help("a set value is a list: `[\"HubSpot\", \"Salesforce\"]`")
                        }
                        _ => d.with_help(format!("write a `{want}` literal")),
                    };
                    self.emit_in(sc, d);
                    return None;
                }
                Some(c)
            }
        }
    }

    fn test_expect(
        &mut self,
        owner: Owner,
        file: FileId,
        p: usize,
        e: &'a a::Expect,
    ) -> Option<m::ExpectKind> {
        let pinfo = self.profiles.get(p)?;
        match &e.kind {
            a::ExpectKind::Tier(id) => {
                let tiers: Vec<(String, usize)> = pinfo.tiers.clone();
                if let Some((_, d)) = tiers.iter().find(|(n, _)| *n == id.name) {
                    self.reference(file, id.span, *d);
                } else if !BUILTIN_TIERS.contains(&id.name.as_str()) {
                    let mut cands: Vec<&str> = tiers.iter().map(|(n, _)| n.as_str()).collect();
                    cands.extend(BUILTIN_TIERS);
                    let pname = pinfo.ast.name.name.clone();
                    self.unknown(
                        Some(owner),
                        file,
                        Code::UnknownTier,
                        id,
                        format!("profile `{pname}` has no tier `{}`", id.name),
                        &cands,
                        "expect one of the profile's tiers, or `excluded`, `out_of_segment`, `invalid`",
                    );
                    return None;
                }
                Some(m::ExpectKind::Tier(id.name.clone()))
            }
            a::ExpectKind::Reason(id) => {
                if let Some(&d) = pinfo.reasons.get(&id.name) {
                    self.reference(file, id.span, d);
                    Some(m::ExpectKind::Reason(id.name.clone()))
                } else {
                    let mut cands: Vec<&str> = pinfo.reasons.keys().map(String::as_str).collect();
                    cands.sort_unstable();
                    let pname = pinfo.ast.name.name.clone();
                    let cands: Vec<String> = cands.into_iter().map(str::to_owned).collect();
                    let cands: Vec<&str> = cands.iter().map(String::as_str).collect();
                    self.unknown(
                        Some(owner),
                        file,
                        Code::UnknownName,
                        id,
                        format!(
                            "profile `{pname}` has no criterion or exclusion `{}`",
                            id.name
                        ),
                        &cands,
                        "a reason is the name of a criterion or an `exclude` rule",
                    );
                    None
                }
            }
            a::ExpectKind::Compare { metric, op, value } => {
                let sc = Scope {
                    owner,
                    file,
                    schema: None,
                    lets: None,
                    situation: SitScope::None("expectations compare numbers"),
                    tier: false,
                    groups: None,
                };
                let metric = match metric {
                    a::ExpectMetric::Score(_) => m::ExpectMetric::Score,
                    a::ExpectMetric::Coverage(_) => m::ExpectMetric::Coverage,
                    a::ExpectMetric::GroupScore(g) => {
                        if let Some(&(gid, d)) = pinfo.groups.get(&g.name) {
                            self.reference(file, g.span, d);
                            m::ExpectMetric::GroupScore(m::GroupId(gid))
                        } else {
                            let mut cands: Vec<String> = pinfo.groups.keys().cloned().collect();
                            cands.sort_unstable();
                            let cands: Vec<&str> = cands.iter().map(String::as_str).collect();
                            let pname = pinfo.ast.name.name.clone();
                            self.unknown(
                                Some(owner),
                                file,
                                Code::UnknownGroup,
                                g,
                                format!("profile `{pname}` has no group `{}`", g.name),
                                &cands,
                                "`score.NAME` names a `group` of the profile",
                            );
                            return None;
                        }
                    }
                };
                let x = self.expr(&sc, value, None, 0)?;
                let v = match (&x.ty, const_num(&x), metric) {
                    (m::Ty::Percent, Some(v), m::ExpectMetric::Coverage) => v,
                    (m::Ty::Int | m::Ty::Number, Some(v), m::ExpectMetric::Coverage) => v / 100.0,
                    (m::Ty::Percent, Some(v), _) => v * 100.0,
                    (m::Ty::Int | m::Ty::Number, Some(v), _) => v,
                    _ => {
                        self.emit(
                            Some(owner),
                            file,
                            Diagnostic::new(Code::NotConstant, value.span, "an expectation compares with a number")
                                .with_label("not a number")
                                .with_help("write a score from 0 to 100 (`expect score >= 80`) or a coverage percent (`expect coverage >= 90%`)"),
                        );
                        return None;
                    }
                };
                Some(m::ExpectKind::Compare {
                    metric,
                    op: *op,
                    value: v,
                })
            }
        }
    }

    // ----- expressions ----------------------------------------------------------------

    /// A field of the scope's schema, by name, reporting unknown ones.
    fn field(&mut self, sc: &Scope<'_>, id: &a::Ident) -> Option<(m::FieldId, m::Ty)> {
        let schema = sc.schema?;
        let s = self.schemas.get(schema)?;
        if let Some(&f) = s.field_ix.get(id.name.as_str()) {
            let ty = s.fields.get(f as usize)?.ty.clone();
            let def = s.field_defs.get(f as usize).copied();
            if let Some(def) = def {
                self.reference(sc.file, id.span, def);
            }
            return Some((m::FieldId(f), ty));
        }
        let mut cands: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
        cands.sort_unstable();
        let cands: Vec<String> = cands.into_iter().map(str::to_owned).collect();
        let cands: Vec<&str> = cands.iter().map(String::as_str).collect();
        let sname = s.ast.name.name.clone();
        self.unknown(
            Some(sc.owner),
            sc.file,
            Code::UnknownField,
            id,
            format!("schema `{sname}` has no field `{}`", id.name),
            &cands,
            &format!("declare it in `schema {sname}`"),
        );
        None
    }

    /// A condition: a boolean expression.
    fn condition(&mut self, sc: &Scope<'_>, e: &'a a::Expr) -> Option<m::Expr> {
        let x = self.expr(sc, e, None, 0)?;
        self.require_bool(
            sc,
            e.span,
            x,
            "a condition must be true or false",
            "compare it: `employees >= 10`, `revenue is present`",
        )
    }

    /// `x` when it is a boolean; else report `not_boolean` ("WHAT, this is `T`") and `None`.
    fn require_bool(
        &mut self,
        sc: &Scope<'_>,
        span: Span,
        x: m::Expr,
        what: &str,
        help: &str,
    ) -> Option<m::Expr> {
        if x.ty == m::Ty::Bool {
            return Some(x);
        }
        let tn = self.ty_name(&x.ty);
        self.emit_in(
            sc,
            Diagnostic::new(Code::NotBoolean, span, format!("{what}, this is `{tn}`"))
                .with_label(format!("this is `{tn}`"))
                .with_help(help),
        );
        None
    }

    fn bool_operand(
        &mut self,
        sc: &Scope<'_>,
        e: &'a a::Expr,
        op: &str,
        depth: usize,
    ) -> Option<m::Expr> {
        let x = self.expr(sc, e, None, depth + 1)?;
        self.require_bool(
            sc,
            e.span,
            x,
            &format!("`{op}` needs true or false"),
            "compare it to get a boolean: `employees >= 10`",
        )
    }

    fn mismatch(
        &mut self,
        sc: &Scope<'_>,
        span: Span,
        l: (&m::Ty, Span),
        r: (&m::Ty, Span),
        what: &str,
        help: &str,
    ) {
        let (ln, rn) = (self.ty_name(l.0), self.ty_name(r.0));
        let message = match what {
            "compare" => format!("cannot compare `{ln}` with `{rn}`"),
            "range over" => format!("a range of `{rn}` does not fit `{ln}`"),
            "combine with `??`" => {
                format!("`??` needs a default of the value's type, not `{ln}` and `{rn}`")
            }
            _ => format!("cannot {what} `{ln}` and `{rn}`"),
        };
        self.emit_in(
            sc,
            Diagnostic::new(Code::TypeMismatch, span, message)
                .with_label("types do not fit")
                .with_secondary(l.1, format!("`{ln}`"))
                .with_secondary(r.1, format!("`{rn}`"))
                .with_help(help.to_owned()),
        );
    }

    fn expr(
        &mut self,
        sc: &Scope<'_>,
        e: &'a a::Expr,
        want_enum: Option<u32>,
        depth: usize,
    ) -> Option<m::Expr> {
        if depth > MAX_EXPR_DEPTH {
            self.too_deep(sc, e.span);
            return None;
        }
        let span = e.span;
        // INVARIANT: each kind is typed in its own function, so that this recursive frame
        // stays small (the parser bounds the depth; small frames keep that within any stack).
        match &e.kind {
            a::ExprKind::Lit(l) => {
                let (c, ty) = lit_const(l);
                Some(konst(c, ty, span))
            }
            a::ExprKind::List(items) => self.expr_list(sc, items, want_enum, span, depth),
            a::ExprKind::Name(id) => self.name(sc, id, want_enum),
            a::ExprKind::Path(base, member) => self.path(sc, base, member),
            a::ExprKind::Unary(UnaryOp::Not, x) => self.expr_not(sc, x, span, depth),
            a::ExprKind::Unary(UnaryOp::Neg, x) => self.expr_neg(sc, x, span, depth),
            a::ExprKind::Binary(op @ (BinOp::And | BinOp::Or), l, r) => {
                self.expr_logic(sc, *op, l, r, span, depth)
            }
            a::ExprKind::Binary(BinOp::Cmp(op), l, r) => self.expr_cmp(sc, *op, l, r, span, depth),
            a::ExprKind::Binary(BinOp::Coalesce, l, r) => self.expr_coalesce(sc, l, r, span, depth),
            a::ExprKind::Binary(op, l, r) => self.expr_arith(sc, *op, l, r, span, depth),
            a::ExprKind::InRange {
                expr,
                lo,
                hi,
                negated,
            } => self.expr_range(sc, expr, lo, hi, *negated, span, depth),
            a::ExprKind::InList {
                expr,
                list,
                negated,
            } => self.expr_in_list(sc, expr, list, *negated, span, depth),
            a::ExprKind::Contains { expr, mode, needle } => {
                self.expr_contains(sc, expr, *mode, needle, span, depth)
            }
            a::ExprKind::IsMissing { expr, negated } => {
                self.expr_missing(sc, expr, *negated, span, depth)
            }
            a::ExprKind::Call { func, .. } => self.expr_call(sc, func, span),
        }
    }

    #[inline(never)]
    fn too_deep(&mut self, sc: &Scope<'_>, span: Span) {
        if self.deep_reported {
            self.mark(sc.owner);
            return;
        }
        self.deep_reported = true;
        self.emit_in(
            sc,
            Diagnostic::new(Code::NestingTooDeep, span, "expression nested too deeply")
                .with_label("too deep")
                .with_help("split it with `let`s or segments"),
        );
    }

    #[inline(never)]
    fn expr_list(
        &mut self,
        sc: &Scope<'_>,
        items: &'a [a::Expr],
        want_enum: Option<u32>,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        for item in items {
            let _ = self.expr(sc, item, want_enum, depth + 1);
        }
        self.emit_in(
            sc,
            Diagnostic::new(
                Code::TypeMismatch,
                span,
                "a list only goes after `in`, `contains any` or `contains all`",
            )
            .with_label("list here")
            .with_help("test membership: `industry in [saas, fintech]`"),
        );
        None
    }

    #[inline(never)]
    fn expr_not(
        &mut self,
        sc: &Scope<'_>,
        x: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let x = self.bool_operand(sc, x, "not", depth)?;
        if let m::ExprKind::Const(m::Const::Bool(b)) = x.kind {
            return Some(konst(m::Const::Bool(!b), m::Ty::Bool, span));
        }
        mk(m::ExprKind::Not(Box::new(x)), m::Ty::Bool)
    }

    #[inline(never)]
    fn expr_neg(
        &mut self,
        sc: &Scope<'_>,
        x: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let x = self.expr(sc, x, None, depth + 1)?;
        if !(x.ty.is_numeric() || x.ty == m::Ty::Duration) {
            let tn = self.ty_name(&x.ty);
            self.emit_in(
                sc,
                Diagnostic::new(Code::TypeMismatch, span, format!("cannot negate `{tn}`"))
                    .with_label(format!("this is `{tn}`"))
                    .with_help("`-` applies to numbers, money, percents and durations"),
            );
            return None;
        }
        match x.kind {
            m::ExprKind::Const(m::Const::Num(n)) => Some(konst(m::Const::Num(-n), x.ty, span)),
            m::ExprKind::Const(m::Const::Duration(d)) => {
                Some(konst(m::Const::Duration(-d), x.ty, span))
            }
            _ => {
                let ty = x.ty.clone();
                mk(m::ExprKind::Neg(Box::new(x)), ty)
            }
        }
    }

    #[inline(never)]
    fn expr_logic(
        &mut self,
        sc: &Scope<'_>,
        op: BinOp,
        l: &'a a::Expr,
        r: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let l = self.bool_operand(sc, l, op.as_str(), depth);
        let r = self.bool_operand(sc, r, op.as_str(), depth);
        let (l, r) = (Box::new(l?), Box::new(r?));
        let kind = if op == BinOp::And {
            m::ExprKind::And(l, r)
        } else {
            m::ExprKind::Or(l, r)
        };
        mk(kind, m::Ty::Bool)
    }

    #[inline(never)]
    fn expr_cmp(
        &mut self,
        sc: &Scope<'_>,
        op: CmpOp,
        l: &'a a::Expr,
        r: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let lx = self.expr(sc, l, None, depth + 1);
        let ctx = match lx.as_ref().map(|x| &x.ty) {
            Some(m::Ty::Enum(id)) => Some(id.0),
            _ => None,
        };
        let rx = self.expr(sc, r, ctx, depth + 1);
        let (lx, rx) = (lx?, rx?);
        if let Err(help) = comparable(op, &lx.ty, &rx.ty) {
            if lx.ty == rx.ty {
                let tn = self.ty_name(&lx.ty);
                self.emit_in(
                    sc,
                    Diagnostic::new(
                        Code::TypeMismatch,
                        span,
                        format!("`{}` does not order `{tn}` values", op.as_str()),
                    )
                    .with_label("no order")
                    .with_help(help),
                );
                return None;
            }
            self.mismatch(
                sc,
                span,
                (&lx.ty, l.span),
                (&rx.ty, r.span),
                "compare",
                &help,
            );
            return None;
        }
        mk(
            m::ExprKind::Cmp(op, Box::new(lx), Box::new(rx)),
            m::Ty::Bool,
        )
    }

    #[inline(never)]
    fn expr_coalesce(
        &mut self,
        sc: &Scope<'_>,
        l: &'a a::Expr,
        r: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let lx = self.expr(sc, l, None, depth + 1);
        let ctx = match lx.as_ref().map(|x| &x.ty) {
            Some(m::Ty::Enum(id)) => Some(id.0),
            _ => None,
        };
        let rx = self.expr(sc, r, ctx, depth + 1);
        let (lx, rx) = (lx?, rx?);
        let Some(ty) = unify(&lx.ty, &rx.ty) else {
            self.mismatch(
                sc,
                span,
                (&lx.ty, l.span),
                (&rx.ty, r.span),
                "combine with `??`",
                "the default must have the value's type: `marketers ?? 0`",
            );
            return None;
        };
        mk(m::ExprKind::Coalesce(Box::new(lx), Box::new(rx)), ty)
    }

    #[inline(never)]
    fn expr_arith(
        &mut self,
        sc: &Scope<'_>,
        op: BinOp,
        l: &'a a::Expr,
        r: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let lx = self.expr(sc, l, None, depth + 1);
        let rx = self.expr(sc, r, None, depth + 1);
        let (lx, rx) = (lx?, rx?);
        let Some(ty) = arith_ty(op, &lx.ty, &rx.ty) else {
            self.mismatch(
                sc,
                span,
                (&lx.ty, l.span),
                (&rx.ty, r.span),
                &format!("apply `{}` to", op.as_str()),
                "arithmetic works on numbers, money (`money / int`, `money * percent`), percents, and dates with durations (`today - 90d`)",
            );
            return None;
        };
        if op == BinOp::Div && matches!(as_const(&rx), Some(m::Const::Num(z)) if *z == 0.0) {
            self.emit_in(
                sc,
                Diagnostic::new(Code::DivisionByZero, r.span, "division by zero")
                    .with_label("always zero")
                    .with_help(
                        "a division by zero gives a missing value: divide by something else",
                    ),
            );
        }
        let aop = match op {
            BinOp::Add => m::ArithOp::Add,
            BinOp::Sub => m::ArithOp::Sub,
            BinOp::Mul => m::ArithOp::Mul,
            _ => m::ArithOp::Div,
        };
        mk(m::ExprKind::Arith(aop, Box::new(lx), Box::new(rx)), ty)
    }

    #[inline(never)]
    #[expect(clippy::too_many_arguments, reason = "the parts of a range test")]
    fn expr_range(
        &mut self,
        sc: &Scope<'_>,
        expr: &'a a::Expr,
        lo: &'a a::Expr,
        hi: &'a a::Expr,
        negated: bool,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let x = self.expr(sc, expr, None, depth + 1);
        let lx = self.expr(sc, lo, None, depth + 1);
        let hx = self.expr(sc, hi, None, depth + 1);
        let (x, lx, hx) = (x?, lx?, hx?);
        for (b, bs) in [(&lx, lo.span), (&hx, hi.span)] {
            if let Err(help) = comparable(CmpOp::Le, &x.ty, &b.ty) {
                self.mismatch(
                    sc,
                    span,
                    (&x.ty, expr.span),
                    (&b.ty, bs),
                    "range over",
                    &help,
                );
                return None;
            }
        }
        let bound = |c: Option<&m::Const>| match c {
            Some(m::Const::Num(n)) => Some(*n),
            Some(m::Const::Date(d)) => Some(f64::from(d.0)),
            Some(m::Const::Duration(d)) => Some(*d as f64),
            _ => None,
        };
        if let (Some(a), Some(b)) = (bound(as_const(&lx)), bound(as_const(&hx)))
            && a > b
        {
            self.emit_in(
                sc,
                Diagnostic::new(
                    Code::InvalidRange,
                    lo.span.to(hi.span),
                    format!(
                        "range `{}` is empty: its low end is above its high end",
                        self.src(sc.file, lo.span.to(hi.span))
                    ),
                )
                .with_label("empty range")
                .with_help("write the low end first: `10..1000`"),
            );
            return None;
        }
        let inner = m::Expr {
            kind: m::ExprKind::InRange {
                expr: Box::new(x),
                lo: Box::new(lx),
                hi: Box::new(hx),
            },
            ty: m::Ty::Bool,
            span,
        };
        Some(if negated { not(inner) } else { inner })
    }

    #[inline(never)]
    fn expr_in_list(
        &mut self,
        sc: &Scope<'_>,
        expr: &'a a::Expr,
        list: &'a [a::Expr],
        negated: bool,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let x = self.expr(sc, expr, None, depth + 1)?;
        let ctx = match &x.ty {
            m::Ty::Enum(id) => Some(id.0),
            _ => None,
        };
        let items = self.list_items(sc, list, ctx, depth)?;
        for (item, ast) in items.iter().zip(list) {
            if let Err(help) = comparable(CmpOp::Eq, &x.ty, &item.ty) {
                self.mismatch(
                    sc,
                    ast.span,
                    (&x.ty, expr.span),
                    (&item.ty, ast.span),
                    "compare",
                    &help,
                );
                return None;
            }
        }
        let inner = m::Expr {
            kind: m::ExprKind::InList {
                expr: Box::new(x),
                list: items,
            },
            ty: m::Ty::Bool,
            span,
        };
        Some(if negated { not(inner) } else { inner })
    }

    #[inline(never)]
    fn expr_contains(
        &mut self,
        sc: &Scope<'_>,
        expr: &'a a::Expr,
        mode: ContainsMode,
        needle: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let x = self.expr(sc, expr, None, depth + 1)?;
        if !matches!(&x.ty, m::Ty::Text | m::Ty::Set(_)) {
            let tn = self.ty_name(&x.ty);
            self.emit_in(
                sc,
                Diagnostic::new(
                    Code::TypeMismatch,
                    expr.span,
                    format!("`contains` needs a set or text, this is `{tn}`"),
                )
                .with_label(format!("this is `{tn}`"))
                .with_help(
                    "`contains` looks into a `set<text>` (exact item) or a text (substring)",
                ),
            );
            return None;
        }
        let needles = match (mode, &needle.kind) {
            (ContainsMode::One, a::ExprKind::List(_)) => {
                self.emit_in(
                    sc,
                    Diagnostic::new(
                        Code::TypeMismatch,
                        needle.span,
                        "`contains` takes one value, not a list",
                    )
                    .with_label("a list")
                    .with_help("write `contains any [..]` or `contains all [..]`"),
                );
                return None;
            }
            (ContainsMode::One, _) => vec![self.expr(sc, needle, None, depth + 1)?],
            (_, a::ExprKind::List(items)) => self.list_items(sc, items, None, depth)?,
            _ => {
                self.emit_in(
                    sc,
                    Diagnostic::new(Code::TypeMismatch, needle.span, "`contains any` and `contains all` take a list")
                        .with_label("not a list")
                        .with_help("write the values in brackets: `contains any [\"HubSpot\", \"Salesforce\"]`"),
                );
                return None;
            }
        };
        for n in &needles {
            if n.ty != m::Ty::Text {
                let tn = self.ty_name(&n.ty);
                self.emit_in(
                    sc,
                    Diagnostic::new(
                        Code::TypeMismatch,
                        n.span,
                        format!("`contains` looks for text, this is `{tn}`"),
                    )
                    .with_label(format!("this is `{tn}`"))
                    .with_help("write the item as text: `\"HubSpot\"`"),
                );
                return None;
            }
        }
        mk(
            m::ExprKind::Contains {
                expr: Box::new(x),
                mode,
                needles,
            },
            m::Ty::Bool,
        )
    }

    #[inline(never)]
    fn expr_missing(
        &mut self,
        sc: &Scope<'_>,
        expr: &'a a::Expr,
        negated: bool,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let x = self.expr(sc, expr, None, depth + 1)?;
        if let m::ExprKind::Field(fid) = &x.kind {
            self.never_missing(sc, *fid, expr.span, negated);
        }
        let inner = m::Expr {
            kind: m::ExprKind::IsMissing(Box::new(x)),
            ty: m::Ty::Bool,
            span,
        };
        Some(if negated { not(inner) } else { inner })
    }

    #[inline(never)]
    fn expr_call(&mut self, sc: &Scope<'_>, func: &a::Ident, span: Span) -> Option<m::Expr> {
        if func.name == "count" || func.name == "sum" {
            self.emit_in(
                sc,
                Diagnostic::new(Code::AggregateOutsideGoal, span, format!("`{}` only measures situation goals", func.name))
                    .with_label("an aggregate here")
                    .with_help("conditions look at one account; aggregates go in `goal NAME sum(arr) >= $100k`"),
            );
        } else {
            self.unknown(
                Some(sc.owner),
                sc.file,
                Code::UnknownFunction,
                func,
                format!("unknown function `{}`", func.name),
                &["count", "sum"],
                "ICP has no functions in conditions; `count` and `sum(field)` measure situation goals",
            );
        }
        None
    }

    fn list_items(
        &mut self,
        sc: &Scope<'_>,
        list: &'a [a::Expr],
        ctx: Option<u32>,
        depth: usize,
    ) -> Option<Vec<m::Expr>> {
        let mut out: Vec<m::Expr> = Vec::new();
        let mut ok = true;
        for item in list {
            match self.expr(sc, item, ctx, depth + 1) {
                Some(x) => {
                    if let Some(first) = out.first()
                        && unify(&first.ty, &x.ty).is_none()
                    {
                        let (fnm, xn) = (self.ty_name(&first.ty), self.ty_name(&x.ty));
                        let fspan = first.span;
                        self.emit_in(
                            sc,
                            Diagnostic::new(
                                Code::MixedList,
                                item.span,
                                format!("a list mixes `{fnm}` and `{xn}`"),
                            )
                            .with_label(format!("this is `{xn}`"))
                            .with_secondary(fspan, format!("the list starts with `{fnm}`"))
                            .with_help("every item of a list has the same type"),
                        );
                        ok = false;
                        continue;
                    }
                    out.push(x);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn never_missing(&mut self, sc: &Scope<'_>, fid: m::FieldId, span: Span, negated: bool) {
        let Some(schema) = sc.schema.and_then(|s| self.schemas.get(s)) else {
            return;
        };
        let Some(ast_field) = schema.ast.fields.get(fid.index()) else {
            return;
        };
        if ast_field.ty.optional {
            return;
        }
        let sfile = schema.file;
        let name = ast_field.name.name.clone();
        let (what, always) = if negated {
            ("is present", "always true")
        } else {
            ("is missing", "never true")
        };
        let mut d = Diagnostic::new(
            Code::NeverMissing,
            span,
            format!("`{name}` is never missing, so `{what}` is {always}"),
        )
        .with_label(format!("`{name}` is required"))
        .with_help(format!(
            "make the field optional (`{}?`) if it may be empty, or drop the test",
            self.src(sfile, ast_field.ty.span)
        ))
        .in_file(sc.file);
        let end = ast_field.ty.span.end as usize;
        d.fix = Some(Fix {
            title: format!("make `{name}` optional"),
            edits: vec![Edit {
                file: sfile,
                span: Span::new(end, end),
                text: "?".to_owned(),
            }],
        });
        self.diags.push(d);
    }

    /// A bare name: `let`, field, segment, variant (in an enum context), `today`.
    fn name(&mut self, sc: &Scope<'_>, id: &a::Ident, want_enum: Option<u32>) -> Option<m::Expr> {
        let span = id.span;
        let name = id.name.as_str();
        if let Some(lets) = sc.lets
            && let Some(entry) = lets.get(name)
        {
            entry.used.set(true);
            self.reference(sc.file, span, entry.def);
            let ty = entry.ty.clone()?;
            return Some(m::Expr {
                kind: m::ExprKind::Let(m::LetId(entry.id)),
                ty,
                span,
            });
        }
        if sc.tier && name == "score" {
            return Some(m::Expr {
                kind: m::ExprKind::Score,
                ty: m::Ty::Number,
                span,
            });
        }
        if let Some(s) = sc.schema.and_then(|s| self.schemas.get(s))
            && let Some(&f) = s.field_ix.get(name)
        {
            let ty = s.fields.get(f as usize)?.ty.clone();
            if let Some(&def) = s.field_defs.get(f as usize) {
                self.reference(sc.file, span, def);
            }
            return Some(m::Expr {
                kind: m::ExprKind::Field(m::FieldId(f)),
                ty,
                span,
            });
        }
        if let Some(&(Global::Segment(_), _)) = self.names.get(name) {
            let g = self.segment_ref(sc.owner, sc.file, sc.schema, id)?;
            return Some(m::Expr {
                kind: m::ExprKind::Segment(m::SegmentId(g as u32)),
                ty: m::Ty::Bool,
                span,
            });
        }
        if let Some(e) = want_enum
            && let Some(info) = self.enums.get(e as usize)
        {
            if let Some(i) = info.ty.variants.iter().position(|v| v.name == name) {
                if let Some(&def) = info.defs.get(i) {
                    self.reference(sc.file, span, def);
                }
                return Some(konst(
                    m::Const::Enum(m::EnumId(e), i as u32),
                    m::Ty::Enum(m::EnumId(e)),
                    span,
                ));
            }
            let cands: Vec<String> = info.ty.variants.iter().map(|v| v.name.clone()).collect();
            let cands: Vec<&str> = cands.iter().map(String::as_str).collect();
            let field = info.field.clone();
            let list = cands
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.unknown(
                Some(sc.owner),
                sc.file,
                Code::UnknownVariant,
                id,
                format!("`{field}` has no variant `{name}`"),
                &cands,
                &format!("`{field}` is one of {list}"),
            );
            return None;
        }
        if name == "today" {
            return Some(m::Expr {
                kind: m::ExprKind::Today,
                ty: m::Ty::Date,
                span,
            });
        }
        if name == "score" {
            self.emit_in(
                sc,
                Diagnostic::new(Code::ScoreOutsideTier, span, "`score` is only known in tier conditions")
                    .with_label("no score here")
                    .with_help("the score is computed from the criteria; use it in `tier NAME when score >= ..`"),
            );
            return None;
        }
        if name == "count" || name == "sum" {
            self.emit_in(
                sc,
                Diagnostic::new(
                    Code::AggregateOutsideGoal,
                    span,
                    format!("`{name}` only measures situation goals"),
                )
                .with_label("an aggregate here")
                .with_help(
                    "conditions look at one account; aggregates go in `goal NAME count >= 25`",
                ),
            );
            return None;
        }
        // Unknown: quiet when the schema did not resolve (already reported).
        let Some(schema) = sc.schema.and_then(|s| self.schemas.get(s)) else {
            self.mark(sc.owner);
            return None;
        };
        // A variant used without an enum to compare with?
        let variant_of: Option<String> = self
            .enums
            .iter()
            .filter(|e| e.owner == sc.schema.unwrap_or(usize::MAX))
            .find(|e| e.ty.variants.iter().any(|v| v.name == name))
            .map(|e| e.field.clone());
        if let Some(field) = variant_of {
            self.emit_in(
                sc,
                Diagnostic::new(
                    Code::UnknownName,
                    span,
                    format!("`{name}` is a variant of `{field}`, not a value on its own"),
                )
                .with_label("a variant without its field")
                .with_help(format!("compare the field with it: `{field} == {name}`")),
            );
            return None;
        }
        let mut cands: Vec<(String, Code)> = Vec::new();
        cands.extend(
            schema
                .fields
                .iter()
                .map(|f| (f.name.clone(), Code::UnknownField)),
        );
        if let Some(lets) = sc.lets {
            cands.extend(lets.keys().map(|k| (k.clone(), Code::UnknownName)));
        }
        cands.extend(
            self.names
                .iter()
                .filter(|(_, (g, _))| matches!(g, Global::Segment(_)))
                .map(|(n, _)| ((*n).to_owned(), Code::UnknownSegment)),
        );
        cands.push(("today".to_owned(), Code::UnknownName));
        cands.sort();
        let sname = schema.ast.name.name.clone();
        let best = did_you_mean(name, cands.iter().map(|(c, _)| c.as_str())).map(str::to_owned);
        let code = best
            .as_ref()
            .and_then(|b| cands.iter().find(|(c, _)| c == b))
            .map_or(Code::UnknownName, |(_, code)| *code);
        let mut d = Diagnostic::new(
            code,
            span,
            match code {
                Code::UnknownField => format!("schema `{sname}` has no field `{name}`"),
                Code::UnknownSegment => format!("unknown segment `{name}`"),
                _ => format!("unknown name `{name}`"),
            },
        )
        .with_label("not found");
        d = match best {
            Some(b) => d.with_help(format!("did you mean `{b}`?")).with_fix(format!("replace with `{b}`"), span, b),
            None => d.with_help(format!(
                "`{name}` is no field of `{sname}`, `let`, segment or variant; declare the field in `schema {sname}`"
            )),
        };
        self.emit_in(sc, d);
        None
    }

    /// `situation.NAME` or `score.GROUP`.
    fn path(&mut self, sc: &Scope<'_>, base: &a::Ident, member: &a::Ident) -> Option<m::Expr> {
        let span = base.span.to(member.span);
        match base.name.as_str() {
            "situation" => match sc.situation {
                SitScope::Unresolved => {
                    self.mark(sc.owner);
                    None
                }
                SitScope::None(why) => {
                    self.emit_in(
                        sc,
                        Diagnostic::new(
                            Code::UnknownCapability,
                            span,
                            format!("no situation here to read `{}` from", member.name),
                        )
                        .with_label("no situation")
                        .with_help(format!(
                            "{why}; capabilities are read in profiles declared `in SITUATION`"
                        )),
                    );
                    None
                }
                SitScope::Some(x) => {
                    let info = self.situations.get(x)?;
                    if let Some((_, c, ty, def)) = info.caps.iter().find(|c| c.0 == member.name) {
                        let (c, ty, def) = (c.clone(), ty.clone(), *def);
                        self.reference(sc.file, member.span, def);
                        return Some(konst(c, ty, span));
                    }
                    let cands: Vec<String> = info.caps.iter().map(|c| c.0.clone()).collect();
                    let cands: Vec<&str> = cands.iter().map(String::as_str).collect();
                    let sname = info.ast.name.name.clone();
                    self.unknown(
                        Some(sc.owner),
                        sc.file,
                        Code::UnknownCapability,
                        member,
                        format!("situation `{sname}` has no capability `{}`", member.name),
                        &cands,
                        &format!(
                            "declare it in the situation: `capability {} = true`",
                            member.name
                        ),
                    );
                    None
                }
            },
            "score" => {
                if !sc.tier {
                    self.emit_in(
                        sc,
                        Diagnostic::new(Code::ScoreOutsideTier, span, format!("`score.{}` is only known in tier conditions", member.name))
                            .with_label("no score here")
                            .with_help("group scores are computed from the criteria; use them in `tier NAME when score.GROUP >= ..`"),
                    );
                    return None;
                }
                let groups = sc.groups?;
                if let Some(&(g, def)) = groups.get(&member.name) {
                    self.reference(sc.file, member.span, def);
                    return Some(m::Expr {
                        kind: m::ExprKind::GroupScore(m::GroupId(g)),
                        ty: m::Ty::Number,
                        span,
                    });
                }
                let mut cands: Vec<&str> = groups.keys().map(String::as_str).collect();
                cands.sort_unstable();
                self.unknown(
                    Some(sc.owner),
                    sc.file,
                    Code::UnknownGroup,
                    member,
                    format!("no group `{}` in this profile", member.name),
                    &cands,
                    "`score.NAME` names a `group` of the profile",
                );
                None
            }
            other => {
                self.emit_in(
                    sc,
                    Diagnostic::new(
                        Code::UnknownName,
                        span,
                        format!("unknown name `{other}.{}`", member.name),
                    )
                    .with_label("not found")
                    .with_help(
                        "only `situation.CAPABILITY` and `score.GROUP` are written with a dot",
                    ),
                );
                None
            }
        }
    }

    // ----- the program ----------------------------------------------------------------

    fn assemble(&mut self) -> m::Program {
        let schema_ok: Vec<bool> = self.schemas.iter().map(|s| !s.err).collect();
        let ok_schema = |s: Option<usize>| s.is_some_and(|s| schema_ok.get(s) == Some(&true));
        let sit_ok: Vec<bool> = self
            .situations
            .iter()
            .map(|s| !s.err && s.model.is_some() && ok_schema(s.schema))
            .collect();
        // segments: invalid ones poison their dependents
        let n = self.segments.len();
        let mut seg_ok: Vec<bool> = self
            .segments
            .iter()
            .map(|s| !s.err && s.cond.is_some() && ok_schema(s.schema))
            .collect();
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, s) in self.segments.iter().enumerate() {
            for &d in &s.deps {
                if let Some(v) = dependents.get_mut(d) {
                    v.push(i);
                }
            }
        }
        let mut queue: Vec<usize> = (0..n).filter(|i| seg_ok.get(*i) == Some(&false)).collect();
        while let Some(i) = queue.pop() {
            for &d in dependents.get(i).map_or(&[][..], Vec::as_slice) {
                if seg_ok.get(d) == Some(&true) {
                    if let Some(x) = seg_ok.get_mut(d) {
                        *x = false;
                    }
                    queue.push(d);
                }
            }
        }
        let prof_ok: Vec<bool> = self
            .profiles
            .iter()
            .map(|p| {
                !p.err
                    && p.model.is_some()
                    && ok_schema(p.schema)
                    && p.situation.is_none_or(|s| sit_ok.get(s) == Some(&true))
                    && p.deps.iter().all(|d| seg_ok.get(*d) == Some(&true))
            })
            .collect();
        let test_ok: Vec<bool> = self
            .tests
            .iter()
            .map(|t| {
                !t.err
                    && t.model.is_some()
                    && t.profile.is_some_and(|p| prof_ok.get(p) == Some(&true))
            })
            .collect();
        let remap = |ok: &[bool]| -> Vec<Option<u32>> {
            let mut next = 0u32;
            ok.iter()
                .map(|&b| {
                    b.then(|| {
                        next += 1;
                        next - 1
                    })
                })
                .collect()
        };
        let enum_ok: Vec<bool> = self
            .enums
            .iter()
            .map(|e| schema_ok.get(e.owner) == Some(&true))
            .collect();
        let maps = Maps {
            schema: remap(&schema_ok),
            enums: remap(&enum_ok),
            segment: remap(&seg_ok),
            situation: remap(&sit_ok),
            profile: remap(&prof_ok),
        };
        let mut program = m::Program::default();
        for (i, s) in self.schemas.iter().enumerate() {
            if schema_ok.get(i) != Some(&true) {
                continue;
            }
            let mut fields = s.fields.clone();
            for f in &mut fields {
                maps.ty(&mut f.ty);
            }
            program.schemas.push(m::Schema {
                name: s.ast.name.name.clone(),
                loc: m::Loc {
                    file: s.file,
                    span: s.ast.name.span,
                },
                fields,
                key: s.key,
            });
        }
        for (i, e) in self.enums.iter().enumerate() {
            if enum_ok.get(i) == Some(&true) {
                program.enums.push(e.ty.clone());
            }
        }
        for (i, s) in self.segments.iter_mut().enumerate() {
            if seg_ok.get(i) != Some(&true) {
                continue;
            }
            let (Some(mut cond), Some(schema)) = (s.cond.take(), s.schema) else {
                continue;
            };
            maps.expr(&mut cond);
            program.segments.push(m::Segment {
                name: s.ast.name.name.clone(),
                title: s.ast.title.as_ref().map(|t| t.value.clone()),
                loc: m::Loc {
                    file: s.file,
                    span: s.ast.name.span,
                },
                schema: m::SchemaId(maps.schema_id(schema)),
                cond,
            });
        }
        for (i, s) in self.situations.iter_mut().enumerate() {
            if sit_ok.get(i) != Some(&true) {
                continue;
            }
            let Some(mut x) = s.model.take() else {
                continue;
            };
            x.schema = m::SchemaId(maps.schema_id(x.schema.index()));
            for g in &mut x.goals {
                if let Some(f) = &mut g.filter {
                    maps.expr(f);
                }
            }
            for (_, c) in &mut x.capabilities {
                maps.konst(c);
            }
            program.situations.push(x);
        }
        for (i, p) in self.profiles.iter_mut().enumerate() {
            if prof_ok.get(i) != Some(&true) {
                continue;
            }
            let Some(mut x) = p.model.take() else {
                continue;
            };
            x.schema = m::SchemaId(maps.schema_id(x.schema.index()));
            x.situation = x
                .situation
                .and_then(|s| maps.situation.get(s.index()).copied().flatten())
                .map(m::SituationId);
            x.targets = x
                .targets
                .iter()
                .filter_map(|t| maps.segment.get(t.index()).copied().flatten())
                .map(m::SegmentId)
                .collect();
            for l in &mut x.lets {
                maps.expr(&mut l.expr);
            }
            for c in &mut x.criteria {
                match &mut c.body {
                    m::CriterionBody::Bool(e) => maps.expr(e),
                    m::CriterionBody::Scorecard { perfect, practical } => {
                        maps.expr(perfect);
                        if let Some(q) = practical {
                            maps.expr(q);
                        }
                    }
                }
            }
            for e in &mut x.excludes {
                maps.expr(&mut e.cond);
            }
            for t in &mut x.tiers {
                if let m::TierRule::When(e) = &mut t.rule {
                    maps.expr(e);
                }
            }
            program.profiles.push(x);
        }
        for (i, t) in self.tests.iter_mut().enumerate() {
            if test_ok.get(i) != Some(&true) {
                continue;
            }
            let Some(mut x) = t.model.take() else {
                continue;
            };
            let Some(pid) = maps.profile.get(x.profile.index()).copied().flatten() else {
                continue;
            };
            x.profile = m::ProfileId(pid);
            for (_, c) in &mut x.account {
                maps.konst(c);
            }
            program.tests.push(x);
        }
        program
    }
}

fn info_def(schemas: &[SchemaInfo<'_>], si: usize) -> usize {
    schemas.get(si).map_or(usize::MAX, |s| s.def)
}

fn not(e: m::Expr) -> m::Expr {
    let span = e.span;
    m::Expr {
        kind: m::ExprKind::Not(Box::new(e)),
        ty: m::Ty::Bool,
        span,
    }
}

/// A number without a needless `.0`.
pub(crate) fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Bare names an expression mentions (for `let` dependencies).
fn collect_names(e: &a::Expr, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_EXPR_DEPTH {
        return;
    }
    match &e.kind {
        a::ExprKind::Name(id) => out.push(id.name.clone()),
        a::ExprKind::Lit(_) | a::ExprKind::Path(..) => {}
        a::ExprKind::List(xs) | a::ExprKind::Call { args: xs, .. } => {
            for x in xs {
                collect_names(x, out, depth + 1);
            }
        }
        a::ExprKind::Unary(_, x) | a::ExprKind::IsMissing { expr: x, .. } => {
            collect_names(x, out, depth + 1);
        }
        a::ExprKind::Binary(_, l, r) => {
            collect_names(l, out, depth + 1);
            collect_names(r, out, depth + 1);
        }
        a::ExprKind::InRange { expr, lo, hi, .. } => {
            collect_names(expr, out, depth + 1);
            collect_names(lo, out, depth + 1);
            collect_names(hi, out, depth + 1);
        }
        a::ExprKind::InList { expr, list, .. } => {
            collect_names(expr, out, depth + 1);
            for x in list {
                collect_names(x, out, depth + 1);
            }
        }
        a::ExprKind::Contains { expr, needle, .. } => {
            collect_names(expr, out, depth + 1);
            collect_names(needle, out, depth + 1);
        }
    }
}

/// Provisional ids → program ids.
struct Maps {
    schema: Vec<Option<u32>>,
    enums: Vec<Option<u32>>,
    segment: Vec<Option<u32>>,
    situation: Vec<Option<u32>>,
    profile: Vec<Option<u32>>,
}

impl Maps {
    fn schema_id(&self, s: usize) -> u32 {
        self.schema.get(s).copied().flatten().unwrap_or(u32::MAX)
    }

    fn ty(&self, t: &mut m::Ty) {
        match t {
            m::Ty::Enum(id) => {
                if let Some(n) = self.enums.get(id.index()).copied().flatten() {
                    *id = m::EnumId(n);
                }
            }
            m::Ty::Set(x) | m::Ty::List(x) => self.ty(x),
            _ => {}
        }
    }

    fn konst(&self, c: &mut m::Const) {
        match c {
            m::Const::Enum(id, _) => {
                if let Some(n) = self.enums.get(id.index()).copied().flatten() {
                    *id = m::EnumId(n);
                }
            }
            m::Const::List(xs) => xs.iter_mut().for_each(|x| self.konst(x)),
            _ => {}
        }
    }

    fn expr(&self, e: &mut m::Expr) {
        self.ty(&mut e.ty);
        match &mut e.kind {
            m::ExprKind::Const(c) => self.konst(c),
            m::ExprKind::Segment(id) => {
                if let Some(n) = self.segment.get(id.index()).copied().flatten() {
                    *id = m::SegmentId(n);
                }
            }
            m::ExprKind::Field(_)
            | m::ExprKind::Let(_)
            | m::ExprKind::Today
            | m::ExprKind::Score
            | m::ExprKind::GroupScore(_) => {}
            m::ExprKind::Not(x) | m::ExprKind::Neg(x) | m::ExprKind::IsMissing(x) => self.expr(x),
            m::ExprKind::And(l, r)
            | m::ExprKind::Or(l, r)
            | m::ExprKind::Cmp(_, l, r)
            | m::ExprKind::Arith(_, l, r)
            | m::ExprKind::Coalesce(l, r) => {
                self.expr(l);
                self.expr(r);
            }
            m::ExprKind::InRange { expr, lo, hi } => {
                self.expr(expr);
                self.expr(lo);
                self.expr(hi);
            }
            m::ExprKind::InList { expr, list } => {
                self.expr(expr);
                for x in list {
                    self.expr(x);
                }
            }
            m::ExprKind::Contains { expr, needles, .. } => {
                self.expr(expr);
                for x in needles {
                    self.expr(x);
                }
            }
        }
    }
}

/// Depth-first search over a dependency graph (`deps[i]` lists the nodes node `i` uses),
/// iterative so that a long chain cannot overflow the stack. Returns every node in
/// dependency order (each after the nodes it uses) and every cycle found, as its members
/// in order along the cycle.
fn dependency_order(deps: &[Vec<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    // 0 unvisited, 1 on the stack, 2 done
    let mut state = vec![0u8; deps.len()];
    let mut order = Vec::with_capacity(deps.len());
    let mut cycles = Vec::new();
    for start in 0..deps.len() {
        if state.get(start) != Some(&0) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        if let Some(s) = state.get_mut(start) {
            *s = 1;
        }
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(&dep) = deps.get(node).and_then(|d| d.get(*next)) else {
                if let Some(s) = state.get_mut(node) {
                    *s = 2;
                }
                order.push(node);
                stack.pop();
                continue;
            };
            *next += 1;
            match state.get(dep) {
                Some(0) => {
                    if let Some(s) = state.get_mut(dep) {
                        *s = 1;
                    }
                    stack.push((dep, 0));
                }
                Some(1) => {
                    let pos = stack.iter().position(|(x, _)| *x == dep).unwrap_or(0);
                    let members = stack.get(pos..).unwrap_or_default();
                    cycles.push(members.iter().map(|(x, _)| *x).collect());
                }
                _ => {}
            }
        }
    }
    (order, cycles)
}

/// `a → b → a`: the names along a cycle, back to the first.
fn cycle_chain(names: impl Iterator<Item = String>) -> String {
    let mut chain: Vec<String> = names.collect();
    if let Some(first) = chain.first().cloned() {
        chain.push(first);
    }
    chain.join(" → ")
}
