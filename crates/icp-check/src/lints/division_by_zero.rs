//! The `division_by_zero` lint.
//!
//! ## What it does
//! Reports a division by the literal zero (`icp::division_by_zero`, a warning).
//!
//! ## Why is this bad?
//! A division by zero gives a missing value for every account, so whatever uses it is never
//! known: the divisor is almost certainly a mistake.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  employees: int  revenue: money? }
//! profile p for Account {
//!   let per = revenue / 0
//!   criterion c weight 10 { per > $1 }
//!   tier ideal >= 80
//!   tier not_fit
//! }
//! ```

use icp_syntax::{Code, Diagnostic, Span};

/// `icp::division_by_zero`: a division by the constant zero.
pub(crate) fn diagnostic(span: Span) -> Diagnostic {
    Diagnostic::new(Code::DivisionByZero, span, "division by zero")
        .with_label("always zero")
        .with_help("a division by zero gives a missing value: divide by something else")
}
