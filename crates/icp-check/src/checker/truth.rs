//! Glue to the logic pass: whether a condition can be true, false, or reached.

use icp_model as m;
use icp_syntax::{FileId, Span};

use super::{Checker, Owner};
use crate::lints;
use crate::logic::{self, Var};

impl Checker<'_> {
    /// Run `f` with the logic pass's view of `schema`: its optional fields, the segments'
    /// conditions and, for `score` and each group, the highest reachable score (`bounds`:
    /// `score`'s, then each group's; 100 when absent).
    fn with_env<R>(
        &self,
        schema: usize,
        bounds: &[m::Decimal],
        f: impl FnOnce(&logic::Env<'_>) -> R,
    ) -> R {
        let optional = |v: Var| self.var_optional(schema, v);
        let segment =
            |id: m::SegmentId| self.segments.get(id.index()).and_then(|s| s.cond.as_ref());
        let score_max = |v: Var| match v {
            Var::Score => bounds.first().copied().unwrap_or(m::Decimal::ONE_HUNDRED),
            Var::Group(g) => bounds
                .get(g as usize + 1)
                .copied()
                .unwrap_or(m::Decimal::ONE_HUNDRED),
            _ => m::Decimal::ONE_HUNDRED,
        };
        let env = logic::Env {
            enums: &self.enum_tys,
            optional: &optional,
            segment: &segment,
            score_max: &score_max,
        };
        f(&env)
    }

    /// `(never true, always true)` of a typed condition.
    /// `bounds`: the highest reachable `score`, then each group's (100 when absent).
    pub(super) fn truth(
        &self,
        schema: usize,
        bounds: &[m::Decimal],
        cond: &m::Expr,
    ) -> (bool, bool) {
        self.with_env(schema, bounds, |env| {
            (
                !logic::can_be_true(cond, env),
                !logic::can_be_not_true(cond, env),
            )
        })
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
                lints::never_true::diagnostic(span, what, name),
            );
        } else if always {
            self.emit(
                Some(owner),
                file,
                lints::always_true::diagnostic(span, what, name),
            );
        }
    }

    /// Whether the `practical` branch can hold while the `perfect` one does not.
    pub(super) fn practical_possible(
        &self,
        schema: usize,
        practical: &m::Expr,
        perfect: &m::Expr,
    ) -> bool {
        self.with_env(schema, &[], |env| {
            logic::can_be_true_without(practical, perfect, env)
        })
    }
}
