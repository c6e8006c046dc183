//! Name resolution, typing and lints over the parsed files.

#![allow(
    clippy::single_match_else,
    reason = "a two-arm `match` with a long second arm reads better than `if let .. else`"
)]

use std::cell::Cell;
use std::collections::HashMap;
use std::path::Path;

use icp_model as m;
use icp_syntax::ast::{self as a};
use icp_syntax::{Diagnostic, FileId, Severity, Span};

use crate::diagnostics as diag;
use crate::load::display_path;
use crate::{Def, Options, Ref, SourceFile, SymbolIndex};

mod assemble;
mod collect;
mod expr;
pub(crate) mod memo;
mod poison;
mod profile;
mod resolve;
mod schema;
mod segment;
mod situation;
mod symbols;
mod test;
mod truth;
mod types;

/// Deepest expression the typer walks (the parser bounds depth; this is a second fence).
const MAX_EXPR_DEPTH: usize = 2 * icp_syntax::MAX_DEPTH + 16;

/// How many items are checked between two looks at the cancellation flag.
const STOP_EVERY: usize = 32;

/// Built-in tier names a profile's tiers may not reuse.
pub const BUILTIN_TIERS: [&str; 3] = ["excluded", "out_of_segment", "invalid"];

const TYPE_NAMES: [&str; 10] = [
    "bool", "int", "number", "money", "percent", "text", "date", "duration", "enum", "set",
];

/// What the checker produces.
pub(crate) struct Output {
    pub program: m::Program,
    /// `cases from` clauses to read once the program is assembled.
    pub pending_cases: Vec<crate::cases::Pending>,
    pub diagnostics: Vec<Diagnostic>,
    pub symbols: SymbolIndex,
    /// The remembered checks, for the next check.
    pub memo: memo::Store,
    /// The check was cancelled before it ended (its output is incomplete).
    pub cancelled: bool,
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
    /// Fields whose type did not check (poisoned: their uses report nothing).
    untyped: Vec<u32>,
}

struct EnumInfo {
    ty: m::EnumTy,
    owner: usize,
    field: String,
    /// The field's trailing `?`, repeated in the help that shows the ordered declaration.
    optional: bool,
    defs: Vec<usize>,
}

struct SituationInfo<'a> {
    file: FileId,
    ast: &'a a::Situation,
    err: bool,
    def: usize,
    schema: Option<usize>,
    caps: Vec<(String, m::Const, m::Ty, usize)>,
    /// The first `timeframe`'s bounds: `situation.start`, `situation.end`.
    timeframe: Option<(m::Date, m::Date)>,
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
    /// Shared with the memo and the assembled program (see [`memo`]).
    model: Option<std::sync::Arc<m::Profile>>,
    /// What later passes read of the profile (its tiers, groups and reasons by name), shared
    /// with the memo.
    tiers: std::sync::Arc<Vec<(String, usize)>>,
    groups: std::sync::Arc<HashMap<String, (u32, usize)>>,
    reasons: std::sync::Arc<HashMap<String, usize>>,
}

struct TestInfo<'a> {
    file: FileId,
    ast: &'a a::Test,
    err: bool,
    profile: Option<usize>,
    model: Option<m::Test>,
    /// The tests of its `case` clauses (table-driven), each named `TEST / CASE`.
    cases: Vec<m::Test>,
    /// Its `cases from` clauses, with the profile (unmapped) and base account.
    cases_from: Vec<crate::cases::Pending>,
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
    /// Names whose declaration is broken: their uses report nothing.
    poison: poison::Poison,
    /// `cases from` clauses of the assembled program (ids mapped).
    pending_cases: Vec<crate::cases::Pending>,
    /// The remembered checks of the previous check ([`memo`]), when checking incrementally.
    memo: memo::Store,
    /// Whether to use and fill `memo`.
    incremental: bool,
    /// Whether a diagnostic named a place by line and column (it cannot move with its item).
    pos_used: Cell<bool>,
    /// Whether the check became moot: it then stops at the next item.
    cancel: Option<&'a dyn Fn() -> bool>,
    /// The check stopped early ([`Checker::cancel`]).
    cancelled: bool,
}

