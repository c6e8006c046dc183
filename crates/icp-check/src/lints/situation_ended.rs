//! The `situation_ended` lint.
//!
//! ## What it does
//! Reports a situation whose timeframe ended before today (`icp::situation_ended`, a
//! warning; only when the caller gives today's date).
//!
//! ## Why is this bad?
//! An ICP describes who to target during a period; once the period is over its goals and
//! capabilities no longer describe the business, and profiles scored in it are stale.
//!
//! ## Example
//! ```icp
//! // checked on 2027-06-01
//! schema Account { id: text key  employees: int  revenue: money? }
//! situation q1 for Account {
//!   timeframe 2027-01-01 .. 2027-03-31
//! }
//! ```

use icp_syntax::{Code, Diagnostic, Span};

/// `icp::situation_ended`: the timeframe ended `days` days before `today`.
pub(crate) fn diagnostic(
    name: &str,
    span: Span,
    end: impl std::fmt::Display,
    days: i64,
    today: impl std::fmt::Display,
) -> Diagnostic {
    Diagnostic::new(
        Code::SituationEnded,
        span,
        format!("situation `{name}` ended on {end}"),
    )
    .with_label(format!("ended {days} days before today ({today})"))
    .with_help(
        "revisit the ICP: check its goals, then write the next situation with a new timeframe",
    )
}
