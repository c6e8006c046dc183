//! The `practical_unreachable` lint.
//!
//! ## What it does
//! Reports a scorecard criterion whose `practical` branch can only hold when its `perfect`
//! branch holds too (`icp::practical_unreachable`, a warning).
//!
//! ## Why is this bad?
//! Branches are tried in order and `perfect` wins first, so a `practical` branch inside the
//! perfect one never fires: the near-misses it was written for earn nothing. The practical
//! branch should be the wider one.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  employees: int  revenue: money? }
//! profile p for Account {
//!   criterion size weight 20 {
//!     perfect   when employees in 10..1000
//!     practical when employees in 50..200
//!   }
//!   tier ideal >= 80
//!   tier not_fit
//! }
//! ```

use icp_syntax::{Code, Diagnostic, Span};

/// `icp::practical_unreachable`: the `practical` branch (at `span`) of criterion `criterion`
/// implies its `perfect` branch (at `perfect`).
pub(crate) fn diagnostic(span: Span, criterion: &str, perfect: Span) -> Diagnostic {
    Diagnostic::new(
        Code::PracticalUnreachable,
        span,
        format!("the `practical` branch of `{criterion}` can never fire"),
    )
    .with_label("whenever this holds, `perfect` holds too")
    .with_secondary(perfect, "the perfect branch wins first")
    .with_help("the practical branch should cover the near-misses: widen it beyond the perfect one")
}