impl<'a> Checker<'a> {
    /// A checker of `files`; `load_diags` are the loader's diagnostics (a failed import
    /// poisons its file's unknown names).
    pub(crate) fn new(
        files: &'a [SourceFile],
        root: &'a Path,
        options: &'a Options,
        load_diags: &[Diagnostic],
    ) -> Self {
        Self {
            poison: poison::Poison::new(files, load_diags),
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
            pending_cases: Vec::new(),
            memo: memo::Store::default(),
            incremental: false,
            pos_used: Cell::new(false),
            cancel: None,
            cancelled: false,
        }
    }

    /// Check incrementally: replay the remembered checks of `memo` where they still hold
    /// (the output gives the memo back, updated), and stop at the next item once `cancel`
    /// says the check became moot.
    pub(crate) fn incremental(mut self, memo: memo::Store, cancel: &'a dyn Fn() -> bool) -> Self {
        self.memo = memo;
        self.incremental = true;
        self.cancel = Some(cancel);
        self
    }

    /// Whether the check should stop (asked between items).
    fn stop(&mut self) -> bool {
        if !self.cancelled && self.cancel.is_some_and(|c| c()) {
            self.cancelled = true;
        }
        self.cancelled
    }

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
        let text = self.files.get(file.0 as usize).map_or("", |f| &*f.text);
        if self.poison.silences(file, &d, text) {
            // It follows from a mistake reported at its place; the item still cannot be
            // trusted as checked.
            if d.severity == Severity::Error
                && let Some(o) = owner
            {
                self.mark(o);
            }
            return;
        }
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

    fn where_is(&self, file: FileId, span: Span) -> String {
        self.pos_used.set(true);
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
        let at = self.where_is(ffile, fspan);
        let d = diag::duplicate_name(what, name, (ffile == file).then_some(fspan), &at);
        self.emit(owner, file, d);
    }

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
            if i % STOP_EVERY == 0 && self.stop() {
                return self.output(m::Program::default());
            }
            self.check_segment(i);
        }
        self.segment_cycles();
        for i in 0..self.segments.len() {
            self.lint_segment(i);
        }
        let env = self.incremental.then(|| self.declarations_hash());
        if let Some(prev) = self.memo.symbols.clone() {
            // About as many as last time: no doubling of a big file's vectors as they grow.
            self.defs
                .reserve(prev.defs.len().saturating_sub(self.defs.len()));
            self.refs
                .reserve(prev.refs.len().saturating_sub(self.refs.len()));
        }
        for i in 0..self.profiles.len() {
            if i % STOP_EVERY == 0 && self.stop() {
                return self.output(m::Program::default());
            }
            match env.filter(|_| !self.deep_reported) {
                Some(env) => {
                    if let Some(mark) = self.replay_profile(i, env) {
                        self.pos_used.set(false);
                        self.check_profile(i);
                        self.remember_profile(i, &mark);
                    }
                }
                None => self.check_profile(i),
            }
        }
        for i in 0..self.tests.len() {
            if i % STOP_EVERY == 0 && self.stop() {
                return self.output(m::Program::default());
            }
            self.check_test(i);
        }
        self.memo.finish();
        let program = self.assemble();
        self.output(program)
    }

    fn output(mut self, program: m::Program) -> Output {
        if self.cancelled {
            self.memo.abandon();
        }
        // Exact capacities: an editor keeps the index until the next check, and a vector
        // grown by doubling can be half empty.
        self.defs.shrink_to_fit();
        self.refs.shrink_to_fit();
        Output {
            program,
            pending_cases: self.pending_cases,
            diagnostics: self.diags,
            symbols: SymbolIndex {
                defs: self.defs,
                refs: self.refs,
            },
            memo: self.memo,
            cancelled: self.cancelled,
        }
    }
}
