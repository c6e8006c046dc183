//! Segments: conditions, dependency cycles and the segment lints.

use crate::SymbolDetail;
use crate::diagnostics as diag;

use super::assemble::{cycle_chain, dependency_order};
use super::{Checker, Owner, Scope, SitScope};

impl Checker<'_> {
    pub(super) fn check_segment(&mut self, gi: usize) {
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
        self.set_detail(
            def,
            SymbolDetail::Segment {
                title: ast.title.as_ref().map(|t| t.value.clone()),
                cond_text: self.src(file, ast.cond.span).to_owned(),
            },
        );
        if let Some(x) = self.segments.get_mut(gi) {
            x.cond = cond;
            x.deps = deps;
        }
    }

    /// Report segments that refer to themselves, and drop their conditions.
    pub(super) fn segment_cycles(&mut self) {
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
                    diag::reference_cycle_segment(&name, span, &chain),
                );
                if let Some(s) = self.segments.get_mut(x) {
                    s.cond = None;
                }
            }
        }
    }

    pub(super) fn lint_segment(&mut self, gi: usize) {
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
}
