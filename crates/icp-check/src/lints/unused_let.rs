//! The `unused_let` lint.
//!
//! ## What it does
//! Reports a profile `let` that no criterion, exclusion, tier or other `let` uses
//! (`icp::unused_let`, a warning).
//!
//! ## Why is this bad?
//! An unused `let` is usually left over from an edit, or a criterion meant to use it names
//! something else instead. It makes the profile harder to read for no effect.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  employees: int  revenue: money? }
//! profile p for Account {
//!   let per_head = revenue / employees
//!   criterion big weight 10 { employees >= 100 }
//!   tier ideal >= 80
//!   tier not_fit
//! }
//! ```

use icp_syntax::ast as a;
use icp_syntax::{Code, Diagnostic};

/// `icp::unused_let`: a `let` nobody uses.
pub(crate) fn diagnostic(name: &a::Ident) -> Diagnostic {
    Diagnostic::new(
        Code::UnusedLet,
        name.span,
        format!("`let {}` is never used", name.name),
    )
    .with_label("unused")
    .with_help("use it in a criterion, exclusion or tier, or remove it")
}
