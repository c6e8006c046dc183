//! Incremental checking: the check of each profile, remembered from one check of a
//! project to the next and replayed when neither the profile's text nor the declarations
//! it reads changed.
//!
//! A profile's check reads its own item and the *declarations*: every schema, situation and
//! segment (their text), the kind and name of every item in order (the ids and definition
//! indices the check hands out follow from them), the poisoned names and the options. The
//! declarations are hashed once per check ([`Checker::declarations_hash`]); a profile is
//! looked up by that hash, its file and its own text. What its check produced (its
//! diagnostics, definitions, references, model and the facts later passes read) is kept
//! with the item's start when it was made, so a profile that only moved (an edit above it)
//! replays with its spans shifted (the memo keeps the moved copy), and its own definitions
//! renumbered when the profiles before it declared more or fewer names. Nothing bulky is
//! copied into the memo: the model is shared by `Arc` with the checks that used it (a
//! profile that did not move costs no copy of its model, however many checks replay it),
//! and the definitions and references are read from the previous check's symbol index,
//! which the memo shares with that check's result.
//!
//! A check is remembered only when everything it produced lies inside its item (a
//! diagnostic that names another place, a `file:line:col` in a message, is not) and the
//! one-shot "nesting too deep" error was not involved; otherwise the profile is simply
//! checked again next time. The law, tested by `tests/incremental.rs`: a check with a
//! memo gives exactly what a fresh check of the same text gives.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use icp_model as m;
use icp_syntax::HasSpan;
use icp_syntax::ast as a;
use icp_syntax::{Diagnostic, Span};

use std::ops::Range;
use std::sync::Arc;

use super::Checker;
use crate::{SymbolDetail, SymbolIndex};

/// The remembered checks of one project (kept by an editor between checks).
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// The checks of the previous run, by key.
    prev: HashMap<u64, ProfileMemo>,
    /// The checks of this run (they replace `prev` when it ends: only what the last
    /// check used or made is kept).
    next: HashMap<u64, ProfileMemo>,
    /// The symbol index of the previous run (shared with its result), which the ranges
    /// of `prev` index.
    pub(crate) symbols: Option<Arc<SymbolIndex>>,
    /// Profiles replayed and checked in the last run (for tests and measurements).
    pub(crate) replayed: usize,
    pub(crate) checked: usize,
}

impl Store {
    /// End a run: keep what it used or made.
    pub(crate) fn finish(&mut self) {
        self.prev = std::mem::take(&mut self.next);
    }

    /// End a cancelled run: keep the previous run's checks (this run's index the symbols
    /// of a run that gave no result).
    pub(crate) fn abandon(&mut self) {
        self.next.clear();
    }

    /// Start a run.
    pub(crate) fn start(&mut self) {
        self.replayed = 0;
        self.checked = 0;
    }
}

/// What the check of one profile produced, its spans as they were when the item started
/// at `base`.
#[derive(Debug, Clone)]
pub(crate) struct ProfileMemo {
    /// The item's start for the spans below.
    base: u32,
    /// The definition index of the profile itself (from name collection).
    pdef: usize,
    /// The definitions the check handed out, in [`Store::symbols`].
    defs: Range<usize>,
    pdef_detail: Arc<SymbolDetail>,
    /// The references it made, in [`Store::symbols`].
    refs: Range<usize>,
    diags: Arc<Vec<Diagnostic>>,
    err: bool,
    schema: Option<usize>,
    situation: Option<usize>,
    deps: Vec<usize>,
    model: Option<Arc<m::Profile>>,
    tiers: Arc<Vec<(String, usize)>>,
    groups: Arc<HashMap<String, (u32, usize)>>,
    reasons: Arc<HashMap<String, usize>>,
}

/// Every span of a diagnostic.
fn diag_spans(d: &mut Diagnostic, f: &mut impl FnMut(&mut Span)) {
    f(&mut d.span);
    d.labels.iter_mut().for_each(|l| f(&mut l.span));
    if let Some(fix) = &mut d.fix {
        fix.edits.iter_mut().for_each(|e| f(&mut e.span));
    }
}

