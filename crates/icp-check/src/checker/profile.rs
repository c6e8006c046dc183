//! Profiles: criteria, scorecards, excludes, lets, groups and tiers.

use std::cell::Cell;
use std::collections::HashMap;

use icp_base::num;
use icp_model::{self as m, Decimal};
use icp_syntax::ast::{self as a};
use icp_syntax::{FileId, Span};

use super::assemble::{cycle_chain, dependency_order};
use super::types::{const_num, fmt_num, loc};
use super::{BUILTIN_TIERS, Checker, Global, LetEntry, MAX_EXPR_DEPTH, Owner, Scope, SitScope};
use crate::DefKind;
use crate::diagnostics as diag;

/// The default practical share: 50 %.
const HALF: Decimal = Decimal::from_parts(5, 0, 0, false, 1);
use crate::lints;
use crate::{SymbolDetail, TierDetail};

/// Bare names an expression mentions (for `let` dependencies).
pub(super) fn collect_names(e: &a::Expr, out: &mut Vec<String>, depth: usize) {
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

impl<'a> Checker<'a> {
    pub(super) fn check_profile(&mut self, pi: usize) {
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
                            diag::schema_mismatch_situation(&ast.name.name, id, &pn, &sn),
                        );
                    }
                    SitScope::Some(x)
                }
                _ => {
                    let cands = self.names_of(|g| matches!(g, Global::Situation(_)));
                    self.emit(Some(owner), file, diag::unknown_situation(id, &cands));
                    SitScope::Unresolved
                }
            },
        };
        self.seg_refs.clear();
        // targets, practical share
        let mut targets = Vec::new();
        let mut share: Option<(Decimal, Span)> = None;
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
                            diag::duplicate_clause_practical_share(ps.span, first),
                        );
                        continue;
                    }
                    if let Some(v) = self.share_value(owner, file, ps) {
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
                self.emit(Some(owner), file, lints::empty_group::diagnostic(&g.name));
            }
            self.set_detail(
                *d,
                SymbolDetail::Group {
                    title: g.title.as_ref().map(|t| t.value.clone()),
                    criteria: g.criteria.len(),
                },
            );
            groups.push(m::Group {
                name: g.name.name.clone(),
                title: g.title.as_ref().map(|t| t.value.clone()),
                loc: loc(file, g.name.span),
            });
        }
        // criteria
        let mut criteria = Vec::new();
        let mut crit_ok = true;
        let mut positive = Decimal::ZERO;
        for (c, group, _) in &crit_asts {
            if c.weight.value.is_zero() {
                self.emit(
                    Some(owner),
                    file,
                    diag::zero_weight(&c.name.name, c.weight.span),
                );
            } else if c.weight.value > Decimal::ZERO {
                positive = positive.saturating_add(c.weight.value);
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
            // Revision 2: a scorecard's own share overrides the profile's.
            let own_share = c.practical_share.as_ref().and_then(|ps| {
                let v = self.share_value(owner, file, ps)?;
                match &c.body {
                    a::CriterionBody::Scorecard {
                        practical: Some(_), ..
                    } => Some(v),
                    a::CriterionBody::Scorecard {
                        practical: None, ..
                    } => {
                        let d = diag::practical_share_unused(ps.span, &c.name.name, false);
                        self.emit(Some(owner), file, d);
                        None
                    }
                    a::CriterionBody::Bool(_) => {
                        let d = diag::practical_share_unused(ps.span, &c.name.name, true);
                        self.emit(Some(owner), file, d);
                        None
                    }
                }
            });
            match body {
                Some(body) => criteria.push(m::Criterion {
                    name: c.name.name.clone(),
                    title: c.title.as_ref().map(|t| t.value.clone()),
                    loc: loc(file, c.name.span),
                    weight: c.weight.value,
                    practical_share: own_share,
                    group: group.map(m::GroupId),
                    body,
                }),
                None => crit_ok = false,
            }
        }
        if !crit_asts.is_empty()
            && positive <= Decimal::ZERO
            && crit_asts.iter().all(|(c, _, _)| !c.weight.value.is_zero())
        {
            self.emit(Some(owner), file, diag::no_positive_weight(&ast.name));
        } else if crit_asts.is_empty() {
            self.emit(
                Some(owner),
                file,
                diag::no_positive_weight_no_criteria(&ast.name),
            );
        }
        // exclusions
        let mut excludes = Vec::new();
        let mut excl_spans = Vec::new();
        for (x, d) in &excl_asts {
            let cond = self.condition(&sc, &x.cond);
            self.set_detail(
                *d,
                SymbolDetail::Exclude {
                    reason: x.reason.as_ref().map(|r| r.value.clone()),
                    cond_text: self.src(file, x.cond.span).to_owned(),
                },
            );
            if let Some(cond) = cond {
                excl_spans.push(x.cond.span);
                excludes.push(m::Exclude {
                    name: x.name.name.clone(),
                    reason: x.reason.as_ref().map(|r| r.value.clone()),
                    loc: loc(file, x.name.span),
                    cond,
                });
            }
        }
        let mut deps = std::mem::take(&mut self.seg_refs);
        // logic lints on criteria and exclusions; the highest reachable points, exactly
        // (`None`: too large to say, then nothing is claimed)
        let zero = Some(Decimal::ZERO);
        let mut max_points = zero;
        let mut group_max = vec![zero; groups.len()];
        let mut group_pos = vec![zero; groups.len()];
        let mut pos_exact = zero;
        if let Some(s) = schema {
            for (c, (ca, _, _)) in criteria.iter().zip(crit_asts.iter().filter(|_| crit_ok)) {
                let w = Some(c.weight.max(Decimal::ZERO));
                let mut best = zero;
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
                            best = w;
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
                        if !pn {
                            best = w;
                        }
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
                                    lints::practical_unreachable::diagnostic(
                                        aq.span, &c.name, ap.span,
                                    ),
                                );
                            } else if pn {
                                let own = c.practical_share.or(share.map(|s| s.0));
                                best = w.and_then(|w| w.checked_mul(own.unwrap_or(HALF)));
                            }
                        }
                    }
                    _ => {}
                }
                let add = |x: Option<Decimal>, y: Option<Decimal>| {
                    x.zip(y).and_then(|(x, y)| x.checked_add(y))
                };
                max_points = add(max_points, best);
                pos_exact = add(pos_exact, w);
                if let Some(g) = c.group {
                    if let Some(x) = group_max.get_mut(g.index()) {
                        *x = add(*x, best);
                    }
                    if let Some(x) = group_pos.get_mut(g.index()) {
                        *x = add(*x, w);
                    }
                }
            }
            for (x, span) in excludes.iter().zip(&excl_spans) {
                let (never, always) = self.truth(s, &[], &x.cond);
                self.report_truth(owner, file, *span, "exclusion", &x.name, never, always);
            }
        }
        let known = crit_ok && schema.is_some();
        // The highest score, as the evaluator computes it (`num::ratio_score`: exact decimals,
        // `100 × points` first, then one division); 100 (no claim) when unknown.
        let score_max = |points: Option<Decimal>, pos: Option<Decimal>| match (points, pos) {
            (Some(m), Some(p)) if known => num::ratio_score(m, p).unwrap_or(Decimal::ONE_HUNDRED),
            _ => Decimal::ONE_HUNDRED,
        };
        let max_score = score_max(max_points, pos_exact);
        // The logic pass sees each score between 0 and its maximum, exactly the values the
        // evaluator can compute.
        let mut bounds = vec![max_score];
        bounds.extend(
            group_max
                .iter()
                .zip(&group_pos)
                .map(|(m, p)| score_max(*m, *p)),
        );
        // criteria details
        for (c, _, d) in &crit_asts {
            let practical = matches!(
                c.body,
                a::CriterionBody::Scorecard {
                    practical: Some(_),
                    ..
                }
            );
            self.set_detail(
                *d,
                SymbolDetail::Criterion {
                    title: c.title.as_ref().map(|t| t.value.clone()),
                    weight: c.weight.value,
                    positive_weight: positive,
                    practical_share: practical.then(|| {
                        c.practical_share
                            .as_ref()
                            .and_then(|ps| match ps.value.kind {
                                a::ExprKind::Lit(a::Lit::Percent(x)) => Some(x),
                                _ => None,
                            })
                            .unwrap_or(share.map_or(HALF, |s| s.0))
                    }),
                },
            );
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
                self.emit(Some(owner), file, lints::unused_let::diagnostic(&l.name));
            }
        }
        // hover
        self.set_detail(
            pdef,
            SymbolDetail::Profile {
                title: ast.title.as_ref().map(|t| t.value.clone()),
                criteria: crit_asts.len(),
                excludes: excl_asts.len(),
                tiers: tier_asts.len(),
                positive_weight: positive,
            },
        );
        let reasons: HashMap<String, usize> = crit_asts
            .iter()
            .map(|(c, _, d)| (c.name.name.clone(), *d))
            .chain(excl_asts.iter().map(|(x, d)| (x.name.name.clone(), *d)))
            .collect();
        let tier_names: Vec<(String, usize)> = tier_asts
            .iter()
            .map(|(t, d)| (t.name.name.clone(), *d))
            .collect();
        // Exact capacities: the model is kept (by the program and an editor's memo).
        criteria.shrink_to_fit();
        excludes.shrink_to_fit();
        groups.shrink_to_fit();
        let model = match (schema, tiers) {
            (Some(s), Some(tiers)) => Some(std::sync::Arc::new(m::Profile {
                name: ast.name.name.clone(),
                title: ast.title.as_ref().map(|t| t.value.clone()),
                loc: loc(file, ast.name.span),
                schema: m::SchemaId(s as u32),
                situation: situation.map(|x| m::SituationId(x as u32)),
                targets,
                practical_share: share.map_or(HALF, |s| s.0),
                lets,
                groups,
                criteria,
                excludes,
                tiers,
            })),
            _ => None,
        };
        if let Some(x) = self.profiles.get_mut(pi) {
            x.schema = schema;
            x.situation = situation;
            x.deps = deps;
            x.model = model;
            x.tiers = std::sync::Arc::new(tier_names);
            x.groups = std::sync::Arc::new(groups_map);
            x.reasons = std::sync::Arc::new(reasons);
        }
    }

    /// The value of a `practical_share` clause (a fraction), reporting a value that is not
    /// a percent literal or lies outside 0%..100%.
    fn share_value(
        &mut self,
        owner: Owner,
        file: FileId,
        ps: &a::PracticalShare,
    ) -> Option<Decimal> {
        let v = match &ps.value.kind {
            a::ExprKind::Lit(a::Lit::Percent(x)) => *x,
            _ => {
                self.emit(
                    Some(owner),
                    file,
                    diag::type_mismatch_practical_share(ps.value.span),
                );
                return None;
            }
        };
        if v < Decimal::ZERO || v > Decimal::ONE {
            self.emit(
                Some(owner),
                file,
                diag::practical_share_range(ps.value.span, self.src(file, ps.value.span)),
            );
        }
        Some(v)
    }

    /// Type the profile's `let`s in dependency order.
    pub(super) fn profile_lets(
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
                    diag::reference_cycle_let(&l.name, &chain),
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
                    SymbolDetail::Let {
                        ty: tn,
                        value_text: self.src(file, l.value.span).to_owned(),
                    },
                );
                if let Some(entry) = table.get_mut(&l.name.name) {
                    entry.id = id;
                    entry.ty = Some(e.ty.clone());
                }
                out.push(m::Let {
                    name: l.name.name.clone(),
                    loc: loc(file, l.name.span),
                    expr: e,
                });
            }
        }
        (out, table)
    }

    #[expect(clippy::too_many_arguments, reason = "the profile's parts")]
    pub(super) fn profile_tiers(
        &mut self,
        owner: Owner,
        file: FileId,
        ast: &'a a::Profile,
        tiers: &[(&'a a::Tier, usize)],
        sc: &Scope<'_>,
        bounds: &[Decimal],
        schema: Option<usize>,
    ) -> Option<Vec<m::Tier>> {
        let max_score = bounds.first().copied().unwrap_or(Decimal::ONE_HUNDRED);
        let tier_sc = Scope { tier: true, ..*sc };
        if tiers.is_empty() {
            self.emit(Some(owner), file, diag::no_tiers(&ast.name));
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut prev: Option<(Decimal, Span)> = None;
        let mut closed: Option<(Span, &str)> = None; // a tier every remaining account reaches
        for (t, d) in tiers {
            if BUILTIN_TIERS.contains(&t.name.name.as_str()) {
                self.emit(
                    Some(owner),
                    file,
                    diag::duplicate_name_builtin_tier(&t.name),
                );
                ok = false;
            } else if let Some(first) = seen.get(t.name.name.as_str()) {
                self.emit(
                    Some(owner),
                    file,
                    diag::duplicate_name_tier(&t.name, *first),
                );
                ok = false;
            } else {
                seen.insert(&t.name.name, t.name.span);
            }
            if let Some((cspan, cname)) = closed {
                self.emit(
                    Some(owner),
                    file,
                    lints::unreachable_tier::after_catch_all(&t.name, cname, cspan),
                );
            }
            let mut shown = None;
            let rule = match &t.rule {
                a::TierRule::CatchAll => {
                    shown = Some(TierDetail::CatchAll);
                    if closed.is_none() {
                        closed = Some((t.name.span, &t.name.name));
                    }
                    Some(m::TierRule::CatchAll)
                }
                a::TierRule::Threshold(e) => {
                    let v = self.expr(&tier_sc, e, None, 0).and_then(|x| {
                        let v = const_num(&x);
                        match (&x.ty, v) {
                            (m::Ty::Percent, Some(v)) => v.checked_mul(Decimal::ONE_HUNDRED),
                            (m::Ty::Int | m::Ty::Number, Some(v)) => Some(v),
                            _ => None,
                        }
                    });
                    match v {
                        None => {
                            self.emit(Some(owner), file, diag::not_constant_threshold(e.span));
                            None
                        }
                        Some(v) => {
                            shown = Some(TierDetail::Threshold(v));
                            if let Some((pv, pspan)) = prev
                                && v >= pv
                            {
                                self.emit(
                                    Some(owner),
                                    file,
                                    diag::tier_order(
                                        &t.name.name,
                                        e.span,
                                        &fmt_num(v),
                                        &fmt_num(pv),
                                        pspan,
                                    ),
                                );
                            } else if closed.is_none() {
                                if v > Decimal::ONE_HUNDRED {
                                    self.emit(
                                        Some(owner),
                                        file,
                                        lints::unreachable_tier::above_100(
                                            &t.name.name,
                                            e.span,
                                            &fmt_num(v),
                                        ),
                                    );
                                } else if v > max_score {
                                    self.emit(
                                        Some(owner),
                                        file,
                                        lints::unreachable_tier::above_max(
                                            &t.name.name,
                                            e.span,
                                            &fmt_num(v),
                                            &fmt_num(num::round2(max_score)),
                                        ),
                                    );
                                }
                            }
                            prev = Some((v, e.span));
                            if v <= Decimal::ZERO && closed.is_none() {
                                closed = Some((t.name.span, &t.name.name));
                            }
                            Some(m::TierRule::Threshold(v))
                        }
                    }
                }
                a::TierRule::When(e) => {
                    shown = Some(TierDetail::When(self.src(file, e.span).to_owned()));
                    let cond = self.condition(&tier_sc, e);
                    if let (Some(c), Some(s)) = (&cond, schema) {
                        let (never, always) = self.truth(s, bounds, c);
                        self.report_truth(owner, file, e.span, "tier", &t.name.name, never, always);
                    }
                    cond.map(m::TierRule::When)
                }
            };
            self.set_detail(
                *d,
                SymbolDetail::Tier {
                    action: t.action.as_ref().map(|a| a.value.clone()),
                    rule: shown,
                },
            );
            match rule {
                Some(rule) => out.push(m::Tier {
                    name: t.name.name.clone(),
                    action: t.action.as_ref().map(|a| a.value.clone()),
                    loc: loc(file, t.name.span),
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
                diag::missing_catch_all_tier(&ast.name.name, last.span, insert, &indent),
            );
            ok = false;
        }
        ok.then_some(out)
    }
}
