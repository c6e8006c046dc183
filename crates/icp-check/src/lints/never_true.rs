//! The `never_true` lint.
//!
//! ## What it does
//! Reports a segment, criterion, exclusion or tier whose condition no account can satisfy:
//! its parts contradict each other (`icp::never_true`, a warning).
//!
//! ## Why is this bad?
//! A condition that is never true never matches: the segment is empty, the criterion never
//! earns its points, the exclusion never excludes. It is almost always a typo in a bound
//! (`<` for `>`, a missing zero) or two clauses that were meant to be joined with `or`.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  employees: int  revenue: money? }
//! segment tiny_and_huge { employees < 10 and employees > 100 }
//! ```

use icp_syntax::{Code, Diagnostic, Span};

/// `icp::never_true`: the condition of `what` `name` can never be true.
pub(crate) fn diagnostic(span: Span, what: &str, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::NeverTrue,
        span,
        format!("the condition of {what} `{name}` can never be true"),
    )
    .with_label("no account satisfies this")
    .with_help("the parts contradict each other (e.g. `employees < 10 and employees > 100`): fix the bounds")
}