/// Every span of a typed expression.
fn expr_spans(expr: &mut m::Expr, f: &mut impl FnMut(&mut Span), depth: usize) {
    f(&mut expr.span);
    if depth > super::MAX_EXPR_DEPTH {
        return;
    }
    let d = depth + 1;
    match &mut expr.kind {
        m::ExprKind::Const(_)
        | m::ExprKind::Segment(_)
        | m::ExprKind::Field(_)
        | m::ExprKind::Let(_)
        | m::ExprKind::Today
        | m::ExprKind::Score
        | m::ExprKind::GroupScore(_) => {}
        m::ExprKind::Not(x) | m::ExprKind::Neg(x) | m::ExprKind::IsMissing(x) => {
            expr_spans(x, f, d);
        }
        m::ExprKind::And(left, right)
        | m::ExprKind::Or(left, right)
        | m::ExprKind::Cmp(_, left, right)
        | m::ExprKind::Arith(_, left, right)
        | m::ExprKind::Coalesce(left, right) => {
            expr_spans(left, f, d);
            expr_spans(right, f, d);
        }
        m::ExprKind::InRange { expr, lo, hi } => {
            expr_spans(expr, f, d);
            expr_spans(lo, f, d);
            expr_spans(hi, f, d);
        }
        m::ExprKind::InList { expr, list } => {
            expr_spans(expr, f, d);
            for x in list {
                expr_spans(x, f, d);
            }
        }
        m::ExprKind::Contains { expr, needles, .. } => {
            expr_spans(expr, f, d);
            for x in needles {
                expr_spans(x, f, d);
            }
        }
    }
}

/// Every span of a profile's model.
fn profile_spans(p: &mut m::Profile, f: &mut impl FnMut(&mut Span)) {
    f(&mut p.loc.span);
    for l in &mut p.lets {
        f(&mut l.loc.span);
        expr_spans(&mut l.expr, f, 0);
    }
    p.groups.iter_mut().for_each(|g| f(&mut g.loc.span));
    for c in &mut p.criteria {
        f(&mut c.loc.span);
        match &mut c.body {
            m::CriterionBody::Bool(e) => expr_spans(e, f, 0),
            m::CriterionBody::Scorecard { perfect, practical } => {
                expr_spans(perfect, f, 0);
                if let Some(q) = practical {
                    expr_spans(q, f, 0);
                }
            }
        }
    }
    for x in &mut p.excludes {
        f(&mut x.loc.span);
        expr_spans(&mut x.cond, f, 0);
    }
    for t in &mut p.tiers {
        f(&mut t.loc.span);
        if let m::TierRule::When(e) = &mut t.rule {
            expr_spans(e, f, 0);
        }
    }
}

/// Every span a profile's remembered check holds itself (its definitions and references
/// are in the symbol index).
fn memo_spans(memo: &mut ProfileMemo, f: &mut impl FnMut(&mut Span)) {
    for d in Arc::make_mut(&mut memo.diags) {
        diag_spans(d, f);
    }
    if let Some(p) = &mut memo.model {
        // Copied here if a check still holds it: the moved copy is the memo's.
        profile_spans(Arc::make_mut(p), f);
    }
}

/// A function moving a span by `delta` bytes.
fn shift(delta: i64) -> impl FnMut(&mut Span) {
    move |s: &mut Span| {
        let move_by = |x: u32| u32::try_from(i64::from(x) + delta).unwrap_or(x);
        s.start = move_by(s.start);
        s.end = move_by(s.end);
    }
}

/// The state of the checker before a profile's check, to slice out what it produced.
pub(super) struct Mark {
    key: u64,
    item: Span,
    defs: usize,
    refs: usize,
    diags: usize,
}

