//! The `missing_timeframe` lint.
//!
//! ## What it does
//! Reports a situation without a `timeframe` (`icp::missing_timeframe`, a warning).
//!
//! ## Why is this bad?
//! A situation holds for a period; without one, nothing says when to revisit it, and its
//! milestones cannot be checked against it.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  stage: enum { open, won, lost }? }
//! situation q1 for Account {
//!   goal n count >= 25 where stage == won
//! }
//! ```

use icp_syntax::ast as a;
use icp_syntax::{Code, Diagnostic};

/// `icp::missing_timeframe`: a situation without a timeframe.
pub(crate) fn diagnostic(name: &a::Ident) -> Diagnostic {
    Diagnostic::new(
        Code::MissingTimeframe,
        name.span,
        format!("situation `{}` has no timeframe", name.name),
    )
    .with_label("no timeframe")
    .with_help("an ICP holds for a period: add `timeframe 2027-01-01 .. 2027-03-31` and revisit it when it ends")
}
