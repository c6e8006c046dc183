//! Glue to the logic pass: whether a condition can be true, false, or reached.

use icp_model as m;
use icp_syntax::{Code, Diagnostic, FileId, Span};

use super::{Checker, Owner};
use crate::logic::{self, Var};

impl Checker<'_> {
    /// `(never true, always true)` of a typed condition.
    /// `bounds`: the highest reachable `score`, then each group's (100 when absent).
    pub(super) fn truth(&self, schema: usize, bounds: &[f64], cond: &m::Expr) -> (bool, bool) {
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

    pub(super) fn var_optional(&self, schema: usize, v: Var) -> bool {
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
    pub(super) fn report_truth(
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

    pub(super) fn practical_possible(
        &self,
        schema: usize,
        practical: &m::Expr,
        perfect: &m::Expr,
    ) -> bool {
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
}
