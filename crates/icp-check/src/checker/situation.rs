//! Situations: capabilities, goals and milestones.

use icp_model as m;
use icp_syntax::Span;
use icp_syntax::ast::{self as a, CmpOp, UnaryOp};

use icp_syntax::FileId;
use icp_syntax::ast::BinOp;

use super::types::{comparable, const_num, lit_const, loc};
use super::{Checker, Owner, Scope, SitScope};
use crate::DefKind;
use crate::SymbolDetail;
use crate::diagnostics as diag;
use crate::lints;

impl<'a> Checker<'a> {
    pub(super) fn check_situation(&mut self, xi: usize) {
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
            if cap.name.name == "start" || cap.name.name == "end" {
                self.emit(
                    Some(owner),
                    file,
                    diag::duplicate_name_capability_date(&cap.name),
                );
                continue;
            }
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
                    diag::capability_not_constant(&cap.name.name, cap.value.span),
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
                SymbolDetail::Capability {
                    value_text: self.src(file, cap.value.span).to_owned(),
                },
            );
            caps.push((cap.name.name.clone(), c, ty, def));
        }
        // `situation.start` and `situation.end`: the first timeframe's bounds
        let bounds = ast.clauses.iter().find_map(|c| match c {
            a::SituationClause::Timeframe(t) => Some((t.start.date, t.end.date)),
            _ => None,
        });
        if let Some(x) = self.situations.get_mut(xi) {
            x.caps.clone_from(&caps);
            x.timeframe = bounds;
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
                        self.emit(Some(owner), file, diag::duplicate_clause_timeframe(t.span));
                        continue;
                    }
                    if t.start.date > t.end.date {
                        self.emit(
                            Some(owner),
                            file,
                            diag::empty_timeframe(t.span, t.start.date, t.end.date),
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
                                self.emit_in(&sc, diag::type_mismatch_sum(field, &tn));
                                (None, ty)
                            }
                            None => (None, m::Ty::Number),
                        },
                    };
                    let target = self.goal_target(&sc, &g.target, &mty);
                    let filter = g.filter.as_ref().and_then(|f| self.condition(&sc, f));
                    self.set_detail(
                        def,
                        SymbolDetail::Goal {
                            text: self.src(file, g.span).to_owned(),
                        },
                    );
                    goal_info.push((g.name.name.clone(), mty, def));
                    if let (Some(metric), Some(target)) = (metric, target) {
                        goals.push(m::Goal {
                            name: g.name.name.clone(),
                            title: g.title.as_ref().map(|t| t.value.clone()),
                            loc: loc(file, g.name.span),
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
                self.emit(
                    Some(owner),
                    file,
                    diag::unknown_goal(&ms.goal, &ast.name.name, &cands),
                );
                continue;
            };
            let Some((_, mty, gdef)) = goal_info.get(gi).cloned() else {
                continue;
            };
            self.reference(file, ms.goal.span, gdef);
            let Some(date) = self.milestone_date(owner, file, &ms.date, bounds) else {
                continue;
            };
            if let Some((start, end, tspan)) = timeframe
                && (date < start || date > end)
            {
                self.emit(
                    Some(owner),
                    file,
                    lints::milestone_outside_timeframe::diagnostic(
                        ms.date.span,
                        date,
                        start,
                        end,
                        tspan,
                    ),
                );
            }
            if let Some(target) = self.goal_target(&sc, &ms.target, &mty)
                && let Some(goal) = goals.iter().position(|g| g.name == ms.goal.name)
            {
                milestones.push(m::Milestone {
                    date,
                    goal,
                    op: ms.op,
                    target,
                    loc: loc(file, ms.span),
                });
            }
        }
        match timeframe {
            None => self.emit(
                Some(owner),
                file,
                lints::missing_timeframe::diagnostic(&ast.name),
            ),
            Some((start, end, tspan)) => {
                if let Some(today) = self.options.today
                    && start <= end
                    && today > end
                {
                    self.emit(
                        Some(owner),
                        file,
                        lints::situation_ended::diagnostic(
                            &ast.name.name,
                            tspan,
                            end,
                            i64::from(today.0 - end.0),
                            today,
                        ),
                    );
                }
            }
        }
        self.set_detail(
            sdef,
            SymbolDetail::Situation {
                title: ast.title.as_ref().map(|t| t.value.clone()),
                timeframe: timeframe.map(|(s, e, _)| (s, e)),
            },
        );
        let model = schema.map(|s| m::Situation {
            name: ast.name.name.clone(),
            title: ast.title.as_ref().map(|t| t.value.clone()),
            loc: loc(file, ast.name.span),
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

    /// A milestone's date: a date literal, or `start`, `end` and date literals plus or
    /// minus durations (`start + 30d`), folded to a date; reported when it is anything else.
    fn milestone_date(
        &mut self,
        owner: Owner,
        file: FileId,
        e: &a::Expr,
        bounds: Option<(m::Date, m::Date)>,
    ) -> Option<m::Date> {
        match fold_date(e, bounds, 0) {
            Ok(Folded::Date(d)) => Some(d),
            Ok(Folded::Days(_)) => {
                self.emit(
                    Some(owner),
                    file,
                    diag::type_mismatch_milestone_date(e.span),
                );
                None
            }
            // no timeframe: `missing_timeframe` says so already
            Err(None) => None,
            Err(Some((span, why))) => {
                self.emit(
                    Some(owner),
                    file,
                    diag::not_constant_milestone_date(span, why),
                );
                None
            }
        }
    }

    /// A goal or milestone target: a constant of the metric's type.
    pub(super) fn goal_target(
        &mut self,
        sc: &Scope<'_>,
        e: &'a a::Expr,
        metric: &m::Ty,
    ) -> Option<m::Decimal> {
        let t = self.expr(sc, e, None, 0)?;
        let Some(v) = const_num(&t) else {
            self.emit_in(sc, diag::not_constant_goal_target(e.span));
            return None;
        };
        if comparable(CmpOp::Ge, metric, &t.ty).is_err() {
            let (mn, tn) = (self.ty_name(metric), self.ty_name(&t.ty));
            self.emit_in(sc, diag::type_mismatch_goal_target(e.span, &mn, &tn));
            return None;
        }
        Some(v)
    }
}

/// A folded milestone date expression: a date or a number of days.
enum Folded {
    Date(m::Date),
    Days(i64),
}

/// Fold `e` over `start`, `end` (`bounds`), date literals and durations. `Err(None)`: it
/// names `start` or `end` and there is no timeframe; `Err(Some(..))`: the part that is not
/// a constant date expression, and why.
#[expect(
    clippy::many_single_char_names,
    reason = "d, n, a, b: the usual names for a date, a number of days and two operands"
)]
fn fold_date(
    e: &a::Expr,
    bounds: Option<(m::Date, m::Date)>,
    depth: usize,
) -> Result<Folded, Option<(Span, &'static str)>> {
    let bad = |why: &'static str| Err(Some((e.span, why)));
    if depth > super::MAX_EXPR_DEPTH {
        return bad("too deep");
    }
    match &e.kind {
        a::ExprKind::Lit(a::Lit::Date(d)) => Ok(Folded::Date(*d)),
        a::ExprKind::Lit(a::Lit::Duration(n)) => Ok(Folded::Days(*n)),
        a::ExprKind::Name(id) if id.name == "start" => {
            bounds.map(|b| Folded::Date(b.0)).ok_or(None)
        }
        a::ExprKind::Name(id) if id.name == "end" => bounds.map(|b| Folded::Date(b.1)).ok_or(None),
        a::ExprKind::Unary(UnaryOp::Neg, x) => match fold_date(x, bounds, depth + 1)? {
            Folded::Days(n) => Ok(Folded::Days(-n)),
            Folded::Date(_) => bad("a date cannot be negated"),
        },
        a::ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub), l, r) => {
            let (l, r) = (
                fold_date(l, bounds, depth + 1)?,
                fold_date(r, bounds, depth + 1)?,
            );
            let sub = *op == BinOp::Sub;
            let shift = |d: m::Date, n: i64| {
                let n = if sub { n.checked_neg()? } else { n };
                let days = i64::from(d.0).checked_add(n)?;
                i32::try_from(days).ok().map(m::Date)
            };
            match (l, r) {
                (Folded::Date(d), Folded::Days(n)) => shift(d, n)
                    .map(Folded::Date)
                    .ok_or(Some((e.span, "out of range"))),
                (Folded::Days(n), Folded::Date(d)) if !sub => shift(d, n)
                    .map(Folded::Date)
                    .ok_or(Some((e.span, "out of range"))),
                (Folded::Days(a), Folded::Days(b)) => {
                    let n = if sub {
                        a.checked_sub(b)
                    } else {
                        a.checked_add(b)
                    };
                    n.map(Folded::Days).ok_or(Some((e.span, "out of range")))
                }
                (Folded::Date(a), Folded::Date(b)) if sub => {
                    Ok(Folded::Days(i64::from(a.0) - i64::from(b.0)))
                }
                _ => bad("a date plus a date"),
            }
        }
        a::ExprKind::Name(_) => bad("only `start` and `end` are names here"),
        _ => bad("not a date"),
    }
}
