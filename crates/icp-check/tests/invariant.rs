//! The program invariant (`icp_model`): every id in the checked program of every UI case is
//! valid, every `let` only uses earlier ones, every tier list ends with the catch-all.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::needless_for_each,
    clippy::indexing_slicing,
    reason = "tests read their fixtures from disk and fail loudly"
)]

use crate::common;

use icp_model::{Const, CriterionBody, Expr, ExprKind, Program, Ty};

struct Ctx<'a> {
    p: &'a Program,
    fields: usize,
    lets: usize,
    groups: usize,
}

fn ty(c: &Ctx<'_>, t: &Ty) {
    match t {
        Ty::Enum(id) => assert!(c.p.enum_ty(*id).is_some(), "enum {id:?}"),
        Ty::Set(x) | Ty::List(x) => ty(c, x),
        _ => {}
    }
}

fn konst(c: &Ctx<'_>, k: &Const) {
    match k {
        Const::Enum(id, v) => {
            let e = c.p.enum_ty(*id).expect("enum of a constant");
            assert!((*v as usize) < e.variants.len());
        }
        Const::List(xs) => xs.iter().for_each(|x| konst(c, x)),
        _ => {}
    }
}

fn expr(c: &Ctx<'_>, e: &Expr) {
    ty(c, &e.ty);
    match &e.kind {
        ExprKind::Const(k) => konst(c, k),
        ExprKind::Field(f) => assert!(f.index() < c.fields, "field {f:?}"),
        ExprKind::Let(l) => assert!(l.index() < c.lets, "let {l:?} of {}", c.lets),
        ExprKind::Segment(s) => assert!(c.p.segment(*s).is_some(), "segment {s:?}"),
        ExprKind::GroupScore(g) => assert!(g.index() < c.groups, "group {g:?}"),
        ExprKind::Today | ExprKind::Score => {}
        ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::IsMissing(x) => expr(c, x),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::Coalesce(a, b) => {
            expr(c, a);
            expr(c, b);
        }
        ExprKind::InRange { expr: x, lo, hi } => {
            expr(c, x);
            expr(c, lo);
            expr(c, hi);
        }
        ExprKind::InList { expr: x, list } => {
            expr(c, x);
            list.iter().for_each(|i| expr(c, i));
        }
        ExprKind::Contains {
            expr: x, needles, ..
        } => {
            expr(c, x);
            needles.iter().for_each(|i| expr(c, i));
        }
    }
}

fn check_program(p: &Program) {
    for s in &p.schemas {
        let c = Ctx {
            p,
            fields: s.fields.len(),
            lets: 0,
            groups: 0,
        };
        s.fields.iter().for_each(|f| ty(&c, &f.ty));
        assert!(s.key.is_none_or(|k| k.index() < s.fields.len()));
    }
    for s in &p.segments {
        let schema = p.schema(s.schema).expect("segment schema");
        expr(
            &Ctx {
                p,
                fields: schema.fields.len(),
                lets: 0,
                groups: 0,
            },
            &s.cond,
        );
    }
    for s in &p.situations {
        let schema = p.schema(s.schema).expect("situation schema");
        let c = Ctx {
            p,
            fields: schema.fields.len(),
            lets: 0,
            groups: 0,
        };
        for g in &s.goals {
            if let Some(f) = &g.filter {
                expr(&c, f);
            }
        }
        for m in &s.milestones {
            assert!(m.goal < s.goals.len());
        }
    }
    for pr in &p.profiles {
        let schema = p.schema(pr.schema).expect("profile schema");
        assert!(pr.situation.is_none_or(|s| p.situation(s).is_some()));
        assert!(pr.targets.iter().all(|t| p.segment(*t).is_some()));
        for (i, l) in pr.lets.iter().enumerate() {
            expr(
                &Ctx {
                    p,
                    fields: schema.fields.len(),
                    lets: i,
                    groups: 0,
                },
                &l.expr,
            );
        }
        let c = Ctx {
            p,
            fields: schema.fields.len(),
            lets: pr.lets.len(),
            groups: pr.groups.len(),
        };
        for cr in &pr.criteria {
            assert!(!cr.weight.is_zero());
            assert!(cr.group.is_none_or(|g| g.index() < pr.groups.len()));
            match &cr.body {
                CriterionBody::Bool(e) => expr(&c, e),
                CriterionBody::Scorecard { perfect, practical } => {
                    expr(&c, perfect);
                    if let Some(q) = practical {
                        expr(&c, q);
                    }
                }
            }
        }
        pr.excludes.iter().for_each(|x| expr(&c, &x.cond));
        assert!(matches!(
            pr.tiers.last().map(|t| &t.rule),
            Some(icp_model::TierRule::CatchAll)
        ));
        for t in &pr.tiers {
            if let icp_model::TierRule::When(e) = &t.rule {
                expr(&c, e);
            }
        }
        assert!((icp_model::Decimal::ZERO..=icp_model::Decimal::ONE).contains(&pr.practical_share));
    }
    for t in &p.tests {
        let pr = p.profile(t.profile).expect("test profile");
        let schema = p.schema(pr.schema).unwrap();
        let c = Ctx {
            p,
            fields: schema.fields.len(),
            lets: 0,
            groups: 0,
        };
        for (f, v) in &t.account {
            assert!(f.index() < schema.fields.len());
            konst(&c, v);
        }
    }
}

#[test]
fn every_ui_case_yields_a_valid_program() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "icp") {
            let text = std::fs::read_to_string(&path).unwrap();
            check_program(&common::check_case(&text).program);
        }
    }
}
