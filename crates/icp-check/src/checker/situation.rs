//! Situations: capabilities, goals and milestones.

use icp_model as m;
use icp_syntax::Span;
use icp_syntax::ast::{self as a, CmpOp, UnaryOp};

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
            if let Some((start, end, tspan)) = timeframe
                && (ms.date.date < start || ms.date.date > end)
            {
                self.emit(
                    Some(owner),
                    file,
                    lints::milestone_outside_timeframe::diagnostic(
                        ms.date.span,
                        ms.date.date,
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
                    date: ms.date.date,
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