impl Checker<'_> {
    /// The hash of everything a profile's check reads besides its own item (see the
    /// module documentation). Computed once the segments are checked.
    pub(super) fn declarations_hash(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.options.today.map(|d| d.to_string()).hash(&mut h);
        self.root.hash(&mut h);
        self.poison.fingerprint(&mut h);
        self.defs.len().hash(&mut h);
        for f in self.files {
            f.id.0.hash(&mut h);
            f.path.hash(&mut h);
            for item in &f.ast.items {
                match item {
                    a::Item::Profile(p) => {
                        0u8.hash(&mut h);
                        p.name.name.hash(&mut h);
                    }
                    a::Item::Test(t) => {
                        1u8.hash(&mut h);
                        t.name.value.hash(&mut h);
                    }
                    other => {
                        2u8.hash(&mut h);
                        let s = other.span();
                        s.start.hash(&mut h);
                        s.text(&f.text).hash(&mut h);
                    }
                }
            }
        }
        h.finish()
    }

    /// Replay the remembered check of profile `pi` if there is one (`None`), else return
    /// the mark to record its check with ([`Checker::remember_profile`]).
    pub(super) fn replay_profile(&mut self, pi: usize, env: u64) -> Option<Mark> {
        let info = self.profiles.get(pi)?;
        let (file, ast, err, pdef) = (info.file, info.ast, info.err, info.def);
        let text = self
            .files
            .get(file.0 as usize)
            .map_or("", |f| ast.span.text(&f.text));
        let partial = self.poison.is_partial(file, ast.span);
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (env, file.0, text, err, partial, pdef).hash(&mut h);
        let key = h.finish();
        let mark = Mark {
            key,
            item: ast.span,
            defs: self.defs.len(),
            refs: self.refs.len(),
            diags: self.diags.len(),
        };
        let prev = self.memo.symbols.clone();
        let found = self.memo.prev.get(&key).filter(|m| m.pdef == pdef);
        let (Some(memo), Some(prev)) = (found, prev) else {
            self.memo.checked += 1;
            return Some(mark);
        };
        let mut memo = memo.clone();
        let (Some(defs), Some(refs)) = (
            prev.defs.get(memo.defs.clone()),
            prev.refs.get(memo.refs.clone()),
        ) else {
            self.memo.checked += 1;
            return Some(mark);
        };
        self.memo.replayed += 1;
        let mut move_span = shift(i64::from(ast.span.start) - i64::from(memo.base));
        if memo.base != ast.span.start {
            memo_spans(&mut memo, &mut move_span);
            memo.base = ast.span.start;
        }
        let (old_base, base) = (memo.defs.start, self.defs.len());
        let renumber = |d: usize| {
            if d >= old_base {
                d - old_base + base
            } else {
                d
            }
        };
        self.defs.extend(defs.iter().map(|d| {
            let mut d = d.clone();
            move_span(&mut d.name_span);
            move_span(&mut d.full_span);
            d
        }));
        self.refs.extend(refs.iter().map(|r| {
            let mut r = *r;
            move_span(&mut r.span);
            r.def = renumber(r.def);
            r
        }));
        if let Some(d) = self.defs.get_mut(pdef) {
            d.detail = memo.pdef_detail.clone();
        }
        self.diags.extend(memo.diags.iter().cloned());
        // Renumbered only when the numbers moved (else shared as they are).
        if old_base != base {
            for (_, d) in Arc::make_mut(&mut memo.tiers) {
                *d = renumber(*d);
            }
            for (_, d) in Arc::make_mut(&mut memo.groups).values_mut() {
                *d = renumber(*d);
            }
            for d in Arc::make_mut(&mut memo.reasons).values_mut() {
                *d = renumber(*d);
            }
        }
        memo.defs = base..self.defs.len();
        memo.refs = mark.refs..self.refs.len();
        if let Some(x) = self.profiles.get_mut(pi) {
            x.err = memo.err;
            x.schema = memo.schema;
            x.situation = memo.situation;
            x.deps.clone_from(&memo.deps);
            x.model.clone_from(&memo.model);
            x.tiers.clone_from(&memo.tiers);
            x.groups.clone_from(&memo.groups);
            x.reasons.clone_from(&memo.reasons);
        }
        // Kept for the next check, indexing this check's symbols.
        self.memo.next.insert(key, memo);
        None
    }

    /// Remember the check of profile `pi` that just ran from `mark`, if it can be replayed.
    pub(super) fn remember_profile(&mut self, pi: usize, mark: &Mark) {
        if self.pos_used.get() || self.deep_reported {
            return;
        }
        let item = mark.item;
        let within = |s: Span| item.start <= s.start && s.end <= item.end;
        let mut inside = self
            .defs
            .get(mark.defs..)
            .unwrap_or_default()
            .iter()
            .all(|d| within(d.name_span) && within(d.full_span))
            && self
                .refs
                .get(mark.refs..)
                .unwrap_or_default()
                .iter()
                .all(|r| within(r.span));
        let mut check = |s: &mut Span| inside &= within(*s);
        let Some(info) = self.profiles.get_mut(pi) else {
            return;
        };
        // The model was just made (the check holds the only reference): its spans are
        // read in place.
        match info.model.as_mut().map(Arc::get_mut) {
            Some(Some(p)) => profile_spans(p, &mut check),
            Some(None) => return,
            None => {}
        }
        let mut memo = ProfileMemo {
            base: item.start,
            pdef: info.def,
            defs: mark.defs..self.defs.len(),
            pdef_detail: self
                .defs
                .get(info.def)
                .map(|d| d.detail.clone())
                .unwrap_or_default(),
            refs: mark.refs..self.refs.len(),
            diags: Arc::new(self.diags.get(mark.diags..).unwrap_or_default().to_vec()),
            err: info.err,
            schema: info.schema,
            situation: info.situation,
            deps: info.deps.clone(),
            model: info.model.clone(),
            tiers: info.tiers.clone(),
            groups: info.groups.clone(),
            reasons: info.reasons.clone(),
        };
        // Remembered if every span lies inside the item (the model's were checked above).
        let model = memo.model.take();
        memo_spans(&mut memo, &mut check);
        memo.model = model;
        if inside {
            self.memo.next.insert(mark.key, memo);
        }
    }
}
