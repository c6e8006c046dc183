//! The `always_true` lint.
//!
//! ## What it does
//! Reports a segment, criterion, exclusion or tier whose condition every account satisfies
//! (`icp::always_true`, a warning).
//!
//! ## Why is this bad?
//! A condition that holds for every account does not tell accounts apart: a criterion that
//! always fires adds the same points to everyone, an exclusion that always holds excludes
//! every account. The bounds usually cover the whole range by mistake.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  employees: int  revenue: money? }
//! segment everyone { employees >= 0 or employees < 0 }
//! ```

use icp_syntax::{Code, Diagnostic, Span};

/// `icp::always_true`: the condition of `what` `name` is always true.
pub(crate) fn diagnostic(span: Span, what: &str, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::AlwaysTrue,
        span,
        format!("the condition of {what} `{name}` is always true"),
    )
    .with_label("every account satisfies this")
    .with_help("a condition that holds for every account does not tell them apart: tighten it or remove it")
}
