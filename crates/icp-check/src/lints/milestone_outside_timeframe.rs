//! The `milestone_outside_timeframe` lint.
//!
//! ## What it does
//! Reports a milestone dated outside its situation's timeframe
//! (`icp::milestone_outside_timeframe`, a warning).
//!
//! ## Why is this bad?
//! A milestone checks progress within the situation's period; one dated outside it can never
//! be checked while the situation holds, so it is most likely a mistyped date.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  stage: enum { open, won, lost }? }
//! situation q1 for Account {
//!   timeframe 2027-01-01 .. 2027-03-31
//!   goal n count >= 25 where stage == won
//!   milestone 2027-05-01 n >= 10
//! }
//! ```

use icp_syntax::{Code, Diagnostic, Span};

/// `icp::milestone_outside_timeframe`.
pub(crate) fn diagnostic(
    span: Span,
    date: impl std::fmt::Display,
    start: impl std::fmt::Display,
    end: impl std::fmt::Display,
    timeframe: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::MilestoneOutsideTimeframe,
        span,
        format!("milestone {date} is outside the timeframe {start} .. {end}"),
    )
    .with_label("outside the timeframe")
    .with_secondary(timeframe, "the timeframe")
    .with_help("a milestone checks progress within the situation: date it inside the timeframe")
}
